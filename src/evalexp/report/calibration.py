"""The report's small-sample choice and calibration table (methods annex).

Two things, both read from results and files, never from the cohort:

- :func:`displayed_results`: the results the report shows. When
  ``results["survival"]["small_sample"]["shown"]`` (the plan's ``[inference] small_sample``,
  the cohort size and the number of clusters, :mod:`evalexp.small_sample`), the Cox,
  covariate-adjusted (Ye-Shao-Yi), RMST and risk-difference intervals and p-values are those
  of their ``small_sample`` siblings and the cluster-robust Cox ones those of their
  ``few_clusters`` siblings (:data:`SIBLINGS`); ``results.json`` itself keeps the contract's
  numbers and the siblings beside them.
- :func:`methods_blocks`: the sentence saying which version the report shows and, when
  the plan's ``[report] calibration`` names a ``calibration.json`` written by
  ``evalexp calibrate`` (a path relative to the plan's folder), a small table of every
  method's type-I error, coverage and power with a plain sentence per method.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import EvalexpError
from .document import Block, Paragraph, Table

#: Results objects (path under ``survival``) with a sibling shown in their place, the sibling's
#: key and the i18n key of its description (a Cox model's few-clusters sibling, after its
#: small-sample one, wins when both exist: only it accounts for the clusters).
SIBLINGS = ((("rmst",), "small_sample", "ss_rmst"), (("risk_difference",), "small_sample", "ss_rd"),
            (("cox", "unadjusted"), "small_sample", "ss_cox_unadjusted"),
            (("cox", "adjusted"), "small_sample", "ss_cox_adjusted"),
            (("cox", "unadjusted"), "few_clusters", "ss_cox_clusters"),
            (("cox", "adjusted"), "few_clusters", "ss_cox_clusters"),
            (("covariate_adjusted", "hr"), "small_sample", "ss_ca"),
            (("covariate_adjusted", "log_hr"), "small_sample", "ss_ca"),
            (("covariate_adjusted", "logrank"), "small_sample", "ss_ca"),
            (("covariate_adjusted", "rmst"), "small_sample", "ss_ca_rmst"),
            (("covariate_adjusted", "risk_difference"), "small_sample", "ss_ca_rd"))
#: Description of a sibling whose ``method`` is not its entry's usual one: (entry's key, method) -> key.
METHOD_TEXTS = {("ss_cox_unadjusted", "firth"): "ss_cox_unadjusted_firth",
                ("ss_cox_adjusted", "firth"): "ss_cox_adjusted_firth",
                ("ss_cox_adjusted", "unadjusted-firth"): "ss_cox_adjusted_unadjusted",
                ("ss_ca", "unadjusted-firth"): "ss_ca_unadjusted",
                ("ss_ca_rmst", "unadjusted-studentized-permutation"): "ss_ca_rmst_unadjusted",
                ("ss_rmst", "wilson-bound"): "ss_rmst_bound",
                ("ss_ca_rmst", "unadjusted-wilson-bound"): "ss_rmst_bound",
                ("ss_ca_rd", "unadjusted-newcombe-effective-n"): "ss_ca_rd_unadjusted"}
#: Fields of a sibling that replace the contract's ones in the report (those the sibling has:
#: the estimate too when it differs, as Firth's or the unadjusted fallback's).
SHOWN_FIELDS = ("ci_low", "ci_high", "ci_high_unbounded", "p_value", "method", "hr", "log_hr", "estimate",
                "statistic", "difference")


def _at(survival: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = survival
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _replaced(node: dict[str, Any], path: tuple[str, ...], value: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``node`` with ``value`` at ``path`` (the mappings along the path copied)."""
    head, *rest = path
    return {**node, head: value if not rest else _replaced(node[head], tuple(rest), value)}


def displayed_results(results: dict[str, Any]) -> dict[str, Any]:
    """``results`` with the siblings' intervals and p-values in place when they are shown.

    Returns a new mapping (``results`` is not modified).
    """
    survival = results.get("survival") or {}
    if not (survival.get("small_sample") or {}).get("shown"):
        return results
    shown = survival
    for path, key, _ in SIBLINGS:
        block = _at(survival, path)
        sibling = None if block is None else block.get(key)
        if block is not None and sibling:
            shown = _replaced(shown, path, {**block, **{f: sibling[f] for f in SHOWN_FIELDS if f in sibling}})
    return {**results, "survival": shown}


def _choice_paragraph(ctx: Any) -> Paragraph | None:
    fmt = ctx.fmt
    survival = ctx.results.get("survival", {})
    choice = survival.get("small_sample")
    if not choice:
        return None
    present = list(dict.fromkeys(METHOD_TEXTS.get((text, sibling.get("method")), text) for path, key, text in SIBLINGS
                                 if (sibling := (_at(survival, path) or {}).get(key))))
    if not present:
        return None
    methods = (" ; " if fmt.language == "fr" else "; ").join(fmt.t(text) for text in present)
    mode = fmt.t(f"ss_mode_{choice['mode']}", threshold=fmt.integer(choice["threshold_n"]),
                 clusters=fmt.integer(choice["threshold_clusters"]))
    key = "ss_shown" if choice["shown"] else "ss_not_shown"
    return Paragraph(fmt.t(key, mode=mode, methods=methods))


def read_calibration(plan: Any) -> dict[str, Any] | None:
    """The ``calibration.json`` the plan's ``[report] calibration`` names, or None when it names none."""
    name = plan.report.calibration
    if not name:
        return None
    path = Path(name)
    if not path.is_absolute():
        path = Path(plan.source).parent / path
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalexpError(f"{path}: cannot read the calibration file named by [report] calibration: "
                           f"{exc.strerror or exc}") from None
    except ValueError as exc:
        raise EvalexpError(f"{path}: the calibration file named by [report] calibration is not JSON: "
                           f"{exc}") from None
    if not (isinstance(content, dict) and isinstance(content.get("scenarios"), list) and content["scenarios"]):
        raise EvalexpError(f"{path}: not a calibration file of evalexp calibrate (no 'scenarios')")
    return content


def _calibration_blocks(ctx: Any, calibration: dict[str, Any]) -> tuple[Block, ...]:
    fmt = ctx.fmt
    scenarios = calibration["scenarios"]
    null = next((s for s in scenarios if s["hazard_ratio"] == 1.0), scenarios[0])
    alt = next((s for s in scenarios if s is not null), None)
    hr = fmt.number(alt["hazard_ratio"]) if alt else "–"
    reps = fmt.integer(calibration["reps"])
    any_method: dict[str, Any] = next(iter(null["methods"].values()), {})
    se = fmt.number(100 * any_method["mc_se"], 2) if any_method.get("mc_se") is not None else "–"
    rows, sentences = [], []
    for name, m0 in null["methods"].items():
        m1 = (alt or {}).get("methods", {}).get(name, {})
        flags = [c for c in (m0.get("calibrated"), m1.get("calibrated")) if c is not None]
        label = fmt.label(f"cal_{name}", name)
        failed = m0.get("not_computed", 0) + m1.get("not_computed", 0)
        rows.append((label[0].upper() + label[1:], fmt.percent(m0.get("rejection_rate")),
                     fmt.percent(m0.get("coverage")), fmt.percent(m1.get("rejection_rate")),
                     fmt.percent(m1.get("coverage")), fmt.integer(failed),
                     fmt.t("yes" if flags and all(flags) else "no")))
        values = {"reps": reps, "method": label, "rate": fmt.percent(m0.get("rejection_rate")),
                  "level": ctx.level, "coverage": fmt.percent(m0.get("coverage"))}
        key = "cal_sentence_ci" if m0.get("coverage") is not None else "cal_sentence_test"
        sentences.append(Paragraph(fmt.t(key, **values)))
    header = (fmt.t("cal_method"), fmt.t("cal_type1"), fmt.t("cal_coverage0"), fmt.t("cal_power", hr=hr),
              fmt.t("cal_coverage1", hr=hr), fmt.t("cal_failed"), fmt.t("cal_calibrated"))
    table = Table(header, tuple(rows), caption=fmt.t("cal_title", reps=reps))
    intro = Paragraph(fmt.t("cal_intro", hr=hr, se=se, level=ctx.level))
    return (intro, table, *sentences)


def methods_blocks(ctx: Any) -> tuple[Block, ...]:
    """Blocks added to the methods annex: the small-sample choice, then the calibration table."""
    blocks: list[Block] = []
    choice = _choice_paragraph(ctx)
    if choice is not None:
        blocks.append(choice)
    calibration = read_calibration(ctx.plan)
    if calibration is not None:
        blocks += _calibration_blocks(ctx, calibration)
    return tuple(blocks)
