"""Two-arm survival data reduced to cell counts, and the statistics that depend on the arm only through them.

A *cell* is (stratum s, interval k, event e): subjects of stratum s whose time lies in
``[t_k, t_{k+1})`` between consecutive pooled event times (k = 0 before the first
event time) and whose event indicator is e. Everything the log-rank, the Cox score
test at beta = 0 and the Kaplan-Meier-based RMST need about the arm is the number
of treated subjects in each cell, ``x[s, k, e]``:

- treated at risk at ``t_k`` in stratum s: ``n1[s, k] = sum_{k' >= k} sum_e x[s, k', e]``;
- treated events at ``t_k``: ``d1[s, k] = x[s, k, 1]``.

So the statistics below take ``x`` with a leading axis of B re-randomisations and are
evaluated for all of them with array operations (used by :mod:`.logrank` for the
observed data and by :mod:`.permutation` for the randomisation distribution).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._utils import as_event_array, as_float_array


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
    stratum : ndarray (n,)
        Stratum code of each subject.
    """

    event_times: np.ndarray
    counts: np.ndarray
    treated: np.ndarray
    cell: np.ndarray
    stratum: np.ndarray

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


def _at_risk(x: np.ndarray) -> np.ndarray:
    """At risk at each event time from cell counts ``(..., K + 1, 2)`` -> ``(..., K)``."""
    total = x.sum(axis=-1)
    return np.flip(np.cumsum(np.flip(total, axis=-1), axis=-1), axis=-1)[..., 1:].astype(float)


def build_cells(time, event, treated, strata=None) -> Cells:
    """Reduce ``(time, event, treated[, strata])`` to :class:`Cells`."""
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
    counts = np.bincount(cell, minlength=size).reshape(n_strata, n_k, 2)
    treated_counts = np.bincount(cell, weights=arm.astype(float), minlength=size)
    treated_counts = np.rint(treated_counts).astype(np.int64).reshape(n_strata, n_k, 2)
    return Cells(event_times=event_times, counts=counts, treated=treated_counts, cell=cell, stratum=codes)


class CellStatistics:
    """The statistics of :class:`Cells` as functions of treated counts ``x`` of shape (B, S, K + 1, 2).

    Parameters
    ----------
    cells : Cells
    ties : {"efron", "breslow"}
        For the Cox score statistic.
    tau : float, optional
        Horizon of the RMST difference.
    """

    def __init__(self, cells: Cells, *, ties: str = "efron", tau: float | None = None):
        self.cells = cells
        n = cells.at_risk()
        d = cells.deaths()
        self.n, self.d = n, d
        with np.errstate(divide="ignore", invalid="ignore"):
            self._lr_a = np.where(n > 0, d / n, 0.0)
            self._lr_v = np.where(n > 1, d * (n - d) / (n * n * (n - 1)), 0.0)
        # Efron slots of every (s, k) with events: den_l = n - f_l d, f_l = l / d (0 for Breslow)
        flat_d = d.ravel().astype(np.int64)
        owner = np.repeat(np.arange(flat_d.size), flat_d)
        first = np.cumsum(flat_d) - flat_d
        rank = np.arange(owner.size) - first[owner]
        f = rank / flat_d[owner] if ties == "efron" else np.zeros(owner.size)
        den = n.ravel()[owner] - f * flat_d[owner]

        def per_cell(weights):
            return np.bincount(owner, weights=weights, minlength=flat_d.size).reshape(d.shape)

        self._a0, self._a1 = per_cell(1.0 / den), per_cell(f / den)
        self._b0, self._b1, self._b2 = per_cell(1.0 / den ** 2), per_cell(f / den ** 2), per_cell(f * f / den ** 2)
        self.tau = tau
        if tau is not None:
            t = cells.event_times
            self._k_tau = int(np.searchsorted(t, tau, side="right"))
            nodes = np.r_[0.0, t[:self._k_tau]]
            self._widths = np.diff(np.r_[nodes, tau])
            self._n_pooled = n.sum(axis=0)[:self._k_tau]
            self._d_pooled = d.sum(axis=0)[:self._k_tau]

    @staticmethod
    def _arm_counts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _at_risk(x), x[..., 1:, 1].astype(float)

    def logrank_parts(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Treated observed O, expected E and the variance V, summed over strata, each (B,)."""
        n1, d1 = self._arm_counts(x)
        observed = d1.sum(axis=(-2, -1))
        expected = (n1 * self._lr_a).sum(axis=(-2, -1))
        variance = (n1 * (self.n - n1) * self._lr_v).sum(axis=(-2, -1))
        return observed, expected, variance

    def logrank(self, x: np.ndarray) -> np.ndarray:
        """(Stratified) Mantel-Haenszel chi-square ``(O - E)^2 / V`` (R ``survdiff``)."""
        observed, expected, variance = self.logrank_parts(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (observed - expected) ** 2 / variance

    def cox_score(self, x: np.ndarray) -> np.ndarray:
        """Score statistic ``U(0)^2 / I(0)`` of the Cox model ``~ treated`` (+ strata) at beta = 0.

        With Efron ties ``p_l = (n1 - f_l d1) / (n - f_l d)``, ``U = sum (d1 - sum_l p_l)``,
        ``I = sum_l p_l (1 - p_l)`` (R ``coxph(...)$score``); with Breslow ``f_l = 0``.
        """
        n1, d1 = self._arm_counts(x)
        mean = n1 * self._a0 - d1 * self._a1
        square = n1 * n1 * self._b0 - 2.0 * n1 * d1 * self._b1 + d1 * d1 * self._b2
        score = (d1 - mean).sum(axis=(-2, -1))
        info = (mean - square).sum(axis=(-2, -1))
        with np.errstate(divide="ignore", invalid="ignore"):
            return score ** 2 / info

    def rmst_difference(self, x: np.ndarray) -> np.ndarray:
        """RMST(tau) of the treated KM minus the control KM (strata pooled), (B,)."""
        n1, d1 = self._arm_counts(x)
        n1 = n1.sum(axis=-2)[..., :self._k_tau]
        d1 = d1.sum(axis=-2)[..., :self._k_tau]
        return self._area(n1, d1) - self._area(self._n_pooled - n1, self._d_pooled - d1)

    def _area(self, n: np.ndarray, d: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            log_factor = np.where(n > 0, np.log1p(-np.where(n > 0, d / n, 0.0)), 0.0)
        surv = np.exp(np.cumsum(log_factor, axis=-1))
        return self._widths[0] + (surv * self._widths[1:]).sum(axis=-1)
