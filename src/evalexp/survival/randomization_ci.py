"""Confidence intervals by inverting the randomisation test: hazard ratio and risk difference at the horizon.

The randomisation p-value (:mod:`.permutation`) tests the sharp null of no effect. Inverting
a family of randomisation tests of ``H0: effect = e0`` gives an interval: the set of the
effects ``e0`` that the test does not reject (Wang & Rosenberger 2020, "Randomization-based
interval estimation in randomized clinical trials", *Statistics in Medicine* 39,
doi:10.1002/sim.8577: test inversion on one fixed set of re-randomisations, endpoints by
bisection). Both intervals here use the same ``B`` re-randomisations ``z*_b`` of the arm within
the randomisation blocks (each block's arm sizes fixed; the draws of :mod:`.rmst_perm`, from
``SeedSequence(seed)``), the same for every candidate effect, and::

    p(e0) = (1 + #{b : T(e0; z*_b) >= T(e0; Z)}) / (1 + B)        CI = {e0 : p(e0) > alpha}

(``Z`` the actual assignment; relative tolerance 1e-9 on ``>=``). ``p > alpha`` keeps the
package's rule "reject when p <= alpha", so the interval excludes the null value exactly when
the p-value at it is at most alpha.

**Log hazard ratio** (score test with offset). For a candidate ``b0``, the Cox partial-likelihood
score of the arm ``z`` with offset ``b0 Z``, stratified by the blocks, with the plan's ties (Efron,
or Breslow: ``f_l = 0``)::

    U(b0; z) = sum_{s,k} [ d1_sk(z) - sum_{l < d_sk} r_skl(z) ],   I(b0; z) = sum_{s,k,l} r_skl(z) (1 - r_skl(z)),
    r_skl(z) = (e^b0 (A_sk(z) - f_l DA_sk(z)) + C_sk(z) - f_l DC_sk(z))
               / (e^b0 (n1_sk - f_l m1_sk) + n0_sk - f_l m0_sk),       f_l = l / d_sk,

at the event times ``t_k`` of block ``s`` (``d`` events, ``d1(z)`` those with ``z = 1``, ``n1`` /
``n0`` at risk in the actual treatment / control arm, ``A(z)`` / ``C(z)`` those of them with
``z = 1``; ``m1``, ``m0``, ``DA(z)``, ``DC(z)`` the same among the ``d`` events), and ``T = U^2 / I``.
At ``z = Z`` it is the Cox score test of ``beta = b0`` (R ``coxph(Surv(time, event) ~ treated +
strata(s), ties = ties, init = b0, iter.max = 0)$score``).
At ``b0 = 0`` the test is exact under the sharp null of no effect (the outcomes do not depend on
the assignment); for ``b0 != 0`` outcomes under another assignment are not determined by a
proportional-hazards model, and the test is the studentised randomisation test, asymptotically
valid under ``H0: beta = b0`` with proportional hazards (Chung & Romano 2013, *Annals of
Statistics* 41:484-507: ``U(b0; Z) / sqrt(I(b0; Z))`` and ``U(b0; z*) / sqrt(I(b0; z*))`` both tend
to N(0, 1)). Its coverage is measured by ``evalexp calibrate``. The estimate is the Cox
partial-likelihood estimate with the same ties (the root of ``U(b; Z)``, where ``p = 1``); each limit is found by
stepping away from it until ``p <= alpha`` (at most :data:`MAX_DISTANCE` on the log scale, else the
limit is infinite) and bisecting to :data:`TOLERANCE` on the log scale; the reported limit is the
last value with ``p > alpha``. ``p(b0)`` is a step function, not always monotone on each side:
bisection finds one crossing of ``alpha`` between the last accepted and the first rejected value.

**Risk difference at the horizon** (studentised shift). With ``RD(z)`` the Kaplan-Meier risk
difference ``(1 - S_1(h)) - (1 - S_0(h))`` of the arms defined by ``z`` (strata pooled, as the
contract's risk difference) and ``se(z)`` its Greenwood standard error,
``T(d0; Z) = |RD(Z) - d0| / se(Z)`` and ``T(d0; z*) = |RD(z*)| / se(z*)`` (the shift ``d0`` moves the
observed statistic only: the studentised re-randomisation distribution does not depend on it, as
in Ditzhaus, Yu & Xu 2023 for the RMST, :mod:`.rmst_perm`). The inversion is then closed-form:
``CI = RD -/+ q se``, ``q`` the ``ceil((1 - alpha)(B + 1))``-th smallest ``|T*|`` (infinite when
``alpha (B + 1) < 1``); exact at ``d0 = 0`` under the sharp null, asymptotically valid otherwise.

**No rupture** (at all, for the hazard ratio; up to the horizon, for the risk difference): every
re-randomisation gives the observed data, the test has no information and rejects no effect: the
intervals are ``[0, inf)`` and ``[-1, 1]``, with p = 1 (the studentised shift's ``se`` is 0 there,
which would otherwise give the single point 0).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..results import Result, json_number, tidy_frame
from ._utils import as_arm_array, as_event_array, as_float_array
from .rmst_perm import CHUNK, _rerandomise

HR_METHOD = "randomization-score-inversion"
RD_METHOD = "randomization-studentized-inversion"
#: Relative tolerance of ``T* >= T``.
TIE_TOLERANCE = 1e-9
#: Bisection stops when the bracket of a limit is narrower than this (log hazard ratio).
TOLERANCE = 1e-4
#: Largest distance from the estimate searched for a limit (log scale; beyond: infinite).
MAX_DISTANCE = 20.0
#: Largest ``permutations x events`` for which :mod:`.analysis` computes the intervals: the
#: score needs four int32 counts per draw and (block, event time), at most 16 x this many bytes.
MAX_CELLS = 15_000_000


def _segment_sums(values: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``sum(values[:, start_j:end_j])`` for every j, rows at once (reverse cumulative sums)."""
    tail = np.zeros((values.shape[0], values.shape[1] + 1))
    tail[:, :-1] = np.cumsum(values[:, ::-1], axis=1)[:, ::-1]
    return tail[:, start] - tail[:, end]


@dataclass(frozen=True, eq=False)
class _ScoreParts:
    """What ``U(b0; z)`` and ``I(b0; z)`` need, for the actual assignment and every draw.

    Per (block, event time) k: ``n1``, ``n0`` at risk and ``m1``, ``m0`` events by actual arm (K,);
    ``a``, ``c`` at risk and ``da``, ``dc`` events with ``z = 1`` among the actual treated /
    controls, (draws, K) int32; ``e`` (draws,): events with ``z = 1``. Row 0 is the actual
    assignment. The terms of the score: ``column`` (K',) the k of each term, ``fraction`` its
    ``f_l`` and ``weight`` its multiplicity (Efron: one term per event, weight 1; Breslow: one term
    per event time, ``f = 0``, weight ``d``).
    """

    n1: np.ndarray
    n0: np.ndarray
    m1: np.ndarray
    m0: np.ndarray
    a: np.ndarray
    c: np.ndarray
    da: np.ndarray
    dc: np.ndarray
    e: np.ndarray
    column: np.ndarray
    fraction: np.ndarray
    weight: np.ndarray

    def statistic(self, b0: float, rows: slice = slice(None)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``T = U^2 / I``, ``U`` and ``I`` at ``b0`` for the given rows (default: all)."""
        w, k, f = np.exp(b0), self.column, self.fraction
        # > 0: an event's own weight stays in its risk set (f < 1)
        inverse = 1.0 / (w * (self.n1[k] - f * self.m1[k]) + self.n0[k] - f * self.m0[k])
        r = (w * self.a[rows] + self.c[rows])[:, k]
        r -= f * (w * self.da[rows] + self.dc[rows])[:, k]
        r *= inverse
        expected = r @ self.weight
        r *= r
        u = self.e[rows] - expected
        info = expected - r @ self.weight
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(info > 0, u ** 2 / info, np.where(np.abs(u) < 1e-12, 0.0, np.inf))
        return t, u, info

    def p_value(self, b0: float) -> float:
        """``p(b0)`` (NaN when the actual assignment's statistic is undefined)."""
        observed = self.statistic(b0, slice(0, 1))[0][0]
        if np.isnan(observed):
            return float("nan")
        rows = self.e.size
        exceed = sum(int(np.count_nonzero(self.statistic(b0, slice(lo, min(lo + CHUNK, rows)))[0]
                                          >= observed * (1 - TIE_TOLERANCE)))
                     for lo in range(1, rows, CHUNK))
        return float((1 + exceed) / rows)


def _draws(arm: np.ndarray, blocks: np.ndarray, permutations: int, seed: int) -> Iterator[np.ndarray]:
    """The ``permutations`` re-randomisations of ``arm`` within ``blocks``, in chunks of (draws, n) 0/1 rows."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    for done in range(0, permutations, CHUNK):
        yield _rerandomise(arm, blocks, rng, min(CHUNK, permutations - done))


@dataclass(frozen=True, eq=False)
class _ScoreIndex:
    """Where the (block, event time) risk sets are once subjects are sorted by block, time and event.

    ``order`` sorts the subjects (within a time, events first); risk set k is
    ``[start_k, end_k)`` of the sorted subjects, its ``d_k`` events ``[start_k, start_k + d_k)``;
    ``treated`` and ``event`` are the sorted actual arm and event indicator; ``ties`` the plan's.
    """

    order: np.ndarray
    start: np.ndarray
    end: np.ndarray
    d: np.ndarray
    treated: np.ndarray
    event: np.ndarray
    ties: str

    @classmethod
    def build(cls, time: np.ndarray, event: np.ndarray, arm: np.ndarray, blocks: np.ndarray,
              ties: str) -> _ScoreIndex:
        order = np.lexsort((-event, time, blocks))
        t, e, b = time[order], event[order], blocks[order]
        starts, ends, deaths = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0, np.int64)]
        for s in np.unique(b):
            lo, hi = np.searchsorted(b, s, "left"), np.searchsorted(b, s, "right")
            times, counts = np.unique(t[lo:hi][e[lo:hi] == 1], return_counts=True)
            starts.append(lo + np.searchsorted(t[lo:hi], times, "left"))
            ends.append(np.full(times.size, hi, dtype=np.int64))
            deaths.append(counts)
        return cls(order, np.concatenate(starts), np.concatenate(ends), np.concatenate(deaths), arm[order],
                   e.astype(float), ties)

    def reduce(self, rows: np.ndarray) -> tuple[np.ndarray, ...]:
        """``a``, ``c``, ``da``, ``dc`` and ``e`` of :class:`_ScoreParts` for (draws, n) assignments in
        input order."""
        z = rows[:, self.order]
        stop = self.start + self.d
        sums = (_segment_sums(z * self.treated, self.start, self.end),
                _segment_sums(z * (1 - self.treated), self.start, self.end),
                _segment_sums(z * self.treated, self.start, stop),
                _segment_sums(z * (1 - self.treated), self.start, stop))
        return (*(np.rint(x).astype(np.int32) for x in sums), z @ self.event)

    def parts(self, reduced: list[tuple[np.ndarray, ...]]) -> _ScoreParts:
        """:class:`_ScoreParts` from the reductions of the actual assignment (first) and the draws."""
        n1, n0, m1, m0 = (x[0].astype(float) for x in self.reduce(np.ones((1, self.order.size)))[:4])
        # (the all-ones "assignment" counts everyone: its A, C, DA, DC are the actual arms' counts)
        a, c, da, dc, e = (np.concatenate(x) for x in zip(*reduced))
        if self.ties == "efron":
            column = np.repeat(np.arange(self.d.size), self.d)
            fraction = (np.arange(column.size) - np.repeat(np.cumsum(self.d) - self.d, self.d)) / self.d[column]
            weight = np.ones(column.size)
        else:
            column, fraction, weight = np.arange(self.d.size), np.zeros(self.d.size), self.d.astype(float)
        return _ScoreParts(n1, n0, m1, m0, a, c, da, dc, e, column, fraction, weight)


def _root(f: Callable[[float], float], inside: float, outside: float) -> tuple[float, float]:
    """Bisect between ``inside`` (``f`` true) and ``outside`` (false) to :data:`TOLERANCE`."""
    while abs(outside - inside) > TOLERANCE:
        mid = 0.5 * (inside + outside)
        if f(mid):
            inside = mid
        else:
            outside = mid
    return inside, outside


def _limit(accepted: Callable[[float], bool], estimate: float, step: float, direction: int,
           reach: float = MAX_DISTANCE) -> float:
    """The last accepted log HR on one side of ``estimate`` (infinite beyond ``reach``)."""
    inside, distance = estimate, step
    while accepted(estimate + direction * distance):
        inside = estimate + direction * distance
        if distance >= reach:
            return direction * np.inf
        distance = min(2 * distance, reach)
    return _root(accepted, inside, estimate + direction * distance)[0]


def _cox_estimate(parts: _ScoreParts) -> float:
    """Root of the actual assignment's score ``U(b; Z)`` (decreasing in b): ``-inf`` when the score is
    negative down to ``-MAX_DISTANCE`` (no rupture in the treatment arm), ``inf`` when it is positive up
    to ``MAX_DISTANCE`` (none in the control arm), NaN when it is zero (no rupture at all)."""
    def score(b: float) -> float:
        return float(parts.statistic(b, slice(0, 1))[1][0])

    low, high = -MAX_DISTANCE, MAX_DISTANCE
    at_low, at_high = score(low), score(high)
    if at_low <= 0 and at_high < 0:
        return -np.inf
    if at_low > 0 and at_high >= 0:
        return np.inf
    if not at_low > 0 > at_high:
        return float("nan")
    while high - low > 1e-10:
        mid = 0.5 * (low + high)
        low, high = (mid, high) if score(mid) > 0 else (low, mid)
    return 0.5 * (low + high)


def _km_risk(at_risk: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Risk ``1 - S`` at the horizon and its Greenwood variance per row of (draws, K) counts."""
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, 1.0 - events / at_risk, 1.0)
        surv = np.prod(factor, axis=1)
        terms = np.where((at_risk - events > 0) & (events > 0), events / (at_risk * (at_risk - events)), 0.0)
    return 1.0 - surv, surv ** 2 * terms.sum(axis=1)


@dataclass(frozen=True, eq=False)
class _RiskIndex:
    """Kaplan-Meier risk sets up to the horizon (strata pooled) once subjects are sorted by time."""

    order: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    event: np.ndarray
    at_risk: np.ndarray
    deaths: np.ndarray

    @classmethod
    def build(cls, time: np.ndarray, event: np.ndarray, day: float) -> _RiskIndex:
        order = np.argsort(time, kind="stable")
        t, e = time[order], event[order].astype(float)
        times = np.unique(t[(e == 1) & (t <= day)])
        start, stop = np.searchsorted(t, times, "left"), np.searchsorted(t, times, "right")
        return cls(order, start, stop, e, (t.size - start).astype(float), _segment_sums(e[None, :], start, stop)[0])

    def reduce(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Risk difference (treatment - control) and Greenwood se at the horizon for (draws, n) assignments."""
        z = rows[:, self.order]
        y1 = _segment_sums(z, self.start, np.full(self.start.size, z.shape[1]))
        d1 = _segment_sums(z * self.event, self.start, self.stop)
        r1, v1 = _km_risk(y1, d1)
        r0, v0 = _km_risk(self.at_risk - y1, self.deaths - d1)
        return r1 - r0, np.sqrt(v1 + v0)


def _reduce(time: np.ndarray, event: np.ndarray, arm: np.ndarray, blocks: np.ndarray, day: float,
            permutations: int, seed: int, ties: str) -> tuple[_ScoreParts, np.ndarray, np.ndarray]:
    """Score parts, risk differences and their se for the actual assignment (row 0) and the draws."""
    score, risk = _ScoreIndex.build(time, event, arm, blocks, ties), _RiskIndex.build(time, event, day)
    scored, risks = [score.reduce(arm[None, :])], [risk.reduce(arm[None, :])]
    for rows in _draws(arm, blocks, permutations, seed):  # one chunk of draws in memory at a time
        scored.append(score.reduce(rows))
        risks.append(risk.reduce(rows))
    diff, se = (np.concatenate(x) for x in zip(*risks))
    return score.parts(scored), diff, se


def _hr_scale(log_value: float) -> float | None:
    """``exp(log_value)`` for JSON: 0 for ``-inf`` (a lower limit at a hazard ratio of 0); None when the
    log value is ``inf`` (an upper limit at infinity: the block's ``ci_high_unbounded``) or NaN."""
    return 0.0 if log_value == -np.inf else json_number(np.exp(log_value)) if np.isfinite(log_value) else None


@dataclass(frozen=True, eq=False)
class RandomizationIntervals(Result):
    """Randomisation-test-inversion intervals of the hazard ratio and the risk difference.

    Attributes
    ----------
    log_hr : float
        Cox partial-likelihood estimate (stratified by the blocks, ties ``ties``); ``-inf`` / ``inf``
        when the treatment / control arm has no rupture (monotone likelihood).
    log_hr_ci_low, log_hr_ci_high : float
        Limits ``{b0 : p(b0) > alpha}`` on the log scale (``-inf`` / ``inf`` when beyond the search:
        with an arm without rupture the interval is one-sided, ``[0, high]`` or ``[low, inf)`` on the
        hazard-ratio scale).
    log_hr_p_value : float
        ``p(0)``: the randomisation p-value of the Cox score statistic.
    day : int
        Horizon of the risk difference.
    difference, se : float
        Kaplan-Meier risk difference (treatment - control) and its Greenwood se.
    rd_ci_low, rd_ci_high, rd_p_value : float
        Studentised randomisation interval and p-value at ``0``.
    permutations, seed : int
    ties : str
    alpha : float
    """

    log_hr: float
    log_hr_ci_low: float
    log_hr_ci_high: float
    log_hr_p_value: float
    day: int
    difference: float
    se: float
    rd_ci_low: float
    rd_ci_high: float
    rd_p_value: float
    permutations: int
    seed: int
    ties: str = "efron"
    alpha: float = 0.05
    title: ClassVar[str] = "Randomisation-based confidence intervals"

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([
            {"term": f"log hazard ratio ({HR_METHOD})", "estimate": self.log_hr, "p_value": self.log_hr_p_value,
             "ci_low": self.log_hr_ci_low, "ci_high": self.log_hr_ci_high},
            {"term": f"risk difference (day {self.day}, {RD_METHOD})", "estimate": self.difference,
             "std_error": self.se, "p_value": self.rd_p_value, "ci_low": self.rd_ci_low,
             "ci_high": self.rd_ci_high}])

    def to_dict(self) -> dict[str, Any]:
        """The ``ci`` object of ``survival.randomization_inference`` (hazard ratio limits on the HR scale)."""
        return {
            "permutations": int(self.permutations), "seed": int(self.seed), "level": 1 - self.alpha,
            "hazard_ratio": {"method": HR_METHOD, "ties": self.ties, "log_hr": json_number(self.log_hr),
                             "hr": json_number(np.exp(self.log_hr)) if np.isfinite(self.log_hr) else None,
                             "ci_low": _hr_scale(self.log_hr_ci_low),
                             "ci_high": _hr_scale(self.log_hr_ci_high),
                             "ci_high_unbounded": bool(self.log_hr_ci_high == np.inf),
                             "p_value": json_number(self.log_hr_p_value)},
            "risk_difference": {"method": RD_METHOD, "day": int(self.day),
                                "difference": json_number(self.difference), "se": json_number(self.se),
                                "ci_low": json_number(self.rd_ci_low), "ci_high": json_number(self.rd_ci_high),
                                "p_value": json_number(self.rd_p_value)},
        }

    def conventions(self) -> str:
        return (f"Randomisation-test inversion on {self.permutations} re-randomisations within strata "
                f"(seed {self.seed}): {100 * (1 - self.alpha):g}% CI = effects with p > {self.alpha:g}; "
                f"hazard ratio: Cox score with offset ({self.ties} ties), studentised; risk difference at day "
                f"{self.day}: studentised shift.")


def randomization_intervals(time, event, treated, day: float, *, strata=None, permutations: int = 10000,
                            seed: int = 20101001, ties: str = "efron", alpha: float = 0.05) -> RandomizationIntervals:
    """Randomisation-test-inversion CIs of the hazard ratio and of the risk difference at ``day``.

    Parameters
    ----------
    time, event, treated : array_like
        Follow-up time, 0/1 event, 0/1 arm.
    day : float
        Horizon of the risk difference.
    strata : array_like, optional
        Randomisation blocks: re-randomisation within them; the score is stratified by them.
    permutations : int
        Number of re-randomisations ``B`` (at least 1), the same for every candidate effect.
    seed : int
        Seed of ``numpy.random.SeedSequence`` (the draws of :func:`.rmst_perm.rmst_permutation`).
    ties : {"efron", "breslow"}
        Ties of the Cox score (and of the estimate).
    alpha : float

    Notes
    -----
    See the module docstring for the statistics, the inversion and its validity.
    """
    time = as_float_array(time, "time")
    event = as_event_array(event, time.size).astype(np.int64)
    arm = as_arm_array(treated, time.size).astype(float)
    if permutations < 1:
        raise ValueError("permutations must be >= 1")
    if ties not in ("efron", "breslow"):
        raise ValueError(f"ties must be 'efron' or 'breslow', got {ties!r}")
    blocks = (np.zeros(time.size, dtype=np.int64) if strata is None
              else pd.factorize(pd.Series(np.asarray(strata).ravel()).astype(str))[0])
    parts, diff, se = _reduce(time, event, arm, blocks, day, permutations, seed, ties)
    estimate = _cox_estimate(parts)
    low = high = float("nan")

    def accepted(b0: float) -> bool:
        return parts.p_value(b0) > alpha

    if np.isfinite(estimate):
        info = float(parts.statistic(estimate, slice(0, 1))[2][0])
        step = max(0.5 / np.sqrt(info), 0.05) if info > 0 else 0.5
        low, high = _limit(accepted, estimate, step, -1), _limit(accepted, estimate, step, 1)
    elif not event.any():
        # no rupture at all: the score and its information vanish at every b0, no value is rejected
        low, high = -np.inf, np.inf
    elif np.isinf(estimate):
        # an arm without rupture: the interval is one-sided, from the far end of the search
        # (where the statistic vanishes and every re-randomisation is at least as extreme)
        far = float(np.sign(estimate)) * MAX_DISTANCE
        if accepted(far):
            limit = _limit(accepted, far, 0.5, -int(np.sign(estimate)), reach=2 * MAX_DISTANCE)
            low, high = (-np.inf, limit) if estimate < 0 else (limit, np.inf)

    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, np.abs(diff) / se, np.where(diff == 0, 0.0, np.inf))
    magnitude = t[1:]
    rd_p = float((1 + np.count_nonzero(magnitude >= t[0] * (1 - TIE_TOLERANCE))) / (1 + permutations))
    # p(d0) > alpha  <=>  #{|T*| >= T(d0)} >= m = floor(alpha (B + 1))  <=>  T(d0) <= the m-th largest |T*|
    m = int(np.floor(alpha * (permutations + 1) + 1e-9))
    q = float(np.sort(magnitude)[permutations - m]) if m >= 1 else np.inf
    ok = se[0] > 0 and np.isfinite(se[0])
    rd_low, rd_high = (float(diff[0] - q * se[0]), float(diff[0] + q * se[0])) if ok else (np.nan, np.nan)
    if not event[time <= day].any():
        # no rupture up to the day: every re-randomisation gives risks 0 and 0, no information on the difference
        rd_low, rd_high, rd_p, ok = -1.0, 1.0, 1.0, True
    return RandomizationIntervals(
        log_hr=estimate, log_hr_ci_low=float(low), log_hr_ci_high=float(high), log_hr_p_value=parts.p_value(0.0),
        day=int(day), difference=float(diff[0]), se=float(se[0]), rd_ci_low=rd_low, rd_ci_high=rd_high,
        rd_p_value=rd_p if ok else float("nan"), permutations=int(permutations), seed=int(seed), ties=ties,
        alpha=alpha)
