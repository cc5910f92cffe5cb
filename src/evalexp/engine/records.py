"""The memory engine's refusal of a CSV record with more fields than the header, for the DuckDB engine.

DuckDB stops on such a record with an error of its own (a sniffing error when the record is in
its sample, else ``CSV Error on Line ...``). :func:`extra_fields_error` then reads the file again,
streamed record by record with the :mod:`csv` module as :func:`evalexp.readers._records_python`
reads it (lines counted from the file's first line, blank records skipped, fields beyond the
header refused only when one is not empty), and gives the memory engine's
:class:`~evalexp.errors.UnreadableFileError` (:func:`evalexp.readers.extra_fields_problem`). It
runs only once DuckDB has refused the file, so reading it again costs nothing on a good file.

A record whose fields beyond the header are all empty (``a,b,,``) the memory engine reads, padding
them away; DuckDB refuses it, and its own error then stands (``None`` here).
"""
from __future__ import annotations

import csv
from pathlib import Path

from ..errors import UnreadableFileError
from ..readers import _separator, extra_fields_problem


def extra_fields_error(path: Path, encoding: str, header_row: int, source: str) -> UnreadableFileError | None:
    """The memory engine's error for the first record with more non-empty fields than the header.

    Parameters
    ----------
    path : Path
        The CSV file.
    encoding : str
        Its encoding (``"utf-8-sig"`` or ``"cp1252"``).
    header_row : int
        Line of the header (``[data] header_row``); the lines above it are skipped.
    source : str
        The file, as named in the message.

    Returns
    -------
    UnreadableFileError or None
        ``None`` when every record fits the header or the :mod:`csv` module cannot parse the file
        (DuckDB's own error then stands).
    """
    with open(path, encoding=encoding, newline="") as handle:
        for _ in range(header_row - 1):
            handle.readline()
        header = handle.readline()
        sep = _separator(header)
        width = len(next(csv.reader([header], delimiter=sep), []))
        reader = csv.reader(handle, delimiter=sep)
        previous = header_row
        try:
            for record in reader:
                start, previous = previous + 1, header_row + reader.line_num
                if len(record) > width and "".join(record[width:]).strip():
                    return UnreadableFileError(source, None, extra_fields_problem(start, len(record), width, sep))
        except csv.Error:
            return None
    return None
