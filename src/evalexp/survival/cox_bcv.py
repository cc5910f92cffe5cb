"""Bias-corrected sandwich variances of a marginal Cox model with few clusters (R ``CoxBcv``).

Wang, Turner & Li (2023), "Improving sandwich variance estimation for marginal Cox analysis of
cluster randomized trials", *Biometrical Journal* 65(3):2200113, transpose to the Cox score the
small-sample corrections of the GEE sandwich. With ``G`` clusters, ``U_g`` the sum over cluster g
of the (Breslow) score residuals ``sum_j int (x_j - xbar(t)) dM_j(t)``, ``Omega`` the
information and ``Omega_g = - dU_g / dbeta`` the cluster's part of it::

    V_robust = Omega^-1 (sum_g U_g U_g') Omega^-1
    MD (Mancl & DeRouen 2001):      U_g -> Omega (Omega - Omega_g)^-1 U_g  on both sides
    KC (Kauermann & Carroll 2001):  U_g -> Omega (Omega - Omega_g)^-1 U_g  on one side,
                                    symmetrised: Omega^-1 (A + A') / 2 Omega^-1
    FG (Fay & Graubard 2001):       U_g -> H_g U_g,  H_g = diag(1 / sqrt(1 - min(0.75, diag(Omega_g Omega^-1))))

Conventions, those of ``CoxBcv`` 0.0.1 (``CoxBcv.md``, ``CoxBcv.kc``, ``CoxBcv.fg``, ``CoxBcv.rob``):

- ``beta`` is the caller's (``CoxBcv`` takes ``coxph``'s, Efron ties); every other quantity is of
  Breslow form at that ``beta``: risk sets ``{j: t_j >= t}`` with censored subjects of time ``t``
  included, baseline hazard increments ``dH(t) = d(t) / S0(t)``, information
  ``Omega = sum_events V(t)``. With tied times the uncorrected ``V_robust`` therefore differs
  from R ``coxph(ties = "efron", cluster = )``'s sandwich (Efron information and residuals); without
  ties the two are equal.
- ``Omega_g = sum_{j in g} [ delta_j V(t_j) - int Y_j w_j V dH + int Y_j w_j (x_j - xbar) x_j' dH ]``,
  the derivative at a fixed baseline hazard, with ``x_j`` as coded (not centred): like ``CoxBcv``,
  the corrections depend on the origin of the covariates (the robust variance does not).
- Strata (not in ``CoxBcv``): risk sets, ``xbar``, ``V`` and ``dH`` are those of the subject's
  stratum, clusters may span strata.

Every sum over a risk set is a reverse cumulative sum over the subjects sorted by (stratum,
time), every integral over a subject's time at risk a forward cumulative sum: O(n p^2).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._utils import as_event_array, as_float_array

#: FG: the leverage-type ratio ``diag(Omega_g Omega^-1)`` is capped at this value (CoxBcv).
FG_CAP = 0.75
#: MD/KC: a cluster whose ``Omega - Omega_g`` has a condition number above this makes the
#: corrected variance not computable (NaN).
MAX_CONDITION = 1e12
CORRECTIONS = ("robust", "md", "kc", "fg")


def _reverse_cumsum(values: np.ndarray, bounds: list[tuple[int, int]]) -> np.ndarray:
    out = np.empty_like(values)
    for lo, hi in bounds:
        out[lo:hi] = np.cumsum(values[lo:hi][::-1], axis=0)[::-1]
    return out


def _forward_cumsum(values: np.ndarray, bounds: list[tuple[int, int]]) -> np.ndarray:
    out = np.empty_like(values)
    for lo, hi in bounds:
        out[lo:hi] = np.cumsum(values[lo:hi], axis=0)
    return out


def bias_corrected_variances(time, event, X, cluster, beta, *, strata=None,
                             offset=None) -> dict[str, np.ndarray]:
    """The robust, MD, KC and FG variance matrices of a Cox model's coefficients (``CoxBcv``).

    Parameters
    ----------
    time, event : array_like (n,)
        Follow-up times and 0/1 event indicators.
    X : array_like (n,) or (n, p)
        Covariates as coded (the corrections depend on their origin, see the module docstring).
    cluster : array_like (n,)
        Cluster labels (at least two clusters).
    beta : array_like (p,)
        The fitted coefficients (``CoxBcv``: R ``coxph``'s, Efron ties).
    strata : array_like (n,), optional
        Stratum labels: risk sets within strata.
    offset : array_like (n,), optional
        Fixed part of the linear predictor (e.g. diverged coefficients times their covariates).

    Returns
    -------
    dict
        ``{"robust", "md", "kc", "fg"}`` -> (p, p) variance matrices; a matrix is NaN when a
        cluster's ``Omega - Omega_g`` is singular (MD, KC) or the information is (all).

    References
    ----------
    Wang X, Turner EL, Li F (2023). Biometrical Journal 65(3):2200113. R package ``CoxBcv`` 0.0.1.
    """
    time = as_float_array(time, "time")
    n = time.size
    event = as_event_array(event, n)
    X = np.asarray(X, dtype=float).reshape(n, -1)
    beta = np.asarray(beta, dtype=float).ravel()
    labels = np.asarray(cluster).ravel()
    if labels.size != n or pd.isna(labels).any():
        raise ValueError("cluster must have one non-missing label per row")
    clusters = pd.factorize(labels)[0]
    g = int(clusters.max()) + 1
    if g < 2:
        raise ValueError("bias-corrected variances need at least two clusters")
    codes = np.zeros(n, dtype=np.int64) if strata is None else pd.factorize(np.asarray(strata).ravel())[0]
    order = np.lexsort((time, codes))
    time, event, codes, clusters, X = time[order], event[order], codes[order], clusters[order], X[order]
    eta = X @ beta + (0.0 if offset is None else np.asarray(offset, dtype=float).ravel()[order])
    w = np.exp(eta - eta.max())
    p = X.shape[1]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    bounds = list(zip(starts.tolist(), np.r_[starts[1:], n].tolist()))
    # blocks: rows of one stratum with the same time; every row takes its block's sums
    new_block = np.r_[True, (time[1:] != time[:-1]) | (codes[1:] != codes[:-1])]
    first = np.flatnonzero(new_block)[np.cumsum(new_block) - 1]
    last = np.r_[np.flatnonzero(new_block)[1:] - 1, n - 1][np.cumsum(new_block) - 1]
    wx = w[:, None] * X
    s0 = _reverse_cumsum(w, bounds)[first]
    s1 = _reverse_cumsum(wx, bounds)[first]
    s2 = _reverse_cumsum(wx[:, :, None] * X[:, None, :], bounds)[first]
    deaths = np.cumsum(event)
    d = deaths[last] - np.r_[0.0, deaths][first]
    xbar = s1 / s0[:, None]
    v = s2 / s0[:, None, None] - xbar[:, :, None] * xbar[:, None, :]
    # the baseline hazard increment of a block, counted on its last row only
    dh = np.where(np.arange(n) == last, d / s0, 0.0)
    a0 = _forward_cumsum(dh, bounds)[last]
    a1 = _forward_cumsum(xbar * dh[:, None], bounds)[last]
    a2 = _forward_cumsum(v * dh[:, None, None], bounds)[last]
    compensated = X * a0[:, None] - a1  # int (x_j - xbar) Y_j dH
    resid = event[:, None] * (X - xbar) - w[:, None] * compensated
    info_j = event[:, None, None] * v
    deriv_j = info_j - w[:, None, None] * a2 + w[:, None, None] * compensated[:, :, None] * X[:, None, :]
    U = np.zeros((g, p))
    np.add.at(U, clusters, resid)
    omega_g = np.zeros((g, p, p))
    np.add.at(omega_g, clusters, deriv_j)
    omega = info_j.sum(axis=0)
    if np.linalg.cond(omega) > MAX_CONDITION:
        return {name: np.full((p, p), np.nan) for name in CORRECTIONS}
    bread = np.linalg.inv(omega)
    out = {"robust": bread @ (U.T @ U) @ bread}
    remainders = omega[None, :, :] - omega_g
    if max(np.linalg.cond(r) for r in remainders) > MAX_CONDITION:
        out["md"] = out["kc"] = np.full((p, p), np.nan)
    else:
        corrected = np.einsum("ab,gbc->gac", omega, np.linalg.solve(remainders, U[:, :, None]))[:, :, 0]
        one_sided = corrected.T @ U
        out["md"] = bread @ (corrected.T @ corrected) @ bread
        out["kc"] = bread @ ((one_sided + one_sided.T) / 2.0) @ bread
    leverage = np.einsum("gab,ba->ga", omega_g, bread)
    scaled = U / np.sqrt(1.0 - np.minimum(FG_CAP, leverage))
    out["fg"] = bread @ (scaled.T @ scaled) @ bread
    return out
