"""A small document model: the report's content, independent of its output format.

A :class:`Document` is a cover and a list of :class:`Section` objects, each a
heading and blocks (:class:`Paragraph`, :class:`Table`, :class:`Figure`).
:mod:`evalexp.report.html` and :mod:`evalexp.report.pdf` render the same
document, and so do :mod:`evalexp.report.docx` and :mod:`evalexp.report.xlsx`: the formats
cannot disagree. Every string in it is already translated and formatted (numbers, suppression
marks).

The document finishes itself when built (:meth:`Document.__post_init__`): tables and figures
are numbered once, in reading order (Tableau 1, Figure 1...), so that every renderer shows the
same numbers; every text gets the typography of its language (French: narrow no-break spaces,
apostrophes, long dates, see :func:`evalexp.report.i18n.typeset_fr`), and statistic or method
identifiers (``logrank``, ``cox_score``, ``efron``, ``holm``) become reader words outside the
technical annex (:data:`TECHNICAL_SECTIONS`).
"""
from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass

import matplotlib.figure
import matplotlib.text
import pandas as pd

from ..results import TableExport
from .i18n import STRINGS, reader_words, typeset

#: Sections that may show code identifiers and raw column names (the data-quality annex).
TECHNICAL_SECTIONS = ("quality",)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text. ``kind`` is ``"body"``, ``"lead"`` (summary), ``"note"`` or ``"placeholder"``."""

    text: str
    kind: str = "body"


@dataclass(frozen=True)
class Table(TableExport):
    """A table of already formatted cells; the first column is a label, the others are right-aligned.

    ``to_excel``, ``to_latex``, ``to_markdown`` and ``to_html`` export its cells as shown in the
    report (:class:`evalexp.results.TableExport`).
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    note: str = ""
    #: Its number in the document (1, 2...), assigned by :class:`Document`; 0 before.
    number: int = 0

    def export_frame(self) -> pd.DataFrame:
        """The cells as shown, one column per header."""
        return pd.DataFrame(list(self.rows), columns=list(self.header))

    def export_caption(self) -> str:
        return self.caption


@dataclass(frozen=True)
class Figure:
    """A rendered figure: its file stem, caption, SVG and PNG bytes and its size in inches."""

    name: str
    caption: str
    svg: bytes
    png: bytes
    width_in: float
    height_in: float
    #: Its number in the document (1, 2...), assigned by :class:`Document`; 0 before.
    number: int = 0


Block = Paragraph | Table | Figure


@dataclass(frozen=True)
class Section:
    """A numbered section of the report; ``key`` is its stable HTML anchor."""

    key: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """The whole report: cover lines, the disclaimer, then the sections in reading order."""

    language: str
    title: str
    subtitle: str
    cover: tuple[tuple[str, str], ...]
    disclaimer_title: str
    disclaimer: str
    contents_title: str
    sections: tuple[Section, ...]
    footer: str = ""
    #: "Not for publication" mark of an evaluator report, shown on every page ("" when public).
    banner: str = ""

    def __post_init__(self) -> None:
        language = self.language
        for name in ("title", "subtitle", "disclaimer_title", "disclaimer", "contents_title", "footer", "banner"):
            object.__setattr__(self, name, typeset(getattr(self, name), language))
        object.__setattr__(self, "cover", tuple((typeset(k, language), typeset(v, language))
                                                for k, v in self.cover))
        object.__setattr__(self, "sections", _finished(self.sections, language))

    def all_figures(self) -> list[Figure]:
        """Every figure of the document, in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def all_tables(self) -> list[Table]:
        """Every table of the document, in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def caption(self, block: Table | Figure) -> str:
        """The numbered caption of a table or figure: ``Tableau 3 – Estimations...``."""
        words = STRINGS[self.language]
        label = words["table_label" if isinstance(block, Table) else "figure_label"]
        return f"{label} {block.number}{words['caption_sep']}{block.caption}"


def _text(value: str, language: str, technical: bool) -> str:
    return typeset(value if technical else reader_words(value, language), language)


def _finished(sections: tuple[Section, ...], language: str) -> tuple[Section, ...]:
    """The sections with tables and figures numbered in reading order, a table without a caption
    captioned by its section's title, and every text typeset (identifiers in reader words outside
    :data:`TECHNICAL_SECTIONS`)."""
    counts = {Table: 0, Figure: 0}
    out = []
    for section in sections:
        technical = section.key in TECHNICAL_SECTIONS
        title = _text(section.title, language, technical)
        blocks: list[Block] = []
        for block in section.blocks:
            if isinstance(block, Paragraph):
                blocks.append(dataclasses.replace(block, text=_text(block.text, language, technical)))
                continue
            counts[type(block)] += 1
            caption = _text(block.caption, language, technical) or title
            if isinstance(block, Table):
                blocks.append(dataclasses.replace(
                    block, header=tuple(_text(h, language, technical) for h in block.header),
                    rows=tuple(tuple(_text(c, language, technical) for c in row) for row in block.rows),
                    caption=caption, note=_text(block.note, language, technical), number=counts[Table]))
            else:
                blocks.append(dataclasses.replace(block, caption=caption, number=counts[Figure]))
        out.append(dataclasses.replace(section, title=title, blocks=tuple(blocks)))
    return tuple(out)


#: Resolution of the PNG renderings (print quality).
PNG_DPI = 200


def render_figure(fig: matplotlib.figure.Figure, name: str, caption: str) -> Figure:
    """Render a matplotlib figure once to SVG (text as paths, no font needed) and PNG.

    Text is drawn as written: ``$`` in a plan's title or labels is not read as
    mathtext (``parse_math`` off for the figure's texts and for the tick labels
    made while drawing), so ``$x^$`` neither fails nor changes.
    """
    svg, png = io.BytesIO(), io.BytesIO()
    for text in fig.findobj(matplotlib.text.Text):
        text.set_parse_math(False)
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": name, "text.parse_math": False}):
        fig.savefig(svg, format="svg", metadata={"Date": None})
        fig.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
    width, height = fig.get_size_inches()
    return Figure(name=name, caption=caption, svg=svg.getvalue(), png=png.getvalue(),
                  width_in=float(width), height_in=float(height))
