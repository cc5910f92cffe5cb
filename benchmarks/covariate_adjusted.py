"""Cost of the covariate-adjusted analysis beside the plain stratified log-rank (issue 15). Prints; asserts nothing.

Data: ``evalexp.simulate.simulate(n, seed=1)`` (AGIR-like, whole-day times, 10 strata), the
covariates age, female and diploma (categorical: 3 dummies). Each repeat runs the three
calls one after the other (so that a busy machine slows them alike); the figures are the
medians over ``--repeat`` repeats, in milliseconds, after one warm-up run:

* ``logrank``: ``logrank_test(..., strata=)`` — the plain stratified log-rank;
* ``hr``: ``fit_hazard_ratio`` — the Ye-Shao-Yi adjusted stratified log-rank z and log HR
  (derived outcomes at theta = 0 and at the unadjusted root, two Newton solves), from a
  ready design matrix;
* ``full``: ``covariate_adjusted`` — the same from the covariates' DataFrame (dummy coding,
  complete cases) plus the augmented RMST and risk differences at day 365;
* side by side, the ratios hr / logrank and full / logrank (medians of the per-repeat ratios).

``--clock cpu`` times the process's CPU (``time.process_time``) instead of the wall clock: steadier
on a shared machine; run it with ``OPENBLAS_NUM_THREADS=1`` (a waiting BLAS thread burns CPU).

Usage: python benchmarks/covariate_adjusted.py [--sizes 100000 1000000] [--repeat 7] [--clock wall|cpu]
"""
from __future__ import annotations

import argparse
import statistics
import time

from survival import data_of  # benchmarks/survival.py: the same simulated cohorts

from evalexp.survival.covariate_adjusted import covariate_adjusted, fit_hazard_ratio
from evalexp.survival.design import design_matrix
from evalexp.survival.logrank import logrank_test

COVARIATES = ["age", "female", "diploma"]


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def seconds(fn, clock) -> float:
    start = clock()
    fn()
    return clock() - start


def timings(n: int, repeat: int, clock) -> list[dict[str, float]]:
    """Seconds of each call per repeat, the three calls run in turn, after a warm-up run."""
    d = data_of(n)
    t, e, a, s = d["time"].to_numpy(), d["event"].to_numpy(float), d["treated"].to_numpy(), d["stratum"].to_numpy()
    x = design_matrix(d, COVARIATES).to_numpy()
    covs = d[COVARIATES]
    calls = {"logrank": lambda: logrank_test(t, e, a, strata=s),
             "hr": lambda: fit_hazard_ratio(t, e, a, x, strata=s),
             "full": lambda: covariate_adjusted(t, e, a, covs, strata=s, strata_name="stratum",
                                                randomization="permuted_blocks", horizon_days=365)}
    for fn in calls.values():
        fn()
    return [{name: seconds(fn, clock) for name, fn in calls.items()} for _ in range(repeat)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    args = parser.parse_args()
    print(f"{'n':>9} {'logrank':>9} {'hr':>9} {'full':>9} {'hr/lr':>7} {'full/lr':>8}   "
          f"({args.clock} ms, median of {args.repeat})")
    for n in args.sizes:
        runs = timings(n, args.repeat, CLOCKS[args.clock])
        ms = {name: 1000.0 * statistics.median(run[name] for run in runs) for name in runs[0]}
        hr_lr = statistics.median(run["hr"] / run["logrank"] for run in runs)
        full_lr = statistics.median(run["full"] / run["logrank"] for run in runs)
        print(f"{n:>9} {ms['logrank']:>9.1f} {ms['hr']:>9.1f} {ms['full']:>9.1f} {hr_lr:>7.2f} {full_lr:>8.2f}")

if __name__ == "__main__":
    main()
