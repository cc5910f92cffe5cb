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

from ..errors import AmbiguousDateError, ArgumentError, EmptyFileError, UnreadableFileError
from ..guards import check_horizon_days
from ..load import _numeric
from ..plan import Plan
from ..readers import MISSING_MARKERS, _separator
from ..validate import Table, check_columns
from .counts import MAX_LEVELS, CohortCounts
from .sql import COUNT, KEYS, SPARK, aggregate_query, canonical_select, date_evidence_query, literal

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Session settings evalexp needs whatever the cluster: invalid dates NULL, days counted in UTC.
SESSION_SETTINGS = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.session.timeZone": "UTC",
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


def read_source(spark: SparkSession, path: str) -> DataFrame:
    """The file as a Spark DataFrame under its header's names (CSV: every column text, cells trimmed,
    missing markers NULL; Parquet: its own types).

    Raises
    ------
    UnreadableFileError
        Unsupported suffix, an empty CSV file, or a file Spark cannot read.
    """
    from pyspark.errors import PySparkException

    suffix = _suffix(path)
    try:
        if suffix in PARQUET_SUFFIXES:
            return spark.read.parquet(path)
        if suffix not in CSV_SUFFIXES:
            raise UnreadableFileError(path, None, f"unsupported file type '{suffix}' for --engine spark "
                                                  f"(CSV: {', '.join(CSV_SUFFIXES)}; Parquet: "
                                                  f"{', '.join(PARQUET_SUFFIXES)})")
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
    except PySparkException as exc:
        raise UnreadableFileError(path, None, f"Spark cannot read the file: {exc}") from None
    names = [name.strip().lstrip("\ufeff").strip() for name in frame.columns]
    markers = ", ".join(literal(m) for m in sorted(MISSING_MARKERS))
    q = SPARK.quote
    cells = [f"CASE WHEN trim({q(raw)}) IN ({markers}) THEN NULL ELSE trim({q(raw)}) END AS {q(name)}"
             for raw, name in zip(frame.columns, names)]
    return frame.selectExpr(*cells)


@contextmanager
def source_view(spark: SparkSession, path: str) -> Iterator[tuple[str, list[str]]]:
    """A temporary view of the file: yields (view name, source column names); dropped after."""
    frame = read_source(spark, path)
    view = f"evalexp_source_{uuid.uuid4().hex}"
    frame.createOrReplaceTempView(view)
    try:
        yield SPARK.quote(view), list(frame.columns)
    finally:
        spark.catalog.dropTempView(view)


def day_first(plan: Plan, spark: SparkSession, relation: str, columns: list[str], path: str) -> bool:
    """Whether ``N/N/YYYY`` dates read day first, decided as :class:`evalexp.load._DateReader` does.

    Raises
    ------
    AmbiguousDateError
        Slash dates, ``[data] date_format = "auto"`` and no first field above 12 in any date column.
    """
    evidence = spark.sql(date_evidence_query(plan, relation, SPARK, columns=columns)).first()
    counts = evidence.asDict() if evidence is not None else {}
    slash = [name[:-len("__slash")] for name, value in counts.items() if name.endswith("__slash") and value]
    if not slash or plan.data.date_format != "auto":
        return False
    if max(counts[f"{c}__first"] or 0 for c in slash) <= 12:
        raise AmbiguousDateError(path, slash[0], f"slash dates that could be DD/MM/YYYY or MM/DD/YYYY (no day "
                                                 f"above 12 in {', '.join(repr(c) for c in slash)}); set [data] "
                                                 f"date_format = \"%d/%m/%Y\" in the plan")
    return True


def counts_frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """The collected GROUP BY rows as a DataFrame: keys, then ``n`` (int64); covariate and binary-outcome
    keys numbers when every value is one (:func:`evalexp.load._numeric`), else text."""
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for column in (COUNT, "time_days", "event"):
        frame[column] = frame[column].astype("int64")
    for column in columns:
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


def _profile(plan: Plan, spark: SparkSession, cohort: str) -> tuple[int, tuple[str, ...]]:
    """The longest follow-up in days and the covariates with more than :data:`MAX_LEVELS` values, in one pass."""
    q = SPARK.quote
    covariates = list(dict.fromkeys(plan.survival.covariates))
    parts = [f"max({SPARK.day_diff(q('contract_start'), q('followup_end'))}) AS {q('longest')}"]
    parts += [f"count(DISTINCT {q(c)}) AS {q(c)}" for c in covariates]
    row = spark.sql(f"SELECT {', '.join(parts)} FROM {cohort}").first()
    values = row.asDict() if row is not None else {}
    continuous = tuple(c for c in covariates if values.get(c, 0) > MAX_LEVELS)
    return int(values.get("longest") or 0), continuous


def load_counts(path: str, plan: Plan, spark: SparkSession) -> CohortCounts:
    """Read and aggregate a CSV or Parquet cohort on a Spark session.

    The counts per (arm, time_days, event [, stratum, cluster, cause, covariates, binary outcomes])
    of :func:`evalexp.engine.sql.aggregate_query` in the Spark dialect, collected to the driver (only
    the counts leave the cluster); covariates with more than :data:`evalexp.engine.counts.MAX_LEVELS`
    distinct values left out of the keys, as the DuckDB engine does.

    Parameters
    ----------
    path : str
        ``.csv`` / ``.txt`` / ``.tsv`` (UTF-8) or ``.parquet`` / ``.pq``: a local path or any URI
        the session's Spark reads (``hdfs://``, ``s3a://``, ...).
    plan : Plan
    spark : pyspark.sql.SparkSession
        From :func:`spark_session`, or any session (``SESSION_SETTINGS`` are set on it).

    Returns
    -------
    CohortCounts
        With ``engine="spark"``; :func:`evalexp.engine.counts.analyze_counts` gives the results.

    Raises
    ------
    InputError
        Unreadable or empty file, a missing column, ambiguous slash dates.
    HorizonError
        ``horizon_days`` beyond the longest follow-up.
    """
    for key, value in SESSION_SETTINGS.items():
        spark.conf.set(key, value)
    with source_view(spark, path) as (relation, columns):
        if not spark.sql(f"SELECT 1 FROM {relation} LIMIT 1").collect():
            raise EmptyFileError(path, None, "no data rows (only a header)")
        check_columns(_table(plan, columns, path), plan)
        first = day_first(plan, spark, relation, columns, path)
        longest, continuous = _profile(
            plan, spark, f"({canonical_select(plan, relation, SPARK, columns=columns, day_first=first)}) c")
        result = spark.sql(aggregate_query(plan, relation, SPARK, columns=columns, day_first=first,
                                           exclude=continuous))
        rows = [row.asDict() for row in result.collect()]
        counts = counts_frame(rows, list(result.columns))
    check_horizon_days(plan, path, longest)
    return CohortCounts(counts=counts, source=path, plan=plan, continuous=continuous, engine="spark")
