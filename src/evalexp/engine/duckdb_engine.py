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
"""
from __future__ import annotations

import codecs
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ..errors import (
    MAX_ROWS_SHOWN,
    AmbiguousDateError,
    DateParseError,
    DateRangeError,
    DuplicateIdError,
    EmptyArmError,
    EmptyFileError,
    InputError,
    InvalidValueError,
    MissingColumnError,
    UnmappedArmError,
    UnmappedLabelError,
    UnreadableFileError,
    shown_value,
)
from ..guards import check_horizon_days
from ..levels import check_references
from ..load import _numeric
from ..plan import ARMS, Plan
from ..readers import MISSING_MARKERS, _separator
from ..recode import UNMAPPED_HINT, missing_problem, unmapped_problem
from ..validate import (
    DATE_ORDER_RULES,
    MISSING_DATE,
    MISSING_ID,
    REQUIRED_DATES,
    Table,
    check_columns,
    duplicate_ids_problem,
    empty_arm_problem,
    unmapped_arms_problem,
)
from .counts import MAX_LEVELS, CohortCounts
from .sql import (
    COUNT,
    DUCKDB,
    RECODED,
    aggregate_query,
    canonical_select,
    date_columns,
    date_evidence_query,
    literal,
    recoded,
    split_aggregate,
)

#: DuckDB's memory limit by default (it spills beyond): the whole analysis then stays within 3 GB.
MEMORY_LIMIT = "1GB"
#: Column holding each row's source line in the engine's views.
LINE = "__line"
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


class _SqlTable:
    """The checks of :mod:`evalexp.validate` on a DuckDB view ``cohort`` (canonical columns, dates
    parsed, ``__line``), raising the memory engine's errors.

    :meth:`precount` counts the rows of many conditions in one scan; :meth:`check` then looks
    for the offending rows only when there are some.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, source: str, table: Table):
        self.con = con
        self.source = source
        self.table = table  # an empty frame under the canonical names: labels and check_columns
        self.known: dict[str, int] = {}

    def precount(self, conditions: list[str], extra: dict[str, str] | None = None) -> dict[str, object]:
        """Count the rows of each condition in one scan (kept for :meth:`check`); also the ``extra``
        aggregate expressions, returned by name."""
        extra = extra or {}
        expressions = [f"count_if({c})" for c in conditions] + list(extra.values())
        row = self.con.execute(f"SELECT {', '.join(expressions) or '0'} FROM cohort").fetchone() or ()
        self.known.update(zip(conditions, (int(v) for v in row[:len(conditions)])))
        return dict(zip(extra, row[len(conditions):]))

    def offenders(self, condition: str) -> tuple[list[tuple[int, str]], int]:
        """The first ``(line, identifier)`` pairs of the rows where ``condition`` holds, and their number."""
        total = self.con.execute(f"SELECT count(*) FROM cohort WHERE {condition}").fetchone()
        shown = self.con.execute(f"SELECT {LINE}, coalesce(CAST(participant_id AS VARCHAR), '?') FROM cohort "
                                 f"WHERE {condition} ORDER BY {LINE} LIMIT {MAX_ROWS_SHOWN}").fetchall()
        return [(int(line), str(pid)) for line, pid in shown], int(total[0]) if total else 0

    def check(self, error: type[InputError], column: str, problem: str | Callable[[], str], condition: str,
              hint: str = "") -> None:
        """Raise ``error`` if some row meets ``condition`` (``problem`` may be a function: called only then)."""
        if self.known.get(condition) == 0:
            return
        rows, total = self.offenders(condition)
        if total:
            raise error(self.source, self.table.label(column), problem if isinstance(problem, str) else problem(),
                        rows, total, hint)

    def first_values(self, expression: str, condition: str, count: int) -> list:
        """The first ``count`` distinct values of ``expression`` where ``condition`` holds, in line order."""
        found = self.con.execute(f"SELECT v FROM (SELECT {expression} AS v, min({LINE}) AS first FROM cohort "
                                 f"WHERE {condition} GROUP BY 1) ORDER BY first LIMIT {count}").fetchall()
        return [v for (v,) in found]


_ARM_COUNTS = {arm: f"count_if(arm = {literal(arm)})" for arm in ARMS}


def _check_recodes(sql: _SqlTable, plan: Plan, canonical: list[str]) -> None:
    """The plan's ``[recode.COLUMN]``: the column present, every label mapped (:func:`evalexp.recode.recode`)."""
    for column, table_ in plan.recode.items():
        if column not in canonical:
            raise MissingColumnError(sql.source, column, missing_problem(column))
        cell = DUCKDB.quote(column + RECODED)
        unmapped = f"{cell} IS NOT NULL AND {recoded(DUCKDB, cell, table_)} IS NULL"

        def problem(column: str = column, unmapped: str = unmapped, table_: dict = table_) -> str:
            found = sql.con.execute(f"SELECT DISTINCT CAST({DUCKDB.quote(column + RECODED)} AS VARCHAR) "
                                    f"FROM cohort WHERE {unmapped}").fetchall()
            return unmapped_problem(column, sorted(str(v) for (v,) in found), table_)

        sql.check(UnmappedLabelError, column, problem, unmapped, UNMAPPED_HINT)


def _check_ids_and_arms(sql: _SqlTable, plan: Plan) -> None:
    """:func:`evalexp.validate.check_ids` then :func:`evalexp.validate.map_arms`."""
    arms = sql.precount(["participant_id IS NULL", "arm IS NULL"], _ARM_COUNTS)
    sql.check(InvalidValueError, "participant_id", MISSING_ID, "participant_id IS NULL")
    repeated = "participant_id IN (SELECT participant_id FROM cohort GROUP BY 1 HAVING count(*) > 1)"
    n_ids = sql.con.execute("SELECT count(*) FROM (SELECT participant_id FROM cohort GROUP BY 1 "
                            "HAVING count(*) > 1)").fetchone()
    if n_ids and n_ids[0]:
        sql.check(DuplicateIdError, "participant_id", duplicate_ids_problem(int(n_ids[0])), repeated)

    def unmapped() -> str:
        bad = sql.con.execute("SELECT DISTINCT arm__text FROM cohort WHERE arm IS NULL").fetchall()
        return unmapped_arms_problem(sorted({"(empty)" if v is None else str(v) for (v,) in bad}), plan)

    sql.check(UnmappedArmError, "arm", unmapped, "arm IS NULL")
    for arm in ARMS:
        if not arms[arm]:
            labels = sorted(str(v) for (v,) in sql.con.execute("SELECT DISTINCT arm__text FROM cohort").fetchall())
            raise EmptyArmError(sql.source, sql.table.label("arm"), empty_arm_problem(arm, labels))


def _date_conditions(plan: Plan, dates: list[str]) -> list[tuple[str, str, str]]:
    """(column, unparsed condition, outside condition) per date column."""
    q = DUCKDB.quote
    low, high = literal(str(plan.data.date_min)), literal(str(plan.data.date_max))
    return [(column, f"{q(column + '__text')} IS NOT NULL AND {q(column)} IS NULL",
             f"{q(column)} < DATE {low} OR {q(column)} > DATE {high}") for column in dates]


def _order_conditions(dates: list[str]) -> list[str]:
    q = DUCKDB.quote
    return ([f"{q(column)} IS NULL" for column in REQUIRED_DATES]
            + [f"{q(rule.column)} < {q(rule.before)}" for rule in DATE_ORDER_RULES if rule.column in dates])


def _check_dates(sql: _SqlTable, plan: Plan, dates: list[str]) -> None:
    """Unparseable dates and dates outside ``[data] date_min .. date_max`` (:class:`evalexp.load._DateReader`)."""
    expected = (f"'{plan.data.date_format}' or YYYY-MM-DD" if plan.data.date_format != "auto"
                else "YYYY-MM-DD or DD/MM/YYYY")
    low, high = plan.data.date_min, plan.data.date_max
    for column, unparsed, outside in _date_conditions(plan, dates):
        text = f"CAST({DUCKDB.quote(column + '__text')} AS VARCHAR)"
        sql.check(DateParseError, column, lambda: "unparseable date " + ", ".join(
            repr(shown_value(v)) for v in sql.first_values(text, unparsed, 3)) + f" (expected {expected})",  # noqa: B023
            unparsed)
        sql.check(DateRangeError, column, lambda: f"date outside {low}..{high} (" + ", ".join(
            str(v) for v in sql.first_values(DUCKDB.quote(column), outside, 3)) + ")", outside,  # noqa: B023
            "a typo? The plan's [data] date_min and date_max move the bounds")


def _check_order(sql: _SqlTable, dates: list[str]) -> None:
    """Missing required dates and :data:`evalexp.validate.DATE_ORDER_RULES` (:func:`evalexp.validate.check_dates`)."""
    for column in REQUIRED_DATES:
        sql.check(InvalidValueError, column, MISSING_DATE, f"{DUCKDB.quote(column)} IS NULL")
    for rule in DATE_ORDER_RULES:
        if rule.column in dates:
            sql.check(rule.error, rule.column, rule.problem,
                      f"{DUCKDB.quote(rule.column)} < {DUCKDB.quote(rule.before)}")


def _day_first(con: duckdb.DuckDBPyConnection, plan: Plan, columns: list[str], sql: _SqlTable) -> bool:
    """Whether slash dates read day first: the memory engine's evidence rule (a first field above 12)."""
    row = con.execute(date_evidence_query(plan, "source", DUCKDB, columns=columns)).fetchone()
    names = [d[0] for d in con.description or ()]
    evidence = dict(zip(names, row or ()))
    slash = [c for c in date_columns(plan, {plan.columns.get(n, n): n for n in columns})
             if evidence.get(c + "__slash")]
    if not slash or plan.data.date_format != "auto":
        return False
    if any((evidence.get(c + "__first") or 0) > 12 for c in slash):
        return True
    pattern = literal(r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$")
    sql.check(AmbiguousDateError, slash[0],
              f"slash dates that could be DD/MM/YYYY or MM/DD/YYYY (no day above 12 in "
              f"{', '.join(repr(sql.table.label(c)) for c in slash)}); set [data] date_format = "
              f"\"%d/%m/%Y\" in the plan",
              f"regexp_matches(CAST({DUCKDB.quote(slash[0] + '__text')} AS VARCHAR), {pattern})")
    return False


def _binary_condition(column: str) -> str:
    """Rows whose value is not plainly 0 or 1 (the candidates :func:`_check_binary` looks at)."""
    return f"{DUCKDB.quote(column)} IS NOT NULL AND trim(CAST({DUCKDB.quote(column)} AS VARCHAR)) NOT IN ('0', '1')"


def _check_binary(sql: _SqlTable, plan: Plan, columns: list[str]) -> None:
    """``support_received`` and the plan's binary outcomes: 0, 1 or empty (:func:`evalexp.validate.check_binary`,
    on the column's distinct values read as the memory engine reads them)."""
    for column in ("support_received", *plan.outcomes.binary):
        if column not in columns or sql.known.get(_binary_condition(column)) == 0:
            continue
        q = DUCKDB.quote(column)
        found = sql.con.execute(f"SELECT v FROM (SELECT CAST({q} AS VARCHAR) AS v, min({LINE}) AS first FROM cohort "
                                f"WHERE {q} IS NOT NULL GROUP BY 1) ORDER BY first").fetchall()
        values = pd.Series([v for (v,) in found], dtype=object)
        numbers = _numeric(values)
        if numbers is not None:
            bad = ~numbers.isin([0, 1]).to_numpy()
            shown = ", ".join(f"{v:g}" for v in numbers[bad][:MAX_ROWS_SHOWN])
        else:
            bad = ~values.isin(["0", "1"]).to_numpy()
            shown = ", ".join(repr(v) for v in values[bad][:MAX_ROWS_SHOWN])
        if bad.any():
            listed = ", ".join(literal(str(v)) for v in values[bad])
            sql.check(InvalidValueError, column, f"values must be 0 or 1 (or empty), found {shown}",
                      f"CAST({q} AS VARCHAR) IN ({listed})")


def _check_rows(sql: _SqlTable, plan: Plan, columns: list[str]) -> tuple[int, tuple[str, ...]]:
    """Dates, binary columns, date order in one scan (then the offenders of the first rule broken);
    returns the longest follow-up in days and the continuous covariates (:data:`MAX_LEVELS`)."""
    canonical = [plan.columns.get(c, c) for c in columns]
    dates = date_columns(plan, {name: name for name in canonical})
    binary = [c for c in ("support_received", *plan.outcomes.binary) if c in canonical]
    conditions = [c for _, unparsed, outside in _date_conditions(plan, dates) for c in (unparsed, outside)]
    covariates = list(dict.fromkeys(plan.survival.covariates))
    extra = {"longest": "max(date_diff('day', contract_start, followup_end))",
             **{c: f"count(DISTINCT {DUCKDB.quote(c)})" for c in covariates}}
    found = sql.precount(conditions + [_binary_condition(c) for c in binary] + _order_conditions(dates), extra)
    _check_dates(sql, plan, dates)
    _check_binary(sql, plan, canonical)
    _check_order(sql, dates)
    longest = found["longest"]
    return (int(longest) if isinstance(longest, (int, np.integer)) else 0,
            tuple(c for c in covariates if int(found[c]) > MAX_LEVELS))  # type: ignore[call-overload]


def _reader(path: Path, fmt: str, header_row: int) -> str:
    if fmt == ".parquet":
        return f"read_parquet({literal(str(path))})"
    sep = _separator(_header_line(path, header_row))
    return (f"read_csv({literal(str(path))}, delim={literal(sep)}, header=true, all_varchar=true, "
            f"quote='\"', escape='\"', nullstr='', parallel=true, skip={header_row - 1})")


def _fetch(con: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    """The aggregate as a DataFrame whose text keys are categoricals (one copy of each label: millions
    of cells would otherwise hold millions of Python strings)."""
    table = con.cursor().sql(query).to_arrow_table()  # a fresh cursor: no unfinished result of execute()
    frame = table.to_pandas(strings_to_categorical=True)
    return frame


def _cleaned(columns: list[str]) -> str:
    """The CSV's cells as :mod:`evalexp.readers` reads them: stripped, :data:`~evalexp.readers.MISSING_MARKERS` NULL."""
    markers = ", ".join(literal(m) for m in sorted(MISSING_MARKERS))
    cells = []
    for column in columns:
        stripped = f"trim({DUCKDB.quote(column)}, {literal(_WHITESPACE)})"
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
            con.execute(f"CREATE VIEW source AS SELECT *, row_number() OVER () + {header_row} AS {LINE} FROM raw")
            if con.execute("SELECT 1 FROM raw LIMIT 1").fetchone() is None:
                raise EmptyFileError(source, None, "no data rows (only a header)")
            names = {plan.columns[c]: c for c in columns if plan.columns.get(c, c) != c}
            table = Table(pd.DataFrame(columns=[plan.columns.get(c, c) for c in columns]), np.zeros(0),
                          np.zeros(0), source, names)
            check_columns(table, plan)
            sql = _SqlTable(con, source, table)
            con.execute(f"CREATE VIEW cohort AS {canonical_select(plan, 'source', DUCKDB, columns=[*columns, LINE])}")
            _check_recodes(sql, plan, [plan.columns.get(c, c) for c in columns])
            _check_ids_and_arms(sql, plan)
            day_first = _day_first(con, plan, columns, sql)
            select = canonical_select(plan, "source", DUCKDB, columns=[*columns, LINE], day_first=day_first)
            con.execute(f"CREATE OR REPLACE VIEW cohort AS {select}")
            longest, continuous = _check_rows(sql, plan, columns)
            counts, outcomes = split_aggregate(_fetch(con, aggregate_query(
                plan, "raw", DUCKDB, columns=columns, day_first=day_first, exclude=continuous,
                outcomes_apart=True)), plan)
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
