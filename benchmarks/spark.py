"""Time of the Spark engine on a local standalone cluster (issue 17): start-up, the demo, 10^6 rows.

A Spark standalone master and one worker are started as separate processes from pyspark's jars
(the tests' launcher, ``tests/spark/_spark_cluster.py``: two cores, 2 GB for executors), then a
session with a 1 GB driver and one 1 GB executor of two cores. Measured, wall time on the driver:

- ``cluster``: master and worker up (the worker registered);
- ``session``: :func:`evalexp.engine.spark.spark_session` (driver JVM, executor granted);
- per file: ``GROUP BY`` (the bare :func:`evalexp.engine.sql.aggregate_query` collected),
  ``load_counts`` (the file read, checked with the memory engine's rules, aggregated) and
  ``analyze_counts`` (the estimators on the driver); the DuckDB engine's ``load_counts`` on the
  same file for comparison.

Files: the demo cohort (150 rows, CSV) and the cohort of ``benchmarks/engine.py`` (generated in
DuckDB) at ``--rows`` rows, as Parquet and as CSV. Usage: ``python benchmarks/spark.py [--rows 1e6]
[--dir /tmp/evalexp-spark-bench]``; prints a Markdown table (``benchmarks/spark_results.md``).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests" / "spark")]

from _spark_cluster import StandaloneCluster  # noqa: E402
from engine import PLAN, generate  # noqa: E402

from evalexp.engine import duckdb_engine  # noqa: E402
from evalexp.engine.counts import analyze_counts  # noqa: E402
from evalexp.engine.spark import load_counts, read_source, spark_session  # noqa: E402
from evalexp.engine.sql import SPARK, aggregate_query  # noqa: E402
from evalexp.plan import load_plan  # noqa: E402

CONFIG = {"spark.driver.memory": "1g", "spark.executor.memory": "1g", "spark.executor.cores": "2",
          "spark.cores.max": "2", "spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false",
          "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}


def timed(work):
    start = time.perf_counter()
    value = work()
    return time.perf_counter() - start, value


def measure(spark, path: Path, plan) -> str:
    frame = read_source(spark, str(path))
    frame.createOrReplaceTempView("bench")
    query = aggregate_query(plan, "bench", SPARK, columns=list(frame.columns))
    group_by, cells = timed(lambda: len(spark.sql(query).collect()))
    spark.catalog.dropTempView("bench")
    loaded, counts = timed(lambda: load_counts(str(path), plan, spark))
    estimators, _ = timed(lambda: analyze_counts(counts))
    duck, _ = timed(lambda: duckdb_engine.load_counts(path, plan))
    rows = int(counts.counts["n"].sum())
    return (f"| {path.name} | {rows:,} | {path.stat().st_size / 1e6:.1f} | {cells:,} | {group_by:.1f} | "
            f"{loaded:.1f} | {estimators:.1f} | {duck:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=1e6)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/evalexp-spark-bench"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    n = int(args.rows)
    parquet, csv = args.dir / f"cohort_{n}.parquet", args.dir / f"cohort_{n}.csv"
    generate(n, parquet)
    duckdb.execute(f"COPY (SELECT * FROM read_parquet('{parquet}')) TO '{csv}' (HEADER, DELIMITER ',')")
    (args.dir / "plan.toml").write_text(PLAN, encoding="utf-8")
    logs = args.dir / "cluster"
    logs.mkdir(exist_ok=True)
    cluster = StandaloneCluster(logs).start()
    try:
        started, spark = timed(lambda: spark_session(cluster.master_url, CONFIG))
        spark.sparkContext.setLogLevel("ERROR")
        print(f"cluster up (master + worker): {cluster.start_seconds:.1f} s; session: {started:.1f} s\n")
        print("| file | rows | MB | cells | GROUP BY (s) | Spark load_counts (s) | analyze_counts (s) | "
              "DuckDB load_counts (s) |")
        print("|---|---|---|---|---|---|---|---|")
        demo = load_plan(ROOT / "data" / "synthetic" / "agir_demo.toml")
        for label in ("first", "second"):
            print(measure(spark, ROOT / "data" / "synthetic" / "agir_demo.csv", demo).replace(
                "agir_demo.csv", f"agir_demo.csv ({label} run)"), flush=True)
        plan = load_plan(args.dir / "plan.toml")
        for path in (parquet, csv):
            print(measure(spark, path, plan), flush=True)
        spark.stop()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
