"""Aalen-Johansen cumulative incidence of one cause, with cmprsk's variance.

Estimate (R ``cmprsk::cuminc``; equal to ``survival::survfit`` with a multi-state status)::

    CIF_k(t) = sum_{t_j <= t} S(t_j-) d_kj / n_j

with ``S`` the all-cause Kaplan-Meier estimate, ``n_j`` the number at risk and ``d_kj``
the failures from cause ``k`` at the distinct time ``t_j``. Ties are deterministic: all
failures (of every cause) and censorings at ``t_j`` share the risk set ``n_j`` of
subjects with ``time >= t_j``, and censorings at ``t_j`` count as at risk at ``t_j``
(censoring after failure). No jittering (unlike lifelines' ``AalenJohansenFitter``).

Variance: the delta-method estimator of Gray's ``cinc`` Fortran routine in cmprsk
(Gray 1988; Marubini & Valsecchi 1995, section 10.2), transcribed exactly, including
its tie correction ``1 - (d - 1)/(n - 1)`` and its convention that the variance
changes only at failure times of the cause of interest (like ``cuminc``'s step output
and ``timepoints()``). With ``a_j = 1/S(t_j)`` and ``F = CIF_k``::

    other causes at t_j:  c_j = S(t_j-)^2 (1 - (m_j-1)/(n_j-1)) m_j / n_j^2,  u_j = a_j F(t_j)
    cause k at t_j:       c_j = S(t_j-)^2 (1 - (d_j-1)/(n_j-1)) d_j / n_j^2,  u_j = 1 + a_j F(t_j)
    v1 = sum c_j u_j^2,   v2 = sum c_j a_j u_j,   v3 = sum c_j a_j^2
    Var F(t) = v1 + F(t)^2 v3 - 2 F(t) v2

Confidence interval (cuminc reports only the variance): the log(-log) transform,
``F^exp(±z se / (F log F))``, which stays inside (0, 1); ``[0, 0]`` where ``F = 0``.

Beyond the group's largest follow-up time the estimate is undefined (NaN), as in
``cmprsk::timepoints``.

References: Gray, R. J. (1988), Ann. Statist. 16(3); R ``cmprsk::cuminc``, ``timepoints``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from ..results import Result, json_number, tidy_frame
from ..survival._utils import as_weight_array
from ._inputs import competing_arrays, tie_groups

#: Columns of :attr:`CumulativeIncidence.table` and of :meth:`CumulativeIncidence.at`.
CIF_COLUMNS = ["time", "cif", "std_err", "ci_low", "ci_high", "at_risk"]


@dataclass(frozen=True, eq=False)
class CumulativeIncidence(Result):
    """Aalen-Johansen cumulative incidence of one cause (see the module docstring).

    Attributes
    ----------
    cause : object
        The cause of interest.
    table : pandas.DataFrame
        The right-continuous step function: one row at time 0 (unless a failure of the
        cause happens at 0) and one per distinct failure time of the cause, columns
        :data:`CIF_COLUMNS` (``at_risk`` = number at risk just before that time).
    last_time : float
        Largest follow-up time; the estimate is undefined (NaN) after it.
    n : int
        Subjects.
    n_events : int
        Failures from the cause.
    alpha : float
        1 − confidence level of ``ci_low`` / ``ci_high``.
    """

    cause: Any
    table: pd.DataFrame
    last_time: float
    n: int
    n_events: int
    alpha: float = 0.05

    title: ClassVar[str] = "Cumulative incidence (Aalen-Johansen)"

    def at(self, times: Any) -> pd.DataFrame:
        """The step function at the given times: columns :data:`CIF_COLUMNS`.

        Times after :attr:`last_time` get NaN (``cmprsk::timepoints``); ``at_risk`` is the
        risk-set size at the last jump at or before each time.
        """
        times = np.atleast_1d(np.asarray(times, dtype=float))
        idx = np.searchsorted(self.table["time"].to_numpy(), times, side="right") - 1
        out = self.table.iloc[np.maximum(idx, 0)].reset_index(drop=True)
        out["time"] = times
        undefined = (idx < 0) | (times > self.last_time)
        out.loc[undefined, CIF_COLUMNS[1:]] = np.nan
        return out

    def tidy(self) -> pd.DataFrame:
        rows = [{"term": f"cif(t={r.time:g})", "estimate": r.cif, "std_error": r.std_err,
                 "ci_low": r.ci_low, "ci_high": r.ci_high} for r in self.table.itertuples()]
        return tidy_frame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {"cause": str(self.cause), "n": self.n, "n_events": self.n_events,
                "table": [{k: json_number(v) for k, v in row.items()}
                          for row in self.table.to_dict(orient="records")]}

    def conventions(self) -> str:
        return ("Aalen-Johansen CIF = sum S(t-) d_k/n (R cmprsk::cuminc); cuminc's delta-method "
                f"variance; {100 * (1 - self.alpha):g}% log(-log) CI.")


def log_log_interval(cif: np.ndarray, std_err: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """The log(-log) confidence interval ``F^exp(±z se / (F log F))`` of a probability ``F``.

    ``[0, 0]`` where ``F = 0`` and ``[1, 1]`` where ``F = 1`` (degenerate, as survfit).
    """
    cif = np.asarray(cif, dtype=float)
    std_err = np.asarray(std_err, dtype=float)
    z = stats.norm.isf(alpha / 2)
    inside = (cif > 0) & (cif < 1)
    safe = np.where(inside, cif, 0.5)
    half = z * std_err / np.abs(safe * np.log(safe))
    low = np.where(inside, safe ** np.exp(half), cif)
    high = np.where(inside, safe ** np.exp(-half), cif)
    return low, high


def cumulative_incidence(time: Any, status: Any, cause: Any = 1, *, cencode: Any = 0,
                         alpha: float = 0.05, weights: Any = None) -> CumulativeIncidence:
    """Aalen-Johansen cumulative incidence of ``cause`` with cmprsk's variance.

    Parameters
    ----------
    time : array-like
        Follow-up times (non-negative).
    status : array-like
        ``cencode`` for censored, else the cause label of the failure.
    cause : object
        The cause of interest (R ``cuminc``'s curve ``"<group> <cause>"``).
    cencode : object
        The censoring code (default 0).
    alpha : float
        For the (1 − alpha) log(-log) confidence interval.
    weights : array-like, optional
        Frequency weights: row ``i`` counts as ``weights[i]`` identical subjects
        (:func:`evalexp.survival._utils.as_weight_array`).

    Returns
    -------
    CumulativeIncidence

    Notes
    -----
    Matches ``cmprsk::cuminc(time, status)`` (estimate and variance) and the
    ``pstate`` of ``survival::survfit(Surv(time, factor(status)) ~ 1)``; see the module
    docstring for the formulas and tie conventions.
    """
    time, failed, of_cause = competing_arrays(time, status, cause, cencode)
    weight = as_weight_array(weights, time.size)
    order = np.argsort(time, kind="stable")
    time, failed, of_cause, weight = time[order], failed[order], of_cause[order], weight[order]
    times, first, _ = tie_groups(time)
    n = weight.sum()
    at_risk = n - np.concatenate(([0.0], np.cumsum(weight)))[first]
    d_cause = np.add.reduceat(of_cause * weight, first).astype(float)
    d_other = np.add.reduceat(failed * weight, first).astype(float) - d_cause
    d_all = d_cause + d_other

    surv_after = np.cumprod(1.0 - d_all / at_risk)
    surv_before = np.concatenate(([1.0], surv_after[:-1]))
    cif = np.cumsum(surv_before * d_cause / at_risk)

    def tie_factor(d: np.ndarray) -> np.ndarray:
        return np.where(d > 1, 1.0 - (d - 1.0) / np.maximum(at_risk - 1.0, 1.0), 1.0)

    positive = surv_after > 0
    inv_after = np.where(positive, 1.0 / np.where(positive, surv_after, 1.0), 0.0)
    other = (d_other > 0) & positive
    c_other = np.where(other, surv_before ** 2 * tie_factor(d_other) * d_other / at_risk ** 2, 0.0)
    u_other = inv_after * cif
    own = d_cause > 0
    c_own = np.where(own, surv_before ** 2 * tie_factor(d_cause) * d_cause / at_risk ** 2, 0.0)
    u_own = 1.0 + inv_after * cif
    v1 = np.cumsum(c_other * u_other ** 2 + c_own * u_own ** 2)
    v2 = np.cumsum((c_other * u_other + c_own * u_own) * inv_after)
    v3 = np.cumsum((c_other + c_own) * inv_after ** 2)
    variance = np.maximum(v1 + cif ** 2 * v3 - 2.0 * cif * v2, 0.0)

    jump_time, jump_cif = times[own], cif[own]
    jump_se, jump_risk = np.sqrt(variance[own]), at_risk[own]
    if jump_time.size == 0 or jump_time[0] > 0:
        jump_time = np.concatenate(([0.0], jump_time))
        jump_cif = np.concatenate(([0.0], jump_cif))
        jump_se = np.concatenate(([0.0], jump_se))
        jump_risk = np.concatenate(([float(n)], jump_risk))
    low, high = log_log_interval(jump_cif, jump_se, alpha)
    table = pd.DataFrame({"time": jump_time, "cif": jump_cif, "std_err": jump_se,
                          "ci_low": low, "ci_high": high, "at_risk": jump_risk.astype(np.int64)})
    return CumulativeIncidence(cause=cause, table=table, last_time=float(time[-1]), n=int(n),
                               n_events=int((of_cause * weight).sum()), alpha=alpha)
