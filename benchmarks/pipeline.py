"""Benchmark of the whole pipeline (issue 3, target 4). Prints figures; asserts nothing.

1. ``evalexp analyze`` on the bundled 150-row demo with the plan's 10,000 permutations, as a
   separate process (start-up and imports included), median of 5 runs.
2. ``evalexp.analyze`` (every part of the demo plan: survival with 10,000 permutations of three
   statistics, competing risks, outcomes, integrity) on simulated cohorts of 10^4 .. 10^6
   contracts with 10 strata and 400 clusters (sites), ``cluster = "site"`` added to the plan:
   wall time of loading and of the analysis, and the peak resident memory of the process.

Usage: python benchmarks/pipeline.py [--max-n 1000000]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "synthetic" / "agir_demo.csv"
PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"

CHILD = r"""
import dataclasses, json, resource, sys, time
import evalexp as ee
from evalexp.simulate import simulate
from evalexp.load import load_frame

n = int(sys.argv[1])
plan = ee.load_plan(sys.argv[2])
plan = dataclasses.replace(plan, survival=dataclasses.replace(plan.survival, cluster="site"))
sim = simulate(n=n, seed=7, n_strata=10, n_sites=400)
t0 = time.perf_counter()
cohort = load_frame(sim.data, plan, source="simulated")
t1 = time.perf_counter()
ee.analyze(cohort, plan)
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "analyze": t2 - t1,
                  "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2}))
"""


def time_cli_demo(runs: int = 5) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "evalexp", "analyze", str(DEMO), "--plan", str(PLAN),
                            "--json", f"{tmp}/results.json", "--quiet"], check=True)
            times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=1_000_000)
    args = parser.parse_args()

    times = time_cli_demo()
    print(f"evalexp analyze on the demo (150 rows, 10,000 permutations), whole process: "
          f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})  "
          f"[target < 3 s]")

    print(f"\n{'n':>9} {'load s':>8} {'analyze s':>10} {'peak GB':>8}   [target at 10^6: < 60 s, < 4 GB]")
    n = 10_000
    while n <= args.max_n:
        out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(PLAN)], check=True,
                             capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        print(f"{n:>9,} {row['load']:>8.2f} {row['analyze']:>10.2f} {row['peak_rss_gb']:>8.2f}")
        n *= 10


if __name__ == "__main__":
    main()
