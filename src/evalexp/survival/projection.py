"""Within-arm least-squares projections of an outcome on baseline covariates, one intercept per stratum.

The covariate adjustments of :mod:`.covariate_adjusted` (Ye, Shao & Yi 2024) and
:mod:`.augmented` (Tian et al. 2012) both regress a per-subject quantity (a derived
outcome, an influence function) on the covariates X separately in each arm a, with one
intercept per stratum s (R: ``lm`` on X within arm after centring X and the outcome in each
stratum, as RobinCar2's ``h_get_strat_lm_results``):

    y_i = alpha_{a,s} + x_i' beta_a + e_i        (subjects of arm a)

:class:`ArmProjection` holds what depends on the design only (the within-(arm, stratum)
cross-products). The outcomes of both adjustments are constant within groups of subjects
(same stratum, arm, event indicator and number of event times up to their time), so
:class:`Grouped` sums the design over those groups once, and each outcome then costs work
proportional to the number of groups: ``slopes`` gives ``beta_a``, ``fits`` also the
intercepts, and :meth:`ArmProjection.moments` the mean and variance of the fit
``f_a(i) = alpha_{a,s(i)} + x_i' beta_a`` over any arm without visiting the subjects.
"""
from __future__ import annotations

import numpy as np


class ArmProjection:
    """The design of the within-arm regressions.

    Parameters
    ----------
    x : ndarray (n, p)
        Covariates (p may be 0); kept as :attr:`x`, centred on their overall mean (the fitted
        values and slopes do not change) and with the rows in the order :attr:`order` (by cell).
    arm : ndarray (n,) of 0/1
    stratum : ndarray (n,) of int codes 0 .. n_strata - 1
    n_strata : int

    Attributes
    ----------
    order : ndarray (n,) of int
        The rows sorted by (stratum, arm) cell ``2 * stratum + arm`` (stable).
    cell_gram : ndarray (2 * n_strata, p, p)
        Per cell, the sum of ``x_i x_i'`` of the centred covariates.
    """

    def __init__(self, x: np.ndarray, arm: np.ndarray, stratum: np.ndarray, n_strata: int):
        x = np.asarray(x, dtype=float)
        self.arm = np.asarray(arm).astype(np.int64, copy=False)
        self.stratum = np.asarray(stratum).astype(np.int64, copy=False)
        self.n_strata = n_strata
        self.cell = self.stratum * 2 + self.arm                      # (stratum, arm) cell
        n_cells = 2 * n_strata
        counts = np.bincount(self.cell, minlength=n_cells)
        self.sizes = counts.astype(float)
        # the rows sorted by cell, centred on their overall mean: each cell's sum of x and of
        # x x' (a symmetric product) from its contiguous block; every other sum is over cells
        self.order = _cell_order(self.cell, n_cells)
        self.x: np.ndarray = np.empty(x.shape, order="F")            # contiguous columns
        for j in range(x.shape[1]):
            # mode="clip" (the indices are all in range) writes to out without a buffer
            np.take(x[:, j], self.order, out=self.x[:, j], mode="clip")
            self.x[:, j] -= self.x[:, j].mean()
        self.cell_gram = np.empty((n_cells, x.shape[1], x.shape[1]))
        sums = np.empty((n_cells, x.shape[1]))
        bounds = np.concatenate([[0], np.cumsum(counts)])
        for c in range(n_cells):
            block = self.x[bounds[c]:bounds[c + 1]]
            self.cell_gram[c] = block.T @ block
            sums[c] = np.ones(block.shape[0]) @ block
        self.means = sums / np.maximum(self.sizes, 1.0)[:, None]
        self.raw_gram = (self.cell_gram[0::2].sum(axis=0), self.cell_gram[1::2].sum(axis=0))  # sum of x x' per arm
        self.gram = []
        for a, gram in enumerate(self.raw_gram):
            cells = np.arange(a, n_cells, 2)
            self.gram.append(gram - np.einsum("c,cj,ck->jk", self.sizes[cells], self.means[cells],
                                              self.means[cells]))

    def grouped(self, group: np.ndarray, cell: np.ndarray, counts: np.ndarray) -> Grouped:
        """The design summed over subject groups nested in the (stratum, arm) cells, for outcomes
        constant within each group (:meth:`Grouped.slopes`); ``cell`` and ``counts`` give each
        group's (stratum, arm) cell and its number of subjects."""
        return Grouped(self, group, cell, counts)

    def _solve(self, cell_sums: np.ndarray, cross: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Least squares from the outcome's (stratum, arm) sums and ``x' y`` per arm (p, 2)
        (``lstsq``: with collinear columns the fitted values, all the adjustments use, are
        still the projection, where R's ``lm.fit(singular.ok = FALSE)`` stops)."""
        betas = []
        for a in (0, 1):
            cells = np.arange(a, self.sizes.size, 2)
            rhs = cross[:, a] - self.means[cells].T @ cell_sums[cells]
            betas.append(np.linalg.lstsq(self.gram[a], rhs, rcond=None)[0] if rhs.size else rhs)
        return betas[0], betas[1]

    def intercepts(self, beta: tuple[np.ndarray, np.ndarray], cell_sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Stratum intercepts ``alpha_{a,s} = ybar_{a,s} - xbar_{a,s}' beta_a`` (0 for an empty cell), per arm."""
        out = []
        for a in (0, 1):
            sizes = self.sizes[a::2]
            out.append(np.where(sizes > 0, cell_sums[a::2] / np.maximum(sizes, 1.0) - self.means[a::2] @ beta[a], 0.0))
        return out[0], out[1]

    def moments(self, alpha: np.ndarray, beta: np.ndarray, arms: tuple[int, ...]) -> tuple[float, float]:
        """Mean and variance (n denominator) of ``f(i) = alpha_{s(i)} + x_i' beta`` over the subjects of ``arms``."""
        count = total = squares = 0.0
        for a in arms:
            sizes, level = self.sizes[a::2], alpha + self.means[a::2] @ beta      # cell means of f
            count += sizes.sum()
            total += float(sizes @ level)
            # sum f^2 = sum n_c alpha^2 + 2 sum alpha (n_c xbar_c' beta) + beta' (sum x x') beta
            squares += float(sizes @ alpha ** 2 + 2.0 * (alpha * sizes) @ (self.means[a::2] @ beta)
                             + beta @ self.raw_gram[a] @ beta)
        mean = total / count
        return mean, squares / count - mean ** 2

    def parameters(self, a: int) -> int:
        """Slopes and stratum intercepts of arm a's fit beyond its mean: rank of its design - 1."""
        strata = int(np.count_nonzero(self.sizes[a::2]))
        slopes = int(np.linalg.matrix_rank(self.gram[a])) if self.gram[a].size else 0
        return slopes + strata - 1

    def stratum_covariance(self) -> np.ndarray:
        """``Sigma_X = sum_s (n_s / N) cov_s(X)`` over strata with n_s > 1 (N their total; ``cov_s``
        with the n_s - 1 denominator and both arms, as RobinCar2's weighted sum of R ``cov``)."""
        sizes = self.sizes.reshape(-1, 2).sum(axis=1)
        sums = (self.means * self.sizes[:, None]).reshape(self.n_strata, 2, -1).sum(axis=1)
        used = sizes > 1
        weight = np.where(used, sizes / np.where(used, sizes - 1.0, 1.0), 0.0) / sizes[used].sum()
        means = sums / np.maximum(sizes, 1.0)[:, None]
        p = self.cell_gram.shape[1]
        gram = np.einsum("s,sjk->jk", weight, self.cell_gram.reshape(self.n_strata, 2, p, p).sum(axis=1))
        return gram - np.einsum("s,sj,sk->jk", weight * sizes, means, means)

    def imbalance(self) -> np.ndarray:
        """Per (stratum, arm) cell, ``sum_{i in cell} (x_i - xbar_s)`` (p columns), xbar_s the stratum mean."""
        sums = self.means * self.sizes[:, None]
        sizes = self.sizes.reshape(-1, 2).sum(axis=1)
        stratum_means = sums.reshape(self.n_strata, 2, -1).sum(axis=1) / np.maximum(sizes, 1.0)[:, None]
        return sums - self.sizes[:, None] * np.repeat(stratum_means, 2, axis=0)


def _cell_order(cell: np.ndarray, n_cells: int) -> np.ndarray:
    """The rows' order by cell code, stable (numpy's radix sort on 8- or 16-bit codes when they fit)."""
    codes = cell.astype(np.uint8) if n_cells <= 1 << 8 else cell.astype(np.uint16) if n_cells <= 1 << 16 else cell
    return np.argsort(codes, kind="stable")


class Grouped:
    """An :class:`ArmProjection` summed over groups of subjects (each inside one (stratum, arm) cell).

    Parameters
    ----------
    projection : ArmProjection
    group : ndarray (n,) of int codes 0 .. n_groups - 1
    cell : ndarray (n_groups,) of int
        The (stratum, arm) cell, ``2 * stratum + arm``, of each group's subjects (any cell for an
        empty group: its outcome is set to 0).
    counts : ndarray (n_groups,)
        Subjects per group (as ``np.bincount(group)``; the caller usually has them already).
    """

    def __init__(self, projection: ArmProjection, group: np.ndarray, cell: np.ndarray, counts: np.ndarray):
        self.projection = projection
        self.counts = np.asarray(counts, dtype=float)
        self.cell = np.asarray(cell).astype(np.int64, copy=False)
        n_groups = self.cell.size
        x = projection.x
        group = np.asarray(group)[projection.order]                    # rows in x's order
        self.sums = np.empty((n_groups, x.shape[1]))
        for j in range(x.shape[1]):
            self.sums[:, j] = np.bincount(group, weights=x[:, j], minlength=n_groups)
        self.arm = self.cell % 2

    def slopes(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(beta_0, beta_1)`` of the outcome equal to ``values[g]`` for every subject of group g."""
        return self._slopes(values)[0]

    def fits(self, values: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """``((alpha_0, beta_0), (alpha_1, beta_1))``: stratum intercepts and slopes of each arm's fit."""
        beta, cell_sums = self._slopes(values)
        alpha = self.projection.intercepts(beta, cell_sums)
        return (alpha[0], beta[0]), (alpha[1], beta[1])

    def _slopes(self, values: np.ndarray):
        values = np.where(self.counts > 0, values, 0.0)
        cell_sums = np.bincount(self.cell, weights=self.counts * values, minlength=self.projection.sizes.size)
        cross = self.sums.T @ np.column_stack([values * (self.arm == 0), values * (self.arm == 1)])
        return self.projection._solve(cell_sums, cross), cell_sums
