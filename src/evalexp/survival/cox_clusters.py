"""A few-clusters version of the cluster-robust Cox hazard ratio: CR1 sandwich and t(G - 1) reference.

The contract's cluster-robust Cox interval (R ``coxph(..., cluster = )``) uses the sandwich
``V = I^-1 (sum_g U_g U_g') I^-1`` without small-sample factor and the normal distribution;
with few clusters the sandwich is biased down and the normal quantile too small, so the
interval covers too rarely (about 90 % at 10 sites, ``benchmarks/calibration.py``). This
sibling (``cox.<model>.few_clusters``) applies the two usual corrections (Cameron & Miller
2015, *J. Human Resources* 50:317-372, sections VI.A and VI.D)::

    se_CR1 = se_robust * sqrt(G / (G - 1))
    CI     = exp(beta -/+ t_{G-1, 1 - alpha/2} se_CR1),   p = 2 P(t_{G-1} > |beta / se_CR1|)

``G`` the number of clusters. (The Mancl-DeRouen and Kauermann-Carroll bias corrections of
R ``CoxBcv`` are not implemented.)
"""
from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from ..results import json_number
from .cox import CoxResult

METHOD = "cr1-t"


def few_clusters_ratio(fit: CoxResult, term: str = "treated") -> dict[str, Any]:
    """The ``few_clusters`` sibling of a cluster-robust Cox model's ratio object for ``term``.

    Parameters
    ----------
    fit : CoxResult
        A cluster-robust fit (``fit.robust``) with at least two clusters.
    term : str

    Returns
    -------
    dict
        ``method``, ``log_hr``, ``se``, ``hr``, ``ci_low``, ``ci_high`` (hazard-ratio scale),
        ``p_value``, ``df`` and ``n_clusters``.
    """
    if not fit.robust or fit.n_clusters is None or fit.n_clusters < 2:
        raise ValueError("few_clusters_ratio needs a cluster-robust fit with at least two clusters")
    g = int(fit.n_clusters)
    beta = float(fit.params_[term])
    se = float(fit.se_[term]) * np.sqrt(g / (g - 1.0))
    df = g - 1
    q = float(stats.t.isf(fit.alpha / 2.0, df))
    valid = np.isfinite(se) and se > 0
    p = float(2.0 * stats.t.sf(abs(beta / se), df)) if valid else float("nan")
    low, high = (np.exp(beta - q * se), np.exp(beta + q * se)) if valid else (float("nan"), float("nan"))
    return {"method": METHOD, "log_hr": json_number(beta), "se": json_number(se), "hr": json_number(np.exp(beta)),
            "ci_low": json_number(low), "ci_high": json_number(high), "p_value": json_number(p), "df": df,
            "n_clusters": g}
