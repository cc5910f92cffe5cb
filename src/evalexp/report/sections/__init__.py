"""The report's sections, one module each.

Interface
---------
Every section module exposes one function::

    def section(ctx: Context) -> Section | None

``ctx`` (:class:`~evalexp.report.sections.context.Context`) holds the
:class:`~evalexp.disclosure.Publication` (its results, a withheld value ``None``,
and its coarsened curves), the plan in the report's language and the
:class:`~evalexp.report.i18n.Formatter`. The function returns a
:class:`~evalexp.report.document.Section` (a key, a title and blocks: paragraphs,
tables, figures), or ``None`` when the results or the plan give it nothing to say
(an analysis not requested, a text the plan does not give). A section reads
nothing else: never the cohort, never the exact results, never another section,
so that a section can be added, reordered or translated alone.
:mod:`evalexp.report.compose` holds the order.

Helpers shared by several sections (``hidden_note``, ``est_ci``, ``mde_sentence``,
...) live in :mod:`~evalexp.report.sections.context`; a section's own words are in
:mod:`evalexp.report.i18n` or, for a section with many words of its own, in the
section module (:mod:`~evalexp.report.sections.sites`).
"""
from .context import Context

__all__ = ["Context"]
