"""Cost of the covariate-adjusted analysis beside the plain stratified log-rank (issue 15). Prints; asserts nothing.

Data: ``evalexp.simulate.simulate(n, seed=1)`` (AGIR-like, whole-day times, 10 strata), the
covariates age, female and diploma (categorical). Best of ``--repeat`` runs, milliseconds:

* ``logrank``: ``logrank_test(..., strata=)`` — the plain stratified log-rank;
* ``hr``: ``fit_hazard_ratio`` — the Ye-Shao-Yi adjusted stratified log-rank z and log HR
  (derived outcomes at theta = 0 and at the unadjusted root, two Newton solves), from a
  ready design matrix;
* ``full``: ``covariate_adjusted`` — the same from the covariates' DataFrame (dummy coding,
  complete cases) plus the augmented RMST and risk differences at day 365;
* the ratios hr / logrank and full / logrank.

Usage: python benchmarks/covariate_adjusted.py [--max-n 1000000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import time
from functools import partial

from survival import data_of  # benchmarks/survival.py: the same simulated cohorts

from evalexp.survival.covariate_adjusted import covariate_adjusted, fit_hazard_ratio
from evalexp.survival.design import design_matrix
from evalexp.survival.logrank import logrank_test

SIZES = [1_000, 10_000, 100_000, 1_000_000]
COVARIATES = ["age", "female", "diploma"]


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'n':>9} {'logrank':>9} {'hr':>9} {'full':>9} {'hr/lr':>7} {'full/lr':>8}")
    for n in [s for s in SIZES if s <= args.max_n]:
        d = data_of(n)
        t, e, a, s = d["time"].to_numpy(), d["event"].to_numpy(float), d["treated"].to_numpy(), d["stratum"].to_numpy()
        x = design_matrix(d, COVARIATES).to_numpy()
        covs = d[COVARIATES]
        lr = best_of(partial(logrank_test, t, e, a, strata=s), args.repeat)
        hr = best_of(partial(fit_hazard_ratio, t, e, a, x, strata=s), args.repeat)
        full = best_of(partial(covariate_adjusted, t, e, a, covs, strata=s, strata_name="stratum",
                               randomization="permuted_blocks", horizon_days=365), args.repeat)
        print(f"{n:>9} {lr:>9.1f} {hr:>9.1f} {full:>9.1f} {hr / lr:>7.2f} {full / lr:>8.2f}")


if __name__ == "__main__":
    main()
