"""What the report says about fragile Cox estimates and the analysis warnings (issue 11).

* :func:`fragility_notes`, under the primary results: the adjusted hazard ratio is fragile
  when a covariate coefficient diverged (monotone likelihood; the diverged terms are
  named) or when there are fewer than
  :data:`evalexp.alerts.EVENTS_PER_PARAMETER` ruptures per coefficient; with
  ``[survival] firth = true`` the Firth estimate is given beside it.
* :func:`warnings_table`, in the annex: every entry of ``results.json["warnings"]`` by
  its translated code and the model it concerns. The messages themselves are not
  printed: they may hold counts that public reports suppress.

Reads ``results.json`` only.
"""
from __future__ import annotations

import re
from typing import Any

from ..alerts import EVENTS_PER_PARAMETER
from .document import Block, Paragraph, Table
from .i18n import Formatter

_TERM = re.compile(r"^(?P<column>.+)\[(?P<level>.*)\]$")


def term_label(fmt: Formatter, term: str) -> str:
    """A design-matrix term as the report names it: ``diploma[bac+2]`` -> ``Diploma: bac+2``."""
    match = _TERM.match(term)
    return fmt.var_level(match["column"], match["level"]) if match else fmt.var(term)


def fragility_notes(fmt: Formatter, results: dict[str, Any]) -> list[Block]:
    """Notes on the adjusted Cox estimate: diverged terms, few events per coefficient, Firth."""
    adjusted = results["survival"]["cox"].get("adjusted") or {}
    codes = {w["code"] for w in results.get("warnings", [])}
    out: list[Block] = []
    if adjusted.get("diverged") and adjusted.get("log_hr") is not None:
        terms = ", ".join(term_label(fmt, t) for t in adjusted["diverged"])
        out.append(Paragraph(fmt.t("adj_monotone", terms=terms), "note"))
    if "few_events_per_parameter" in codes:
        out.append(Paragraph(fmt.t("adj_few_epp", epp=EVENTS_PER_PARAMETER), "note"))
    firth = adjusted.get("small_sample")
    if firth and firth.get("method") == "firth" and firth.get("hr") is not None:
        out.append(Paragraph(fmt.t("adj_firth", hr=fmt.number(firth["hr"]),
                                   ci=fmt.ci(firth["ci_low"], firth["ci_high"]),
                                   p=fmt.p_equals(firth["p_value"])), "note"))
    return out


def _model(fmt: Formatter, where: str | None) -> str:
    """The model a warning is about (its ``model`` field), translated when known; "–" when unnamed."""
    if not where:
        return "–"
    keys = {"unadjusted Cox model": "cox_unadj", "adjusted Cox model": "aw_adjusted"}
    return fmt.label(keys.get(where, where), where)


def warnings_table(fmt: Formatter, results: dict[str, Any]) -> list[Block]:
    """The analysis warnings, one row each: what happened and in which model."""
    warnings = results.get("warnings") or []
    if not warnings:
        return []
    rows = tuple((fmt.label(f"aw_{w['code']}", w["code"].replace("_", " ")), _model(fmt, w.get("model")))
                 for w in warnings)
    return [Table((fmt.t("warning"), fmt.t("aw_model")), rows, caption=fmt.t("aw_caption"))]
