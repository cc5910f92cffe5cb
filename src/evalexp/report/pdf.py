"""Render a :class:`~evalexp.report.document.Document` as a paginated A4 PDF with reportlab.

reportlab (platypus) installs from PyPI alone, with no system library. The
text font is DejaVu Sans, shipped with matplotlib, embedded in the file: it
has the narrow no-break space (U+202F) of French number formatting and the
minus sign (U+2212), which the PDF base-14 fonts lack. reportlab breaks lines
at U+202F as at any space, so the PDF writes it as U+00A0 (no-break space),
which keeps a number with its ``%``.

Navigation: each section heading is a PDF bookmark (outline level 0) and each table and
figure one level below it; the contents page lists the sections with their page numbers,
each line a link to its section (reportlab's ``TableOfContents``, laid out in two passes by
``multiBuild``). Tables and figures carry the numbered captions of the document (Tableau 1,
Figure 1). Figures are vector drawings: the SVG rendering of each figure (text as paths) is
converted by svglib into a reportlab ``Drawing`` and scaled to the text width, so they stay
sharp at any zoom. The document's mark ("not for publication"), when it has one, is printed
at the top of every page.
"""
from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents
from svglib.svglib import svg2rlg

from . import document as d

FONT, FONT_BOLD, FONT_ITALIC = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"
INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5a6675")
ACCENT = colors.HexColor("#0072B2")
RULE = colors.HexColor("#d5dbe3")
SHADE = colors.HexColor("#f4f6fa")
MARK = colors.HexColor("#b00020")


def _text(value: str) -> str:
    """Text for a reportlab paragraph: XML-escaped, narrow no-break spaces made unbreakable."""
    return escape(value).replace("\u202f", "\u00a0")


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name in (FONT, FONT_BOLD, FONT_ITALIC):
        pdfmetrics.registerFont(TTFont(name, str(ttf / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13.5, textColor=INK,
                          alignment=TA_LEFT, spaceAfter=5)
    return {
        "body": base,
        "lead": ParagraphStyle("lead", parent=base, fontSize=10.5, leading=15, spaceAfter=7),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10.5, textColor=MUTED),
        "placeholder": ParagraphStyle("placeholder", parent=base, backColor=colors.HexColor("#fff6df"),
                                      borderColor=colors.HexColor("#c99a2e"), borderWidth=0.6,
                                      borderPadding=5, spaceBefore=4, spaceAfter=9),
        "kind": ParagraphStyle("kind", parent=base, fontSize=10, textColor=MUTED, spaceAfter=8),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=22, leading=27,
                                spaceAfter=14),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18,
                             spaceBefore=4, spaceAfter=8, textColor=INK),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10, spaceAfter=0),
        "cellnum": ParagraphStyle("cellnum", parent=base, fontSize=8, leading=10, spaceAfter=0,
                                  alignment=2),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10,
                               spaceAfter=0),
        "headnum": ParagraphStyle("headnum", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10,
                                  spaceAfter=0, alignment=2),
        "caption": ParagraphStyle("caption", parent=base, fontName=FONT_BOLD, fontSize=8.5,
                                  leading=11, spaceAfter=3),
        "figcaption": ParagraphStyle("figcaption", parent=base, fontSize=8, leading=10.5,
                                     textColor=MUTED, spaceAfter=9),
        "disclaimer": ParagraphStyle("disclaimer", parent=base, fontSize=8.5, leading=12,
                                     backColor=SHADE, borderPadding=7, spaceBefore=20),
    }


def _column_widths(block: d.Table, width: float, padding: float = 14.0) -> list[float]:
    """Column widths: each value column as wide as its longest cell and its longest header word;
    the label column takes the rest, at least a fifth of the width. When that does not fit, the
    cells' share of the value columns shrinks (they wrap at spaces), never below the header words."""
    def natural(texts: list[str], font: str) -> float:
        return max((pdfmetrics.stringWidth(t.replace("\u202f", "\u00a0"), font, 8) for t in texts), default=0.0)

    words = [natural(block.header[j].split(), FONT_BOLD) + padding for j in range(1, len(block.header))]
    cells = [max(natural([row[j] for row in block.rows], FONT) + padding, w)
             for j, w in zip(range(1, len(block.header)), words)]
    room = 0.8 * width
    if sum(cells) > room and sum(cells) > sum(words):
        share = max(0.0, min(1.0, (room - sum(words)) / (sum(cells) - sum(words))))
        cells = [w + share * (c - w) for w, c in zip(words, cells)]
    return [max(width - sum(cells), 0.15 * width), *cells]


def _table(doc: d.Document, block: d.Table, width: float, styles: dict[str, ParagraphStyle]) -> list:
    head = [Paragraph(_text(h), styles["head"] if i == 0 else styles["headnum"]) for i, h in enumerate(block.header)]
    rows = [[Paragraph(_text(c), styles["cell"] if i == 0 else styles["cellnum"])
             for i, c in enumerate(row)] for row in block.rows]
    widths = _column_widths(block, width)
    table = Table([head, *rows], colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    out: list = [_Caption(doc.caption(block), styles["caption"], f"table-{block.number}"), table]
    if block.note:
        out.append(Spacer(1, 3))
        out.append(Paragraph(_text(block.note), styles["note"]))
    out.append(Spacer(1, 8))
    return out


class _Heading(Paragraph):
    """A section heading: a bookmark (outline level 0) and a line of the table of contents.
    ``title`` is the text as the document has it (the bookmark keeps its narrow spaces)."""

    outline_level = 0

    def __init__(self, title: str, style: ParagraphStyle, key: str) -> None:
        super().__init__(_text(title), style)
        self.title = title
        self.key = key


class _Caption(_Heading):
    """A numbered table or figure caption: a bookmark one level below its section."""

    outline_level = 1


class _Report(BaseDocTemplate):
    """A4 pages with one frame; headings and captions become bookmarks, headings TOC entries."""

    def afterFlowable(self, flowable) -> None:  # reportlab's hook name
        if not isinstance(flowable, _Heading):
            return
        self.canv.bookmarkPage(flowable.key)
        self.canv.addOutlineEntry(flowable.title, flowable.key, level=flowable.outline_level, closed=True)
        if flowable.outline_level == 0:
            self.notify("TOCEntry", (0, _text(flowable.title), self.page, flowable.key))


def _drawing(block: d.Figure, width: float, max_height: float):
    """The figure's SVG as a reportlab vector drawing scaled to fit ``width`` x ``max_height``."""
    drawing = svg2rlg(io.BytesIO(block.svg))
    assert drawing is not None  # svglib gives None only for an unreadable SVG; matplotlib wrote this one
    scale = min(width / drawing.width, max_height / drawing.height)
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    drawing.hAlign = "LEFT"
    return drawing


def _figure(doc: d.Document, block: d.Figure, width: float, max_height: float, styles) -> list:
    caption = _Caption(doc.caption(block), styles["figcaption"], f"figure-{block.number}")
    return [KeepTogether([_drawing(block, width, max_height), caption])]


def _contents(styles: dict[str, ParagraphStyle]) -> TableOfContents:
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [ParagraphStyle("toc0", parent=styles["body"], leftIndent=0, firstLineIndent=0,
                                      spaceAfter=3)]
    return toc


def render_pdf(doc: d.Document) -> bytes:
    """The report as PDF bytes: a cover page with the linked contents, then each section from a
    new page; bookmarks, numbered captions, vector figures, page numbers."""
    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    margin = 18 * mm
    template = _Report(buffer, pagesize=A4, leftMargin=margin, rightMargin=margin,
                       topMargin=margin, bottomMargin=margin, title=doc.title,
                       author="", subject=doc.subtitle, creator="evalexp",
                       lang=doc.language, invariant=True, pageMode="UseOutlines")
    width = A4[0] - 2 * margin
    max_height = A4[1] - 2 * margin - 30 * mm

    def decorate(canvas, pdf_doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(margin, 10 * mm, doc.title)
        canvas.drawRightString(A4[0] - margin, 10 * mm, str(pdf_doc.page))
        if doc.banner:
            canvas.setFont(FONT_BOLD, 9)
            canvas.setFillColor(MARK)
            canvas.drawCentredString(A4[0] / 2, A4[1] - 10 * mm, doc.banner)
            canvas.drawCentredString(A4[0] / 2, 5 * mm, doc.banner)
        canvas.restoreState()

    frame = Frame(margin, margin, width, A4[1] - 2 * margin, id="body", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate)])

    story: list = [Spacer(1, 40 * mm), Paragraph(_text(doc.subtitle), styles["kind"]),
                   Paragraph(_text(doc.title), styles["title"])]
    cover = Table([[Paragraph(_text(k), styles["note"]), Paragraph(_text(v), styles["body"])]
                   for k, v in doc.cover], colWidths=[35 * mm, width - 35 * mm], hAlign="LEFT")
    cover.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, 0), 2, ACCENT),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [cover, Paragraph(f"<b>{_text(doc.disclaimer_title)}.</b> {_text(doc.disclaimer)}",
                               styles["disclaimer"])]
    story.append(Spacer(1, 10))
    story.append(Paragraph(_text(doc.contents_title), styles["h2"]))
    story.append(_contents(styles))
    for i, section in enumerate(doc.sections, start=1):
        story += [PageBreak(), _Heading(f"{i}. {section.title}", styles["h2"], section.key)]
        for block in section.blocks:
            if isinstance(block, d.Paragraph):
                story.append(Paragraph(_text(block.text), styles[block.kind]))
            elif isinstance(block, d.Table):
                story += _table(doc, block, width, styles)
            else:
                story += _figure(doc, block, width, max_height, styles)
    if doc.footer:
        story += [Spacer(1, 12), Paragraph(_text(doc.footer), styles["note"])]
    template.multiBuild(story)
    return buffer.getvalue()
