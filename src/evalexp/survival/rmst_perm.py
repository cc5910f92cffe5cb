"""Studentised permutation test and interval for the RMST difference (Ditzhaus, Yu & Xu 2023).

The contract's RMST difference (:mod:`.rmst`) is a Wald test on the Greenwood-type
variance, whose type-I error exceeds the nominal level in small trials. Horiguchi & Uno
(2020, *Statistics in Medicine* 39:2655-2670; R ``survRM2perm::rmst2perm``) refer the RMST
difference itself to its permutation distribution, which is exact only when the arms are
exchangeable (same censoring too). Ditzhaus, Yu & Xu (2023, *Statistics in Medicine*
42:2226-2240) permute the *studentised* statistic ``T = (RMST_T - RMST_C) / se``, ``se``
recomputed in every permuted data set: exact under exchangeable arms and asymptotically
valid when the arms' censoring or survival differ, with an interval from the same draws.
A permuted arm whose curve stops before ``tau`` is held at its last value (as the contract's
RMST does; survRM2perm's "method 2").

Here the permutations are re-randomisations within the plan's strata (each stratum's arm
sizes fixed), ``B`` draws from ``SeedSequence(seed)``; with ``T*_b`` the permuted statistics::

    p = (1 + #{|T*_b| >= |T|}) / (1 + B)
    CI = difference -/+ q se,   q = the (1 - alpha) quantile of |T*_b| (the ceil((1 - alpha)(B + 1))-th smallest)

(the studentised-permutation interval, which excludes 0 when ``p <= alpha`` up to ties).
RMST and ``se`` are those of :func:`.rmst.restricted_mean` (survRM2's formula), computed
for all draws at once from at-risk and event counts at the pooled event times up to ``tau``.

Without any rupture up to ``tau`` every statistic is 0/0: p = 1 (every re-randomisation gives the
observed data) and the interval bounds the difference instead (method ``"wilson-bound"``): each
arm's RMST lies between ``tau (1 - F_a(tau))`` and ``tau`` (its curve is non-increasing), and
Wilson's score interval for no event among the arm's Kaplan-Meier effective size at ``tau``
(:mod:`.risk_small`) bounds ``F_a(tau)`` by ``u_a``, so ``CI = [-tau u_T, tau u_C]`` (Newcombe's
MOVER combination, the other arm's term being 0).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..results import Result, json_number, tidy_frame
from ._utils import as_arm_array, as_event_array, as_float_array, z_value
from .km import kaplan_meier
from .risk_small import effective_size, wilson

METHOD = "studentized-permutation"
#: Method of the interval when there is no rupture up to tau.
NO_RUPTURE_METHOD = "wilson-bound"
#: Draws evaluated at once (bounds memory to about (chunk x n) floats).
CHUNK = 2000
#: Relative tolerance of ``|T*| >= |T|``.
TIE_TOLERANCE = 1e-9


def _rmst_and_se(n_risk: np.ndarray, n_event: np.ndarray, widths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RMST and its survRM2 standard error per row of (draws, K) at-risk and event counts.

    ``widths`` (length K + 1): from 0 to the first event time, then from each event time to the
    next one (the last to tau).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n_risk > 0, 1.0 - n_event / n_risk, 1.0)
        surv = np.cumprod(factor, axis=1)
        pieces = np.concatenate([np.ones((surv.shape[0], 1)), surv], axis=1) * widths
        area = pieces.sum(axis=1)
        tail = np.cumsum(pieces[:, ::-1], axis=1)[:, ::-1][:, 1:]  # area from t_j to tau
        h = np.where((n_risk - n_event > 0) & (n_event > 0), n_event / (n_risk * (n_risk - n_event)), 0.0)
    return area, np.sqrt(np.sum(tail ** 2 * h, axis=1))


@dataclass(frozen=True)
class StudentizedPermutation:
    """Observed and permuted studentised RMST differences of one data set."""

    times: np.ndarray
    at_risk: np.ndarray   # (n, K): subject i at risk at event time j
    events: np.ndarray    # (n, K): subject i has its event at event time j
    widths: np.ndarray    # (K + 1,)

    @classmethod
    def build(cls, time: np.ndarray, event: np.ndarray, tau: float) -> StudentizedPermutation:
        times = np.unique(time[(event == 1) & (time <= tau)])
        widths = np.diff(np.r_[0.0, times, tau])
        at_risk = (time[:, None] >= times[None, :]).astype(float)
        events = ((time[:, None] == times[None, :]) & (event[:, None] == 1)).astype(float)
        return cls(times, at_risk, events, widths)

    def statistics(self, treated: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Difference, se and studentised statistic for each row of a (draws, n) 0/1 matrix."""
        y1, d1 = treated @ self.at_risk, treated @ self.events
        y_all, d_all = self.at_risk.sum(axis=0), self.events.sum(axis=0)
        m1, s1 = _rmst_and_se(y1, d1, self.widths)
        m0, s0 = _rmst_and_se(y_all - y1, d_all - d1, self.widths)
        diff, se = m1 - m0, np.hypot(s1, s0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(se > 0, diff / se, np.where(diff == 0, 0.0, np.inf * np.sign(diff)))
        return diff, se, t


def _rerandomise(arm: np.ndarray, blocks: np.ndarray, rng: np.random.Generator, draws: int) -> np.ndarray:
    """``draws`` re-randomisations of ``arm`` within ``blocks``, a (draws, n) float matrix."""
    keys = rng.random((draws, arm.size)) + blocks[None, :] * 2.0
    order = np.argsort(keys, axis=1)
    target = np.argsort(blocks, kind="stable")
    out = np.empty((draws, arm.size))
    out[:, target] = arm[order]
    return out


@dataclass(frozen=True, eq=False)
class RMSTPermutation(Result):
    """Studentised permutation test and interval of the RMST difference (see the module docstring)."""

    tau_days: int
    difference: float
    se: float
    statistic: float
    ci_low: float
    ci_high: float
    p_value: float
    permutations: int
    seed: int
    alpha: float = 0.05
    method: str = METHOD
    title: ClassVar[str] = "RMST difference, studentised permutation"

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([{"term": f"rmst difference (tau {self.tau_days}, {self.method})",
                            "estimate": self.difference, "std_error": self.se, "statistic": self.statistic,
                            "p_value": self.p_value, "ci_low": self.ci_low, "ci_high": self.ci_high}])

    def to_dict(self) -> dict[str, Any]:
        """The ``rmst.small_sample`` sibling object."""
        return {"method": self.method, "difference": json_number(self.difference), "se": json_number(self.se),
                "statistic": json_number(self.statistic), "ci_low": json_number(self.ci_low),
                "ci_high": json_number(self.ci_high), "p_value": json_number(self.p_value),
                "permutations": int(self.permutations), "seed": int(self.seed)}

    def conventions(self) -> str:
        return (f"Studentised permutation test of the RMST difference (Ditzhaus, Yu & Xu 2023), "
                f"{self.permutations} re-randomisations within strata, seed {self.seed}; interval "
                f"difference -/+ the {100 * (1 - self.alpha):g}% quantile of |T*| times se.")


def rmst_permutation(time, event, treated, tau: float, *, strata=None, permutations: int = 10000,
                     seed: int = 20101001, alpha: float = 0.05) -> RMSTPermutation:
    """Studentised permutation test and interval of the RMST difference at ``tau``.

    Parameters
    ----------
    time, event, treated : array_like
        Follow-up time, 0/1 event, 0/1 arm.
    tau : float
    strata : array_like, optional
        Randomisation blocks: the arm is re-randomised within them.
    permutations : int
        Number of re-randomisations ``B`` (at least 1).
    seed : int
    alpha : float
    """
    time = as_float_array(time, "time")
    event = as_event_array(event, time.size).astype(np.int64)
    arm = as_arm_array(treated, time.size).astype(float)
    if permutations < 1:
        raise ValueError("permutations must be >= 1")
    blocks = (np.zeros(time.size, dtype=np.int64) if strata is None
              else pd.factorize(pd.Series(np.asarray(strata).ravel()).astype(str))[0])
    calc = StudentizedPermutation.build(time, event, tau)
    diff, se, t = (float(v[0]) for v in calc.statistics(arm[None, :]))
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    permuted = np.concatenate([calc.statistics(_rerandomise(arm, blocks, rng, min(CHUNK, permutations - s)))[2]
                               for s in range(0, permutations, CHUNK)])
    magnitude = np.abs(permuted)
    exceed = int(np.count_nonzero(magnitude >= abs(t) * (1 - TIE_TOLERANCE)))
    rank = min(permutations, int(np.ceil((1 - alpha) * (permutations + 1))))
    q = float(np.sort(magnitude)[rank - 1])
    finite = np.isfinite(se) and se > 0 and np.isfinite(q)
    low, high = (diff - q * se, diff + q * se) if finite else (float("nan"), float("nan"))
    method = METHOD
    if not event[time <= tau].any():
        low, high = no_rupture_bounds(time, arm, tau, alpha)
        method = NO_RUPTURE_METHOD
    return RMSTPermutation(tau_days=int(tau), difference=diff, se=se, statistic=t, ci_low=low, ci_high=high,
                           p_value=(1 + exceed) / (1 + permutations), permutations=int(permutations),
                           seed=int(seed), alpha=alpha, method=method)


def no_rupture_bounds(time: np.ndarray, arm: np.ndarray, tau: float, alpha: float) -> tuple[float, float]:
    """The RMST difference's interval when nobody broke a contract up to ``tau`` (module docstring)."""
    z = z_value(alpha)
    upper = {}
    for flag in (1.0, 0.0):
        km = kaplan_meier(time[arm == flag], np.zeros(int(np.count_nonzero(arm == flag))))
        upper[flag] = wilson(0.0, effective_size(km, tau), z)[1]
    return -tau * upper[1.0], tau * upper[0.0]
