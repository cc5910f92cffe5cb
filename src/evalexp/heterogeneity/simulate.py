"""Multi-site cohorts whose treatment log hazard ratio varies across sites with a known variance."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .meta import random_effects_meta
from .sites import site_log_hr


def simulate_sites(k: int = 20, n_per_site: int = 100, *, log_hr: float = np.log(0.7), tau2: float = 0.1,
                   control_risk: float = 0.35, day: int = 365, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """A cohort of ``k`` sites with site-specific treatment effects ``theta_s ~ N(log_hr, tau2)``.

    In site ``s`` the control hazard is exponential with rate
    ``-log(1 - control_risk) / day * exp(b_s)``, ``b_s ~ N(0, 0.2^2)`` (sites differ in their
    rupture rates too), the treatment hazard that rate times ``exp(theta_s)``; each site
    randomises exactly half of its ``n_per_site`` participants (the odd one to control) and
    a two-level ``stratum`` (A/B, a participant characteristic, not nested in the site).
    Follow-up ends uniformly between ``day`` and ``2 day``; times are rounded up to whole days.

    Returns
    -------
    cohort : DataFrame
        ``site`` (``S01``..), ``stratum``, ``arm``, ``treated``, ``time_days``, ``event``.
    theta : Series
        The true log hazard ratio of each site.
    """
    rng = np.random.default_rng(seed)
    names = [f"S{i + 1:02d}" for i in range(k)]
    theta = log_hr + np.sqrt(tau2) * rng.standard_normal(k)
    base = -np.log1p(-control_risk) / day * np.exp(0.2 * rng.standard_normal(k))
    site = np.repeat(np.arange(k), n_per_site)
    treated = np.concatenate([rng.permutation(np.arange(n_per_site) < n_per_site // 2) for _ in range(k)])
    rate = base[site] * np.exp(theta[site] * treated)
    rupture = rng.exponential(1.0 / rate)
    censor = rng.uniform(day, 2 * day, site.size)
    time = np.ceil(np.minimum(rupture, censor)).astype(np.int64)
    cohort = pd.DataFrame({
        "site": np.array(names, dtype=object)[site],
        "stratum": np.where(rng.random(site.size) < 0.5, "A", "B"),
        "arm": np.where(treated, "treatment", "control"),
        "treated": treated.astype(np.int8),
        "time_days": np.maximum(time, 1),
        "event": (rupture <= censor).astype(np.int8),
    })
    return cohort, pd.Series(theta, index=names, name="log_hr")


def prediction_coverage(reps: int, *, k: int = 20, n_per_site: int = 100, log_hr: float = np.log(0.7),
                        tau2: float = 0.1, control_risk: float = 0.35, alpha: float = 0.05,
                        seed: int = 0) -> dict[str, float]:
    """Coverage of the meta-analysis's prediction interval and pooled CI over ``reps`` cohorts.

    Each replicate draws a cohort with :func:`simulate_sites` (seeds spawned from ``seed``),
    fits each site's Cox model and the REML/Knapp-Hartung meta-analysis, and checks whether
    the ``1 - alpha`` prediction interval holds the effect of a new site,
    ``theta_new ~ N(log_hr, tau2)`` drawn in the replicate, and whether the pooled CI holds
    ``log_hr``. ``pi_conditional`` averages the exact probability
    ``P(theta_new in PI | PI)``, the same expectation with a smaller Monte Carlo error.

    Returns
    -------
    dict
        ``reps``, ``computed`` (replicates with at least two sites entering),
        ``pi_coverage``, ``pi_coverage_mc_se``, ``pi_conditional``, ``pi_conditional_mc_se``,
        ``ci_coverage``, ``ci_coverage_mc_se``, ``mean_tau2``, ``mean_k``.
    """
    hits, conditional, ci_hits, tau2s, ks = [], [], [], [], []
    for child in np.random.SeedSequence(seed).spawn(reps):
        # the new site's effect comes from a stream of its own, not the cohort's (whose first
        # draw is the first site's effect)
        rng = np.random.default_rng(child)
        rep_seed = int(rng.integers(2 ** 32))
        cohort, _ = simulate_sites(k, n_per_site, log_hr=log_hr, tau2=tau2, control_risk=control_risk, seed=rep_seed)
        fits = [site_log_hr(part, alpha=alpha) for _, part in cohort.groupby("site")]
        entering = [fit for fit in fits if fit is not None]
        if len(entering) < 2:
            continue
        meta = random_effects_meta([e.estimate for e in entering], [e.se ** 2 for e in entering], alpha=alpha)
        low, high = meta.prediction_interval
        theta_new = log_hr + np.sqrt(tau2) * rng.standard_normal()
        hits.append(low <= theta_new <= high)
        conditional.append(stats.norm.cdf(high, log_hr, np.sqrt(tau2)) - stats.norm.cdf(low, log_hr, np.sqrt(tau2))
                           if tau2 > 0 else float(low <= log_hr <= high))
        ci_low, ci_high = meta.ci
        ci_hits.append(ci_low <= log_hr <= ci_high)
        tau2s.append(meta.tau2)
        ks.append(meta.k)
    m = len(hits)

    def mc_se(values: list) -> float:
        return float(np.std(values, ddof=1) / np.sqrt(m)) if m > 1 else float("nan")

    return {"reps": reps, "computed": m, "pi_coverage": float(np.mean(hits)), "pi_coverage_mc_se": mc_se(hits),
            "pi_conditional": float(np.mean(conditional)), "pi_conditional_mc_se": mc_se(conditional),
            "ci_coverage": float(np.mean(ci_hits)), "ci_coverage_mc_se": mc_se(ci_hits),
            "mean_tau2": float(np.mean(tau2s)), "mean_k": float(np.mean(ks))}
