"""The intervention: what the support was (``[report] intervention``) and when it ran (``[report]
period``), with the follow-up the results give (the horizon and the published median follow-up).

The cohort's range of contract starts is not among the results (CONTRACT §4), so the timeline is
the plan's ``period``; the section reads no date from the cohort. Without an ``intervention`` text
the section is left out of the public report (the evaluator's report notes it is missing).
"""
from __future__ import annotations

from ...disclosure.ledger import pointer
from ..document import Paragraph, Section
from ..i18n import SECONDARY
from .context import Context, plan_text_section

TEXTS = {
    "fr": {"title": "L'intervention", "period": "Période : {period}.",
           "followup": ("Chaque contrat est suivi {horizon} jours (environ {months} mois) après son début ; "
                        "durée médiane de suivi : {median_t} chez les accompagnés, {median_c} chez les témoins."),
           "days": "{d} jours"},
    "en": {"title": "The intervention", "period": "Period: {period}.",
           "followup": ("Each contract is followed for {horizon} days (about {months} months) after it starts; "
                        "median follow-up: {median_t} among the supported, {median_c} among the controls."),
           "days": "{d} days"},
}


def _median(ctx: Context, arm: str) -> str:
    """The published median follow-up of an arm (reverse Kaplan-Meier, rounded by the disclosure layer)."""
    path = ("data_quality", "median_followup_days", arm)
    value = ctx.get(*path)
    if value is None:
        return SECONDARY if ctx.pub.rule(pointer(path)) else ctx.fmt.t("not_reached")
    return TEXTS[ctx.fmt.language]["days"].format(d=ctx.fmt.integer(round(value)))


def section(ctx: Context) -> Section | None:
    words = TEXTS[ctx.fmt.language]
    main = plan_text_section(ctx, "intervention", words["title"])
    if main is None or not ctx.plan.report.intervention.strip():
        return main
    period = ctx.plan.report.period.strip()
    horizon = ctx.plan.survival.horizon_days
    timeline = ((Paragraph(words["period"].format(period=period)),) if period else ()) + (Paragraph(
        words["followup"].format(horizon=ctx.fmt.integer(horizon), months=round(horizon / 30.4375),
                                 median_t=_median(ctx, "treatment"), median_c=_median(ctx, "control"))),)
    return Section(main.key, main.title, main.blocks + timeline)
