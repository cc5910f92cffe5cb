"""Benchmark of evalexp.survival against statsmodels, lifelines and R (issue 3). Prints figures; asserts nothing.

Data: ``evalexp.simulate.simulate(n, seed=1)`` (AGIR-like, whole-day times, so heavy ties;
10 strata and clip(n / 40, 3, 400) sites), sizes 10^2 .. 10^6. Each figure is the best of
``--repeat`` runs (1 run at n >= 10^5), in milliseconds; "-" = not run (too slow at that size).

Rows:

* ``km``: Kaplan-Meier per arm — evalexp ``kaplan_meier`` / statsmodels ``SurvfuncRight`` /
  lifelines ``KaplanMeierFitter`` / R ``survfit``;
* ``logrank``: stratified log-rank — evalexp ``logrank_test`` / statsmodels ``survdiff(strata=)``
  / lifelines ``logrank_test`` (unstratified: it has no strata) / R ``survdiff``;
* ``cox``: Cox ``~ treated``, Efron — evalexp ``cox_ph`` / statsmodels ``PHReg(ties="efron")``
  / lifelines ``CoxPHFitter`` (step 1, precision 1e-12) / R ``coxph``;
* ``cox_cluster``: the same, stratified, cluster-robust on site — evalexp / statsmodels
  (``groups=``, Breslow-type residuals) / lifelines (``cluster_col``, O(n^2)) / R ``coxph(cluster=)``;
* ``ri_10000``: 10,000 stratified re-randomisations of the log-rank (evalexp), and a loop of
  1,000 statsmodels ``survdiff`` calls scaled to 10,000 (n = 150 only);
* ``analyze_survival``: the whole survival analysis with 10 strata, the sites as clusters,
  covariates age + female + diploma and 10,000 permutations (log-rank, Cox score, RMST),
  with the peak resident memory of the process (run last).

Usage: python benchmarks/survival.py [--max-n 1000000] [--repeat 3] [--no-r] [--no-analysis]
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from evalexp.cohort import Cohort, derive_survival
from evalexp.simulate import simulate
from evalexp.survival import cox_ph, kaplan_meier, logrank_test, randomization_inference

SIZES = [100, 1_000, 10_000, 100_000, 1_000_000]
#: Largest n at which each slow peer runs (beyond, "-").
LIMITS = {"lifelines_cluster": 5_000, "r_cluster": 10_000, "statsmodels_cluster": 100_000}

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(TRUE); d <- read.csv(args[1]); reps <- as.integer(args[2]); cl <- as.integer(args[3])
best <- function(expr) { e <- substitute(expr); min(sapply(seq_len(reps), function(i)
  system.time(eval(e, parent.frame(3)))[["elapsed"]])) * 1000 }
out <- c(km = best(survfit(Surv(time, event) ~ treated, data = d, conf.type = "log-log")),
         logrank = best(survdiff(Surv(time, event) ~ treated + strata(stratum), data = d)),
         cox = best(coxph(Surv(time, event) ~ treated, data = d)),
         cox_cluster = if (cl) best(coxph(Surv(time, event) ~ treated + strata(stratum), cluster = site,
                                          data = d)) else NA)
cat(paste(names(out), out, sep = "=", collapse = "\n"), "\n")
"""


def best_of(fn, repeat: int) -> float:
    """Best wall time of ``repeat`` calls, in ms."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def data_of(n: int) -> pd.DataFrame:
    sim = simulate(n=n, seed=1)
    data = derive_survival(sim.data)
    data["time"] = data["time_days"].astype(float)
    return data


def run_python(d: pd.DataFrame, repeat: int) -> dict[str, dict[str, float]]:
    import lifelines
    from lifelines.statistics import logrank_test as ll_logrank
    from statsmodels.duration.hazard_regression import PHReg
    from statsmodels.duration.survfunc import SurvfuncRight, survdiff

    n = len(d)
    t, e, a = d["time"].to_numpy(), d["event"].to_numpy(float), d["treated"].to_numpy()
    strata, site = d["stratum"].to_numpy(), d["site"].to_numpy()
    X = pd.DataFrame({"treated": a.astype(float)})
    res: dict[str, dict[str, float]] = {}
    res["km"] = {
        "evalexp": best_of(lambda: [kaplan_meier(t[a == g], e[a == g]) for g in (0, 1)], repeat),
        "statsmodels": best_of(lambda: [SurvfuncRight(t[a == g], e[a == g]) for g in (0, 1)], repeat),
        "lifelines": best_of(lambda: [lifelines.KaplanMeierFitter().fit(t[a == g], e[a == g]) for g in (0, 1)],
                             repeat),
    }
    res["logrank"] = {
        "evalexp": best_of(lambda: logrank_test(t, e, a, strata=strata), repeat),
        "statsmodels": best_of(lambda: survdiff(t, e, a, strata=strata), repeat),
        "lifelines": best_of(lambda: ll_logrank(t[a == 1], t[a == 0], e[a == 1], e[a == 0]), repeat),
    }
    frame = pd.DataFrame({"time": t, "event": e, "treated": a.astype(float), "site": site})
    fit_options = {"step_size": 1.0, "precision": 1e-12, "r_precision": 0.0}
    res["cox"] = {
        "evalexp": best_of(lambda: cox_ph(t, e, X), repeat),
        "statsmodels": best_of(lambda: PHReg(t, X, status=e, ties="efron").fit(), repeat),
        "lifelines": best_of(lambda: lifelines.CoxPHFitter().fit(frame[["time", "event", "treated"]], "time", "event",
                                                                 fit_options=fit_options), repeat),
    }
    res["cox_cluster"] = {"evalexp": best_of(lambda: cox_ph(t, e, X, strata=strata, cluster=site), repeat)}
    if n <= LIMITS["statsmodels_cluster"]:
        codes = pd.factorize(site)[0]
        res["cox_cluster"]["statsmodels"] = best_of(
            lambda: PHReg(t, X, status=e, ties="efron", strata=strata).fit(groups=codes), 1)
    if n <= LIMITS["lifelines_cluster"]:
        res["cox_cluster"]["lifelines"] = best_of(
            lambda: lifelines.CoxPHFitter().fit(frame.assign(stratum=strata), "time", "event", strata=["stratum"],
                                                cluster_col="site", fit_options=fit_options), 1)
    res["ri_10000"] = {"evalexp": best_of(lambda: randomization_inference(t, e, a, strata=strata,
                                                                          permutations=10_000, seed=1), 1)}
    if n <= 200:
        rng = np.random.default_rng(1)

        def loop():
            for _ in range(1000):
                perm = a.copy()
                for s in np.unique(strata):
                    idx = np.flatnonzero(strata == s)
                    perm[idx] = rng.permutation(perm[idx])
                survdiff(t, e, perm, strata=strata)

        res["ri_10000"]["statsmodels"] = 10 * best_of(loop, 1)
    return res


def run_r(d: pd.DataFrame, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "d.csv", Path(tmp) / "bench.R"
        d[["time", "event", "treated", "stratum", "site"]].to_csv(csv, index=False)
        script.write_text(R_SCRIPT)
        cluster = int(len(d) <= LIMITS["r_cluster"])
        out = subprocess.run(["Rscript", str(script), str(csv), str(repeat), str(cluster)], capture_output=True,
                             text=True, check=True).stdout
    return {k: float(v) for k, v in (line.split("=") for line in out.split()) if v != "NA"}


def run_analysis(n: int) -> tuple[float, float]:
    """analyze_survival on n contracts (10,000 permutations, 3 statistics): seconds and peak RSS (GB)."""
    from evalexp.plan import plan_from_dict
    from evalexp.survival.survival_analysis import analyze_survival

    data = derive_survival(simulate(n=n, seed=1).data)
    plan = plan_from_dict({"title": "bench", "survival": {
        "horizon_days": 365, "covariates": ["age", "female", "diploma"], "strata": "stratum", "cluster": "site"},
        "inference": {"permutations": 10_000, "statistics": ["logrank", "cox_score", "rmst"]}})
    start = time.perf_counter()
    analyze_survival(Cohort(data), plan)
    seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--no-analysis", action="store_true")
    parser.add_argument("--analysis-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.analysis_only:
        seconds, gb = run_analysis(args.max_n)
        print(f"{seconds:.2f} {gb:.2f}")
        return
    use_r = not args.no_r and shutil.which("Rscript") is not None
    peers = ["evalexp", "statsmodels", "lifelines"] + (["R"] if use_r else [])
    print(f"{'n':>9} {'task':<12}" + "".join(f"{p:>13}" for p in peers) + "   (ms, best of runs)")
    for n in [s for s in SIZES if s <= args.max_n] + ([150] if args.max_n >= 150 else []):
        d = data_of(n)
        repeat = args.repeat if n < 100_000 else 1
        res = run_python(d, repeat)
        if use_r:
            for task, ms in run_r(d, repeat).items():
                res.setdefault(task, {})["R"] = ms
        for task, row in res.items():
            cells = "".join(f"{row[p]:>13.1f}" if p in row else f"{'-':>13}" for p in peers)
            print(f"{n:>9} {task:<12}{cells}", flush=True)
    if not args.no_analysis:
        n = args.max_n
        out = subprocess.run([sys.executable, __file__, "--analysis-only", "--max-n", str(n)], capture_output=True,
                             text=True, check=True).stdout.split()
        print(f"\nanalyze_survival, n = {n}, 10 strata, sites as clusters, 3 covariates, 10,000 permutations x 3 "
              f"statistics: {float(out[0]):.1f} s, peak RSS {float(out[1]):.2f} GB")


if __name__ == "__main__":
    main()
