"""A small document model: the report's content, independent of its output format.

A :class:`Document` is a cover and a list of :class:`Section` objects, each a
heading and blocks (:class:`Paragraph`, :class:`Table`, :class:`Figure`).
:mod:`evalexp.report.html` and :mod:`evalexp.report.pdf` render the same
document, so the HTML and the PDF cannot disagree. Every string in it is
already translated and formatted (numbers, suppression marks).
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib.figure
import matplotlib.text


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text. ``kind`` is ``"body"``, ``"lead"`` (summary), ``"note"`` or ``"placeholder"``."""

    text: str
    kind: str = "body"


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells; the first column is a label, the others are right-aligned."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A rendered figure: its file stem, caption, SVG and PNG bytes and its size in inches."""

    name: str
    caption: str
    svg: bytes
    png: bytes
    width_in: float
    height_in: float


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

    def all_figures(self) -> list[Figure]:
        """Every figure of the document, in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]


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
