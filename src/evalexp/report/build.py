"""``build_report``: analysis, document, HTML, PDF, figures, results.json and manifest in one run.

Everything is written into a staged directory that replaces ``out_dir`` only
when complete (:func:`evalexp._files.staged_directory`): a failure leaves the
previous report, or nothing, never half a report.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

from .. import __version__
from .._files import staged_directory
from ..cohort import Cohort
from ..errors import EvalexpError
from ..guards import require, require_path
from ..plan import Plan
from .compose import compose
from .disclosure import find_identifiers
from .html import render_html
from .pdf import render_pdf
from .progress import Steps

#: Distributions whose versions the manifest records.
DEPENDENCIES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "reportlab")

#: What the manifest says about disclosure control (decision recorded with the outputs).
DISCLOSURE_NOTE = (
    "report.html, report.pdf and figures/ are disclosure-controlled: counts below the suppression "
    "threshold, and figures derived from them, are hidden; curves stop where fewer people are at "
    "risk. results.json is the complete statistical output of the analysis (estimates, standard "
    "errors and the counts of docs/CONTRACT.md section 4), not suppressed: it is for the evaluator and "
    "for reproduction, not for publication. No output holds a participant identifier.")


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _file_record(path: str | Path | None, fallback: str) -> dict[str, Any]:
    """``{"path", "sha256"}`` of an input file (``sha256`` None when it is not a file on disk)."""
    source = Path(path) if path else Path(fallback)
    return {"path": str(source), "sha256": sha256_file(source) if source.is_file() else None}


def manifest(plan: Plan, *, cohort: Cohort, cohort_path: str | Path | None, plan_path: str | Path | None,
             command_line: Sequence[str] | None, outputs: dict[str, bytes]) -> dict[str, Any]:
    """The reproducibility record of a report run (``manifest.json``).

    The input and the plan are identified by their SHA-256 (``cohort_path`` and
    ``plan_path``, or else ``cohort.source`` and ``plan.source`` when they name files).
    """
    return {
        "evalexp": __version__,
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command_line": list(command_line) if command_line is not None else None,
        "input": {**_file_record(cohort_path, cohort.source), "rows": len(cohort)},
        "plan": _file_record(plan_path, plan.source),
        "seed": plan.inference.seed,
        "permutations": plan.inference.permutations,
        "language": plan.language,
        "suppression_threshold": plan.report.suppression_threshold,
        "disclosure": DISCLOSURE_NOTE,
        "python": platform.python_version(),
        "dependencies": {name: _version(name) for name in DEPENDENCIES},
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(outputs.items())},
    }


def _check_no_identifiers(outputs: dict[str, bytes], cohort: Cohort) -> None:
    """Refuse to write a text output that holds a participant identifier (pseudonym)."""
    ids = cohort.data["participant_id"].astype(str)
    for name, data in outputs.items():
        if name.endswith((".html", ".json", ".svg")):
            found = find_identifiers(data.decode("utf-8"), ids)
            if found:
                raise EvalexpError(f"{name}: would contain {len(found)} participant identifier(s); "
                                   "nothing written")


def build_report(cohort: Cohort, plan: Plan, out_dir: str | Path, *, cohort_path: str | Path | None = None,
                 plan_path: str | Path | None = None, command_line: Sequence[str] | None = None,
                 progress: bool = True, analysis: Any = None) -> Path:
    """Build the funders' report of ``cohort`` under ``plan`` into ``out_dir``.

    Writes ``report.html`` (self-contained), ``report.pdf``, ``figures/*.png``
    and ``figures/*.svg``, ``results.json`` (the same as ``evalexp analyze``)
    and ``manifest.json``; ``out_dir`` is replaced atomically.

    Parameters
    ----------
    cohort, plan
        From :func:`evalexp.load.load_cohort` and :func:`evalexp.plan.load_plan`.
    out_dir : path
        The report directory (created, or replaced when complete).
    cohort_path, plan_path : path, optional
        The input files, hashed into the manifest.
    command_line : sequence of str, optional
        Recorded in the manifest.
    progress : bool
        Print the steps on stderr.
    analysis : Analysis, optional
        An analysis of this cohort under this plan already computed
        (:func:`evalexp.analysis.analyze`); computed here when omitted.

    Returns
    -------
    pathlib.Path
        ``out_dir``.
    """
    require("build_report", "cohort", cohort, Cohort)
    require("build_report", "plan", plan, Plan)
    require_path("build_report", "out_dir", out_dir)
    steps = Steps(5, enabled=progress)
    if analysis is None:
        from ..analysis import analyze

        steps.start("analysis")
        analysis = analyze(cohort, plan, progress=progress)
    else:
        steps.start("analysis (given)")
    results = analysis.to_dict()
    steps.start("figures and document")
    doc = compose(analysis, cohort, plan, results=results)
    outputs: dict[str, bytes] = {}
    for fig in doc.all_figures():
        outputs[f"figures/{fig.name}.png"] = fig.png
        outputs[f"figures/{fig.name}.svg"] = fig.svg
    steps.start("HTML")
    outputs["report.html"] = render_html(doc).encode("utf-8")
    steps.start("PDF")
    outputs["report.pdf"] = render_pdf(doc)
    outputs["results.json"] = (json.dumps(results, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    steps.start("manifest and files")
    record = manifest(plan, cohort=cohort, cohort_path=cohort_path, plan_path=plan_path,
                      command_line=command_line, outputs=outputs)
    outputs["manifest.json"] = (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    _check_no_identifiers(outputs, cohort)
    out_dir = Path(out_dir)
    with staged_directory(out_dir) as stage:
        for name, data in outputs.items():
            target = stage / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    steps.finish(str(out_dir / "report.html"))
    return out_dir
