"""Sweep of simulated pilot-sized trials through ``analyze`` (issue 11). Prints figures; asserts nothing.

Each trial is ``evalexp.simulate.simulate(n, seed, hazard_ratio)`` (six baseline covariates
age, female, qpv, diploma, sector, company_size; strata and sites filled) analysed with the
plan below: adjusted Cox on the six covariates, stratified by ``stratum``, causes, a binary
outcome (with Lin's adjustment on the six covariates), subgroups by diploma, and — in half of the trials —
cluster-robust errors on ``site``. Sizes n = 40, 60, 80, 100, 150, 200, 300; hazard ratios 1.0 and 0.6; without and
with clusters; ``--reps`` seeds per cell (default 72: 7 x 2 x 2 x 72 = 2,016 trials).

It counts, per cell and overall: trials, aborts (any exception out of ``analyze``),
trials whose adjusted treatment estimate is finite (log HR, a positive SE and a p-value), trials with neither
a finite adjusted estimate nor a warning (must be 0), and the warnings by code. With ``--firth`` the plan
also asks for Firth's penalised likelihood (``[survival] firth = true``).

Usage: python benchmarks/sweep.py [--reps 72] [--permutations 20] [--firth] [--clusters both|without|with]
"""
from __future__ import annotations

import argparse
import time
import traceback
from collections import Counter

from evalexp.analysis import analyze
from evalexp.load import load_frame
from evalexp.plan import plan_from_dict
from evalexp.simulate import simulate

SIZES = (40, 60, 80, 100, 150, 200, 300)
HAZARD_RATIOS = (1.0, 0.6)
COVARIATES = ["age", "female", "qpv", "diploma", "sector", "company_size"]


def sweep_plan(cluster: bool, permutations: int, firth: bool):
    survival = {"horizon_days": 365, "covariates": COVARIATES, "strata": "stratum",
                "causes": "rupture_initiative"}
    if cluster:
        survival["cluster"] = "site"
    if firth:
        survival["firth"] = True
    return plan_from_dict({
        "title": "sweep", "survival": survival,
        "outcomes": {"binary": ["employed_6m"]},
        "inference": {"permutations": permutations, "seed": 1},
        "integrity": {"subgroups": ["diploma"]},
    })


def run_trial(n: int, seed: int, hazard_ratio: float, plan) -> dict:
    """Analyse one simulated trial: abort (the exception text) or the adjusted estimate and warnings."""
    sim = simulate(n=n, seed=seed, hazard_ratio=hazard_ratio)
    cohort = load_frame(sim.data, plan)
    try:
        results = analyze(cohort, plan).to_dict()
    except Exception:  # the sweep counts every abort, whatever its type
        return {"abort": traceback.format_exc(limit=3)}
    adjusted = results["survival"]["cox"]["adjusted"]
    finite = adjusted["log_hr"] is not None and bool(adjusted["se"]) and adjusted["p_value"] is not None
    return {"abort": None, "finite": finite,
            "codes": [w["code"] for w in results["warnings"]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=72)
    parser.add_argument("--permutations", type=int, default=20)
    parser.add_argument("--firth", action="store_true")
    parser.add_argument("--clusters", choices=("both", "without", "with"), default="both",
                        help="run only the trials without or with clusters (e.g. two processes)")
    args = parser.parse_args()
    cluster_settings = {"both": (False, True), "without": (False,), "with": (True,)}[args.clusters]
    totals: Counter = Counter()
    codes: Counter = Counter()
    first_abort = None
    start = time.perf_counter()
    print(f"{'n':>4} {'HR':>4} {'cluster':>7} {'trials':>6} {'aborts':>6} {'finite adj.':>11} "
          f"{'silent':>6} {'monotone':>8} {'few EPP':>7}")
    for cluster in cluster_settings:
        plan = sweep_plan(cluster, args.permutations, args.firth)
        for hazard_ratio in HAZARD_RATIOS:
            for n in SIZES:
                cell: Counter = Counter()
                for rep in range(args.reps):
                    seed = 100_000 * SIZES.index(n) + 1_000 * rep + int(10 * hazard_ratio) + cluster
                    out = run_trial(n, seed, hazard_ratio, plan)
                    cell["trials"] += 1
                    if out["abort"]:
                        cell["aborts"] += 1
                        first_abort = first_abort or f"n={n} seed={seed} HR={hazard_ratio}\n{out['abort']}"
                        continue
                    cell["finite"] += out["finite"]
                    cell["silent"] += not out["finite"] and not out["codes"]
                    for code in set(out["codes"]):
                        cell[code] += 1
                        codes[code] += 1
                totals.update({k: cell[k] for k in ("trials", "aborts", "finite", "silent")})
                print(f"{n:>4} {hazard_ratio:>4} {cluster!s:>7} {cell['trials']:>6} {cell['aborts']:>6} "
                      f"{cell['finite']:>11} {cell['silent']:>6} {cell['monotone_likelihood']:>8} "
                      f"{cell['few_events_per_parameter']:>7}", flush=True)
    elapsed = time.perf_counter() - start
    print(f"\ntrials {totals['trials']}, aborts {totals['aborts']}, finite adjusted treatment estimate "
          f"{totals['finite']}, neither finite nor warned {totals['silent']}; {elapsed:.0f} s "
          f"({1000 * elapsed / max(totals['trials'], 1):.0f} ms per trial)")
    print("trials with each warning code:")
    for code, count in codes.most_common():
        print(f"  {code}: {count}")
    if first_abort:
        print("\nfirst abort:\n" + first_abort)


if __name__ == "__main__":
    main()
