"""``--engine`` and ``[data] engine``: the choice, the auto rule, the command line."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evalexp.cli import main
from evalexp.engine.choose import AUTO_CSV_BYTES, AUTO_ROWS, choose_engine
from evalexp.errors import ArgumentError, PlanError
from evalexp.plan import plan_from_dict

DEMO = Path(__file__).resolve().parents[2] / "data" / "synthetic"


def test_auto_rule_by_size(tmp_path):
    small = tmp_path / "small.csv"
    small.write_bytes(b"a\n" * 10)
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:  # sparse: AUTO_CSV_BYTES without writing them
        handle.truncate(AUTO_CSV_BYTES)
    assert choose_engine("auto", small) == "memory"
    assert choose_engine("auto", big) == "duckdb"
    assert choose_engine("memory", big) == "memory"
    table = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"x": pa.array([0] * AUTO_ROWS, pa.int8())}), table)
    assert choose_engine("auto", table) == "duckdb"
    assert choose_engine("auto", DEMO / "agir_demo.csv") == "memory"
    assert choose_engine("auto", tmp_path / "cohort.xlsx") == "memory"


def test_unknown_engine_refused():
    with pytest.raises(ArgumentError, match="--engine must be one of auto, memory, duckdb, spark, got 'gpu'"):
        choose_engine("gpu", "cohort.csv")
    with pytest.raises(PlanError) as caught:
        plan_from_dict({"title": "t", "survival": {"horizon_days": 365}, "data": {"engine": "gpu"}}, "plan.toml")
    assert str(caught.value) == "plan.toml: 'engine' must be one of auto, memory, duckdb, spark, got 'gpu'"


def test_analyze_with_duckdb_engine(tmp_path):
    out = tmp_path / "results.json"
    code = main(["analyze", str(DEMO / "agir_demo.csv"), "--plan", str(DEMO / "agir_demo.toml"), "--json", str(out),
                 "--engine", "duckdb"])
    assert code == 0
    results = json.loads(out.read_text())
    assert results["engine"]["name"] == "duckdb" and results["n"] == {"treatment": 75, "control": 75}
    assert results["provenance"]["input"]["name"] == "agir_demo.csv"
    assert "randomization inference: permuting the arms needs the participants, not counts; use the memory " \
           "engine" in results["engine"]["skipped"]


def test_plan_engine_used_and_bad_input_exit_2(tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    plan.write_text((DEMO / "agir_demo.toml").read_text(encoding="utf-8") + '\n[data]\nengine = "duckdb"\n',
                    encoding="utf-8")
    bad = tmp_path / "cohort.csv"
    lines = (DEMO / "agir_demo.csv").read_text().splitlines()
    bad.write_text("\n".join([lines[0], lines[1], lines[1], *lines[2:]]) + "\n")
    code = main(["analyze", str(bad), "--plan", str(plan), "--json", str(tmp_path / "r.json")])
    assert code == 2
    assert "1 participant identifier used more than once in 2 rows: line 2, line 3" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_results_on_standard_output_are_plain_json(capsys):
    """No DuckDB progress bar mixed into ``--json -``."""
    code = main(["analyze", str(DEMO / "agir_demo.csv"), "--plan", str(DEMO / "agir_demo.toml"), "--json", "-",
                 "--engine", "duckdb"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["engine"]["name"] == "duckdb"


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_a_cohort_without_rupture_is_analysed_by_both_engines(tmp_path, engine):
    # every rupture_date empty: DuckDB's count_if over an all-NULL condition gave NULL, an internal error
    lines = (DEMO / "agir_demo.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cut = [header.index("rupture_date"), header.index("rupture_initiative")]
    rows = [",".join("" if i in cut else v for i, v in enumerate(line.split(","))) for line in lines[1:]]
    (tmp_path / "cohort.csv").write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    out = tmp_path / "results.json"
    assert main(["analyze", str(tmp_path / "cohort.csv"), "--plan", str(DEMO / "agir_demo.toml"),
                 "--json", str(out), "--engine", engine]) == 0
    results = json.loads(out.read_text())
    assert results["events"] == {"treatment": 0, "control": 0}
    assert (results["survival"]["logrank"]["statistic"], results["survival"]["logrank"]["p_value"]) == (0.0, 1.0)
    assert results["survival"]["cox"]["unadjusted"]["hr"] is None
    assert [(w["code"], w["message"]) for w in results["warnings"]] == [("not_estimable", (
        "Cox models: no rupture in the cohort, the hazard ratios are null; the tests have no information (p = 1)"))]
