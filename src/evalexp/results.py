"""Shared behaviour of evalexp's results objects.

Every estimator returns a frozen dataclass deriving from :class:`Result`. A
subclass implements :meth:`tidy` (a DataFrame with the stable columns of
:data:`TIDY_COLUMNS`, one row per estimated quantity) and :meth:`to_dict` (the
JSON-ready mapping, matching docs/CONTRACT.md section 4 where the contract fixes it);
:meth:`summary` and :meth:`_repr_html_` come from here and may be refined.
"""
from __future__ import annotations

import io
import math
from html import escape
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ._files import atomic_write_bytes, atomic_write_text

#: Stable column names of every ``tidy()`` DataFrame (after ``term``).
TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"]


def json_number(value: Any) -> float | int | None:
    """A JSON-safe number: NaN, infinities and None become ``None``; numpy scalars become Python ones."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else None


def tidy_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build a tidy DataFrame with exactly :data:`TIDY_COLUMNS` (missing cells are NaN)."""
    frame = pd.DataFrame(rows, columns=TIDY_COLUMNS)
    for col in TIDY_COLUMNS[1:]:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


#: Characters LaTeX treats specially, with their escaped text form.
LATEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _cell(value: Any) -> str:
    """A table cell as text: numbers with 4 significant digits, missing values empty."""
    if value is None or (isinstance(value, (float, np.floating)) and not math.isfinite(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    return str(value)


def _text_rows(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    return [str(c) for c in frame.columns], [[_cell(v) for v in row] for row in frame.itertuples(index=False)]


def _numeric(frame: pd.DataFrame) -> list[bool]:
    return [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]


def latex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped (:data:`LATEX_ESCAPES`)."""
    return "".join(LATEX_ESCAPES.get(ch, ch) for ch in text)


def frame_to_latex(frame: pd.DataFrame, caption: str = "") -> str:
    """A LaTeX ``tabular`` (in a ``table`` with the caption when given), numeric columns right-aligned.

    Needs no LaTeX package beyond the kernel (rules are ``\\hline``) and no jinja2.
    """
    header, rows = _text_rows(frame)
    spec = "".join("r" if numeric else "l" for numeric in _numeric(frame))
    body = [" & ".join(latex_escape(c) for c in header) + r" \\", r"\hline"]
    body += [" & ".join(latex_escape(c) for c in row) + r" \\" for row in rows]
    tabular = "\n".join([rf"\begin{{tabular}}{{{spec}}}", r"\hline", *body, r"\hline", r"\end{tabular}"])
    if not caption:
        return tabular + "\n"
    return "\n".join([r"\begin{table}", r"\centering", rf"\caption{{{latex_escape(caption)}}}", tabular,
                      r"\end{table}"]) + "\n"


def frame_to_markdown(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown pipe table, numeric columns right-aligned (``|`` characters escaped)."""
    header, rows = _text_rows(frame)
    align = ["---:" if numeric else ":---" for numeric in _numeric(frame)]
    lines = [header, align, *rows]
    return "\n".join("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in lines) + "\n"


def frame_to_html(frame: pd.DataFrame, caption: str = "") -> str:
    """An HTML ``<table>`` (pandas' writer, which needs no jinja2), numbers with 4 significant digits."""
    html = frame.to_html(index=False, border=0, na_rep="", float_format=lambda x: f"{x:.4g}")
    return html.replace(">\n", f">\n  <caption>{escape(caption)}</caption>\n", 1) if caption else html


def frame_to_excel(frame: pd.DataFrame, path: str | Path, sheet_name: str = "results") -> None:
    """Write an ``.xlsx`` workbook with one sheet (openpyxl), atomically."""
    buffer = io.BytesIO()
    frame.to_excel(buffer, sheet_name=sheet_name[:31], index=False, engine="openpyxl")
    atomic_write_bytes(path, buffer.getvalue())


def _written(text: str, path: str | Path | None) -> str:
    if path is not None:
        atomic_write_text(path, text)
    return text


class TableExport:
    """Mixin: ``to_excel``, ``to_latex``, ``to_markdown``, ``to_html`` of the table :meth:`export_frame` gives.

    Each text method returns the text and, given a ``path``, also writes it there
    (atomically, replacing any file; the folder must exist).
    """

    def export_frame(self) -> pd.DataFrame:
        """The table exported (a results object's :meth:`Result.tidy`, a report table's cells)."""
        raise NotImplementedError

    def export_caption(self) -> str:
        """Caption of the exported LaTeX and HTML tables."""
        return ""

    def to_latex(self, path: str | Path | None = None) -> str:
        """The table as LaTeX (:func:`frame_to_latex`)."""
        return _written(frame_to_latex(self.export_frame(), self.export_caption()), path)

    def to_markdown(self, path: str | Path | None = None) -> str:
        """The table as a Markdown pipe table (:func:`frame_to_markdown`)."""
        return _written(frame_to_markdown(self.export_frame()), path)

    def to_html(self, path: str | Path | None = None) -> str:
        """The table as an HTML ``<table>`` (:func:`frame_to_html`)."""
        return _written(frame_to_html(self.export_frame(), self.export_caption()), path)

    def to_excel(self, path: str | Path, sheet_name: str = "results") -> None:
        """Write the table to an ``.xlsx`` file (:func:`frame_to_excel`)."""
        frame_to_excel(self.export_frame(), path, sheet_name)


class Result(TableExport):
    """Mixin of the frozen results dataclasses: ``summary()``, ``tidy()``, ``to_dict()``, ``_repr_html_``.

    The convention every results type follows (tests/core/test_result_convention.py checks each):

    - a frozen dataclass declared ``@dataclass(frozen=True, eq=False)``: equality is identity and
      never raises (a field-by-field ``==`` would compare NumPy arrays and DataFrames, which raises
      or answers element-wise); compare two results through their :meth:`to_dict`;
    - :attr:`title`, a class constant (``title: ClassVar[str] = "..."``), never a field or property;
    - :meth:`tidy` with the columns :data:`TIDY_COLUMNS` together, in that order (extra columns
      around them allowed), :meth:`to_dict` plain JSON, :meth:`summary` and :meth:`_repr_html_`
      opening with :meth:`heading`;
    - ``plot(ax=None)`` drawing on (and returning) the matplotlib axes given, where a figure exists.
    """

    #: One-line title used by :meth:`summary` and :meth:`_repr_html_`.
    title: ClassVar[str] = "Result"

    def tidy(self) -> pd.DataFrame:
        """One row per estimated quantity, columns :data:`TIDY_COLUMNS`."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (plain numbers, ``None`` for missing)."""
        raise NotImplementedError

    def export_frame(self) -> pd.DataFrame:
        """The tidy table (exported by ``to_excel``, ``to_latex``, ``to_markdown``, ``to_html``)."""
        return self.tidy()

    def export_caption(self) -> str:
        return self.title

    def conventions(self) -> str:
        """The statistical conventions behind the numbers, one line (shown under the table)."""
        return ""

    def heading(self) -> str:
        """The first line of :meth:`summary` and :meth:`_repr_html_`: the type's :attr:`title` (a class
        constant, the one place a type names itself), followed for a result about one cohort or file
        by ``": "`` and that cohort's or file's name."""
        return self.title

    def summary(self) -> str:
        """Plain-text summary: the heading, the tidy table, the conventions."""
        table = self.tidy().to_string(index=False, float_format=lambda x: f"{x:.4g}")
        lines = [self.heading(), "=" * len(self.heading()), table]
        if self.conventions():
            lines += ["", self.conventions()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        table = self.tidy().to_html(index=False, float_format=lambda x: f"{x:.4g}", border=0)
        note = f"<p><small>{self.conventions()}</small></p>" if self.conventions() else ""
        return f"<div><strong>{escape(self.heading())}</strong>{table}{note}</div>"

    def __str__(self) -> str:
        return self.summary()
