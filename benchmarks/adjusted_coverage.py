"""Coverage of the covariate-adjusted 95 % CIs by simulation (issue 15). Prints figures; asserts nothing.

Model: 4 randomisation strata (effects -0.3, 0, 0.3, 0.6 on the log hazard), covariates
age (standard normal, log HR 0.5), female (Bernoulli 0.5, -0.3) and diploma (3 levels,
0 / 0.4 / 0.8); exponential rupture times with baseline hazard 0.0015 per day and a
conditional hazard ratio of 0.7 for treatment; follow-up uniform on 200 .. 900 days, so some
participants are censored before the horizon tau = 365. Assignment by simple randomisation
(Bernoulli 1/2) or by permuted blocks of 4 within strata.

Truths (marginal estimands of the population): RMST and risk at tau per arm averaged over
10^6 covariate draws exactly (exponential model: ``S(tau | x) = exp(-h tau)``, RMST
``(1 - exp(-h tau)) / h``); the log hazard ratio estimand of the (unadjusted = adjusted)
Ye-Shao-Yi estimator: ``fit_hazard_ratio`` on one simulated trial of 2 x 10^6.

For each n and scheme, ``--reps`` trials: the coverage of the 95 % Wald CIs of the adjusted log
HR, RMST and risk differences (and of the unadjusted KM-based ones), with the Monte Carlo SE
``sqrt(c (1 - c) / reps)``, the mean SE ratio adjusted / unadjusted and the mean "equivalent
participants" ``n ((SE_u / SE_a)^2 - 1)`` of the log HR.

Usage: python benchmarks/adjusted_coverage.py [--reps 1000] [--seed 1]
"""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from evalexp.survival.covariate_adjusted import covariate_adjusted, fit_hazard_ratio

TAU = 365
BASE = 0.0015
LOG_HR = np.log(0.7)
STRATUM_EFFECT = np.array([-0.3, 0.0, 0.3, 0.6])
DIPLOMA_EFFECT = np.array([0.0, 0.4, 0.8])


def population(rng: np.random.Generator, n: int) -> pd.DataFrame:
    return pd.DataFrame({"stratum": rng.integers(0, 4, n), "age": rng.standard_normal(n),
                         "female": rng.integers(0, 2, n), "diploma": rng.integers(0, 3, n)})


def linear(p: pd.DataFrame) -> np.ndarray:
    return (STRATUM_EFFECT[p["stratum"]] + 0.5 * p["age"] - 0.3 * p["female"] + DIPLOMA_EFFECT[p["diploma"]]).to_numpy()


def assign(rng: np.random.Generator, strata: np.ndarray, scheme: str) -> np.ndarray:
    if scheme == "simple":
        return rng.integers(0, 2, strata.size)
    arm = np.empty(strata.size, dtype=np.int64)
    for s in np.unique(strata):
        rows = np.flatnonzero(strata == s)
        blocks = -(-rows.size // 4)
        draws = np.concatenate([rng.permutation([0, 0, 1, 1]) for _ in range(blocks)])
        arm[rows] = draws[:rows.size]
    return arm


def trial(rng: np.random.Generator, n: int, scheme: str) -> pd.DataFrame:
    p = population(rng, n)
    p["treated"] = assign(rng, p["stratum"].to_numpy(), scheme)
    hazard = BASE * np.exp(linear(p) + LOG_HR * p["treated"].to_numpy())
    rupture = rng.exponential(1.0 / hazard)
    follow = rng.uniform(200, 900, n)
    p["time"] = np.ceil(np.minimum(rupture, follow))
    p["event"] = (rupture <= follow).astype(int)
    p["diploma"] = p["diploma"].map({0: "none", 1: "cap", 2: "bac"})
    return p


def truths(rng: np.random.Generator) -> dict[str, float]:
    p = population(rng, 1_000_000)
    out = {}
    for a in (0, 1):
        h = BASE * np.exp(linear(p) + LOG_HR * a)
        out[f"risk{a}"] = float(np.mean(1.0 - np.exp(-h * TAU)))
        out[f"rmst{a}"] = float(np.mean((1.0 - np.exp(-h * TAU)) / h))
    big = trial(rng, 2_000_000, "simple")
    # the estimand of the log HR: the stratified estimator on one very large trial of the same design
    out["log_hr"] = fit_hazard_ratio(big["time"], big["event"], big["treated"], strata=big["stratum"]).log_hr
    return {"log_hr": out["log_hr"], "rmst": out["rmst1"] - out["rmst0"], "risk": out["risk1"] - out["risk0"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 1000])
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    truth = truths(rng)
    print("truth:", {k: round(v, 5) for k, v in truth.items()})
    print(f"{'n':>5} {'scheme':>15} {'estimand':>8} {'cover adj':>10} {'(MC SE)':>8} {'cover unadj':>12} "
          f"{'SE ratio':>9} {'equiv. n':>9} {'failed':>6}")
    for n in args.sizes:
        for scheme in ("simple", "permuted_blocks"):
            hits = {k: [] for k in ("log_hr", "rmst", "risk")}
            plain = {k: [] for k in hits}
            ratio = {k: [] for k in hits}
            equivalent, failed = [], 0
            for _ in range(args.reps):
                d = trial(rng, n, scheme)
                try:
                    r = covariate_adjusted(d["time"], d["event"], d["treated"], d[["age", "female", "diploma"]],
                                           strata=d["stratum"], strata_name="stratum", randomization=scheme,
                                           horizon_days=TAU)
                except (ArithmeticError, ValueError):
                    failed += 1
                    continue
                _, _, low, high = r.log_hr_wald
                h = r.hazard
                hits["log_hr"].append(low <= truth["log_hr"] <= high)
                plain["log_hr"].append(abs(h.log_hr_unadjusted - truth["log_hr"]) <= 1.959964 * h.se_unadjusted)
                ratio["log_hr"].append(h.se / h.se_unadjusted)
                equivalent.append(r.equivalent_participants)
                for key, part in (("rmst", r.rmst), ("risk", r.risk_difference)):
                    hits[key].append(part.ci_low <= truth[key] <= part.ci_high)
                    plain[key].append(abs(part.unadjusted_difference - truth[key]) <= 1.959964 * part.unadjusted_se)
                    ratio[key].append(part.se / part.unadjusted_se)
            for key in hits:
                c = float(np.mean(hits[key]))
                mc = np.sqrt(c * (1 - c) / len(hits[key]))
                eq = f"{np.mean(equivalent):9.1f}" if key == "log_hr" else f"{'':>9}"
                print(f"{n:>5} {scheme:>15} {key:>8} {c:>10.3f} {mc:>8.4f} {np.mean(plain[key]):>12.3f} "
                      f"{np.mean(ratio[key]):>9.3f} {eq} {failed:>6}")


if __name__ == "__main__":
    main()
