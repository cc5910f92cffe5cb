"""Within-arm least-squares projections of an outcome on baseline covariates, one intercept per stratum.

The covariate adjustments of :mod:`.covariate_adjusted` (Ye, Shao & Yi 2024) and
:mod:`.augmented` (Tian et al. 2012) both regress a per-subject quantity (a derived
outcome, an influence function) on the covariates X separately in each arm a, with one
intercept per stratum s (R: ``lm`` on X within arm after centring X and the outcome in each
stratum, as RobinCar2's ``h_get_strat_lm_results``):

    y_i = alpha_{a,s} + x_i' beta_a + e_i        (subjects of arm a)

:class:`ArmProjection` holds what depends on the design only (the within-(arm, stratum)
cross-products), so that each outcome costs two matrix-vector products and a few counts:
``slopes`` gives ``beta_a``, ``fitted`` the prediction ``f_a(i) = alpha_{a,s(i)} + x_i' beta_a``
of every subject under each arm.
"""
from __future__ import annotations

import numpy as np


class ArmProjection:
    """The design of the within-arm regressions.

    Parameters
    ----------
    x : ndarray (n, p)
        Covariates (p may be 0); centred here on their overall mean (the fitted values and
        slopes do not change).
    arm : ndarray (n,) of 0/1
    stratum : ndarray (n,) of int codes 0 .. n_strata - 1
    n_strata : int
    """

    def __init__(self, x: np.ndarray, arm: np.ndarray, stratum: np.ndarray, n_strata: int):
        x = np.asarray(x, dtype=float)
        self.x = x - x.mean(axis=0) if x.shape[0] else x
        self.arm = np.asarray(arm).astype(np.int64)
        self.stratum = np.asarray(stratum).astype(np.int64)
        self.n_strata = n_strata
        self.cell = self.stratum * 2 + self.arm                      # (stratum, arm) cell
        n_cells = 2 * n_strata
        self.sizes = np.bincount(self.cell, minlength=n_cells).astype(float)
        sums = np.empty((n_cells, self.x.shape[1]))
        for j in range(self.x.shape[1]):
            sums[:, j] = np.bincount(self.cell, weights=self.x[:, j], minlength=n_cells)
        self.means = sums / np.maximum(self.sizes, 1.0)[:, None]
        gram_all = self.x.T @ self.x
        gram1 = self.x.T @ (self.x * self.arm[:, None])
        self.gram = []
        for a, gram in ((0, gram_all - gram1), (1, gram1)):
            cells = np.arange(a, n_cells, 2)
            self.gram.append(gram - np.einsum("c,cj,ck->jk", self.sizes[cells], self.means[cells],
                                              self.means[cells]))

    def slopes(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(beta_0, beta_1)`` by least squares (``lstsq``: with collinear columns the fitted
        values, all the adjustments use, are still the projection, where R's
        ``lm.fit(singular.ok = FALSE)`` stops)."""
        cell_sums = np.bincount(self.cell, weights=y, minlength=self.sizes.size)
        cross = self.x.T @ np.column_stack([y * (self.arm == 0), y * (self.arm == 1)])
        betas = []
        for a in (0, 1):
            cells = np.arange(a, self.sizes.size, 2)
            rhs = cross[:, a] - self.means[cells].T @ cell_sums[cells]
            betas.append(np.linalg.lstsq(self.gram[a], rhs, rcond=None)[0] if rhs.size else rhs)
        return betas[0], betas[1]

    def fitted(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(f_0, f_1)``: every subject's prediction under the control and the treatment fit
        (a (stratum, arm) cell without subjects gets intercept 0)."""
        beta = self.slopes(y)
        cell_means = np.bincount(self.cell, weights=y, minlength=self.sizes.size) / np.maximum(self.sizes, 1.0)
        out = []
        for a in (0, 1):
            cells = np.arange(a, self.sizes.size, 2)
            alpha = np.where(self.sizes[cells] > 0, cell_means[cells] - self.means[cells] @ beta[a], 0.0)
            out.append(alpha[self.stratum] + self.x @ beta[a])
        return out[0], out[1]

    def within_stratum(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per stratum: subjects and the sum of squares of ``v`` about its stratum mean (both arms)."""
        size = np.bincount(self.stratum, minlength=self.n_strata).astype(float)
        total = np.bincount(self.stratum, weights=v, minlength=self.n_strata)
        squares = np.bincount(self.stratum, weights=v * v, minlength=self.n_strata)
        return size, squares - total ** 2 / np.maximum(size, 1.0)
