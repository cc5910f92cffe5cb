"""Sensitivity analyses: what the results already contain, gathered in one table with one reading
sentence. Ruptures: the unadjusted and adjusted Cox models and the covariate-adjusted hazard ratio
(Ye, Shao and Yi 2024), the risk difference at the horizon unadjusted and covariate-adjusted, the
effect of assignment (ITT) against the effect on those supported (CACE). Employment outcomes: the
complete-case difference against Lee bounds (the effect if the missing answers were the worst or
the best case). Every value is the published one (``"s"`` when withheld).

The reading sentence compares the direction of each published rupture estimate with the primary
analysis's (:func:`~evalexp.report.sections.context.primary_estimate`): fewer ruptures among the
supported is a hazard ratio below 1 or a negative difference.
"""
from __future__ import annotations

import math
from typing import Any

from ..document import Paragraph, Section, Table
from ..i18n import SECONDARY
from .context import Context, p_text, primary_estimate, reduced_precision

TEXTS = {
    "fr": {"title": "Analyses de sensibilité", "kind_hr": "rapport des risques", "kind_pts": "points",
           "rd_ca": "Différence de risque de rupture à {day} jours, ajustée sur les covariables (points)",
           "cc": "{outcome} : cas complets (points)", "lee": "{outcome} : bornes de Lee (points)",
           "same": ("Lecture : les {k} estimations publiées de l'effet sur les ruptures vont toutes dans le même "
                    "sens que l'analyse principale ; le résultat ne dépend pas du choix de la méthode."),
           "differ": ("Lecture : {m} des {k} estimations publiées de l'effet sur les ruptures vont dans le sens "
                      "contraire de l'analyse principale ; le résultat dépend du choix de la méthode et doit être "
                      "lu avec prudence."),
           "note": ("Comment lire ce tableau : chaque ligne estime le même effet par une autre méthode ; si les "
                    "estimations et leurs intervalles se ressemblent, la conclusion ne tient pas à un choix "
                    "d'analyse. Un rapport des risques inférieur à 1 ou une différence négative de ruptures "
                    "signifie moins de ruptures chez les accompagnés.")},
    "en": {"title": "Sensitivity analyses", "kind_hr": "hazard ratio", "kind_pts": "points",
           "rd_ca": "Difference in rupture risk at {day} days, covariate-adjusted (points)",
           "cc": "{outcome}: complete cases (points)", "lee": "{outcome}: Lee bounds (points)",
           "same": ("Reading: the {k} published estimates of the effect on ruptures all point in the same "
                    "direction as the primary analysis; the result does not depend on the choice of method."),
           "differ": ("Reading: {m} of the {k} published estimates of the effect on ruptures point in the opposite "
                      "direction to the primary analysis; the result depends on the choice of method and should "
                      "be read with caution."),
           "note": ("How to read this table: each row estimates the same effect by another method; when the "
                    "estimates and their intervals agree, the conclusion does not rest on one analytic choice. A "
                    "hazard ratio below 1 or a negative difference in ruptures means fewer ruptures among the "
                    "supported.")},
}


def _hr_row(ctx: Context, label: str, block: dict[str, Any] | None, p: float | None = None,
            key: str = "hr") -> tuple[tuple[str, ...], float | None]:
    """A hazard-ratio row and its log HR (``None`` when withheld)."""
    fmt = ctx.fmt
    if not block or block.get(key) is None:
        return (label, SECONDARY, SECONDARY, "–"), None
    return ((label, fmt.number(block[key]), fmt.ci(block["ci_low"], block["ci_high"]),
             fmt.pvalue(block.get("p_value", p))), math.log(block[key]))


def _points_row(ctx: Context, label: str, block: dict[str, Any] | None, key: str = "difference",
                rounded: bool = False) -> tuple[tuple[str, ...], float | None]:
    """A difference-in-points row and its difference (``None`` when withheld); ``rounded``: an
    outcome published at reduced precision (whole points, p to one decimal)."""
    fmt = ctx.fmt
    if not block or block.get(key) is None:
        return (label, SECONDARY, SECONDARY, "–"), None
    digits = 0 if rounded else 1
    return ((label, fmt.points(block[key], digits), fmt.ci(block["ci_low"], block["ci_high"], digits, scale=100),
             p_text(ctx, block.get("p_value"), rounded)), block[key])


def section(ctx: Context) -> Section | None:
    fmt, words = ctx.fmt, TEXTS[ctx.fmt.language]
    surv = ctx.get("survival") or {}
    cox = surv.get("cox") or {}
    ca = surv.get("covariate_adjusted") or {}
    day = ctx.plan.survival.horizon_days
    rupture: list[tuple[tuple[str, ...], float | None]] = [_hr_row(ctx, fmt.t("cox_unadj"), cox.get("unadjusted"))]
    if cox.get("adjusted"):
        covariates = ", ".join(fmt.var(c) for c in cox["adjusted"].get("covariates", ctx.plan.survival.covariates))
        rupture.append(_hr_row(ctx, fmt.t("cox_adj", covariates=covariates), cox["adjusted"]))
    if ca:
        rupture.append(_hr_row(ctx, fmt.t("ca_hr"), ca.get("hr"), (ca.get("log_hr") or {}).get("p_value"),
                               key="estimate"))
    rupture.append(_points_row(ctx, fmt.t("risk_diff", day=day), surv.get("risk_difference")))
    if ca.get("risk_difference"):
        rupture.append(_points_row(ctx, words["rd_ca"].format(day=day), ca["risk_difference"]))
    compliance = (ctx.get("compliance") or {}).get("rupture_risk") or {}
    for key in ("itt", "cace") if compliance else ():
        rupture.append(_points_row(ctx, f"{fmt.t(key)} — {fmt.t('risk_diff', day=compliance['day'])}",
                                   compliance.get(key), key="estimate"))
    rows = [row for row, _ in rupture]
    for name, out in (ctx.get("binary_outcomes") or {}).items():
        lee = ctx.get("attrition", "outcomes", name, "lee_bounds")
        if lee is None:
            continue
        rounded = reduced_precision(ctx, name)
        rows.append(_points_row(ctx, words["cc"].format(outcome=fmt.var(name)), out, rounded=rounded)[0])
        bounds = SECONDARY if lee.get("lower") is None else \
            fmt.ci(lee["lower"], lee["upper"], 0 if rounded else 1, scale=100)
        rows.append((words["lee"].format(outcome=fmt.var(name)), "–", bounds, "–"))
    primary = primary_estimate(ctx)
    shown = [d for _, d in rupture if d is not None and d != 0]
    blocks: list[Paragraph | Table] = [Table(
        (fmt.t("quantity"), fmt.t("estimate"), fmt.t("ci_level", level=ctx.level), fmt.t("p_value")), tuple(rows),
        note=words["note"])]
    if primary is not None and primary.direction != 0 and len(shown) > 1:
        opposite = sum((d < 0) != (primary.direction < 0) for d in shown)
        blocks.insert(0, Paragraph(words["differ"].format(m=opposite, k=len(shown)) if opposite else
                                   words["same"].format(k=len(shown))))
    return Section("sensitivity", words["title"], tuple(blocks))
