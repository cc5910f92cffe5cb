"""``build_report``: analysis, document, HTML, PDF, figures, results.json and manifest in one run.

Everything is written into a staged directory that replaces ``out_dir`` only
when complete (:func:`evalexp._files.staged_directory`): a failure leaves the
previous report, or nothing, never half a report. ``out_dir`` must be new, empty
or a report evalexp wrote (recognised by its ``manifest.json``); anything else is
refused before the analysis starts (:func:`evalexp._files.check_report_dir`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import re
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import __version__
from .._files import check_report_dir, seal_manifest, sha256_file, staged_directory, write_tree
from ..cohort import Cohort
from ..disclosure import check_audience, publish
from ..disclosure.tables import find_identifiers
from ..engine.counts import CountsAnalysis
from ..errors import EvalexpError
from ..fingerprint import check_analysis_matches
from ..guards import require, require_path
from ..plan import Plan
from .compose import compose
from .docx import render_docx
from .html import render_html
from .pdf import render_pdf
from .progress import Steps
from .xlsx import render_xlsx

#: Distributions whose versions the manifest records.
DEPENDENCIES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "reportlab")

#: What the manifest says about disclosure control, by audience (recorded with the outputs).
DISCLOSURE_NOTE = {
    "public": (
        "Every output of this folder (report.html, report.pdf, figures/, results.json) is made from the "
        "publishable results of evalexp.disclosure: counts below the suppression threshold, what would "
        "give them back, statistics from small groups and individual event times are withheld; "
        "results.json holds them as null and lists their JSON pointers under 'suppressed'; "
        "disclosure.json gives the rule of each. No output holds a participant identifier."),
    "evaluator": (
        "NOT FOR PUBLICATION: evaluator's report, every number and exact curves, no disclosure control. "
        "Build the report with --audience public to circulate it."),
}


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _file_record(path: str | Path | None, fallback: str) -> dict[str, Any]:
    """``{"path", "sha256"}`` of an input file: its base name only (no folder, so no user or host
    name) and its SHA-256 (None when it is not a file on disk)."""
    source = Path(path) if path else Path(fallback)
    return {"path": source.name, "sha256": sha256_file(source) if source.is_file() else None}


def _base_name(arg: str) -> str:
    """``arg`` with a path reduced to its base name: ``/home/x/r/`` -> ``r``, ``--out=/home/x/r`` -> ``--out=r``."""
    option, equals, value = arg.partition("=") if arg.startswith("-") else ("", "", arg)
    name = re.split(r"[/\\]", value.rstrip("/\\"))[-1]
    return option + equals + (name or value)


def _without_folders(command_line: Sequence[str]) -> list[str]:
    """The command line with every path reduced to its base name (:func:`_base_name`)."""
    return [_base_name(str(arg)) for arg in command_line]


def manifest(plan: Plan, *, cohort: Cohort | None, cohort_path: str | Path | None, plan_path: str | Path | None,
             command_line: Sequence[str] | None, outputs: dict[str, bytes], rows: int | None = None) -> dict[str, Any]:
    """The reproducibility record of a report run (``manifest.json``).

    The input and the plan are identified by their base name and SHA-256 (``cohort_path``
    and ``plan_path``, or else ``cohort.source`` and ``plan.source`` when they name files);
    no absolute path, user or host name is recorded (paths in the command line are
    reduced to their base names). ``"generator": "evalexp"``, ``outputs`` (every other
    file of the folder, by name relative to it, with its SHA-256) and the manifest's own
    SHA-256 added when it is written (:func:`evalexp._files.seal_manifest`) let a later run
    recognise the folder as evalexp's own, unedited (:func:`evalexp._files.foreign_entries`).
    Without ``cohort`` (a report from counts, :func:`build_report`), ``rows`` is the number of participants.
    """
    return {
        "generator": "evalexp",
        "evalexp": __version__,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command_line": _without_folders(command_line) if command_line is not None else None,
        "input": {**_file_record(cohort_path, cohort.source if cohort is not None else ""),
                  "rows": len(cohort) if cohort is not None else rows},
        "plan": _file_record(plan_path, plan.source),
        "seed": plan.inference.seed,
        "permutations": plan.inference.permutations,
        "language": plan.language,
        "suppression_threshold": plan.report.suppression_threshold,
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


def build_report(cohort: Cohort | None, plan: Plan, out_dir: str | Path, *, cohort_path: str | Path | None = None,
                 plan_path: str | Path | None = None, command_line: Sequence[str] | None = None,
                 progress: bool = True, analysis: Any = None, audience: str = "public") -> Path:
    """Build the funders' report of ``cohort`` under ``plan`` into ``out_dir``.

    Writes ``report.html`` (self-contained), ``report.pdf``, ``report.docx`` (editable),
    ``tables.xlsx`` (every table of the report), ``figures/*.png`` and ``figures/*.svg``,
    ``results.json``, ``disclosure.json`` and ``manifest.json``; ``out_dir`` is created, or
    replaced atomically when it is empty or a report evalexp wrote (docs/CONTRACT.md section 5).
    Every output is made from :func:`evalexp.disclosure.publish` for ``audience``: in public
    mode, ``results.json`` is the publishable results (withheld values ``null``).

    Parameters
    ----------
    cohort, plan
        From :func:`evalexp.load.load_cohort` and :func:`evalexp.plan.load_plan`. ``cohort`` is
        None for a report from counts: ``analysis`` is then the
        :class:`~evalexp.engine.counts.CountsAnalysis` of an out-of-core engine
        (:func:`evalexp.engine.run.analyze_out_of_core`) and ``cohort_path`` the file it read;
        the sections whose inputs the counts do not give are left out, and the data-quality
        annex says which (the same disclosure control, manifest and file rules).
    out_dir : path
        The report directory (created, or replaced when complete). Its parent must
        exist; it must not be the current folder, the folder of ``cohort_path`` or
        ``plan_path``, or a parent of these.
    cohort_path, plan_path : path, optional
        The input files, hashed into the manifest.
    command_line : sequence of str, optional
        Recorded in the manifest.
    progress : bool
        Print the steps on stderr.
    analysis : Analysis or CountsAnalysis, optional
        An analysis of this cohort under this plan already computed
        (:func:`evalexp.analysis.analyze`); computed here when omitted. Required without ``cohort``.
    audience : {"public", "evaluator"}
        Public (default): disclosure-controlled; evaluator: every number, each output marked
        "not for publication".

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    OutputError
        ``out_dir`` may not be written (see above), or writing failed; nothing is changed.
    MismatchError
        ``analysis`` was computed on another cohort or under another plan
        (:func:`evalexp.fingerprint.check_analysis_matches`).
    """
    if cohort is None:
        require("build_report", "analysis", analysis, CountsAnalysis)
        require_path("build_report", "cohort_path", cohort_path)
    else:
        require("build_report", "cohort", cohort, Cohort)
    require("build_report", "plan", plan, Plan)
    require_path("build_report", "out_dir", out_dir)
    source = cohort_path if cohort_path else cohort.source if cohort is not None else None
    inputs = (source, plan_path if plan_path else plan.source)
    check_report_dir(out_dir, inputs=inputs)
    if analysis is not None and cohort is not None:
        check_analysis_matches(analysis, cohort, plan)
    plan = plan.in_language(plan.language)  # the plan's reader texts in the report's language
    steps = Steps(5, enabled=progress)
    check_audience(audience, plan.report.suppression_threshold)
    if analysis is None and cohort is not None:
        from ..analysis import analyze

        steps.start("analysis")
        analysis = analyze(cohort, plan, progress=progress)
    else:
        steps.start("analysis (given)")
    pub = publish(analysis, plan.report.suppression_threshold, audience)
    steps.start("figures and document")
    doc = compose(pub, plan)
    outputs: dict[str, bytes] = {}
    for fig in doc.all_figures():
        outputs[f"figures/{fig.name}.png"] = fig.png
        outputs[f"figures/{fig.name}.svg"] = fig.svg
    steps.start("HTML")
    outputs["report.html"] = render_html(doc).encode("utf-8")
    steps.start("PDF, Word and Excel")
    outputs["report.pdf"] = render_pdf(doc)
    outputs["report.docx"] = render_docx(doc)
    outputs["tables.xlsx"] = render_xlsx(doc)
    outputs["results.json"] = (json.dumps(pub.results, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    outputs["disclosure.json"] = (json.dumps(pub.disclosure_log(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    steps.start("manifest and files")
    record = manifest(plan, cohort=cohort, cohort_path=cohort_path, plan_path=plan_path,
                      command_line=command_line, outputs=outputs,
                      rows=sum(analysis.n.values()) if cohort is None else None)
    record["audience"] = audience
    record["disclosure"] = DISCLOSURE_NOTE[audience]
    outputs["manifest.json"] = seal_manifest(record)
    if cohort is not None:  # counts hold no participant identifier
        _check_no_identifiers(outputs, cohort)
    out_dir = Path(out_dir)
    # Every file of the folder goes through ``outputs``: the manifest lists them with their SHA-256,
    # and a file it does not list would make the folder foreign to the next run (refused).
    with staged_directory(out_dir, inputs=inputs) as stage:
        write_tree(stage, outputs)
    steps.finish(str(out_dir / "report.html"))
    return out_dir
