"""Multi-site cohorts whose treatment log hazard ratio varies across sites with a known variance."""
from __future__ import annotations

import numpy as np
import pandas as pd


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
