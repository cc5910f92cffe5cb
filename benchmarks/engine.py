"""Time and peak memory of the out-of-core DuckDB engine against the memory engine (issue 17).

Data are generated in DuckDB, written to Parquet, never held by Python. Each row draws its
uniforms from ``hash(i * 7919 + k)`` (one argument per draw, ``k`` the draw's index < 7919, so
the streams are distinct and independent; DuckDB's multi-argument ``hash(i, k)`` gives
correlated draws). The cohort: two arms (1:1), 10 strata, 50 sites nested in the strata, contract
starts over two years, planned durations of one to three years, extraction on 2018-06-30,
exponential rupture times (hazard 1/1000 a day, ratio 0.7 for treatment), four causes,
``female`` (0/1), ``diploma`` (3 levels), ``employed_6m`` (0/1, 10 % missing). The plan: strata,
cluster = site, causes, covariates female and diploma, one binary outcome, no randomisation
inference (the memory engine would spend its time there).

Each measurement runs in a child process; peak memory is that child's
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` seen from a fresh wrapper process:

- ``groupby``: the bare DuckDB ``aggregate_query`` over the file (no validation, no estimator), the
  query's own time (without the interpreter's start and imports), the child's peak memory;
- ``duckdb``: the whole ``evalexp analyze --engine duckdb`` (validation in SQL, GROUP BY, estimators),
  wall time of the command (interpreter start and imports included);
- ``memory``: the whole ``evalexp analyze --engine memory`` (sizes up to ``--memory-max``).

Usage: ``python benchmarks/engine.py --sizes 1e6 1e7 2e7 [--memory-max 1e6] [--dir /tmp/evalexp-bench]``;
prints a Markdown table (pasted into ``benchmarks/engine_results.md``).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

PLAN = """title = "engine benchmark"
language = "en"
[survival]
horizon_days = 365
landmarks_days = [90, 180, 365]
covariates = ["female", "diploma"]
strata = "stratum"
cluster = "site"
causes = "rupture_initiative"
[outcomes]
binary = ["employed_6m"]
[inference]
statistics = []
permutations = 1000
small_sample = "never"
"""


def _u(k: int) -> str:
    """Uniform (0, 1) draw number ``k`` of row ``i``."""
    return f"((hash(i * 7919 + {k}) >> 11) + 0.5) / 9007199254740992.0"


def generate(n: int, path: Path) -> None:
    """Write ``n`` participants to ``path`` (Parquet), in DuckDB."""
    cause = f"CASE WHEN {_u(6)} < 0.4 THEN 'employer' WHEN {_u(6)} < 0.7 THEN 'apprentice' " \
            f"WHEN {_u(6)} < 0.9 THEN 'mutual' ELSE 'trial_period' END"
    query = f"""
    SELECT 'P' || i AS participant_id, arm, contract_start,
           contract_start + CAST(365 + floor({_u(2)} * 730) AS INTEGER) AS contract_end_planned,
           DATE '2018-06-30' AS followup_end,
           CASE WHEN rupture_day <= 1500 THEN contract_start + rupture_day END AS rupture_date,
           CASE WHEN rupture_day <= 1500 THEN {cause} END AS rupture_initiative,
           'S' || CAST(site // 5 AS VARCHAR) AS stratum, 'ML' || CAST(site AS VARCHAR) AS site,
           CAST(floor({_u(7)} * 2) AS INTEGER) AS female,
           CASE WHEN {_u(8)} < 0.3 THEN 'none' WHEN {_u(8)} < 0.7 THEN 'CAP-BEP' ELSE 'bac' END AS diploma,
           CASE WHEN {_u(9)} < 0.1 THEN NULL
                WHEN {_u(10)} < 0.5 + CASE WHEN arm = 'treatment' THEN 0.05 ELSE 0 END THEN 1 ELSE 0 END
               AS employed_6m
    FROM (SELECT i, CASE WHEN {_u(0)} < 0.5 THEN 'treatment' ELSE 'control' END AS arm,
                 DATE '2015-01-01' + CAST(floor({_u(1)} * 730) AS INTEGER) AS contract_start,
                 CAST(floor({_u(5)} * 50) AS INTEGER) AS site,
                 CAST(least(floor(-ln({_u(3)}) * 1000 / CASE WHEN {_u(0)} < 0.5 THEN 0.7 ELSE 1 END), 9999) AS INTEGER)
                     AS rupture_day
          FROM range({n}) t(i))
    """
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)")
    con.close()


def measure(command: list[str]) -> tuple[float, float, str]:
    """Seconds and peak resident memory (GB) of ``command`` run as the only child of a fresh process,
    and what it printed."""
    wrapper = ("import resource, subprocess, sys, time, json; t = time.perf_counter(); "
               "out = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True).stdout; "
               "print(json.dumps([time.perf_counter() - t, "
               "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20, out]))")
    out = subprocess.run([sys.executable, "-c", wrapper, *command], check=True, capture_output=True, text=True)
    seconds, gb, printed = json.loads(out.stdout)
    return seconds, gb, printed


def groupby_command(path: Path, plan: Path) -> list[str]:
    code = ("import sys, duckdb; from evalexp.plan import load_plan; "
            "from evalexp.engine.sql import aggregate_query, DUCKDB; plan = load_plan(sys.argv[2]); "
            "con = duckdb.connect(); con.execute('SET enable_progress_bar = false'); "
            "con.execute(f\"CREATE VIEW raw AS SELECT * FROM read_parquet('{sys.argv[1]}')\"); "
            "cols = [r[0] for r in con.execute('DESCRIBE raw').fetchall()]; import time; t = time.perf_counter(); "
            "cells = len(con.execute(aggregate_query(plan, 'raw', DUCKDB, columns=cols)).df()); "
            "print(time.perf_counter() - t)")
    return [sys.executable, "-c", code, str(path), str(plan)]


def analyze_command(path: Path, plan: Path, engine: str, out: Path) -> list[str]:
    return [sys.executable, "-m", "evalexp", "analyze", str(path), "--plan", str(plan), "--json", str(out),
            "--engine", engine, "--quiet"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e6, 1e7, 2e7])
    parser.add_argument("--memory-max", type=float, default=1e6, help="largest size run by the memory engine")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/evalexp-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the Parquet files")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    plan = args.dir / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    print("| rows | file (MB) | generate (s) | GROUP BY (s) | GROUP BY peak (GB) | analyze duckdb (s) | "
          "duckdb peak (GB) | ratio | cells | analyze memory (s) | memory peak (GB) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        n = int(size)
        path = args.dir / f"cohort_{n}.parquet"
        start = time.perf_counter()
        generate(n, path)
        made = time.perf_counter() - start
        _, g_gb, printed = measure(groupby_command(path, plan))
        g_s = float(printed)  # the query alone, without the interpreter's start and imports
        out = args.dir / f"results_{n}.json"
        d_s, d_gb, _ = measure(analyze_command(path, plan, "duckdb", out))
        cells = json.loads(out.read_text())["engine"]["cells"]
        m = "–", "–"
        if n <= args.memory_max:
            m_s, m_gb, _ = measure(analyze_command(path, plan, "memory", args.dir / f"memory_{n}.json"))
            m = f"{m_s:.1f}", f"{m_gb:.2f}"
        print(f"| {n:,} | {path.stat().st_size / 1e6:.0f} | {made:.1f} | {g_s:.1f} | {g_gb:.2f} | {d_s:.1f} | "
              f"{d_gb:.2f} | {d_s / g_s:.1f} | {cells:,} | {m[0]} | {m[1]} |", flush=True)
        if not args.keep:
            path.unlink()
    print(f"\n(maxrss of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GB)")


if __name__ == "__main__":
    main()
