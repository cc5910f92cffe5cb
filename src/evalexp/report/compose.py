"""Compose the funders' report (a :class:`~evalexp.report.document.Document`) from a publication.

The order is the one of French experimentation-fund (FEJ) evaluation reports:
cover, disclaimer, one-page summary (verdict first), the intervention, the
experiment (CONSORT), the participants at randomisation (Table 1), baseline balance,
attrition, the primary result, ruptures by initiative, employment outcomes, take-up, sensitivity analyses, subgroups,
sites, fidelity, power, lessons for public policy, recommendations, methods, a
glossary and the data-quality annex. A section whose analysis the plan does not
request, or whose text the plan does not give, is left out; each section is a
module of :mod:`evalexp.report.sections` (its interface is documented there).

Every number, sentence, table and figure is made from a
:class:`~evalexp.disclosure.Publication` only (:func:`evalexp.disclosure.publish`):
its results, where a withheld value is ``None``, and its coarsened curves. A
section never reads the cohort or the exact results, so it cannot show what the
disclosure layer withheld; a withheld count prints as ``"<11"`` (below the
threshold) or ``"s"`` (hidden so that a small one cannot be recovered), a withheld
statistic as ``"s"``.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from .. import __version__
from ..disclosure import Publication
from ..plan import Plan
from .calibration import displayed_results
from .document import Document, Section
from .i18n import Formatter
from .sections import (
    attrition,
    balance,
    baseline,
    competing,
    compliance,
    experiment,
    fidelity,
    glossary,
    intervention,
    lessons,
    methods,
    outcomes,
    power,
    primary,
    quality,
    recommendations,
    sensitivity,
    sites,
    subgroups,
    summary,
    wwc,
)
from .sections.context import Context, hidden_note

SECTIONS: tuple[Callable[[Context], Section | None], ...] = (
    summary.section, intervention.section, experiment.section, baseline.section, balance.section, attrition.section,
    primary.section, competing.section, outcomes.section, wwc.section, compliance.section, sensitivity.section,
    subgroups.section, sites.section,
    fidelity.section, power.section, lessons.section, recommendations.section, methods.section, glossary.section,
    quality.section,
)


def compose(pub: Publication, plan: Plan, *, today: dt.date | None = None) -> Document:
    """The report document of a publication (sections in FEJ order, absent analyses left out).

    Parameters
    ----------
    pub : Publication
        From :func:`evalexp.disclosure.publish`: the only source of the numbers and curves.
    plan : Plan
        Labels, texts and settings.
    today : date, optional
        The cover date (default: the UTC date).
    """
    fmt = Formatter(plan.language, pub.threshold, plan.labels, plan.value_labels)
    # where the plan's [inference] small_sample shows them, the small-sample siblings' intervals stand in
    ctx = Context(pub=dataclasses.replace(pub, results=displayed_results(pub.results)), plan=plan, fmt=fmt)
    sections = tuple(s for s in (build(ctx) for build in SECTIONS) if s is not None)
    if not pub.public:  # nothing is hidden in the evaluator's report: the legend of the marks goes
        note = hidden_note(ctx)
        sections = tuple(Section(s.key, s.title, tuple(b for b in s.blocks if b != note)) for s in sections)
    today = today or dt.datetime.now(dt.UTC).date()
    cover = ((fmt.t("funder"), plan.report.funder or fmt.t("not_given")),
             (fmt.t("evaluator"), plan.report.evaluator or fmt.t("not_given")),
             (fmt.t("date"), fmt.date(today)))
    return Document(language=plan.language, title=plan.title, subtitle=fmt.t("report_kind"), cover=cover,
                    disclaimer_title=fmt.t("disclaimer_title"),
                    disclaimer=fmt.t("disclaimer", threshold=fmt.threshold),
                    contents_title=fmt.t("contents"), sections=sections,
                    footer=fmt.t("generated_by", version=__version__),
                    banner="" if pub.public else fmt.t("not_for_publication"))
