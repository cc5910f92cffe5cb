"""Render a :class:`~evalexp.report.document.Document` as an editable Word file (``report.docx``).

Funders and evaluators rewrite reports: this is the same document as the HTML and the PDF
(the same blocks, numbers and captions, under the same disclosure control, since it renders
only what the document holds), in a form Word and LibreOffice edit. It is written with
python-docx:

- section titles are real ``Heading 1`` paragraphs, so the navigation pane lists them and the
  table of contents field (``TOC \\o "1-1" \\h``) builds from them; the file asks Word to update
  its fields when opened (``w:updateFields``), and until then the field shows the section titles;
- table and figure captions use the ``Caption`` style with a ``SEQ`` field per kind (Word's own
  numbering, so a table of figures can be inserted), whose shown value is the document's number;
- figures are the PNG renderings (200 dpi), at most the text width;
- the footer holds the title and the page number (``PAGE`` field); the document's mark ("not for
  publication"), when it has one, is in the header of every page and above the title.
"""
from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from . import document as d
from .i18n import STRINGS

INK = RGBColor(0x1D, 0x27, 0x33)
MUTED = RGBColor(0x5A, 0x66, 0x75)
MARK = RGBColor(0xB0, 0x00, 0x20)
#: Word language tags of the report languages (spelling and hyphenation).
LANGUAGE_TAGS = {"fr": "fr-FR", "en": "en-GB"}
TEXT_WIDTH_MM = 170


def _field_char(paragraph, kind: str) -> None:
    run = paragraph.add_run()
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    run._r.append(element)


def _field_start(paragraph, instruction: str) -> None:
    """``begin``, the instruction and ``separate`` of a complex field: what follows, up to its
    ``end``, is the value Word shows until it updates the field."""
    _field_char(paragraph, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    _field_char(paragraph, "separate")


def _field(paragraph, instruction: str, shown: str) -> None:
    """A complex field at the end of ``paragraph`` whose shown value is an ordinary run, so the
    text reads the same before Word updates the field."""
    _field_start(paragraph, instruction)
    paragraph.add_run(shown)
    _field_char(paragraph, "end")


def _caption(out, doc: d.Document, block: d.Table | d.Figure) -> None:
    words = STRINGS[doc.language]
    label = words["table_label" if isinstance(block, d.Table) else "figure_label"]
    paragraph = out.add_paragraph(style="Caption")
    paragraph.add_run(f"{label} ")
    _field(paragraph, f"SEQ {label} \\* ARABIC", str(block.number))
    paragraph.add_run(f"{words['caption_sep']}{block.caption}")
    if isinstance(block, d.Table):
        paragraph.paragraph_format.keep_with_next = True


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


#: Width of a character of 8.5 pt table text, and the padding of a cell, in millimetres.
CHAR_MM, PADDING_MM = 2.0, 4.5


def _column_widths(block: d.Table) -> list[int]:
    """Column widths (EMU): each value column as wide as its longest cell or header word; the
    label column takes the rest, at least 30 % of the text width (the value columns shrink in
    proportion when they would need more)."""
    needs = []
    for j in range(1, len(block.header)):
        chars = max([*(len(w) for w in block.header[j].split()), *(len(row[j]) for row in block.rows)])
        needs.append(chars * CHAR_MM + PADDING_MM)
    room = 0.7 * TEXT_WIDTH_MM
    if sum(needs) > room:
        needs = [n * room / sum(needs) for n in needs]
    return [Mm(TEXT_WIDTH_MM - sum(needs)), *(Mm(n) for n in needs)]


def _table(out, doc: d.Document, block: d.Table) -> None:
    _caption(out, doc, block)
    table = out.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    widths = _column_widths(block)
    for column, width in zip(table.columns, widths):
        column.width = width  # the table grid, which LibreOffice reads
    for r, cells in enumerate((block.header, *block.rows)):
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            cell.width = widths[c]
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            run.font.size = Pt(8.5)
            run.bold = r == 0
            if c > 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header(table.rows[0])
    if block.note:
        note = out.add_paragraph(block.note)
        _small(note, MUTED)


def _small(paragraph, colour: RGBColor, size: float = 8.0) -> None:
    for run in paragraph.runs:
        run.font.size = Pt(size)
        run.font.color.rgb = colour


def _figure(out, doc: d.Document, block: d.Figure) -> None:
    width = Mm(min(TEXT_WIDTH_MM, block.width_in * 25.4))
    out.add_picture(io.BytesIO(block.png), width=width)
    out.paragraphs[-1].paragraph_format.keep_with_next = True
    _caption(out, doc, block)


def _contents(out, doc: d.Document) -> None:
    """The table of contents field (``TOC \\o "1-1" \\h``), whose shown value, until Word
    updates it with page numbers, is the list of section titles: one field spanning one
    paragraph per section."""
    lines = [f"{i}. {section.title}" for i, section in enumerate(doc.sections, start=1)]
    first = out.add_paragraph()
    _field_start(first, 'TOC \\o "1-1" \\h \\z \\u')
    first.add_run(lines[0] if lines else "")
    last = first
    for line in lines[1:]:
        last = out.add_paragraph(line)
    _field_char(last, "end")


def _paragraph(out, block: d.Paragraph) -> None:
    paragraph = out.add_paragraph(block.text)
    if block.kind == "lead":
        for run in paragraph.runs:
            run.font.size = Pt(11.5)
    elif block.kind == "note":
        _small(paragraph, MUTED)
    elif block.kind == "placeholder":
        for run in paragraph.runs:
            run.italic = True
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "FFF6DF")
        paragraph._p.get_or_add_pPr().append(shading)


def _language(out, language: str) -> None:
    """The language of the Normal style (spelling, hyphenation) and the fields updated on opening."""
    properties = out.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE_TAGS[language])
    properties.append(lang)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    out.settings.element.append(update)


def _page_furniture(out, doc: d.Document) -> None:
    section = out.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    title = section.footer.paragraphs[0]
    title.add_run(doc.title)
    _small(title, MUTED)
    number = section.footer.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _field(number, "PAGE", "1")
    _small(number, MUTED)
    if doc.banner:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(doc.banner)
        run.bold = True
        run.font.color.rgb = MARK


def render_docx(doc: d.Document) -> bytes:
    """The report as the bytes of a ``.docx`` file: cover, disclaimer, table of contents field,
    then each section from a new page with its paragraphs, tables and figures."""
    out = new_docx()
    _language(out, doc.language)
    _page_furniture(out, doc)
    out.core_properties.title = doc.title
    out.core_properties.subject = doc.subtitle
    out.core_properties.author = ""
    out.core_properties.language = LANGUAGE_TAGS[doc.language]
    if doc.banner:
        mark = out.add_paragraph()
        run = mark.add_run(doc.banner)
        run.bold = True
        run.font.color.rgb = MARK
    kind = out.add_paragraph(doc.subtitle)
    _small(kind, MUTED, 10)
    out.add_paragraph(doc.title, style="Title")
    for key, value in doc.cover:
        line = out.add_paragraph()
        line.add_run(f"{key}\u202f: " if doc.language == "fr" else f"{key}: ").bold = True
        line.add_run(value)
    disclaimer = out.add_paragraph()
    disclaimer.add_run(f"{doc.disclaimer_title}. ").bold = True
    disclaimer.add_run(doc.disclaimer)
    _small(disclaimer, INK, 9)
    contents = out.add_paragraph()
    run = contents.add_run(doc.contents_title)
    run.bold = True
    run.font.size = Pt(14)
    _contents(out, doc)
    for number, section in enumerate(doc.sections, start=1):
        heading = out.add_heading(f"{number}. {section.title}", level=1)
        heading.paragraph_format.page_break_before = True
        for block in section.blocks:
            if isinstance(block, d.Paragraph):
                _paragraph(out, block)
            elif isinstance(block, d.Table):
                _table(out, doc, block)
            else:
                _figure(out, doc, block)
    if doc.footer:
        _small(out.add_paragraph(doc.footer), MUTED)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
