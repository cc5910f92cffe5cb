"""Benchmark of the competing-risks estimators (issue 4). Prints figures; asserts nothing.

Simulated cohorts of 10^4 .. 10^6 contracts: two arms, three causes of rupture with
exponential cause-specific hazards, uniform administrative censoring, whole-day times
(so heavy ties). Times are the best of 3 runs of, per cause:

* ``cumulative_incidence`` for each arm,
* ``gray_test`` (unstratified and with 10 strata),
* ``fine_gray`` (fit and crr's sandwich variance),
* ``analyze_competing`` for all three causes (includes the stratified, clustered
  cause-specific Cox of :mod:`evalexp.survival.cox`).

With ``--r`` it also times R ``cmprsk::cuminc`` and ``cmprsk::crr`` on the same data at
10^4 (crr's variance is O(n^2)).

Usage: python benchmarks/competing.py [--max-n 1000000] [--r]
"""
from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evalexp.cohort import Cohort
from evalexp.competing import analyze_competing, cumulative_incidence, fine_gray, gray_test
from evalexp.plan import plan_from_dict


def simulate(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    treated = rng.integers(0, 2, n)
    hazards = np.array([1 / 900, 1 / 1500, 1 / 3000])[None, :] * np.where(treated == 1, 0.7, 1.0)[:, None]
    latent = rng.exponential(1 / hazards)
    cause = latent.argmin(axis=1) + 1
    failure = latent.min(axis=1)
    censor = rng.uniform(30, 730, n)
    time_days = np.floor(np.minimum(failure, censor)).astype(np.int64)
    status = np.where(failure <= censor, cause, 0)
    return pd.DataFrame({"time_days": time_days, "status": status, "treated": treated,
                         "stratum": rng.integers(0, 10, n).astype(str),
                         "site": rng.integers(0, 400, n).astype(str)})


def best(f, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def python_figures(d: pd.DataFrame) -> dict[str, float]:
    t, s, g = d["time_days"].to_numpy(), d["status"].to_numpy(), d["treated"].to_numpy()
    cohort = Cohort(pd.DataFrame({
        "time_days": t, "event": (s > 0).astype(np.int8), "treated": g.astype(np.int8),
        "arm": np.where(g == 1, "treatment", "control"),
        "cause": np.where(s > 0, np.array(["", "employer", "apprentice", "mutual"])[s], None),
        "stratum": d["stratum"], "site": d["site"]}))
    plan = plan_from_dict({"title": "bench", "survival": {
        "horizon_days": 365, "causes": "cause", "strata": "stratum", "cluster": "site"}})
    return {
        "cif (2 arms)": best(lambda: [cumulative_incidence(t[g == a], s[g == a], 1) for a in (0, 1)]),
        "gray": best(lambda: gray_test(t, s, g, cause=1)),
        "gray, 10 strata": best(lambda: gray_test(t, s, g, cause=1, strata=d["stratum"].to_numpy())),
        "fine_gray": best(lambda: fine_gray(t, s, g, cause=1)),
        "analyze_competing (3 causes)": best(lambda: analyze_competing(cohort, plan), repeat=1),
    }


R_SCRIPT = r"""
suppressPackageStartupMessages(library(cmprsk))
d <- read.csv(commandArgs(TRUE)[1])
t0 <- proc.time()[["elapsed"]]; invisible(cuminc(d$time_days, d$status, d$treated))
t1 <- proc.time()[["elapsed"]]; invisible(crr(d$time_days, d$status, cov1 = d$treated, failcode = 1))
t2 <- proc.time()[["elapsed"]]
cat(sprintf("R cuminc (3 causes, 2 groups, Gray's tests): %.3f s\nR crr (1 cause): %.3f s\n", t1 - t0, t2 - t1))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=1_000_000)
    parser.add_argument("--r", action="store_true", help="also time R cmprsk at 10^4")
    args = parser.parse_args()
    n = 10_000
    while n <= args.max_n:
        d = simulate(n)
        figures = python_figures(d)
        print(f"n = {n:>9,}: " + "; ".join(f"{k} {v * 1000:.0f} ms" for k, v in figures.items()), flush=True)
        n *= 10
    if args.r:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "d.csv"
            simulate(10_000).to_csv(path, index=False)
            script = Path(tmp) / "bench.R"
            script.write_text(R_SCRIPT)
            print("n =    10,000: " + subprocess.run(["Rscript", str(script), str(path)], capture_output=True,
                                                    text=True).stdout.replace("\n", "; "))


if __name__ == "__main__":
    main()
