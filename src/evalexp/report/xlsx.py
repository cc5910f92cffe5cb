"""Every table of the report in one workbook (``tables.xlsx``), one sheet per table.

The workbook renders the same :class:`~evalexp.report.document.Document` as the HTML, the PDF
and the Word file, so it holds only what they show, under the same disclosure control: a
suppressed cell keeps the mark the report shows (``<11``, ``s``). Each sheet starts with the
table's numbered caption, then the header and the rows, then the "how to read" notes: the
table's own note and the note paragraphs that follow it in the report (the suppression marks).
A cell that is a number in the report (``1 234``, ``−0,009``, ``12,5 %``) is a number in the
sheet, with a display format of the same decimals (a percentage is stored as a share, 0.125,
formatted ``0.0%``); anything else (intervals, ``< 0,001``, marks, labels) stays text. A first
sheet lists the tables with a link to each.

Sheet names are ``T1``, ``T2``... followed by as much of the caption as fits Excel's 31
characters (without the characters Excel forbids), so they are unique and readable.
"""
from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import document as d
from .i18n import STRINGS

#: Characters Excel refuses in a sheet name.
_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")
_SPACES = "\u202f\u00a0"
_NUMBER = {
    "fr": re.compile(r"^(?P<sign>[−+-]?)(?P<int>\d{1,3}(?:[\u202f\u00a0]\d{3})*|\d+)(?:,(?P<dec>\d+))?"
                     r"(?P<pct>[\u202f\u00a0]?%)?$"),
    "en": re.compile(r"^(?P<sign>[−+-]?)(?P<int>\d{1,3}(?:,\d{3})*|\d+)(?:\.(?P<dec>\d+))?(?P<pct>%)?$"),
}
HEADER_FILL = PatternFill("solid", fgColor="F4F6FA")


def parse_number(text: str, language: str) -> tuple[float | int, str] | None:
    """The number a report cell shows, with an Excel display format, or None when the cell is
    not a number: ``"12,5 %"`` (fr) -> ``(0.125, "0.0%")``, ``"1 234"`` -> ``(1234, "#,##0")``,
    ``"−0,009"`` -> ``(-0.009, "0.000")``."""
    match = _NUMBER[language].match(text.strip())
    if not match:
        return None
    digits = re.sub(rf"[{_SPACES},]", "", match["int"])
    decimals = match["dec"] or ""
    value: float | int = float(f"{digits}.{decimals}") if decimals else int(digits)
    if match["sign"] in ("−", "-"):
        value = -value
    places = "." + "0" * len(decimals) if decimals else ""
    if match["pct"]:
        return value / 100, f"0{places}%"
    return value, f"#,##0{places}"


def sheet_name(number: int, caption: str, taken: set[str]) -> str:
    """``T3 Attrition par indicateur`` cut at 31 characters, unique among ``taken``."""
    base = f"T{number} " + _FORBIDDEN.sub(" ", caption)
    name = re.sub(r"\s+", " ", base)[:31].strip()
    # two captions may share their first 31 characters; the table numbers alone never collide
    return f"T{number}" if name in taken else name


def _mark(sheet, doc: d.Document) -> None:
    """The document's mark ("not for publication") as the first row of ``sheet``, if it has one."""
    if doc.banner:
        sheet.append([doc.banner])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, color="B00020")


def _notes(doc: d.Document) -> dict[int, list[str]]:
    """For each table number, how to read it: its own note, then the note paragraphs that
    follow it in its section (before the next table or figure)."""
    notes: dict[int, list[str]] = {}
    current: list[str] | None = None
    for section in doc.sections:
        current = None
        for block in section.blocks:
            if isinstance(block, d.Table):
                current = notes.setdefault(block.number, [block.note] if block.note else [])
            elif isinstance(block, d.Figure):
                current = None
            elif block.kind == "note" and current is not None:
                current.append(block.text)
    return notes


def _sheet(book: Workbook, doc: d.Document, block: d.Table, name: str, notes: list[str]) -> None:
    sheet = book.create_sheet(name)
    _mark(sheet, doc)
    sheet.append([doc.caption(block)])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
    sheet.append([])
    sheet.append(list(block.header))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in block.rows:
        sheet.append(list(row))
        for column, text in enumerate(row, start=1):
            parsed = parse_number(text, doc.language)
            if parsed is not None:
                cell = sheet.cell(sheet.max_row, column)
                cell.value, cell.number_format = parsed
            elif column > 1:
                sheet.cell(sheet.max_row, column).alignment = Alignment(horizontal="right")
    if notes:
        sheet.append([])
        sheet.append([STRINGS[doc.language]["how_to_read"]])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        for note in notes:
            sheet.append([note])
    sheet.freeze_panes = sheet.cell(header_row + 1, 2)
    sheet.column_dimensions["A"].width = min(60, max(12, *(len(r[0]) for r in block.rows), len(block.header[0])))
    for column in range(2, len(block.header) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 18


def render_xlsx(doc: d.Document) -> bytes:
    """The bytes of ``tables.xlsx``: an index sheet, then one sheet per table of ``doc``."""
    book = Workbook()
    index = book.active
    words = STRINGS[doc.language]
    index.title = words["tables_index"][:31]
    _mark(index, doc)
    index.append([doc.title])
    index.cell(index.max_row, 1).font = Font(bold=True, size=12)
    index.append([])
    index.append([words["sheet"], words["table_label"]])
    for cell in index[index.max_row]:
        cell.font = Font(bold=True)
    taken: set[str] = {index.title}
    notes = _notes(doc)
    for block in doc.all_tables():
        name = sheet_name(block.number, block.caption, taken)
        taken.add(name)
        _sheet(book, doc, block, name, notes[block.number])
        index.append([name, doc.caption(block)])
        index.cell(index.max_row, 1).hyperlink = f"#'{name}'!A1"
    index.column_dimensions["A"].width = 34
    index.column_dimensions["B"].width = 100
    book.properties.title = doc.title
    book.properties.creator = "evalexp"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
