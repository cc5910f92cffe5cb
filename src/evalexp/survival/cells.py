"""Two-arm survival data reduced to cell counts, and the statistics that depend on the arm only through them.

A *cell* is (stratum s, interval k, event e): subjects of stratum s whose time lies in
``[t_k, t_{k+1})`` between consecutive pooled event times (k = 0 before the first
event time) and whose event indicator is e. Everything the log-rank, the Cox score
test at beta = 0 and the Kaplan-Meier-based RMST need about the arm is the number
of treated subjects in each cell, ``x[s, k, e]``:

- treated at risk at ``t_k`` in stratum s: ``n1[s, k] = sum_{k' >= k} sum_e x[s, k', e]``;
- treated events at ``t_k``: ``d1[s, k] = x[s, k, 1]``.

So :class:`CellStatistics` takes the treated counts of the M non-empty cells for B
re-randomisations at once, a (B, M) array (one draw per row), and evaluates each
statistic for all of them with cumulative sums, gathers and matrix-vector products (used by :mod:`.logrank`
for the observed data and by :mod:`.permutation` for the randomisation distribution).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._utils import as_event_array, as_float_array, as_weight_array


@dataclass(frozen=True, eq=False)
class Cells:
    """Cell counts of two-arm (possibly stratified) survival data.

    Attributes
    ----------
    event_times : ndarray (K,)
        Pooled distinct event times.
    counts : ndarray (S, K + 1, 2)
        Subjects per cell.
    treated : ndarray (S, K + 1, 2)
        Observed treated subjects per cell.
    cell : ndarray (n,)
        Flat cell index of each subject (input order), ``(s * (K + 1) + k) * 2 + e``.
    """

    event_times: np.ndarray
    counts: np.ndarray
    treated: np.ndarray
    cell: np.ndarray

    @property
    def n_strata(self) -> int:
        return self.counts.shape[0]

    @property
    def arm_sizes(self) -> np.ndarray:
        """Treated subjects per stratum (fixed under re-randomisation)."""
        return self.treated.sum(axis=(1, 2))

    def at_risk(self) -> np.ndarray:
        """Subjects at risk at each event time per stratum, (S, K)."""
        return _at_risk(self.counts)

    def deaths(self) -> np.ndarray:
        """Events at each event time per stratum, (S, K)."""
        return self.counts[:, 1:, 1].astype(float)


def _at_risk(counts: np.ndarray) -> np.ndarray:
    """At risk at each event time from cell counts (S, K + 1, 2) -> (S, K)."""
    total = counts.sum(axis=-1)
    return np.cumsum(total[:, ::-1], axis=1)[:, ::-1][:, 1:].astype(float)


def build_cells(time, event, treated, strata=None, weights=None) -> Cells:
    """Reduce ``(time, event, treated[, strata])`` to :class:`Cells`; a row counts ``weights``
    times (frequency weights, :func:`evalexp.survival._utils.as_weight_array`; default once)."""
    time = as_float_array(time, "time")
    event = as_event_array(event, time.size).astype(np.int64)
    arm = np.asarray(treated).ravel()
    if arm.size != time.size or not np.all((arm == 0) | (arm == 1)):
        raise ValueError("treated must be coded 0/1, one value per row")
    if strata is None:
        codes = np.zeros(time.size, dtype=np.int64)
    else:
        codes = pd.factorize(np.asarray(strata).ravel(), sort=True)[0].astype(np.int64)
        if codes.size != time.size or (codes < 0).any():
            raise ValueError("strata must have one non-missing label per row")
    event_times = np.unique(time[event == 1])
    k = np.searchsorted(event_times, time, side="right")
    n_strata = int(codes.max()) + 1 if codes.size else 0
    n_k = event_times.size + 1
    cell = (codes * n_k + k) * 2 + event
    size = n_strata * n_k * 2
    if weights is None:
        counts = np.bincount(cell, minlength=size).reshape(n_strata, n_k, 2)
        treated_weight = arm.astype(float)
    else:
        w = as_weight_array(weights, time.size)
        counts = np.rint(np.bincount(cell, weights=w, minlength=size)).astype(np.int64).reshape(n_strata, n_k, 2)
        treated_weight = arm * w
    treated_counts = np.bincount(cell, weights=treated_weight, minlength=size)
    treated_counts = np.rint(treated_counts).astype(np.int64).reshape(n_strata, n_k, 2)
    return Cells(event_times=event_times, counts=counts, treated=treated_counts, cell=cell)


class CellStatistics:
    """The statistics of :class:`Cells` as functions of treated counts per non-empty cell.

    ``x`` has shape (B, M): B draws, M = ``len(self.cell_ids)`` non-empty cells in
    (stratum, interval, event) order (:meth:`observed` gives the actual assignment).
    Reverse cumulative sums over the cells of a stratum give the treated at risk at the
    (stratum, event time) pairs with events; the statistics are sums over those pairs.
    Rows are independent, so a few draws at a time keep the work in the CPU cache.

    Parameters
    ----------
    cells : Cells
    ties : {"efron", "breslow"}
        For the Cox score statistic.
    tau : float, optional
        Horizon of the RMST difference.
    """

    def __init__(self, cells: Cells, *, ties: str = "efron", tau: float | None = None):
        if ties not in ("efron", "breslow"):
            raise ValueError(f"ties must be 'efron' or 'breslow', not {ties!r}")
        self.cells = cells
        K1 = cells.counts.shape[1]
        flat = cells.counts.ravel()
        ids = np.flatnonzero(flat)
        self.cell_ids = ids
        cell_k = (ids // 2) % K1
        # (stratum, event time) pairs with events: n, d and where their counts are
        n_all, d_all = cells.at_risk(), cells.deaths()
        s_ev, k_ev = np.nonzero(d_all)
        self.n, self.d = n_all[s_ev, k_ev], d_all[s_ev, k_ev]
        self._first = np.searchsorted(ids, (s_ev * K1 + k_ev + 1) * 2)          # first cell at risk
        self._death_cell = np.searchsorted(ids, (s_ev * K1 + k_ev + 1) * 2 + 1)
        later = np.r_[np.cumsum(cells.arm_sizes[::-1])[::-1][1:], 0].astype(float)
        self._later_treated = later[s_ev]
        self._event_rows = (ids % 2).astype(float)
        n, d = self.n, self.d
        with np.errstate(divide="ignore", invalid="ignore"):
            self._lr_a = d / n
            self._lr_v = np.where(n > 1, d * (n - d) / (n * n * (n - 1)), 0.0)
        self._lr_vn = self._lr_v * n
        # Efron slots of every pair: den_l = n - f_l d, f_l = l / d (0 for Breslow)
        di = d.astype(np.int64)
        owner = np.repeat(np.arange(di.size), di)
        rank = np.arange(owner.size) - (np.cumsum(di) - di)[owner]
        f = rank / di[owner] if ties == "efron" else np.zeros(owner.size)
        den = n[owner] - f * di[owner]

        def per_pair(weights):
            return np.bincount(owner, weights=weights, minlength=di.size)

        self._a0, self._a1 = per_pair(1.0 / den), per_pair(f / den)
        self._b0, self._b1, self._b2 = per_pair(1.0 / den ** 2), per_pair(f / den ** 2), per_pair(f * f / den ** 2)
        self.tau = tau
        if tau is not None:
            t = cells.event_times
            k_tau = int(np.searchsorted(t, tau, side="right"))
            self._widths = np.diff(np.r_[0.0, t[:k_tau], tau])
            # pooled over strata: cells sorted by (interval, events first); reverse cumulative
            # sums from the first cell of interval k give the treated at risk at t_k, and up
            # to its first censored cell, the treated events at t_k
            key = 2 * cell_k + 1 - ids % 2
            self._by_k = np.argsort(key, kind="stable")
            self._first_k = np.searchsorted(key[self._by_k], 2 * np.arange(1, k_tau + 1))
            self._first_censored_k = np.searchsorted(key[self._by_k], 2 * np.arange(1, k_tau + 1) + 1)
            self._n_pooled = n_all.sum(axis=0)[:k_tau]
            self._d_pooled = d_all.sum(axis=0)[:k_tau]

    def observed(self) -> np.ndarray:
        """Treated counts of the actual assignment, shape (1, M)."""
        return self.cells.treated.ravel()[self.cell_ids][None, :].astype(float)

    def _at_risk_treated(self, x: np.ndarray) -> np.ndarray:
        """Treated at risk n1 at each (stratum, event time) pair, (B, pairs).

        ``n1`` = treated in the stratum's cells from the pair's interval on: a tail sum of x
        minus the treated of the later strata (a constant, the arm sizes being fixed).
        """
        tail = self._tail_sums(x)
        return tail[:, x.shape[1] - self._first] - self._later_treated

    @staticmethod
    def _tail_sums(x: np.ndarray) -> np.ndarray:
        """``tail[:, j]`` = sum of the last j columns of x (float), shape (B, M + 1)."""
        tail = np.zeros((x.shape[0], x.shape[1] + 1))
        np.cumsum(x[:, ::-1], axis=1, out=tail[:, 1:])
        return tail

    def logrank_parts(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Treated observed O, expected E and the variance V, summed over strata, each (B,).

        ``O = sum d1``, ``E = sum n1 d / n``, ``V = sum n1 (n - n1) d (n - d) / (n^2 (n - 1))``.
        """
        n1 = self._at_risk_treated(x)
        observed = x @ self._event_rows
        return observed, n1 @ self._lr_a, n1 @ self._lr_vn - (n1 * n1) @ self._lr_v

    def logrank(self, x: np.ndarray) -> np.ndarray:
        """(Stratified) Mantel-Haenszel chi-square ``(O - E)^2 / V`` (R ``survdiff``); 0 where ``V = 0``
        (no information: no rupture, or never both arms at risk at a rupture, where ``O = E``)."""
        observed, expected, variance = self.logrank_parts(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(variance > 0, (observed - expected) ** 2 / variance, 0.0)

    def cox_score(self, x: np.ndarray) -> np.ndarray:
        """Score statistic ``U(0)^2 / I(0)`` of the Cox model ``~ treated`` (+ strata) at beta = 0.

        With Efron ties ``p_l = (n1 - f_l d1) / (n - f_l d)``, ``U = sum (d1 - sum_l p_l)``,
        ``I = sum_l p_l (1 - p_l)`` (R ``coxph(...)$score``); with Breslow ``f_l = 0``.
        """
        n1, d1 = self._at_risk_treated(x), x[:, self._death_cell]
        mean = n1 * self._a0 - d1 * self._a1
        square = n1 * n1 * self._b0 - 2.0 * n1 * d1 * self._b1 + d1 * d1 * self._b2
        score = (d1 - mean).sum(axis=1)
        info = (mean - square).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(info > 0, score ** 2 / info, 0.0)    # U = 0 where I = 0, as for the log-rank

    def rmst_difference(self, x: np.ndarray) -> np.ndarray:
        """RMST(tau) of the treated KM minus the control KM (strata pooled), (B,)."""
        tail = self._tail_sums(x[:, self._by_k])
        m = x.shape[1]
        n1 = tail[:, m - self._first_k]
        d1 = n1 - tail[:, m - self._first_censored_k]
        return self._area(n1, d1) - self._area(self._n_pooled - n1, self._d_pooled - d1)

    def _area(self, n: np.ndarray, d: np.ndarray) -> np.ndarray:
        """Area under the KM curve up to tau from at-risk and event counts (B, K_tau)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            log_factor = np.where(n > 0, np.log1p(-np.where(n > 0, d / n, 0.0)), 0.0)
        surv = np.exp(np.cumsum(log_factor, axis=1))
        return self._widths[0] + surv @ self._widths[1:]
