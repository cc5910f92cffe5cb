"""Read a cohort file into a raw table: cells as found, and where each row came from.

Formats, by suffix:

- ``.csv`` / ``.txt``: separator ``,``, ``;`` or tab, the one most frequent on
  the header line (outside quotes); encoding UTF-8 (with or without BOM),
  else cp1252 when the file holds no UTF-8 multibyte sequence at all (a file
  mixing UTF-8 with a stray byte is refused, naming the byte's line and
  offset); any line ends (LF, CRLF, CR); quoted fields may hold
  separators and line breaks. Arrow's parser reads files whose records are
  one line each; the :mod:`csv` module the others (quoted line breaks, short
  rows, which are padded; not a record that runs over several lines, the
  mark of an unclosed quote, which is refused with its line and never its
  content). Cells stay strings, stripped of surrounding
  spaces; conversion (dates, decimal commas, no-break-space thousands
  separators) happens in :mod:`evalexp.load`.
- ``.xlsx``: openpyxl, first row = header, native cell values (numbers, dates);
  a formula cell without a stored value (a workbook written by a program
  that does not compute formulas) is refused, naming the sheet and the cell.
- ``.xls`` (Excel 97-2003) and ``.ods`` (OpenDocument): :func:`pandas.read_excel`
  with the ``xlrd`` and ``odf`` engines, then the same rules as ``.xlsx``
  (native values, a value beyond the header refused, empty rows skipped).
- ``.parquet``: pyarrow; ``.dta``: :func:`pandas.read_stata` (dates converted);
  ``.sas7bdat``: :func:`pandas.read_sas` (encoding inferred, date formats converted).

Missing cells are ``None``; in text cells ``""``, ``NA``, ``N/A``, ``NaN`` and
``.`` (Stata's missing value) count as missing.

The header is on the first line (CSV) or sheet row (spreadsheets), or on row
``header_row`` (1-based; the plan's ``[data] header_row``): the rows above it,
a title or an export date, are ignored.

Line numbers (:attr:`RawTable.lines`) are the file's own: for CSV the physical
line on which the record starts (quoted line breaks counted; the header is line
``header_row``), for spreadsheets the sheet row, for the other formats the row
index + 2.
"""
from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .errors import EmptyFileError, UnreadableFileError
from .guards import require_path

#: Text cells read as missing values.
MISSING_MARKERS = frozenset({"", "NA", "N/A", "NaN", "."})
SEPARATORS = (",", ";", "\t")
#: Characters other than CR and LF that :meth:`str.splitlines` treats as line breaks.
_OTHER_LINE_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xls": "xls", ".ods": "ods", ".parquet": "parquet",
           ".dta": "dta", ".sas7bdat": "sas7bdat"}
#: The pandas engine reading each spreadsheet format other than ``.xlsx``.
_EXCEL_ENGINES: dict[str, Literal["xlrd", "odf"]] = {"xls": "xlrd", "ods": "odf"}


@dataclass(frozen=True)
class RawTable:
    """The cells of a cohort file, before any mapping or conversion.

    Attributes
    ----------
    data : pandas.DataFrame
        Object columns under the source's header names; strings for CSV,
        native values (numbers, datetimes) for the other formats; ``None`` or
        NaN/NaT for missing cells.
    lines : numpy.ndarray of int
        Source line of every row (header = line 1).
    source : str
        The path as given.
    format : str
        ``csv``, ``xlsx``, ``xls``, ``ods``, ``parquet``, ``dta`` or ``sas7bdat``.
    encoding, separator : str or None
        Detected text encoding and field separator (CSV only).
    """

    data: pd.DataFrame
    lines: np.ndarray
    source: str
    format: str
    encoding: str | None = None
    separator: str | None = None


#: A well-formed UTF-8 sequence of two to four bytes (RFC 3629): its presence says the file is UTF-8.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
                             rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
                             rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")


def _line_of(raw: bytes, offset: int) -> int:
    """1-based line of byte ``offset`` (LF, CRLF and CR line ends)."""
    before = raw[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def _decode(raw: bytes, source: str) -> tuple[str, str]:
    """Text and encoding: UTF-8 (BOM allowed), else cp1252 if no byte sequence of the file is UTF-8's."""
    try:
        return raw.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as exc:
        stray = exc.start
    if _UTF8_MULTIBYTE.search(raw):
        raise UnreadableFileError(source, None, f"not valid UTF-8: byte 0x{raw[stray]:02x} on line "
                                                f"{_line_of(raw, stray)} (byte offset {stray}) in a file otherwise "
                                                f"written in UTF-8; correct or remove that byte")
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(source, None, f"cannot decode the file as UTF-8 or cp1252 text: byte "
                                                f"0x{raw[exc.start]:02x} on line {_line_of(raw, exc.start)} "
                                                f"(byte offset {exc.start})") from None


def _separator(header: str) -> str:
    """The separator most frequent on the header line outside quotes (``,`` on ties)."""
    outside = "".join(header.split('"')[::2])
    counts = [outside.count(sep) for sep in SEPARATORS]
    return SEPARATORS[int(np.argmax(counts))]


def _header(names: list[str], source: str) -> list[str]:
    names = [name.strip().lstrip("\ufeff").strip() for name in names]
    if any(not name for name in names):
        raise UnreadableFileError(source, None, f"empty column name in the header (column {names.index('') + 1})")
    seen = {name for name in names if names.count(name) > 1}
    if seen:
        raise UnreadableFileError(source, None, f"duplicate column names in the header: {', '.join(sorted(seen))}")
    return names


def _cell(value: str) -> str | None:
    value = value.strip()
    return None if value in MISSING_MARKERS else value


def _clean_text(data: pd.DataFrame) -> pd.DataFrame:
    """Strip text cells and turn the missing markers into ``None`` (column by column)."""
    for name in data.columns:
        column = data[name].str.strip()
        data[name] = column.where(~column.isin(MISSING_MARKERS), None)
    return data


def _unclosed_quote(text: str, start: int, sep: str) -> bool:
    """Whether the record starting on line ``start`` ends inside a quoted field (at the end of the text).

    The lenient reader takes such a field to the end of the file; the strict
    one refuses it. Only the last record can be in that state, and only one
    that runs over several lines does harm.
    """
    rest = "".join(io.StringIO(text, newline="").readlines()[start - 1:])
    try:
        for _ in csv.reader(io.StringIO(rest, newline=""), delimiter=sep, strict=True):
            pass
    except csv.Error:
        return True
    return False


def _records_python(text: str, sep: str, source: str, skipped: int = 0) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    """Header, cells and start lines by the :mod:`csv` module (any quoting, exact line numbers).

    ``skipped``: lines of the file above ``text`` (above the header), added to every line number.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        names = _header(next(reader), source)
        width = len(names)
        rows, lines, spans_lines = [], [], False
        previous = reader.line_num
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if not "".join(record).strip():
                continue
            if reader.line_num > start and len(record) < width:
                raise UnreadableFileError(
                    source, None, f"the record starting on line {start + skipped} runs over lines "
                                  f"{start + skipped}-{reader.line_num + skipped} with {len(record)} of the "
                                  f"header's {width} fields: a quote (\") opened and never closed?")
            if len(record) != width:
                if "".join(record[width:]).strip():
                    raise UnreadableFileError(
                        source, None, f"line {start + skipped} has {len(record)} fields, the header has {width} "
                                      f"(separator '{sep}')")
                record = record[:width] + [""] * (width - len(record))
            rows.append(record)
            lines.append(start)
            spans_lines = reader.line_num > start
    except csv.Error as exc:
        raise UnreadableFileError(source, None, f"malformed CSV near line {reader.line_num + skipped}: {exc}") from None
    if spans_lines and _unclosed_quote(text, lines[-1], sep):
        raise UnreadableFileError(source, None, f"a quote (\") opened in the record starting on line "
                                                f"{lines[-1] + skipped} is never closed: the rest of the file would "
                                                f"be one field")
    data = pd.DataFrame(rows, columns=names, dtype=object) if rows else pd.DataFrame(columns=names, dtype=object)
    return names, _clean_text(data), np.array(lines, dtype=np.int64) + skipped


def _records_arrow(text: str, sep: str, source: str) -> tuple[list[str], pd.DataFrame, np.ndarray] | None:
    """The same as :func:`_records_python`, by Arrow's C++ parser, when every record is one line.

    Returns ``None`` (use the csv module) when the header spans lines, a row
    has another number of fields than the header, a quoted field holds a line
    break, or the text holds characters that :meth:`str.splitlines` would
    count as line breaks.
    """
    first_line = io.StringIO(text, newline="").readline().rstrip("\r\n")
    if first_line.count('"') % 2 or any(c in text for c in _OTHER_LINE_BREAKS):
        return None
    names = _header(next(csv.reader([first_line], delimiter=sep)), source)
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None
    physical = np.fromiter(map(len, text.splitlines()), dtype=np.int64)
    lines = np.flatnonzero(physical > 0)[1:] + 1
    if len(lines) != table.num_rows:
        return None
    missing = pa.array(sorted(MISSING_MARKERS))
    cleaned = {}
    for name in names:
        column = pc.utf8_trim_whitespace(table[name])
        cleaned[name] = pc.if_else(pc.is_in(column, value_set=missing), pa.scalar(None, pa.string()), column)
    table = pa.table(cleaned)
    keep = functools.reduce(pc.or_, (pc.is_valid(column) for column in table.columns))
    if not pc.all(keep).as_py():  # rows whose every field is empty, like blank lines
        table, lines = table.filter(keep), lines[keep.to_numpy(zero_copy_only=False)]
    return names, table.to_pandas(), lines


def _skip_lines(text: str, header_row: int, source: str) -> str:
    """The text from line ``header_row`` on (LF, CRLF and CR line ends), refusing a file too short."""
    if header_row == 1:
        return text
    lines = io.StringIO(text, newline="").readlines()
    if len(lines) < header_row:
        raise UnreadableFileError(source, None, f"the header row {header_row} ([data] header_row) is beyond the "
                                                f"end of the file ({len(lines)} line{'s' if len(lines) != 1 else ''})")
    if not lines[header_row - 1].strip():
        raise UnreadableFileError(source, None, f"line {header_row} ([data] header_row) is empty: no header there")
    return "".join(lines[header_row - 1:])


def _read_csv(path: Path, source: str, header_row: int = 1) -> RawTable:
    text, encoding = _decode(path.read_bytes(), source)
    if "\x00" in text:
        raise UnreadableFileError(source, None, "the file holds NUL bytes: not a text (CSV) file")
    text = _skip_lines(text, header_row, source)
    first_line = io.StringIO(text, newline="").readline()
    if not first_line.strip():
        raise EmptyFileError(source, None, "the file is empty (no header, no data rows)")
    sep = _separator(first_line)
    fast = _records_arrow(text, sep, source)
    if fast is not None:
        _, data, lines = fast
        lines = lines + (header_row - 1)
    else:
        _, data, lines = _records_python(text, sep, source, header_row - 1)
    return RawTable(data, lines, source, "csv", encoding, sep)


def _formula_check(ws_values, ws_formulas, source: str):
    """The sheet's rows of values, refusing a formula cell without a stored value.

    ``ws_values`` is the sheet opened with ``data_only=True`` (the values Excel
    stored when it last computed the formulas), ``ws_formulas`` the same sheet
    with the formulas; a cell empty in the first and a formula in the second
    was never computed, and would otherwise be read as empty.
    """
    from openpyxl.utils import get_column_letter

    for row_number, (values, formulas) in enumerate(zip(ws_values.iter_rows(values_only=True),
                                                        ws_formulas.iter_rows(values_only=True)), start=1):
        for column, (value, formula) in enumerate(zip(values, formulas), start=1):
            if value is None and formula is not None:
                raise UnreadableFileError(
                    source, None, f"sheet '{ws_values.title}', cell {get_column_letter(column)}{row_number}: a "
                                  f"formula without a stored value (the workbook was written by a program that "
                                  f"does not compute formulas); open and save it in a spreadsheet, or paste values")
        yield values


def _read_xlsx(path: Path, source: str, sheet: str | int, header_row: int = 1) -> RawTable:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        formula_book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many unrelated types on a bad file
        raise UnreadableFileError(source, None, f"cannot open as an Excel workbook: {exc}") from None
    try:
        try:
            ws = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet]
            ws_formulas = formula_book.worksheets[sheet] if isinstance(sheet, int) else formula_book[sheet]
        except (IndexError, KeyError):
            raise UnreadableFileError(source, None,
                                      f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})") from None
        return _sheet_table(_formula_check(ws, ws_formulas, source), source, "xlsx", header_row)
    finally:
        book.close()
        formula_book.close()


def _sheet_table(rows_iter: Iterator[Sequence[Any]], source: str, fmt: str, header_row: int = 1) -> RawTable:
    """A spreadsheet's rows (from sheet row 1 on, empty rows included) as a table whose header is
    on row ``header_row``; the rows above it are ignored."""
    for skipped in range(header_row - 1):
        if next(rows_iter, None) is None:
            rows_text = f"{skipped} row{'s' if skipped != 1 else ''}"
            raise UnreadableFileError(source, None, f"the header row {header_row} ([data] header_row) is beyond "
                                                    f"the end of the sheet ({rows_text})")
    header = next(rows_iter, None)
    if header is None and header_row > 1:
        raise UnreadableFileError(source, None, f"the header row {header_row} ([data] header_row) is beyond "
                                                f"the end of the sheet ({header_row - 1} rows)")
    if header is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in header):
        if header_row > 1:
            raise UnreadableFileError(source, None, f"row {header_row} ([data] header_row) is empty: no header there")
        raise EmptyFileError(source, None, "the sheet is empty (no header, no data rows)")
    names = list(header)
    while names and names[-1] is None:
        names.pop()
    names = _header(["" if v is None else str(v) for v in names], source)
    width = len(names)
    rows, lines = [], []
    for row_number, row in enumerate(rows_iter, start=header_row + 1):
        beyond = [v for v in row[width:] if v is not None and str(v).strip()]
        if beyond:  # as a CSV line with more fields than its header is refused
            raise UnreadableFileError(
                source, None, f"row {row_number} has a value beyond the header's {width} columns "
                              f"({beyond[0]!r}): a column without a name")
        cells = list(row[:width]) + [None] * max(0, width - len(row))
        cells = [_cell(v) if isinstance(v, str) else v for v in cells]
        if all(v is None for v in cells):
            continue
        rows.append(cells)
        lines.append(row_number)
    data = pd.DataFrame(rows, columns=names, dtype=object) if rows else pd.DataFrame(columns=names, dtype=object)
    return RawTable(data, np.array(lines, dtype=np.int64), source, fmt)


def _read_excel_other(path: Path, source: str, fmt: str, sheet: str | int, header_row: int) -> RawTable:
    """``.xls`` and ``.ods`` by :func:`pandas.read_excel` (every cell, empty rows kept), then :func:`_sheet_table`."""
    try:
        book = pd.ExcelFile(path, engine=_EXCEL_ENGINES[fmt])
    except Exception as exc:
        raise UnreadableFileError(source, None, f"cannot open as an {fmt} workbook: {exc}") from None
    with book:
        names = [str(name) for name in book.sheet_names]
        if (sheet not in names) if isinstance(sheet, str) else not 0 <= sheet < len(names):
            raise UnreadableFileError(source, None, f"no sheet {sheet!r} (sheets: {', '.join(names)})")
        try:
            cells = book.parse(sheet, header=None, dtype=object, na_filter=False)
        except Exception as exc:
            raise UnreadableFileError(source, None, f"cannot read as {fmt}: {exc}") from None
    rows = (tuple(None if isinstance(v, str) and v == "" else v for v in row)
            for row in cells.itertuples(index=False, name=None))
    return _sheet_table(rows, source, fmt, header_row)


def _read_binary(path: Path, source: str, fmt: str) -> RawTable:
    try:
        if fmt == "parquet":
            data = pd.read_parquet(path)
        elif fmt == "dta":
            data = pd.read_stata(path, convert_dates=True, convert_categoricals=True)
        else:
            data = pd.read_sas(path, format="sas7bdat", encoding="infer")
    except Exception as exc:  # each reader raises its own family of exceptions on a bad file
        raise UnreadableFileError(source, None, f"cannot read as {fmt}: {exc}") from None
    data = data.reset_index(drop=True)
    data.columns = _header([str(c) for c in data.columns], source)
    for name in data.columns:
        if data[name].dtype == object or isinstance(data[name].dtype, (pd.CategoricalDtype, pd.StringDtype)):
            data[name] = data[name].astype(object).map(lambda v: _cell(v) if isinstance(v, str) else v)
    return RawTable(data, np.arange(len(data), dtype=np.int64) + 2, source, fmt)


def read_table(path: str | Path, *, sheet: str | int = 0, header_row: int = 1) -> RawTable:
    """Read a cohort file as found (see the module docstring for formats and conventions).

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt``, ``.xlsx``, ``.xls``, ``.ods``, ``.parquet``, ``.dta`` or ``.sas7bdat``.
    sheet : str or int
        Spreadsheet sheet, by name or 0-based index.
    header_row : int
        1-based line (CSV) or sheet row (spreadsheets) of the header; the rows above are
        ignored. Other formats have their header in the file and accept 1 only.

    Raises
    ------
    UnreadableFileError
        Missing file, unsupported suffix, undecodable or malformed content.
    EmptyFileError
        No header at all (a header without rows gives an empty table).
    """
    require_path("read_table", "path", path)
    path = Path(path)
    source = str(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableFileError(source, None, f"unsupported file type '{path.suffix}' "
                                                f"(known: {', '.join(sorted(FORMATS))})")
    if not path.is_file():
        raise UnreadableFileError(source, None, "no such file")
    if fmt == "csv":
        return _read_csv(path, source, header_row)
    if fmt == "xlsx":
        return _read_xlsx(path, source, sheet, header_row)
    if fmt in _EXCEL_ENGINES:
        return _read_excel_other(path, source, fmt, sheet, header_row)
    if header_row != 1:
        raise UnreadableFileError(source, None, f"[data] header_row = {header_row}: a {fmt} file holds its column "
                                                f"names apart from its rows; header_row applies to CSV and "
                                                f"spreadsheets only (leave it at 1)")
    return _read_binary(path, source, fmt)
