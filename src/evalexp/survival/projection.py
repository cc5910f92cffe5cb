"""Within-arm least-squares projections of an outcome on baseline covariates.

The covariate adjustments of :mod:`.covariate_adjusted` (Ye, Shao & Yi 2024) and
:mod:`.augmented` (Tian et al. 2012) both regress a per-subject quantity (a derived
outcome, an influence function) on the covariates separately in each arm, with one
intercept per stratum, and weigh the slopes by the covariates' covariance.
"""
from __future__ import annotations

import numpy as np


def group_centred(x: np.ndarray, groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """``x`` (rows, p) minus its group means, and the group sizes (n_groups,)."""
    sizes = np.bincount(groups, minlength=n_groups).astype(float)
    means = np.empty((n_groups, x.shape[1]))
    for j in range(x.shape[1]):
        means[:, j] = np.bincount(groups, weights=x[:, j], minlength=n_groups)
    means /= np.maximum(sizes, 1.0)[:, None]
    return x - means[groups], sizes


def within_arm_slopes(outcome: np.ndarray, x: np.ndarray, arm: np.ndarray, stratum: np.ndarray,
                      n_strata: int) -> tuple[np.ndarray, np.ndarray]:
    """OLS slopes of ``outcome`` on ``x`` within each arm, one intercept per stratum: (beta_0, beta_1).

    Solved by ``lstsq``: with collinear columns the fitted values (all that the adjustment
    uses) are still the projection, where R's ``lm.fit(singular.ok = FALSE)`` stops.
    """
    betas = []
    for a in (0, 1):
        rows = arm == a
        xc, _ = group_centred(x[rows], stratum[rows], n_strata)
        yc, _ = group_centred(outcome[rows, None], stratum[rows], n_strata)
        betas.append(np.linalg.lstsq(xc.T @ xc, xc.T @ yc[:, 0], rcond=None)[0])
    return betas[0], betas[1]


def stratum_covariance(x: np.ndarray, stratum: np.ndarray, n_strata: int) -> np.ndarray:
    """``Sigma_X = sum_s (n_s / N) cov_s(X)`` over strata with n_s > 1 (N their total).

    ``cov_s`` has the ``n_s - 1`` denominator (R ``cov``), as RobinCar2's weighted sum.
    """
    xc, sizes = group_centred(x, stratum, n_strata)
    n_s = sizes[stratum]
    used = n_s > 1
    weight = np.where(used, n_s / np.where(used, n_s - 1.0, 1.0), 0.0) / sizes[sizes > 1].sum()
    return (xc * weight[:, None]).T @ xc
