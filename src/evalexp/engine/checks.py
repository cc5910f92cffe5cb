"""The memory engine's refusals in SQL, for any dialect of :mod:`evalexp.engine.sql`.

:class:`SqlChecks` applies the rules of :mod:`evalexp.validate` (the problem texts, the date-order
rule table, the arm lookup) to a view ``cohort`` built by
:func:`evalexp.engine.sql.canonical_select` with an extra row-position column, and raises the
memory engine's :class:`~evalexp.errors.InputError` subclasses with the same messages: the file,
the column, the first rows by line and participant identifier. It needs only a function running
a query and returning its rows, a :class:`~evalexp.engine.sql.Dialect`, and a function turning
row positions into file lines, so one text serves every engine: the Spark engine runs it (row
positions: ``monotonically_increasing_id``, see :mod:`evalexp.engine.spark`), so does the DuckDB
engine (positions: the lines themselves, by ``row_number()``, on a second view read only to name
the offending rows, see :mod:`evalexp.engine.duckdb_engine`). What the dialects spell otherwise
(text casts, label folding with or without accents, day differences) is in
:class:`~evalexp.engine.sql.Dialect`.

Order of the checks (that of :func:`evalexp.load.load_cohort`): ``[recode.COLUMN]`` labels, identifiers (missing,
repeated), arms (unmapped, empty), ambiguous slash dates, dates (unparseable, outside
``[data] date_min .. date_max``), binary columns (0, 1 or empty), missing required dates and
:data:`evalexp.validate.DATE_ORDER_RULES`. The row conditions are counted in one scan first;
offending rows are looked up only for a broken rule.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pandas as pd

from ..errors import (
    MAX_ROWS_SHOWN,
    AmbiguousDateError,
    DateParseError,
    DateRangeError,
    DuplicateIdError,
    EmptyArmError,
    InputError,
    InvalidValueError,
    MissingColumnError,
    UnmappedArmError,
    UnmappedLabelError,
    shown_value,
)
from ..load import _numeric
from ..plan import ARMS, Plan
from ..recode import UNMAPPED_HINT, missing_problem, unmapped_problem
from ..validate import (
    DATE_ORDER_RULES,
    MISSING_DATE,
    MISSING_ID,
    REQUIRED_DATES,
    Table,
    duplicate_ids_problem,
    empty_arm_problem,
    unmapped_arms_problem,
)
from .counts import MAX_LEVELS
from .sql import _SLASH, RECODED, Dialect, date_columns, recoded

#: Column of the ``cohort`` view giving each row's position (increasing in file order).
POSITION = "__position"

Run = Callable[[str], Sequence[Sequence[Any]]]


class SqlChecks:
    """The checks of :mod:`evalexp.validate` on a ``cohort`` view (canonical columns, dates parsed, ``__position``).

    Parameters
    ----------
    run : callable
        Runs a query, returns its rows (tuples or :class:`pyspark.sql.Row`).
    dialect : Dialect
    source : str
        The file, as named in the messages.
    table : Table
        An empty table under the canonical names (:meth:`evalexp.validate.Table.label`).
    lines : callable
        File lines (header = line 1) of a list of row positions.
    cohort : str
        The (quoted) name of the view.
    positioned : str, optional
        The (quoted) name of a view with the same rows and the ``__position`` column, read only to
        name and order the offending rows (default: ``cohort`` itself has ``__position``). For an
        engine where the position costs a pass over the whole file (DuckDB's ``row_number()``
        window), the counting scans then run on a ``cohort`` without it.
    """

    def __init__(self, run: Run, dialect: Dialect, source: str, table: Table,
                 lines: Callable[[list[int]], list[int]], cohort: str = "cohort", positioned: str | None = None):
        self.run = run
        self.cohort = cohort
        self.positioned = positioned or cohort
        self.dialect = dialect
        self.source = source
        self.table = table
        self.lines = lines
        self.known: dict[str, int] = {}

    def q(self, name: str) -> str:
        return self.dialect.quote(name)

    def precount(self, conditions: list[str], extra: dict[str, str] | None = None) -> dict[str, Any]:
        """Count the rows of each condition in one scan (kept for :meth:`check`); also the ``extra``
        aggregate expressions, returned by name."""
        extra = extra or {}
        # coalesce: count_if over a condition that is NULL on every row (a column all empty) is NULL in DuckDB
        expressions = [f"count_if(coalesce({c}, false))" for c in conditions] + list(extra.values())
        row = tuple(self.run(f"SELECT {', '.join(expressions) or '0'} FROM {self.cohort}")[0])
        self.known.update(zip(conditions, (int(v) for v in row[:len(conditions)])))
        return dict(zip(extra, row[len(conditions):]))

    def offenders(self, condition: str) -> tuple[list[tuple[int, str]], int]:
        """The first ``(line, identifier)`` pairs of the rows where ``condition`` holds, and their number."""
        total = int(self.run(f"SELECT count(*) FROM {self.cohort} WHERE {condition}")[0][0])
        shown = self.run(f"SELECT {self.q(POSITION)}, coalesce({self.dialect.text(self.q('participant_id'))}, '?') "
                         f"FROM {self.positioned} WHERE {condition} ORDER BY 1 LIMIT {MAX_ROWS_SHOWN}")
        lines = self.lines([int(position) for position, _ in shown])
        return [(line, str(pid)) for line, (_, pid) in zip(lines, shown)], total

    def check(self, error: type[InputError], column: str, problem: str | Callable[[], str], condition: str,
              hint: str = "") -> None:
        """Raise ``error`` if some row meets ``condition`` (``problem`` may be a function: called only then)."""
        if self.known.get(condition) == 0:
            return
        rows, total = self.offenders(condition)
        if total:
            raise error(self.source, self.table.label(column), problem if isinstance(problem, str) else problem(),
                        rows, total, hint)

    def first_values(self, expression: str, condition: str, count: int) -> list[Any]:
        """The first ``count`` distinct values of ``expression`` where ``condition`` holds, in file order."""
        found = self.run(f"SELECT v FROM (SELECT {expression} AS v, min({self.q(POSITION)}) AS first "
                         f"FROM {self.positioned} WHERE {condition} GROUP BY 1) t ORDER BY first LIMIT {count}")
        return [row[0] for row in found]

    def distinct(self, expression: str, condition: str = "TRUE") -> list[Any]:
        return [row[0] for row in self.run(f"SELECT DISTINCT {expression} FROM {self.cohort} WHERE {condition}")]

    # -- the rules, in load_cohort's order -------------------------------------------------------

    def recodes(self, plan: Plan, canonical: list[str]) -> None:
        """The plan's ``[recode.COLUMN]``: the column present, every label mapped (:func:`evalexp.recode.recode`)."""
        for column, table_ in plan.recode.items():
            if column not in canonical:
                raise MissingColumnError(self.source, column, missing_problem(column))
            cell = self.q(column + RECODED)
            unmapped = f"{cell} IS NOT NULL AND {recoded(self.dialect, cell, table_)} IS NULL"

            def problem(column: str = column, unmapped: str = unmapped, table_: dict = table_) -> str:
                found = self.distinct(self.dialect.text(self.q(column + RECODED)), unmapped)
                return unmapped_problem(column, sorted(str(v) for v in found), table_)

            self.check(UnmappedLabelError, column, problem, unmapped, UNMAPPED_HINT)

    def ids_and_arms(self, plan: Plan) -> None:
        """:func:`evalexp.validate.check_ids` then :func:`evalexp.validate.map_arms`."""
        pid = self.q("participant_id")
        arms = self.precount([f"{pid} IS NULL", "arm IS NULL"],
                             {arm: f"count_if(arm = {self.dialect.literal(arm)})" for arm in ARMS})
        self.check(InvalidValueError, "participant_id", MISSING_ID, f"{pid} IS NULL")
        repeated = f"SELECT {pid} FROM {self.cohort} GROUP BY 1 HAVING count(*) > 1"
        n_ids = int(self.run(f"SELECT count(*) FROM ({repeated}) t")[0][0])
        if n_ids:
            self.check(DuplicateIdError, "participant_id", duplicate_ids_problem(n_ids), f"{pid} IN ({repeated})")

        def unmapped() -> str:
            bad = self.distinct("arm__text", "arm IS NULL")
            return unmapped_arms_problem(sorted({"(empty)" if v is None else str(v) for v in bad}), plan)

        self.check(UnmappedArmError, "arm", unmapped, "arm IS NULL")
        for arm in ARMS:
            if not arms[arm]:
                labels = sorted(str(v) for v in self.distinct("arm__text"))
                raise EmptyArmError(self.source, self.table.label("arm"), empty_arm_problem(arm, labels))

    def day_first(self, plan: Plan, evidence: dict[str, Any], dates: list[str]) -> bool:
        """Whether slash dates read day first (a first field above 12, :class:`evalexp.load._DateReader`);
        refuses slash dates that could be either under ``[data] date_format = "auto"``."""
        slash = [c for c in dates if evidence.get(c + "__slash")]
        if not slash or plan.data.date_format != "auto":
            return False
        if any((evidence.get(c + "__first") or 0) > 12 for c in slash):
            return True
        text = self.dialect.text(self.q(slash[0] + "__text"))
        self.check(AmbiguousDateError, slash[0],
                   f"slash dates that could be DD/MM/YYYY or MM/DD/YYYY (no day above 12 in "
                   f"{', '.join(repr(self.table.label(c)) for c in slash)}); set [data] date_format = "
                   f"\"%d/%m/%Y\" in the plan",
                   f"regexp_extract({text}, {self.dialect.literal(_SLASH)}, 0) <> ''")
        return False

    def rows(self, plan: Plan, canonical: list[str]) -> tuple[int, tuple[str, ...]]:
        """Dates, binary columns and date order counted in one scan, then the offenders of the first rule
        broken; returns the longest follow-up in days and the covariates with more than :data:`MAX_LEVELS`
        distinct values."""
        q = self.q
        dates = date_columns(plan, {name: name for name in canonical})
        low, high = plan.data.date_min, plan.data.date_max
        lit = self.dialect.literal
        date_rules = [(c, f"{q(c + '__text')} IS NOT NULL AND {q(c)} IS NULL",
                       f"{q(c)} < DATE {lit(str(low))} OR {q(c)} > DATE {lit(str(high))}") for c in dates]
        binary = [c for c in ("support_received", *plan.outcomes.binary) if c in canonical]
        not_01 = {c: f"{q(c)} IS NOT NULL AND trim({self.dialect.text(q(c))}) NOT IN ('0', '1')" for c in binary}
        missing = {c: f"{q(c)} IS NULL" for c in REQUIRED_DATES}
        order = [(rule, f"{q(rule.column)} < {q(rule.before)}") for rule in DATE_ORDER_RULES if rule.column in dates]
        covariates = list(dict.fromkeys(plan.survival.covariates))
        extra = {"longest": f"max({self.dialect.day_diff(q('contract_start'), q('followup_end'))})",
                 **{c: f"count(DISTINCT {q(c)})" for c in covariates}}
        found = self.precount([c for _, unparsed, outside in date_rules for c in (unparsed, outside)]
                              + list(not_01.values()) + list(missing.values()) + [c for _, c in order], extra)
        expected = (f"'{plan.data.date_format}' or YYYY-MM-DD" if plan.data.date_format != "auto"
                    else "YYYY-MM-DD or DD/MM/YYYY")
        for column, unparsed, outside in date_rules:
            text = self.dialect.text(q(column + "__text"))
            self.check(DateParseError, column, partial(self._shown, "unparseable date ", text, unparsed,
                                                       f" (expected {expected})", repr), unparsed)
            self.check(DateRangeError, column, partial(self._shown, f"date outside {low}..{high} (", q(column),
                                                       outside, ")", str), outside,
                       "a typo? The plan's [data] date_min and date_max move the bounds")
        for column, condition in not_01.items():
            if self.known.get(condition):
                self.binary(column)
        for column, condition in missing.items():
            self.check(InvalidValueError, column, MISSING_DATE, condition)
        for rule, condition in order:
            self.check(rule.error, rule.column, rule.problem, condition)
        longest = found["longest"]
        return int(longest or 0), tuple(c for c in covariates if int(found[c]) > MAX_LEVELS)

    def _shown(self, before: str, expression: str, condition: str, after: str, show: Callable[[Any], str]) -> str:
        """A problem text listing the first three values of ``expression`` where ``condition`` holds."""
        values = self.first_values(expression, condition, 3)
        return before + ", ".join(show(shown_value(v) if isinstance(v, str) else v) for v in values) + after

    def binary(self, column: str) -> None:
        """``column`` holds 0, 1 or empty, its distinct values read as the memory engine reads them
        (:func:`evalexp.validate.check_binary` after :func:`evalexp.load._numeric`)."""
        text = self.dialect.text(self.q(column))
        values = pd.Series(self.first_values(text, f"{self.q(column)} IS NOT NULL", 2**31 - 1), dtype=object)
        numbers = _numeric(values)
        if numbers is not None:
            bad = ~numbers.isin([0, 1]).to_numpy()
            shown = ", ".join(f"{v:g}" for v in numbers[bad][:MAX_ROWS_SHOWN])
        else:
            bad = ~values.isin(["0", "1"]).to_numpy()
            shown = ", ".join(repr(v) for v in values[bad][:MAX_ROWS_SHOWN])
        if bad.any():
            listed = ", ".join(self.dialect.literal(str(v)) for v in values[bad])
            self.check(InvalidValueError, column, f"values must be 0 or 1 (or empty), found {shown}",
                       f"{text} IN ({listed})")
