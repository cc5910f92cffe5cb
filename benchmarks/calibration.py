"""Calibration of the plan's survival analysis over the issue-14 scenarios (``evalexp.calibrate``).

Scenarios (cohorts from ``evalexp.simulate``, true conditional HR 0.6 in the second scenario of each):

- ``n150``: 150 contracts, 4 strata, six baseline covariates (the AGIR-sized trial of the issue);
- ``n60``: 60 contracts, 3 strata, the same covariates; ``n60u``: the same cohort, a plan without covariates;
- ``sites10`` / ``sites30``: 300 contracts on 10 / 30 sites, 5 strata, cluster-robust errors on the site;
- ``n1000``: 1,000 contracts, 10 strata.

Each cohort is drawn once (seed 28) and calibrated with the same plan keys (horizon 365 days,
randomisation inference on the log-rank, RMST and Cox-score statistics).
Usage: ``python benchmarks/calibration.py [--reps 2000] [--reps-other 1000] [--workers 2] [--permutations 1000]
[--quick] [--firth] [--only SCENARIO ...] [--out DIR]``;
prints one table row per (scenario, method) and writes ``DIR/<scenario>.json``.
"""
import argparse
import json
import time
from pathlib import Path

from evalexp.calibrate import CALIBRATION_PERMUTATIONS, calibrate
from evalexp.load import load_frame
from evalexp.plan import plan_from_dict
from evalexp.simulate import simulate

COVARIATES = ["age", "female", "qpv", "diploma", "sector", "company_size"]
SCENARIOS = {
    "n150": {"n": 150, "n_sites": 4, "n_strata": 4, "cluster": ""},
    "n60": {"n": 60, "n_sites": 3, "n_strata": 3, "cluster": ""},
    "n60u": {"n": 60, "n_sites": 3, "n_strata": 3, "cluster": "", "covariates": []},
    "sites10": {"n": 300, "n_sites": 10, "n_strata": 5, "cluster": "site"},
    "sites30": {"n": 300, "n_sites": 30, "n_strata": 5, "cluster": "site"},
    "n1000": {"n": 1000, "n_sites": 10, "n_strata": 10, "cluster": ""},
}


#: Methods whose numbers come from re-randomisations (left out by ``--quick``).
PERMUTATION_METHODS = ("randomization_logrank", "randomization_cox_score", "randomization_rmst",
                       "randomization_ci_hazard_ratio", "randomization_ci_risk_difference", "rmst_small_sample")


def plan_for(cluster: str, small_sample: str | None, covariates=COVARIATES, firth: bool = False):
    inference = {"permutations": 1000, "seed": 20101001, "statistics": ["logrank", "cox_score", "rmst"]}
    if small_sample is not None:
        inference["small_sample"] = small_sample
    return plan_from_dict({"title": "calibration benchmark",
                           "survival": {"horizon_days": 365, "covariates": covariates, "strata": "stratum",
                                        "cluster": cluster, "firth": firth},
                           "inference": inference})


def fmt(value, percent=True):
    if value is None:
        return "    -"
    return f"{100 * value:5.1f}" if percent else f"{value:5d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200, help="replicates at n = 150 (default 200)")
    parser.add_argument("--reps-other", type=int, default=None, help="replicates elsewhere (default --reps)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hr", type=float, default=0.6)
    parser.add_argument("--only", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--small-sample", default=None, help="[inference] small_sample of the plan")
    parser.add_argument("--out", type=Path, default=None, help="folder for the calibration JSON files")
    parser.add_argument("--firth", action="store_true", help="[survival] firth = true (Firth Cox siblings)")
    parser.add_argument("--quick", action="store_true",
                        help="one re-randomisation per trial: only the methods without re-randomisation are "
                             "printed and saved (the Cox models, Wald intervals, Ye-Shao-Yi and Newcombe)")
    parser.add_argument("--permutations", type=int, default=CALIBRATION_PERMUTATIONS,
                        help=f"re-randomisations per trial, at most (default {CALIBRATION_PERMUTATIONS})")
    args = parser.parse_args()
    print(f"{'scenario':8} {'method':36} {'type-I':>6} {'cov0':>6} {'power':>6} {'cov1':>6} {'fail':>5} calibrated")
    for name in args.only:
        spec = SCENARIOS[name]
        plan = plan_for(spec["cluster"], args.small_sample, spec.get("covariates", COVARIATES), args.firth)
        sim = simulate(n=spec["n"], seed=28, hazard_ratio=args.hr, n_sites=spec["n_sites"],
                       n_strata=spec["n_strata"])
        cohort = load_frame(sim.data, plan)
        reps = args.reps if name == "n150" else (args.reps_other or args.reps)
        start = time.perf_counter()
        result = calibrate(cohort, plan, reps=reps, hazard_ratio=args.hr, seed=1, workers=args.workers,
                           permutations=1 if args.quick else args.permutations)
        seconds = time.perf_counter() - start
        if args.quick:
            for scenario in result["scenarios"]:
                scenario["methods"] = {m: v for m, v in scenario["methods"].items() if m not in PERMUTATION_METHODS}
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        null, alt = result["scenarios"]
        for method, m0 in null["methods"].items():
            m1 = alt["methods"].get(method, {})
            fail = m0["not_computed"] + m1.get("not_computed", 0)
            ok = [c for c in (m0["calibrated"], m1.get("calibrated")) if c is not None]
            print(f"{name:8} {method:36} {fmt(m0['rejection_rate'])} {fmt(m0['coverage'])} "
                  f"{fmt(m1.get('rejection_rate'))} {fmt(m1.get('coverage'))} {fail:5d} "
                  f"{'yes' if ok and all(ok) else 'NO'}", flush=True)
        print(f"{name:8} ({reps} replicates per scenario, {seconds:.0f} s, MC SE at 5 %: "
              f"{100 * null['methods']['logrank']['mc_se']:.2f} points)", flush=True)


if __name__ == "__main__":
    main()
