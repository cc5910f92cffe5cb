"""Coverage of the across-site prediction interval by simulation (issue 16). Prints figures; asserts nothing.

20-site cohorts (``evalexp.heterogeneity.simulate_sites``: 100 participants per site, half
treated, control rupture risk 35 % by day 365, follow-up 365-730 days, site log hazard ratios
``N(log 0.7, tau2)``), per-site Cox models and the REML / Knapp-Hartung meta-analysis, for
several known tau2: coverage of the 95 % prediction interval for a new site's effect (a fresh
draw per replicate, and the exact conditional probability averaged), of the pooled CI, the
mean REML tau2, each with its Monte Carlo SE, and the seconds per replicate.

Usage: python benchmarks/heterogeneity.py [--reps 1000] [--sites 20] [--per-site 100]
"""
from __future__ import annotations

import argparse
import time

from evalexp.heterogeneity.simulate import prediction_coverage

TAU2 = (0.0, 0.05, 0.1, 0.2, 0.4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--per-site", type=int, default=100)
    args = parser.parse_args()
    print(f"k = {args.sites} sites x {args.per_site}, {args.reps} replicates per tau2, 95 % intervals")
    print(f"{'tau2':>5} {'PI cover (MC SE)':>18} {'PI exact (MC SE)':>18} {'CI cover (MC SE)':>18} "
          f"{'mean tau2':>10} {'s/rep':>6}")
    for seed, tau2 in enumerate(TAU2, start=1):
        start = time.perf_counter()
        r = prediction_coverage(args.reps, k=args.sites, n_per_site=args.per_site, tau2=tau2, seed=seed)
        per_rep = (time.perf_counter() - start) / args.reps
        print(f"{tau2:5.2f} {r['pi_coverage']:9.3f} ({r['pi_coverage_mc_se']:.4f}) "
              f"{r['pi_conditional']:9.3f} ({r['pi_conditional_mc_se']:.4f}) "
              f"{r['ci_coverage']:9.3f} ({r['ci_coverage_mc_se']:.4f}) {r['mean_tau2']:10.4f} {per_rep:6.3f}"
              + ("" if r["computed"] == r["reps"] else f"  ({r['reps'] - r['computed']} not computed)"))


if __name__ == "__main__":
    main()
