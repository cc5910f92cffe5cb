"""A few-clusters version of the cluster-robust Cox hazard ratio: bias-corrected sandwich and t(G - 1).

The contract's cluster-robust Cox interval (R ``coxph(..., cluster = )``) uses the sandwich
``V = I^-1 (sum_g U_g U_g') I^-1`` without small-sample factor and the normal distribution;
with few clusters the sandwich is biased down and the normal quantile too small, so the
interval covers too rarely (about 89 % at 10 sites, ``benchmarks/calibration.py``). This
sibling (``cox.<model>.few_clusters``) corrects both: a bias-corrected variance and the
t(G - 1) reference (``G`` the number of clusters)::

    CI = exp(beta -/+ t_{G-1, 1 - alpha/2} se),   p = 2 P(t_{G-1} > |beta / se|)

with ``se`` from one of the corrections (:data:`CORRECTION`, the default, is the best calibrated
in ``benchmarks/calibration_results.md``):

- ``"kc"``: Kauermann-Carroll, ``"fg"``: Fay-Graubard, ``"md"``: Mancl-DeRouen, as Wang, Turner
  & Li (2023, *Biometrical Journal* 65(3):2200113) transpose them to the marginal Cox model, and
  as R ``CoxBcv`` computes them (:mod:`.cox_bcv`: Breslow-form bread and residuals at the fit's
  Efron estimate; the default analysis keeps Efron ties for ``beta``, as ``CoxBcv`` does); where KC or MD
  gives no positive variance (an ill-conditioned or indefinite ``Omega - Omega_g``) the sibling uses FG,
  then CR1, and says so;
- ``"cr1"``: the contract's sandwich times ``sqrt(G / (G - 1))`` (Cameron & Miller 2015,
  *J. Human Resources* 50:317-372, section VI.A).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..wald import WaldEstimate
from .cox import CoxResult
from .cox_bcv import bias_corrected_variances

#: The correction of the ``few_clusters`` sibling and the ``method`` each one names.
CORRECTION = "kc"
METHODS = {"cr1": "cr1-t", "kc": "kc-t", "fg": "fg-t", "md": "md-t"}


def corrected_se(fit: CoxResult, term: str, correction: str) -> tuple[float, str]:
    """The standard error of ``term`` under ``correction`` and the correction used.

    KC and MD need every ``Omega - Omega_g`` to be well conditioned, and every correction the
    Breslow-form information ``Omega`` (condition number at most ``cox_bcv.MAX_CONDITION``); KC's
    one-sided product can moreover be negative (``Omega - Omega_g`` need not be positive definite).
    Where the requested correction gives no positive variance, FG and then CR1 (always defined) are
    used instead, and the one used is returned.
    """
    g = int(fit.n_clusters or 0)
    if correction == "cr1":
        return float(fit.se_[term]) * float(np.sqrt(g / (g - 1.0))), correction
    cd = fit.data_
    kept = [t for t in fit.terms if t not in fit.aliased]
    finite = np.array([t not in fit.diverged for t in kept])
    beta = fit.params_[kept].to_numpy(dtype=float)
    X = cd.X + (0.0 if cd.center is None else cd.center)
    strata = np.repeat(np.arange(len(cd.strata_blocks)), [hi - lo for lo, hi, _, _ in cd.strata_blocks])
    offset = X[:, ~finite] @ beta[~finite]
    variances = bias_corrected_variances(cd.time, cd.event, X[:, finite], fit.cluster_codes_, beta[finite],
                                         strata=strata, offset=offset)
    column = [t for t in kept if t not in fit.diverged].index(term)
    for used in (correction, "fg"):
        var = float(variances[used][column, column])
        if np.isfinite(var) and var > 0:
            return float(np.sqrt(var)), used
    return corrected_se(fit, term, "cr1")


def few_clusters_ratio(fit: CoxResult, term: str = "treated", correction: str = CORRECTION) -> dict[str, Any]:
    """The ``few_clusters`` sibling of a cluster-robust Cox model's ratio object for ``term``.

    Parameters
    ----------
    fit : CoxResult
        A cluster-robust fit (``fit.robust``) with at least two clusters.
    term : str
    correction : {"kc", "fg", "md", "cr1"}
        The variance correction (default :data:`CORRECTION`).

    Returns
    -------
    dict
        ``method`` (``"kc-t"``, ``"fg-t"``, ``"md-t"`` or ``"cr1-t"``), ``log_hr``, ``se``,
        ``hr``, ``ci_low``, ``ci_high`` (hazard-ratio scale), ``p_value``, ``df`` and
        ``n_clusters``; null numbers when ``term`` diverged. Where the correction is not computable
        (an ill-conditioned ``Omega - Omega_g``, a negative KC variance) FG, then CR1, is used, and named.
    """
    if not fit.robust or fit.n_clusters is None or fit.n_clusters < 2:
        raise ValueError("few_clusters_ratio needs a cluster-robust fit with at least two clusters")
    if correction not in METHODS:
        raise ValueError(f"correction must be one of {', '.join(METHODS)}, not {correction!r}")
    g = int(fit.n_clusters)
    beta = float(fit.params_[term])
    if term in fit.diverged or term in fit.aliased:
        se = float("nan")
    else:
        se, correction = corrected_se(fit, term, correction)
    df = g - 1
    wald = WaldEstimate(beta, se, fit.alpha, df=df)
    return {"method": METHODS[correction], **wald.ratio_dict("log_hr", "hr"), "df": df, "n_clusters": g}
