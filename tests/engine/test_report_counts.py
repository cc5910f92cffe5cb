"""``evalexp report --engine duckdb``: the report from the engine's counts.

The demo cohort is reported twice, by the DuckDB engine (as Parquet, and as the French cp1252 export)
and by the memory engine (its CSV): the counts' report has the primary figures, its numbers equal
the memory engine's report's (1e-9) wherever it gives one, its public outputs publish nothing the
memory engine's public report withholds, and its data-quality annex says what the counts omit.
"""
from __future__ import annotations

import json
import math
import re
from html import unescape
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evalexp.cli import main
from evalexp.engine.run import analyze_out_of_core
from evalexp.errors import EvalexpTypeError
from evalexp.plan import load_plan
from evalexp.report import build_report

DEMO = Path(__file__).resolve().parents[2] / "data" / "synthetic"
TOL = 1e-9
#: The keys of the counts' results.json that the memory engine's report does not have.
OWN = ("engine", "provenance")
OMITTED = {
    "fr": ("Ce rapport est calculé à partir de {cells} cellules de comptes (bras, jour, rupture et clés du plan) "
           "par le moteur duckdb, sans les lignes des participants."),
    "en": ("This report is computed from {cells} cells of counts (arm, day, rupture and the plan's keys) by the "
           "duckdb engine, without the participants' rows."),
}
RERUN = {"fr": "Pour les obtenir, relancer l'analyse avec --engine memory.",
         "en": "To obtain them, run the analysis with --engine memory."}


def _plan(tmp_path: Path, name: str) -> Path:
    """The demo plan ``name`` with categorical covariates (the adjusted Cox model is then computed from
    counts) and 200 permutations (the memory report's randomisation inference, quickly)."""
    text = (DEMO / name).read_text(encoding="utf-8")
    text = text.replace('covariates = ["age", "female", "diploma"]', 'covariates = ["female", "diploma"]')
    text = text.replace("permutations = 10000", "permutations = 200")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _report(tmp_path: Path, cohort: Path, plan: Path, *options: str) -> Path:
    out = tmp_path / "report"
    assert main(["report", str(cohort), "--plan", str(plan), "--out", str(out), "--quiet", *options]) == 0
    return out


def _text(folder: Path) -> str:
    """The HTML report's reader text (tags, styles and images removed)."""
    html = (folder / "report.html").read_text(encoding="utf-8")
    body = re.sub(r"<img[^>]*>|<style>.*?</style>", " ", html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split()).replace("\u2019", "'")


def _results(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


def _leaves(node: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of a JSON value by JSON pointer."""
    if isinstance(node, dict):
        return {k: v for key, value in node.items() for k, v in _leaves(value, f"{path}/{key}").items()}
    if isinstance(node, list):
        return {k: v for i, value in enumerate(node) for k, v in _leaves(value, f"{path}/{i}").items()}
    return {path: node}


@pytest.fixture(scope="module")
def parquet(tmp_path_factory):
    """The demo cohort as Parquet: public and evaluator reports by DuckDB; the memory engine's of its CSV."""
    tmp = tmp_path_factory.mktemp("counts_report")
    plan = _plan(tmp, "agir_demo.toml")
    cohort = tmp / "agir_demo.parquet"
    pd.read_csv(DEMO / "agir_demo.csv", dtype=str).to_parquet(cohort, index=False)  # empty cells as nulls
    folders = {}
    for name, path, options in (("counts", cohort, ("--engine", "duckdb")),
                                ("counts_evaluator", cohort, ("--engine", "duckdb", "--audience", "evaluator")),
                                ("memory", DEMO / "agir_demo.csv", ("--engine", "memory")),
                                ("memory_evaluator", DEMO / "agir_demo.csv",
                                 ("--engine", "memory", "--audience", "evaluator"))):
        folders[name] = _report(tmp_path_factory.mktemp(name), path, plan, *options)
    return plan, cohort, folders


@pytest.fixture(scope="module")
def cp1252(tmp_path_factory):
    """The French export (cp1252, ';', DD/MM/YYYY): the English public report by DuckDB (``auto`` is
    memory for this size: the engine is asked for)."""
    tmp = tmp_path_factory.mktemp("counts_report_cp1252")
    plan = _plan(tmp, "agir_demo_export_fr.toml")
    return _report(tmp, DEMO / "agir_demo_export_fr.csv", plan, "--engine", "duckdb", "--lang", "en")


def test_files_and_primary_figures_written(parquet):
    folder = parquet[2]["counts"]
    for name in ("report.html", "report.pdf", "report.docx", "tables.xlsx", "results.json", "disclosure.json",
                 "manifest.json", "figures/km.png", "figures/km.svg", "figures/cif.png", "figures/cif.svg",
                 "figures/outcomes.svg"):
        assert (folder / name).is_file(), name
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["input"]["path"] == "agir_demo.parquet" and manifest["input"]["rows"] == 150
    assert set(manifest["outputs"]) == {str(p.relative_to(folder)) for p in folder.rglob("*")
                                        if p.is_file() and p.name != "manifest.json"}
    assert manifest["audience"] == "public"


@pytest.mark.parametrize("audience", ["", "_evaluator"])
def test_numbers_equal_the_memory_report(parquet, audience):
    """Every leaf of the counts' results.json (but the engine note and provenance) is the memory
    engine's report's, numbers to 1e-9: both audiences."""
    _, _, folders = parquet
    counts, memory = _results(folders["counts" + audience]), _results(folders["memory" + audience])
    assert counts["survival"]["cox"]["adjusted"]["hr"] is not None
    expected = _leaves({k: v for k, v in memory.items() if k not in OWN})
    checked = 0
    for pointer, value in _leaves({k: v for k, v in counts.items() if k not in OWN}).items():
        if pointer.startswith("/suppressed/") or re.match(r"/competing_risks/\w+/(note|fine_gray)(/|$)", pointer):
            continue  # the list of what is withheld; the Fine-Gray model the engine leaves out (null), its note
        assert pointer in expected, pointer
        if isinstance(value, float):
            assert math.isclose(value, expected[pointer], rel_tol=TOL, abs_tol=TOL), pointer
            checked += 1
        else:
            assert value == expected[pointer], pointer
    assert checked > 50


def test_public_report_withholds_what_the_memory_report_withholds(parquet):
    """Every value the memory engine's public report withholds is withheld by the counts' where it
    exists, and the public figures are the memory engine's, byte for byte."""
    _, _, folders = parquet
    counts, memory = _results(folders["counts"]), _results(folders["memory"])
    present = _leaves(counts)
    shared = 0
    for pointer in memory["suppressed"]:
        values = [v for q, v in present.items() if q == pointer or q.startswith(pointer + "/")]
        assert all(v is None for v in values), pointer
        shared += bool(values)
    assert shared > 100
    for name in ("km.svg", "cif.svg", "outcomes.svg"):
        assert (folders["counts"] / "figures" / name).read_bytes() == \
            (folders["memory"] / "figures" / name).read_bytes(), name


def test_omitted_note_in_french(parquet):
    _, _, folders = parquet
    cells = _results(folders["counts"])["engine"]["cells"]
    text = _text(folders["counts"])
    assert OMITTED["fr"].format(cells=cells) in text and RERUN["fr"] in text
    assert "inférence par randomisation" in text
    assert OMITTED["fr"].split("{")[0] not in _text(folders["memory"])


def test_omitted_note_in_english_from_the_cp1252_export(cp1252, parquet):
    """The export gives the same numbers as the Parquet copy; the English report says what is omitted."""
    _, _, folders = parquet
    results = _results(cp1252)
    assert results["survival"]["logrank"] == _results(folders["counts"])["survival"]["logrank"]
    text = _text(cp1252)
    assert OMITTED["en"].format(cells=results["engine"]["cells"]) in text and RERUN["en"] in text
    assert "randomisation inference, the covariate-adjusted (Ye, Shao and Yi) analysis" in text
    assert (cp1252 / "figures" / "km.svg").is_file()


def test_continuous_covariate_named_in_the_note(tmp_path):
    """With the demo plan as it is (age continuous), the note says why the adjusted Cox model is missing."""
    out = _report(tmp_path, DEMO / "agir_demo.csv", DEMO / "agir_demo.toml", "--engine", "duckdb", "--lang", "en")
    assert ("The adjusted Cox model is not computed: a covariate of the plan takes more than 50 values, which "
            "counts cannot carry.") in _text(out)


def test_without_cohort_an_analysis_of_counts_is_required(tmp_path, parquet):
    plan, cohort, _ = parquet
    with pytest.raises(EvalexpTypeError) as caught:
        build_report(None, load_plan(plan), tmp_path / "r", cohort_path=cohort, progress=False)
    assert str(caught.value) == "build_report(): 'analysis' must be a CountsAnalysis, got NoneType"
    analysis = analyze_out_of_core(cohort, load_plan(plan), "duckdb")
    with pytest.raises(EvalexpTypeError) as caught:
        build_report(None, load_plan(plan), tmp_path / "r", analysis=analysis, progress=False)
    assert str(caught.value) == "build_report(): 'cohort_path' must be a path (str or pathlib.Path), got NoneType"
