"""The Spark engine: the aggregation of :mod:`evalexp.engine.sql` run on a Spark session.

For administrative data that live in a cluster: Spark reads the CSV or Parquet file (a local
path or any URI Spark understands: ``hdfs://``, ``s3a://``, ``abfss://``, ...), runs the SAME SQL
text as the DuckDB engine (:func:`evalexp.engine.sql.aggregate_query` with the
:data:`evalexp.engine.sql.SPARK` dialect) and brings back only the counts per (arm, day, event
[, stratum, cluster, cause, covariates, binary outcomes]), from which the estimators are computed
on the driver exactly as for the DuckDB engine.

The session (:func:`spark_session`) is, in order of precedence: the master URL given
(``--spark-master spark://host:7077``, ``yarn``, ``k8s://...``, ``local[4]``); Spark Connect when
the ``SPARK_REMOTE`` environment variable is set (``sc://host:15002``); else a local session
(``local[*]``). pyspark is the optional extra ``pip install 'evalexp[spark]'`` (Spark needs Java 17+).

Conventions: CSV in UTF-8, read as text with a header line, the separator chosen as the memory
engine chooses it (:func:`evalexp.readers._separator` on the header line), cells trimmed and the
missing markers :data:`evalexp.readers.MISSING_MARKERS` made NULL as :mod:`evalexp.readers` does;
covariate and binary-outcome keys of the counts made numbers when every value is one, as
:mod:`evalexp.load` does; the session runs with ANSI mode off and the corrected datetime parser, so
that an invalid date is NULL (as the DuckDB dialect's ``try_strptime``) and UTC as session time zone.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ArgumentError, EmptyFileError, UnreadableFileError
from ..guards import check_horizon_days
from ..levels import check_references
from ..load import _numeric
from ..plan import Plan
from ..readers import MISSING_MARKERS, _separator
from ..validate import Table, check_columns
from .checks import POSITION, SqlChecks
from .counts import CohortCounts
from .sql import COUNT, KEYS, SPARK, aggregate_query, canonical_select, date_columns, date_evidence_query

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Session settings evalexp needs whatever the cluster: invalid dates NULL, days counted in UTC, every
#: CSV record parsed whole (without column pruning a record with too many fields is not dropped
#: silently but fails, ``mode=FAILFAST``).
SESSION_SETTINGS = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.csv.parser.columnPruning.enabled": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",  # the counts collected in Arrow batches
}
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")


def spark_session(master: str | None = None, config: Mapping[str, str] | None = None) -> SparkSession:
    """The Spark session the engine runs on.

    Parameters
    ----------
    master : str, optional
        A Spark master URL (``spark://host:7077``, ``yarn``, ``k8s://...``, ``local[*]``). Without
        it, Spark Connect at ``SPARK_REMOTE`` when that environment variable is set, else ``local[*]``.
    config : mapping, optional
        Further Spark settings (``spark.executor.memory``, ...), applied when the session is built.

    Returns
    -------
    pyspark.sql.SparkSession
        The session, with :data:`SESSION_SETTINGS` set on it.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ArgumentError("--engine spark needs pyspark: pip install 'evalexp[spark]' "
                            "(and Java 17 or later)") from None
    builder: Any = SparkSession.builder.appName("evalexp")
    remote = os.environ.get("SPARK_REMOTE")
    if master:
        builder = builder.master(master)
    elif remote:
        builder = builder.remote(remote)
    else:
        builder = builder.master("local[*]")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    session: SparkSession = builder.getOrCreate()
    for key, value in SESSION_SETTINGS.items():
        session.conf.set(key, value)
    return session


def _suffix(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


@contextmanager
def spark_errors(path: str) -> Iterator[None]:
    """Spark's failures to read the file (missing, malformed record, ...) as :class:`UnreadableFileError`:
    the first line of Spark's message, without the JVM's stack."""
    from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]
    from pyspark.errors import PySparkException

    try:
        yield
    except (PySparkException, Py4JJavaError) as exc:
        text = str(exc).strip()
        raise UnreadableFileError(path, None, "Spark cannot read the file: " + (text.splitlines() or [""])[0]) \
            from None


def read_source(spark: SparkSession, path: str, header_row: int = 1) -> DataFrame:
    """The file as a Spark DataFrame under its header's names (CSV: every column text, cells trimmed,
    missing markers NULL; Parquet: its own types).

    Raises
    ------
    UnreadableFileError
        Unsupported suffix, an empty CSV file, or a file Spark cannot read.
    """
    suffix = _suffix(path)
    with spark_errors(path):
        if suffix in PARQUET_SUFFIXES:
            return spark.read.parquet(path)
        if suffix not in CSV_SUFFIXES:
            raise UnreadableFileError(path, None, f"unsupported file type '{suffix}' for --engine spark "
                                                  f"(CSV: {', '.join(CSV_SUFFIXES)}; Parquet: "
                                                  f"{', '.join(PARQUET_SUFFIXES)})")
        if header_row != 1:
            raise UnreadableFileError(path, None, f"[data] header_row = {header_row}: --engine spark reads the "
                                                  f"header on the first line; remove the {header_row - 1} "
                                                  f"line{'s' if header_row > 2 else ''} above it, or use "
                                                  f"--engine duckdb")
        first = spark.read.text(path).first()
        if first is None:
            raise UnreadableFileError(path, None, "empty file (no header line)")
        header = first[0].lstrip("\ufeff")
        if "\ufffd" in header:
            raise UnreadableFileError(path, None, "the header line is not UTF-8 text: --engine spark reads CSV "
                                                  "in UTF-8 only; transcode the file first (e.g. iconv -f cp1252 "
                                                  "-t utf-8)")
        frame = spark.read.options(header="true", sep=_separator(header), encoding="UTF-8", escape='"',
                                   mode="FAILFAST", inferSchema="false").csv(path)
    names = [name.strip().lstrip("\ufeff").strip() for name in frame.columns]
    markers = ", ".join(SPARK.literal(m) for m in sorted(MISSING_MARKERS))
    q = SPARK.quote
    cells = [f"CASE WHEN trim({q(raw)}) IN ({markers}) THEN NULL ELSE trim({q(raw)}) END AS {q(name)}"
             for raw, name in zip(frame.columns, names)]
    return frame.selectExpr(*cells)


@contextmanager
def temporary_views(spark: SparkSession, frame: DataFrame) -> Iterator[tuple[str, str, str]]:
    """Three temporary views, dropped after: the file (``raw``), the file with each row's position
    (``source``: :data:`evalexp.engine.checks.POSITION`, ``monotonically_increasing_id``) and the
    name kept for the canonical ``cohort`` view of the checks. Yields their quoted names."""
    from pyspark.sql.functions import monotonically_increasing_id

    tag = uuid.uuid4().hex
    raw, source, cohort = (f"evalexp_{name}_{tag}" for name in ("raw", "source", "cohort"))
    frame.createOrReplaceTempView(raw)
    frame.withColumn(POSITION, monotonically_increasing_id()).createOrReplaceTempView(source)
    try:
        yield SPARK.quote(raw), SPARK.quote(source), SPARK.quote(cohort)
    finally:
        for view in (raw, source, cohort):
            spark.catalog.dropTempView(view)


def file_lines(spark: SparkSession, source: str, positions: list[int]) -> list[int]:
    """File lines (header = line 1) of row positions given by ``monotonically_increasing_id``.

    A position is ``(partition << 33) + row within the partition``; the line adds the rows of the
    earlier partitions, counted here (one scan, only when a rule is broken). Partitions follow the
    file's order for one file, so these are the file's lines for a CSV with one record per line.
    """
    if not positions:
        return []
    q = SPARK.quote(POSITION)
    sizes = sorted(tuple(row) for row in spark.sql(
        f"SELECT shiftright({q}, 33) AS p, count(*) AS k FROM {source} GROUP BY 1").collect())
    offsets, seen = {}, 0
    for partition, size in sizes:
        offsets[partition] = seen
        seen += size
    return [2 + offsets[position >> 33] + (position & (2**33 - 1)) for position in positions]


def counts_frame(collected: pd.DataFrame) -> pd.DataFrame:
    """The collected GROUP BY as the engines' counts: ``n``, ``time_days`` and ``event`` int64; covariate
    and binary-outcome keys numbers when every value is one (:func:`evalexp.load._numeric`), else text."""
    frame = collected.copy()
    for column in (COUNT, "time_days", "event"):
        frame[column] = frame[column].astype("int64")
    for column in frame.columns:
        if column not in KEYS and column != COUNT and frame[column].dtype == object:
            numbers = _numeric(frame[column])
            if numbers is not None:
                frame[column] = numbers
    return frame


def _table(plan: Plan, columns: list[str], path: str) -> Table:
    """An empty :class:`evalexp.validate.Table` under the canonical names: column checks and labels."""
    names = {plan.columns[c]: c for c in columns if plan.columns.get(c, c) != c}
    return Table(pd.DataFrame(columns=[plan.columns.get(c, c) for c in columns]), np.zeros(0), np.zeros(0),
                 path, names)


def load_counts(path: str, plan: Plan, spark: SparkSession) -> CohortCounts:
    """Read, check and aggregate a CSV or Parquet cohort on a Spark session.

    The file is checked with the memory engine's rules and messages (:class:`evalexp.engine.checks.SqlChecks`),
    then counted per (arm, time_days, event [, stratum, cluster, cause, covariates, binary outcomes])
    by :func:`evalexp.engine.sql.aggregate_query` in the Spark dialect; only the counts are collected to
    the driver. Covariates with more than :data:`evalexp.engine.counts.MAX_LEVELS` distinct values are
    left out of the keys, as the DuckDB engine does.

    Parameters
    ----------
    path : str
        ``.csv`` / ``.txt`` / ``.tsv`` (UTF-8) or ``.parquet`` / ``.pq``: a local path or any URI
        the session's Spark reads (``hdfs://``, ``s3a://``, ...).
    plan : Plan
    spark : pyspark.sql.SparkSession
        From :func:`spark_session`, or any session (:data:`SESSION_SETTINGS` are set on it).

    Returns
    -------
    CohortCounts
        With ``engine="spark"``; :func:`evalexp.engine.counts.analyze_counts` gives the results.

    Raises
    ------
    InputError
        As :func:`evalexp.load.load_cohort`, the same classes and messages (the checks of
        :mod:`evalexp.engine.checks`; lines are the file's for one CSV with one record per line).
    HorizonError
        ``horizon_days`` beyond the longest follow-up.
    """
    for key, value in SESSION_SETTINGS.items():
        spark.conf.set(key, value)
    frame = read_source(spark, path, plan.data.header_row)
    columns = list(frame.columns)
    with spark_errors(path), temporary_views(spark, frame) as (raw, source, cohort):
        if not spark.sql(f"SELECT 1 FROM {raw} LIMIT 1").collect():
            raise EmptyFileError(path, None, "no data rows (only a header)")
        table = _table(plan, columns, path)
        check_columns(table, plan)
        checks = SqlChecks(lambda query: spark.sql(query).collect(), SPARK, path, table,
                           lambda positions: file_lines(spark, source, positions), cohort)

        def canonical(day_first: bool) -> None:
            select = canonical_select(plan, source, SPARK, columns=[*columns, POSITION], day_first=day_first)
            spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW {cohort} AS {select}")

        canonical(False)
        checks.recodes(plan, [plan.columns.get(c, c) for c in columns])
        checks.ids_and_arms(plan)
        evidence = spark.sql(date_evidence_query(plan, raw, SPARK, columns=columns)).first()
        names = [plan.columns.get(c, c) for c in columns]
        first = checks.day_first(plan, evidence.asDict() if evidence is not None else {},
                                 date_columns(plan, {name: name for name in names}))
        canonical(first)
        longest, continuous = checks.rows(plan, names)
        result = spark.sql(aggregate_query(plan, raw, SPARK, columns=columns, day_first=first, exclude=continuous))
        counts = counts_frame(result.toPandas())
    # the [reference] levels of the covariates in the aggregate (every level of them is a key)
    check_references(counts, {c: level for c, level in plan.reference.items() if c in counts}, path,
                     {c: table.label(c) for c in plan.reference})
    check_horizon_days(plan, path, longest)
    return CohortCounts(counts=counts, source=path, plan=plan, continuous=continuous, engine="spark")
