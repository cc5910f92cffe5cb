"""Kaplan-Meier estimator with Greenwood variance and log-log confidence intervals.

Conventions are those of R ``survfit(Surv(time, event) ~ 1, conf.type = "log-log")``
(survival 3.x): the step table has one row per distinct observed time (event or
censoring); ``std_err`` is the Greenwood standard error of S(t) (what
``summary.survfit`` prints); the median and its confidence limits follow
``quantile.survfit`` (first time the curve, resp. the upper and lower limits,
fall to 0.5 or below, with R's midpoint rule when a curve is flat at exactly 0.5).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..results import Result, json_number, tidy_frame
from ._utils import as_event_array, as_float_array, as_weight_array, z_value

#: R's tolerance in ``quantile.survfit`` (``sqrt(.Machine$double.eps)``).
_QUANTILE_TOL = float(np.sqrt(np.finfo(float).eps))


def _distinct_counts(time: np.ndarray, event: np.ndarray, weights: np.ndarray | None = None):
    """Distinct times and, per time, the number of subjects and of events (vectorised).

    With frequency ``weights``, a row counts as that many subjects.
    """
    if time.size and np.all(time == np.round(time)) and time.min() >= 0 and time.max() <= 4 * time.size + 100_000:
        # whole-number times (days): counting sort, O(n + max time)
        itime = time.astype(np.int64)
        total = np.bincount(itime, weights=weights)
        events = np.bincount(itime, weights=event if weights is None else event * weights, minlength=total.size)
        keep = np.flatnonzero(total)
        return keep.astype(float), total[keep].astype(float), events[keep]
    times, inverse = np.unique(time, return_inverse=True)
    total = np.bincount(inverse, weights=weights, minlength=times.size).astype(float)
    events = np.bincount(inverse, weights=event if weights is None else event * weights, minlength=times.size)
    return times, total, events


def loglog_ci(surv: np.ndarray, se_log: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """R's log-log band: ``exp(-exp(log(-log S) -/+ z se / log S))``; NaN where S is 0 or 1.

    ``se_log`` is the standard error of log S (square root of the Greenwood sum).
    """
    z = z_value(alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        xx = np.where((surv == 0) | (surv == 1), np.nan, surv)
        log_xx = np.log(xx)
        half = z * se_log / log_xx
        lower = np.exp(-np.exp(np.log(-log_xx) - half))
        upper = np.exp(-np.exp(np.log(-log_xx) + half))
    return lower, upper


def _findq(x: np.ndarray, y: np.ndarray, p: float) -> float:
    """Port of survival's internal ``findq`` (R 3.5): the ``p`` quantile of the step
    function through ``(x, y)``, ``y`` non-decreasing with possible NaN."""
    if not np.isfinite(y).any() or np.nanmax(y) < p:
        return float("nan")
    xmax = x[-1]
    # duplicated(y): keep the first occurrence of every value (NaN counted as one value)
    _, first = np.unique(np.where(np.isfinite(y), y, np.inf), return_index=True)
    first = np.sort(first)
    x, y = x[first], y[first]
    positions = np.flatnonzero(np.isfinite(y))  # approx() drops the NaN points

    def locate(shifted: np.ndarray) -> int:
        """approx(shifted, 1:n, p, "constant", f = 1): first point with shifted >= p."""
        pos = int(np.searchsorted(shifted, p, side="left"))
        return int(positions[pos]) if pos < shifted.size else -1

    i1 = locate(y[positions] + _QUANTILE_TOL)
    i2 = locate(y[positions] - _QUANTILE_TOL)
    if p == 0:
        return float(x[0])
    if i1 >= 0 and np.isfinite(y[-1]) and abs(p - y[-1]) < _QUANTILE_TOL:
        return float((x[i1] + xmax) / 2.0)
    if i1 < 0 or i2 < 0:
        return float("nan")
    return float((x[i1] + x[i2]) / 2.0)


@dataclass(frozen=True, eq=False)
class KaplanMeier(Result):
    """A fitted Kaplan-Meier curve.

    Attributes
    ----------
    time, n_risk, n_event, n_censor, surv, greenwood : numpy.ndarray
        One entry per distinct observed time; ``greenwood`` is the cumulative
        Greenwood sum ``sum d / (n (n - d))`` (the variance of log S).
    alpha : float
        1 - confidence level of the bands.
    median_, median_ci_low_, median_ci_high_ : float
        Median survival time and its confidence limits (NaN when not reached),
        computed on first access.
    """

    time: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray
    surv: np.ndarray
    greenwood: np.ndarray
    alpha: float = 0.05
    title: ClassVar[str] = "Kaplan-Meier estimate"

    @cached_property
    def _median(self) -> tuple[float, float, float]:
        lower, upper = loglog_ci(self.surv, np.sqrt(self.greenwood), self.alpha)
        x = np.concatenate([[0.0], self.time])
        return (_findq(x, np.concatenate([[0.0], 1.0 - self.surv]), 0.5),
                _findq(x, np.concatenate([[0.0], 1.0 - lower]), 0.5),
                _findq(x, np.concatenate([[0.0], 1.0 - upper]), 0.5))

    @property
    def median_(self) -> float:
        """Median survival time (NaN when the curve does not reach 0.5)."""
        return self._median[0]

    @property
    def median_ci_low_(self) -> float:
        """Lower confidence limit of the median: first time the lower band reaches 0.5 (R quantile.survfit)."""
        return self._median[1]

    @property
    def median_ci_high_(self) -> float:
        """Upper confidence limit of the median: first time the upper band reaches 0.5 (NaN if never)."""
        return self._median[2]

    @property
    def n(self) -> int:
        """Number of subjects."""
        return int(self.n_risk[0]) if self.n_risk.size else 0

    @property
    def n_events(self) -> int:
        """Number of events."""
        return int(self.n_event.sum())

    @property
    def table(self) -> pd.DataFrame:
        """Step table: time, n_risk, n_event, n_censor, survival, std_err (of S), ci_low, ci_high."""
        lower, upper = loglog_ci(self.surv, np.sqrt(self.greenwood), self.alpha)
        with np.errstate(invalid="ignore"):
            std_err = self.surv * np.sqrt(self.greenwood)
        return pd.DataFrame({
            "time": self.time, "n_risk": self.n_risk.astype(np.int64),
            "n_event": self.n_event.astype(np.int64), "n_censor": self.n_censor.astype(np.int64),
            "survival": self.surv, "std_err": std_err,
            "ci_low": lower, "ci_high": upper,
        })

    def _index(self, days: np.ndarray) -> np.ndarray:
        """Index of the last table time <= day (-1 before the first time)."""
        return np.searchsorted(self.time, days, side="right") - 1

    def at(self, days: Iterable[float]) -> pd.DataFrame:
        """Values at given days, as R ``summary(fit, times = days, extend = TRUE)``.

        Columns day, survival, std_err, ci_low, ci_high, at_risk; ``at_risk`` is the
        number of subjects with time >= day. Before the first observed time S = 1
        with a degenerate band [1, 1].
        """
        days = np.atleast_1d(np.asarray(days, dtype=float))
        idx = self._index(days)
        before = idx < 0
        # prepend the state before the first time (S = 1, Greenwood sum 0) so that index 0
        # is "before" and every gather is valid, also for an empty curve
        surv = np.r_[1.0, self.surv][idx + 1]
        gw = np.r_[0.0, self.greenwood][idx + 1]
        lower, upper = loglog_ci(surv, np.sqrt(gw), self.alpha)
        lower = np.where(before, 1.0, lower)
        upper = np.where(before, 1.0, upper)
        # subjects with time >= day: n_risk at the first table time >= day (0 after the last)
        nxt = np.searchsorted(self.time, days, side="left")
        at_risk = np.r_[self.n_risk, 0.0][nxt]
        return pd.DataFrame({"day": days, "survival": surv, "std_err": surv * np.sqrt(gw),
                             "ci_low": lower, "ci_high": upper, "at_risk": at_risk.astype(np.int64)})

    def survival_at(self, day: float) -> float:
        """S(day) (right-continuous step function)."""
        idx = int(self._index(np.array([day], dtype=float))[0])
        return 1.0 if idx < 0 else float(self.surv[idx])

    def variance_at(self, day: float) -> float:
        """Greenwood variance of S(day): ``S(day)^2 sum_{t_i <= day} d_i / (n_i (n_i - d_i))``."""
        idx = int(self._index(np.array([day], dtype=float))[0])
        if idx < 0:
            return 0.0
        return float(self.surv[idx] ** 2 * self.greenwood[idx])

    def points(self, days: Iterable[int]) -> list[dict[str, Any]]:
        """The contract's ``km`` points: ``[{day, survival, ci_low, ci_high, at_risk}, ...]``."""
        frame = self.at(list(days))
        return [{"day": int(r["day"]), "survival": json_number(r["survival"]), "ci_low": json_number(r["ci_low"]),
                 "ci_high": json_number(r["ci_high"]), "at_risk": int(r["at_risk"])} for r in frame.to_dict("records")]

    def tidy(self) -> pd.DataFrame:
        """One row: the median survival time with its confidence limits."""
        return tidy_frame([{"term": "median", "estimate": self.median_,
                            "ci_low": self.median_ci_low_, "ci_high": self.median_ci_high_}])

    def to_dict(self) -> dict[str, Any]:
        """Sizes, median with CI and the step table (lists)."""
        tab = self.table
        return {"n": self.n, "events": self.n_events, "median": json_number(self.median_),
                "median_ci_low": json_number(self.median_ci_low_),
                "median_ci_high": json_number(self.median_ci_high_),
                "table": {c: [json_number(v) for v in tab[c]] for c in tab.columns}}

    def conventions(self) -> str:
        return (f"Kaplan-Meier, Greenwood variance, log-log {100 * (1 - self.alpha):g}% CI "
                "(R survfit conf.type='log-log'); median CI as R quantile.survfit.")


def kaplan_meier(time, event, *, alpha: float = 0.05, weights=None) -> KaplanMeier:
    """Kaplan-Meier estimate of the survival function.

    ``S(t) = prod_{t_i <= t} (1 - d_i / n_i)``; Greenwood variance
    ``Var S(t) = S(t)^2 sum_{t_i <= t} d_i / (n_i (n_i - d_i))``; log-log confidence
    band at level ``1 - alpha``. Reference: R ``survfit(..., conf.type = "log-log")``.

    Parameters
    ----------
    time : array_like
        Follow-up times (e.g. whole days).
    event : array_like
        1 = event observed at ``time``, 0 = censored.
    alpha : float
        1 - confidence level.
    weights : array_like, optional
        Frequency weights (:func:`evalexp.survival._utils.as_weight_array`): the estimate of the
        data with row ``i`` repeated ``weights[i]`` times.
    """
    time = as_float_array(time, "time")
    event = as_event_array(event, time.size)
    times, total, events = _distinct_counts(time, event, None if weights is None
                                            else as_weight_array(weights, time.size))
    n_risk = np.cumsum(total[::-1])[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - events / n_risk)
        increment = np.where(events > 0, events / (n_risk * (n_risk - events)), 0.0)
    greenwood = np.cumsum(increment)
    return KaplanMeier(time=times, n_risk=n_risk, n_event=events, n_censor=total - events,
                       surv=surv, greenwood=greenwood, alpha=alpha)
