"""The DuckDB engine: a cohort file read, validated and aggregated out of core.

:func:`load_counts` reads a CSV or Parquet file with DuckDB (never whole into Python),
checks it in SQL with the memory engine's rules and messages (:mod:`evalexp.validate`:
the same problem texts, rule table and arm lookup; the same :class:`~evalexp.errors.InputError`
subclasses naming the file, the column and the first rows by line), then runs the ONE
``GROUP BY`` of :func:`evalexp.engine.sql.aggregate_query` and returns the
:class:`~evalexp.engine.counts.CohortCounts` from which :mod:`evalexp.engine.counts`
computes the estimators.

Lines: row ``i`` of the file (0-based, in file order) is reported as line ``i + 2`` (the
header is line 1). For a CSV with one record per line and no blank line that is the memory
engine's line; a record running over several lines shifts the later ones.

Encodings: UTF-8 (BOM allowed) is read in place. A file that is not UTF-8 is read as
cp1252 (as the memory engine does) by transcoding it, streamed in 16 MiB chunks, to a
temporary UTF-8 copy in the system temporary folder, removed afterwards (DuckDB reads only
UTF-8 offline).

The plan's loading keys are read from the same objects as the memory engine's:
``[recode.COLUMN]`` (:func:`evalexp.recode.recode_lookup`, rendered to a SQL ``CASE``),
``[data] header_row`` (the lines above the header skipped, lines counted from it),
``[data] date_format`` (the plan's strptime format), ``[reference]`` (the adjusted Cox model's
reference levels, checked on the aggregate).

What this engine does not check, the memory engine does: dates in columns the plan does not
name as dates, the numeric-covariate check of :mod:`evalexp.load`, ``[reference]`` levels of
covariates outside ``[survival]``, a time of day in a value that the plan's ``date_format``
does not have (or the reverse), the data-quality warnings. ``[data] sheet`` has no meaning
(no Excel).

A CSV record with more fields than the header gets the memory engine's message
(:mod:`evalexp.engine.records`), except when those fields are all empty: the memory engine pads
them away, DuckDB refuses the file with its own error.
"""
from __future__ import annotations

import codecs
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ..errors import EmptyFileError, UnreadableFileError
from ..guards import check_horizon_days
from ..levels import check_references
from ..load import _numeric
from ..plan import Plan
from ..readers import MISSING_MARKERS, _separator
from ..validate import Table, check_columns
from .checks import POSITION, SqlChecks
from .counts import CohortCounts
from .records import extra_fields_error
from .sql import (
    COUNT,
    DUCKDB,
    aggregate_query,
    canonical_select,
    date_columns,
    date_evidence_query,
    split_aggregate,
)

#: DuckDB's memory limit by default (it spills beyond): the whole analysis then stays within 3 GB.
MEMORY_LIMIT = "1GB"
_CHUNK = 16 * 2**20
#: What :meth:`str.strip` strips from a cell (ASCII whitespace; cells rarely hold other spaces).
_WHITESPACE = " \t\n\r\x0b\x0c"
FORMATS = (".csv", ".txt", ".parquet")


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


@contextmanager
def _utf8_copy(path: Path) -> Iterator[Path]:
    """``path`` itself when UTF-8, else a temporary UTF-8 copy of its cp1252 text (removed on exit)."""
    if _is_utf8(path):
        yield path
        return
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="evalexp-utf8-")
    try:
        decoder = codecs.getincrementaldecoder("cp1252")()
        with open(path, "rb") as source, os.fdopen(handle, "w", encoding="utf-8", newline="") as target:
            try:
                while chunk := source.read(_CHUNK):
                    target.write(decoder.decode(chunk))
            except UnicodeDecodeError as exc:
                raise UnreadableFileError(str(path), None, f"cannot decode the file as UTF-8 or cp1252 text "
                                                           f"(byte 0x{exc.object[exc.start]:02x})") from None
        yield Path(name)
    finally:
        os.unlink(name)


def _header_line(path: Path, header_row: int) -> str:
    """Line ``header_row`` of the file (the plan's ``[data] header_row``)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for _ in range(header_row - 1):
            handle.readline()
        return handle.readline()


def _views(con: duckdb.DuckDBPyConnection, plan: Plan, columns: list[str], *, day_first: bool) -> None:
    """``cohort`` (canonical rows, for the counting scans) and ``cohort_lines`` (the same with each row's
    line as its position, a window over the whole file: read only to name the rows of a broken rule)."""
    select = canonical_select(plan, "raw", DUCKDB, columns=columns, day_first=day_first)
    con.execute(f"CREATE OR REPLACE VIEW cohort AS {select}")
    select = canonical_select(plan, "source", DUCKDB, columns=[*columns, POSITION], day_first=day_first)
    con.execute(f"CREATE OR REPLACE VIEW cohort_lines AS {select}")


def _evidence(con: duckdb.DuckDBPyConnection, plan: Plan, columns: list[str]) -> dict[str, object]:
    """The slash-date evidence of :func:`evalexp.engine.sql.date_evidence_query`, by name."""
    row = con.execute(date_evidence_query(plan, "source", DUCKDB, columns=columns)).fetchone()
    return dict(zip([d[0] for d in con.description or ()], row or ()))


def _reader(path: Path, fmt: str, header_row: int) -> str:
    if fmt == ".parquet":
        return f"read_parquet({DUCKDB.literal(str(path))})"
    sep = _separator(_header_line(path, header_row))
    return (f"read_csv({DUCKDB.literal(str(path))}, delim={DUCKDB.literal(sep)}, header=true, all_varchar=true, "
            f"quote='\"', escape='\"', nullstr='', parallel=true, skip={header_row - 1})")


def _fetch(con: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    """The aggregate as a DataFrame whose text keys are categoricals (one copy of each label: millions
    of cells would otherwise hold millions of Python strings)."""
    table = con.cursor().sql(query).to_arrow_table()  # a fresh cursor: no unfinished result of execute()
    frame = table.to_pandas(strings_to_categorical=True)
    return frame


def _cleaned(columns: list[str]) -> str:
    """The CSV's cells as :mod:`evalexp.readers` reads them: stripped, :data:`~evalexp.readers.MISSING_MARKERS` NULL."""
    markers = ", ".join(DUCKDB.literal(m) for m in sorted(MISSING_MARKERS))
    cells = []
    for column in columns:
        stripped = f"trim({DUCKDB.quote(column)}, {DUCKDB.literal(_WHITESPACE)})"
        cells.append(f"CASE WHEN {stripped} IN ({markers}) THEN NULL ELSE {stripped} END AS {DUCKDB.quote(column)}")
    return f"SELECT {', '.join(cells)} FROM file"


def _numbers(counts: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Covariate and outcome keys read as the memory engine reads them (:func:`evalexp.load._numeric`)."""
    out = counts.copy()
    for column in dict.fromkeys((*plan.survival.covariates, *plan.outcomes.binary)):
        if column not in out:
            continue
        numbers = _numeric(out[column].astype(object).where(out[column].notna(), np.nan))
        if numbers is not None:
            out[column] = numbers
    return out


def load_counts(path: str | Path, plan: Plan, *, memory_limit: str = MEMORY_LIMIT) -> CohortCounts:
    """Read, validate and aggregate a CSV or Parquet cohort with DuckDB.

    Parameters
    ----------
    path : str or Path
        ``.csv`` / ``.txt`` (UTF-8 or cp1252, ``,`` ``;`` or tab separated) or ``.parquet``.
    plan : Plan
        Column mapping, arms, date rules, and the keys of the aggregate (strata, cluster,
        causes, covariates, binary outcomes).
    memory_limit : str
        DuckDB's ``memory_limit`` (default :data:`MEMORY_LIMIT`); beyond it DuckDB spills to a
        temporary folder in the system's temporary directory, removed afterwards.

    Returns
    -------
    CohortCounts

    Raises
    ------
    InputError
        As :func:`evalexp.load.load_cohort` (same classes and messages; see the module docstring
        for what only the memory engine checks).
    """
    path = Path(path)
    source = str(path)
    fmt = path.suffix.lower()
    if fmt not in FORMATS:
        raise UnreadableFileError(source, None, f"the duckdb engine reads {', '.join(FORMATS)} files, not "
                                                f"'{path.suffix}' (use --engine memory)")
    if not path.is_file():
        raise UnreadableFileError(source, None, "no such file")
    # no progress bar: it would write into a results.json sent to standard output (--json -)
    spill = tempfile.mkdtemp(prefix="evalexp-duckdb-")
    con = duckdb.connect(config={"memory_limit": memory_limit, "temp_directory": spill})
    con.execute("SET enable_progress_bar = false")
    try:
        with _utf8_copy(path) if fmt != ".parquet" else _as_is(path) as readable:
            header_row = plan.data.header_row if fmt != ".parquet" else 1
            con.execute(f"CREATE VIEW file AS SELECT * FROM {_reader(readable, fmt, header_row)}")
            columns = [str(name) for name, *_ in con.execute("DESCRIBE file").fetchall()]
            con.execute(f"CREATE VIEW raw AS {_cleaned(columns) if fmt != '.parquet' else 'SELECT * FROM file'}")
            con.execute(f"CREATE VIEW source AS SELECT *, row_number() OVER () + {header_row} "
                        f"AS {DUCKDB.quote(POSITION)} FROM raw")
            if con.execute("SELECT 1 FROM raw LIMIT 1").fetchone() is None:
                raise EmptyFileError(source, None, "no data rows (only a header)")
            names = {plan.columns[c]: c for c in columns if plan.columns.get(c, c) != c}
            table = Table(pd.DataFrame(columns=[plan.columns.get(c, c) for c in columns]), np.zeros(0),
                          np.zeros(0), source, names)
            check_columns(table, plan)
            # positions are the lines themselves (row_number() + header_row)
            checks = SqlChecks(lambda query: con.execute(query).fetchall(), DUCKDB, source, table, list,
                               positioned="cohort_lines")
            canonical = [plan.columns.get(c, c) for c in columns]
            _views(con, plan, columns, day_first=False)
            checks.recodes(plan, canonical)
            checks.ids_and_arms(plan)
            day_first = checks.day_first(plan, _evidence(con, plan, columns),
                                         date_columns(plan, {name: name for name in canonical}))
            _views(con, plan, columns, day_first=day_first)
            longest, continuous = checks.rows(plan, canonical)
            counts, outcomes = split_aggregate(_fetch(con, aggregate_query(
                plan, "raw", DUCKDB, columns=columns, day_first=day_first, exclude=continuous,
                outcomes_apart=True)), plan)
    except duckdb.InvalidInputException:
        # DuckDB's CSV errors: the memory engine's message for a record with more fields than the header
        misshapen = None if fmt == ".parquet" else extra_fields_error(
            path, "utf-8-sig" if _is_utf8(path) else "cp1252", plan.data.header_row, source)
        if misshapen is not None:
            raise misshapen from None
        raise
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    counts = _numbers(counts.astype({COUNT: np.int64}), plan)
    # the [reference] levels of the covariates in the aggregate (every level of them is a key)
    check_references(counts, {c: level for c, level in plan.reference.items() if c in counts}, source,
                     {c: table.label(c) for c in plan.reference})
    check_horizon_days(plan, source, longest)
    return CohortCounts(counts=counts, source=source, plan=plan, continuous=continuous,
                        outcomes={name: _numbers(frame, plan) for name, frame in outcomes.items()})


@contextmanager
def _as_is(path: Path) -> Iterator[Path]:
    yield path
