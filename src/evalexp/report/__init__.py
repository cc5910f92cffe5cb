"""The funders' report: bilingual (fr/en) HTML and PDF, figures, results.json, manifest.

:func:`build_report` is the entry point (the ``evalexp report`` command). The
package reads top to bottom: :mod:`~evalexp.report.i18n` (words and number
formats), :mod:`~evalexp.disclosure` (statistical secrecy, before any of these),
:mod:`~evalexp.report.figures` (matplotlib figures), :mod:`~evalexp.report.document`
(the format-free document model), :mod:`~evalexp.report.sections` (one module per
section: publication -> section), :mod:`~evalexp.report.compose` (their order -> document),
:mod:`~evalexp.report.html` and :mod:`~evalexp.report.pdf` (renderers),
:mod:`~evalexp.report.build` (the run, atomically written).
"""
from .build import build_report

__all__ = ["build_report"]
