"""The SQL of the out-of-core engines, written once for DuckDB and Spark SQL.

Stable API (the DuckDB engine :mod:`evalexp.engine.duckdb_engine` and the Spark engine run this
same text; only a :class:`Dialect` differs):

``canonical_select(plan, source_relation, dialect, *, columns, day_first=False) -> str``
    One row per source row under the canonical names (docs/CONTRACT.md section 1): ``arm``
    mapped to ``treatment`` / ``control`` by the plan's ``[arms]`` (NULL when unmapped), the date
    columns parsed to DATE (NULL when missing or unparseable; the raw text kept as
    ``<column>__text``), and the derived ``end``, ``event``, ``time_days`` and ``treated``.
``aggregate_query(plan, source_relation, dialect, *, columns, day_first=False, exclude=(),
    outcomes_apart=False) -> str``
    The ONE ``GROUP BY``: the number ``n`` of participants per (``arm``, ``time_days``, ``event``
    [, ``stratum``] [, ``cluster``] [, ``cause``] [, each covariate] [, each binary outcome]),
    the key columns named after :data:`KEYS` (plan columns keep their canonical names).
``date_evidence_query(plan, source_relation, dialect, *, columns) -> str``
    Per date column, how many values are slash dates and the largest first field among them:
    the evidence :mod:`evalexp.load` uses to read ``DD/MM/YYYY`` day first.

``source_relation`` is a table, view or sub-query in parentheses whose columns carry the
*source* names (the plan's ``[columns]`` renames them here); ``columns`` is the list of
those source names (e.g. from ``DESCRIBE``). ``day_first`` says whether ``N/N/YYYY`` reads
day first (the engine decides it from :func:`date_evidence_query`, as the memory engine does).

Conventions shared with the memory engine (:mod:`evalexp.load`, :mod:`evalexp.validate`,
:mod:`evalexp.cohort`): ISO ``YYYY-MM-DD`` (a time of day after it dropped) always, slash
dates day first with evidence, the plan's ``[data] date_format`` otherwise; arm labels
matched case-insensitively after trimming (:func:`evalexp.validate.map_arms`);
``end = min(contract_end_planned, followup_end)``, ``event = rupture_date <= end``,
``time_days`` whole days from ``contract_start``; a rupture's cause trimmed, empty or missing
becoming :data:`evalexp.competing.competing_risks.UNKNOWN_CAUSE`, NULL for a censored participant.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..competing.competing_risks import UNKNOWN_CAUSE
from ..plan import Plan
from ..plan_loading import fold_label
from ..recode import recode_lookup
from ..validate import DATE_COLUMNS, TEXT_COLUMNS, arm_lookup

#: Key columns of the aggregate, in GROUP BY order (those the plan names, then the covariates
#: and binary outcomes under their canonical names), and the count column.
KEYS = ("arm", "time_days", "event", "stratum", "cluster", "cause")
COUNT = "n"
#: Suffix of the source cells of a recoded column in :func:`canonical_select` (for the unmapped-label check).
RECODED = "__recoded"
RIGHT_QUOTE, APOSTROPHE = "\u2019", "'"
#: Marker column of ``aggregate_query(..., outcomes_apart=True)``: 0 on the survival cells.
CELLS = "cells__set"

_ISO = r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$"
_SLASH = r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$"


def _spark_fold() -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """``translate``'s from and to strings and the two-letter replacements that make Spark's
    ``lower`` of a Latin letter what :func:`~evalexp.plan_loading.fold_label` makes of it; the
    combining marks (U+0300 to U+036F) come last in ``from`` without a counterpart: deleted."""
    sources: list[str] = []
    targets: list[str] = []
    pairs: list[tuple[str, str]] = []
    for code in range(0x00C0, 0x0250):
        lower = chr(code).lower()
        target = fold_label(lower)
        if len(lower) != 1 or target == lower or lower in sources or any(lower == p for p, _ in pairs):
            continue
        if len(target) == 1:
            sources.append(lower)
            targets.append(target)
        else:
            pairs.append((lower, target))
    marks = "".join(chr(code) for code in range(0x0300, 0x0370))
    return "".join(sources) + marks, "".join(targets), tuple(pairs)


#: Spark's accent folding (:meth:`SparkDialect.fold_label`).
SPARK_FOLD = _spark_fold()


@dataclass(frozen=True)
class Dialect:
    """What differs between the SQL engines: quoting, text casts, date parsing, day differences.

    The base class is DuckDB's; :class:`SparkDialect` overrides what Spark SQL spells otherwise.
    """

    name: str = "duckdb"

    def literal(self, text: str) -> str:
        """A string literal: single quotes doubled (DuckDB reads a backslash as itself)."""
        return "'" + text.replace("'", "''") + "'"

    def quote(self, name: str) -> str:
        """A quoted identifier."""
        return '"' + name.replace('"', '""') + '"'

    def text(self, expr: str) -> str:
        """``expr`` as text (a native DATE as ``YYYY-MM-DD``)."""
        return f"CAST({expr} AS VARCHAR)"

    def fold(self, expr: str) -> str:
        """Arm labels as :func:`evalexp.validate.map_arms` compares them (NFC, trimmed, lower case)."""
        return f"lower(trim(nfc_normalize({expr})))"

    def fold_label(self, expr: str) -> str:
        """Labels as :func:`evalexp.plan_loading.fold_label` matches them (trimmed, accents and case ignored)."""
        return (f"lower(strip_accents(replace(trim({expr}), {self.literal(RIGHT_QUOTE)}, "
                f"{self.literal(APOSTROPHE)})))")

    def ymd_date(self, ymd: str) -> str:
        """A DATE from ``Y-M-D`` text (1-2 digit month and day), NULL when not a calendar day."""
        return f"CAST(try_strptime({ymd}, '%Y-%m-%d') AS DATE)"

    def strptime(self, text: str, date_format: str) -> str:
        """A DATE from text in the plan's strptime ``[data] date_format``, NULL when it does not parse."""
        return f"CAST(try_strptime({text}, {self.literal(date_format)}) AS DATE)"

    def day_diff(self, start: str, stop: str) -> str:
        """Whole days from ``start`` to ``stop``."""
        return f"date_diff('day', {start}, {stop})"


@dataclass(frozen=True)
class SparkDialect(Dialect):
    """Spark SQL (ANSI mode off, so that an invalid date is NULL): backquotes, ``to_date``, ``datediff``."""

    name: str = "spark"

    def literal(self, text: str) -> str:
        """A string literal with backslash escapes (Spark SQL's; pyspark 3.5.0 reads a doubled quote
        as two adjacent literals, so ``'l''a'`` would lose its apostrophe)."""
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS STRING)"

    def fold(self, expr: str) -> str:
        return f"lower(trim({expr}))"

    def fold_label(self, expr: str) -> str:
        """Trimmed, lower case, a right quote as an apostrophe, accents stripped: Spark SQL has no
        ``strip_accents``, so ``translate`` maps each accented Latin letter (U+00C0 to U+024F) to
        what :func:`evalexp.plan_loading.fold_label` makes of it and deletes combining marks
        (:data:`SPARK_FOLD`); a letter that folds to two (``ß``, ``ŉ``) is replaced first."""
        folded = f"lower(replace(trim({expr}), {self.literal(RIGHT_QUOTE)}, {self.literal(APOSTROPHE)}))"
        for letter, target in SPARK_FOLD[2]:
            folded = f"replace({folded}, {self.literal(letter)}, {self.literal(target)})"
        return f"translate({folded}, {self.literal(SPARK_FOLD[0])}, {self.literal(SPARK_FOLD[1])})"

    def ymd_date(self, ymd: str) -> str:
        return f"to_date({ymd}, 'y-M-d')"

    def strptime(self, text: str, date_format: str) -> str:
        pattern = date_format
        for directive, spark in (("%Y", "yyyy"), ("%m", "MM"), ("%d", "dd"), ("%y", "yy"), ("%H", "HH"),
                                 ("%M", "mm"), ("%S", "ss")):
            pattern = pattern.replace(directive, spark)
        return f"to_date({text}, {self.literal(pattern)})"

    def day_diff(self, start: str, stop: str) -> str:
        return f"datediff({stop}, {start})"


DUCKDB = Dialect()
SPARK = SparkDialect()


def _canonical_names(plan: Plan, columns: list[str]) -> dict[str, str]:
    """Canonical name -> source name of the source columns (the plan's ``[columns]`` applied)."""
    return {plan.columns.get(name, name): name for name in columns}


def date_columns(plan: Plan, canonical: dict[str, str]) -> list[str]:
    """The date columns the engine parses: the canonical ones present and the plan's meeting columns."""
    return [c for c in canonical if c in DATE_COLUMNS or c in plan.integrity.meetings]


def _date(dialect: Dialect, raw: str, plan: Plan, day_first: bool) -> str:
    """The SQL DATE of a raw date cell, by the rules of :class:`evalexp.load._DateReader`."""
    text = dialect.text(raw)

    def part(pattern: str, group: int) -> str:
        return f"NULLIF(regexp_extract({text}, {dialect.literal(pattern)}, {group}), '')"

    iso = dialect.ymd_date(f"{part(_ISO, 1)} || '-' || {part(_ISO, 2)} || '-' || {part(_ISO, 3)}")
    if plan.data.date_format != "auto":
        other = dialect.strptime(text, plan.data.date_format)
    elif day_first:
        other = dialect.ymd_date(f"{part(_SLASH, 3)} || '-' || {part(_SLASH, 2)} || '-' || {part(_SLASH, 1)}")
    else:
        other = "CAST(NULL AS DATE)"
    return f"COALESCE({iso}, {other})"


def _arm(dialect: Dialect, raw: str, plan: Plan) -> str:
    """CASE mapping the source arm labels to the canonical arms (NULL when unmapped)."""
    lookup = arm_lookup(plan)
    whens = " ".join(f"WHEN {dialect.literal(label)} THEN {dialect.literal(arm)}" for label, arm in lookup.items())
    return f"CASE {dialect.fold(dialect.text(raw))} {whens} END"


def recoded(dialect: Dialect, raw: str, table_: dict[str, tuple[str, ...]]) -> str:
    """The plan's ``[recode.COLUMN]`` (:func:`evalexp.recode.recode_lookup`): canonical value, NULL when
    the cell is missing or its label unmapped (``<column>__recoded`` keeps the cell for the check)."""
    whens = " ".join(f"WHEN {dialect.literal(label)} THEN {dialect.literal(value)}"
                     for label, value in recode_lookup(table_).items())
    return f"CASE {dialect.fold_label(dialect.text(raw))} {whens} END"


def canonical_select(plan: Plan, source_relation: str, dialect: Dialect, *, columns: list[str],
                     day_first: bool = False) -> str:
    """One row per source row under canonical names, dates parsed, survival derived (see module docstring)."""
    q = dialect.quote
    canonical = _canonical_names(plan, columns)
    dates = date_columns(plan, canonical)
    parts = []
    for name, source in canonical.items():
        raw = q(source)
        if name in plan.recode:
            parts.append(f"{raw} AS {q(name + RECODED)}")
            raw = recoded(dialect, raw, plan.recode[name])
        if name == "arm":
            parts.append(f"{_arm(dialect, raw, plan)} AS {q('arm')}")
            parts.append(f"{raw} AS {q('arm__text')}")
        elif name in dates:
            parts.append(f"{_date(dialect, raw, plan, day_first)} AS {q(name)}")
            parts.append(f"{raw} AS {q(name + '__text')}")
        elif name in TEXT_COLUMNS or name in plan.recode:
            parts.append(f"{dialect.text(raw)} AS {q(name)}")
        else:
            parts.append(f"{raw} AS {q(name)}")
    mapped = f"SELECT {', '.join(parts)} FROM {source_relation}"
    end = f"LEAST({q('contract_end_planned')}, {q('followup_end')})"
    rupture = q("rupture_date") if "rupture_date" in canonical else "CAST(NULL AS DATE)"
    event = f"CASE WHEN {rupture} IS NOT NULL AND {rupture} <= {end} THEN 1 ELSE 0 END"
    stop = f"CASE WHEN {event} = 1 THEN {rupture} ELSE {end} END"
    return (f"SELECT m.*, {end} AS {q('end')}, {event} AS {q('event')}, "
            f"{dialect.day_diff(q('contract_start'), stop)} AS {q('time_days')}, "
            f"CASE WHEN {q('arm')} = 'treatment' THEN 1 ELSE 0 END AS {q('treated')} FROM ({mapped}) m")


def group_columns(plan: Plan, exclude: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(key, canonical column) pairs of the plan's optional keys, covariates and binary outcomes
    (less the covariates in ``exclude``)."""
    sv = plan.survival
    keys = [(key, column) for key, column in (("stratum", sv.strata), ("cluster", sv.cluster),
                                              ("cause", sv.causes)) if column]
    extra = dict.fromkeys((*sv.covariates, *plan.outcomes.binary))
    return keys + [(column, column) for column in extra if column not in {c for _, c in keys} | set(exclude)]


def aggregate_query(plan: Plan, source_relation: str, dialect: Dialect, *, columns: list[str],
                    day_first: bool = False, exclude: tuple[str, ...] = (), outcomes_apart: bool = False) -> str:
    """The ONE GROUP BY: participants per (arm, time_days, event [, stratum, cluster, cause, covariates,
    binary outcomes]); see the module docstring. ``exclude``: covariates left out of the keys
    (continuous ones, :data:`evalexp.engine.counts.MAX_LEVELS`). Run it only on data that passed
    the validation.

    With ``outcomes_apart``, the binary outcomes are not keys of the survival cells (each would
    multiply them by three) but grouping sets of their own in the same GROUP BY: ``GROUPING SETS
    ((survival keys), (arm, outcome 1), (arm, outcome 2), ...)``; the column :data:`CELLS` is 0 on
    the survival cells, ``<outcome>__set`` 0 on the rows of that outcome's set
    (:func:`split_aggregate` separates them).
    """
    q = dialect.quote
    keys = [("arm", q("arm")), ("time_days", q("time_days")), ("event", q("event"))]
    outcomes = [c for c in dict.fromkeys(plan.outcomes.binary)
                if c not in plan.survival.covariates] if outcomes_apart else []
    for key, column in group_columns(plan, exclude):
        if key == "cause":
            cause = f"trim({dialect.text(q(column))})"
            keys.append((key, (f"CASE WHEN {q('event')} = 1 THEN COALESCE(NULLIF({cause}, ''), "
                               f"{dialect.literal(UNKNOWN_CAUSE)}) END")))
        elif key in ("stratum", "cluster") or key not in outcomes:
            keys.append((key, q(column)))
    inner = canonical_select(plan, source_relation, dialect, columns=columns, day_first=day_first)
    projected = ", ".join(f"{expr} AS {q(key)}" for key, expr in [*keys, *((o, q(o)) for o in outcomes)])
    names = [q(key) for key, _ in keys]
    if not outcomes:
        listed = ", ".join(names)
        return (f"SELECT {listed}, count(*) AS {q(COUNT)} FROM (SELECT {projected} FROM ({inner}) c) k "
                f"GROUP BY {listed} ORDER BY {listed}")
    sets = ", ".join([f"({', '.join(names)})", *(f"({q('arm')}, {q(o)})" for o in outcomes)])
    markers = ", ".join([f"grouping({q('time_days')}) AS {q(CELLS)}",
                         *(f"grouping({q(o)}) AS {q(o + '__set')}" for o in outcomes)])
    every = ", ".join([*names, *(q(o) for o in outcomes)])
    return (f"SELECT {every}, {markers}, count(*) AS {q(COUNT)} FROM (SELECT {projected} FROM ({inner}) c) k "
            f"GROUP BY GROUPING SETS ({sets}) ORDER BY {q(CELLS)}, {every}")


def split_aggregate(frame: pd.DataFrame, plan: Plan) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The survival cells and, per binary outcome, its (``arm``, value, ``n``) rows, of an
    ``aggregate_query(..., outcomes_apart=True)`` result (the cells unchanged without it)."""
    if CELLS not in frame:
        return frame, {}
    outcomes = [c[:-len("__set")] for c in frame.columns if c.endswith("__set") and c != CELLS]
    cells = frame.loc[frame[CELLS] == 0].drop(columns=[CELLS, *outcomes, *(o + "__set" for o in outcomes)])
    cells = cells.astype({"time_days": "int64", "event": "int64"}).reset_index(drop=True)
    apart = {o: frame.loc[frame[o + "__set"] == 0, ["arm", o, COUNT]].reset_index(drop=True) for o in outcomes}
    return cells, apart


def date_evidence_query(plan: Plan, source_relation: str, dialect: Dialect, *, columns: list[str]) -> str:
    """Per date column: ``<column>__slash`` (slash dates) and ``<column>__first`` (their largest first field)."""
    q = dialect.quote
    canonical = _canonical_names(plan, columns)
    parts = []
    for name in date_columns(plan, canonical):
        first = f"NULLIF(regexp_extract({dialect.text(q(canonical[name]))}, {dialect.literal(_SLASH)}, 1), '')"
        parts.append(f"count({first}) AS {q(name + '__slash')}")
        parts.append(f"max(CAST({first} AS INTEGER)) AS {q(name + '__first')}")
    return f"SELECT {', '.join(parts) or '0 AS none'} FROM {source_relation}"
