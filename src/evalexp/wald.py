"""The Wald estimate: one implementation of the normal-approximation CI and p-value, on the
estimate's own scale and, for ratios estimated on the log scale, on the ratio scale.

Used by the Cox model (log hazard ratio), Fine-Gray (log subdistribution hazard ratio), the
odds ratio of the binary outcomes (Woolf's log odds ratio), the covariate-adjusted marginal
log hazard ratio, and every difference (risk, RMST, means) with a standard error.

Conventions
-----------
``z = z_{1-alpha/2}`` (``scipy.stats.norm.isf(alpha / 2)``), statistic ``estimate / se``,
two-sided ``p = 2 Φ(−|statistic|)`` (from the normal survival function, accurate for tiny p),
``CI = estimate ∓ z se``. With ``df`` given, Student's t with ``df`` degrees of freedom
replaces the normal in the quantile and the p-value (the small-sample siblings: few clusters,
``t(G - 1)``; the covariate-adjusted log HR, ``t(n - k)``). A ratio is ``exp(estimate)`` with
``CI = exp(estimate ∓ z se)``
(the interval of the log, transformed: R ``summary(coxph)``, ``cmprsk::crr``, Woolf).
Without a finite positive standard error (a diverged or aliased coefficient, a constant
outcome) the statistic, p-value and both CIs are NaN (``null`` in ``results.json``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from .results import json_number


@dataclass(frozen=True)
class WaldEstimate:
    """An estimate with its standard error; statistic, p and CI by the module's conventions.

    Parameters
    ----------
    estimate : float
        On the scale of the test (a log ratio for ratios).
    se : float
        Standard error of ``estimate``.
    alpha : float
        1 − confidence level.
    df : float, optional
        Degrees of freedom of a Student t reference; None (default) is the normal.

    Examples
    --------
    >>> w = WaldEstimate(math.log(0.5), 0.2)
    >>> round(w.ratio, 3), round(w.ratio_ci_low, 3), round(w.ratio_ci_high, 3), round(w.p_value, 4)
    (0.5, 0.338, 0.74, 0.0005)
    """

    estimate: float
    se: float
    alpha: float = 0.05
    df: float | None = None

    @property
    def _defined(self) -> bool:
        return math.isfinite(self.se) and self.se > 0

    @property
    def _reference(self) -> Any:
        return stats.norm if self.df is None else stats.t(self.df)

    @property
    def quantile(self) -> float:
        """The CI's critical value ``z_{1-alpha/2}`` (or ``t_{df, 1-alpha/2}``)."""
        return float(self._reference.isf(self.alpha / 2.0))

    @property
    def statistic(self) -> float:
        return float(self.estimate / self.se) if self._defined else float("nan")

    @property
    def p_value(self) -> float:
        return float(2.0 * self._reference.sf(abs(self.statistic))) if self._defined else float("nan")

    @property
    def ci_low(self) -> float:
        return float(self.estimate - self.quantile * self.se) if self._defined else float("nan")

    @property
    def ci_high(self) -> float:
        return float(self.estimate + self.quantile * self.se) if self._defined else float("nan")

    @property
    def ratio(self) -> float:
        """``exp(estimate)``: the ratio when ``estimate`` is a log ratio."""
        return float(np.exp(self.estimate))

    @property
    def ratio_ci_low(self) -> float:
        return float(np.exp(self.ci_low))

    @property
    def ratio_ci_high(self) -> float:
        return float(np.exp(self.ci_high))

    def tidy_row(self, term: str) -> dict[str, Any]:
        """One :data:`~evalexp.results.TIDY_COLUMNS` row (the estimate's own scale)."""
        return {"term": term, "estimate": self.estimate, "std_error": self.se,
                "statistic": self.statistic, "p_value": self.p_value,
                "ci_low": self.ci_low, "ci_high": self.ci_high}

    def to_dict(self) -> dict[str, Any]:
        """``{estimate, se, ci_low, ci_high, p_value}`` as JSON numbers."""
        return {"estimate": json_number(self.estimate), "se": json_number(self.se),
                "ci_low": json_number(self.ci_low), "ci_high": json_number(self.ci_high),
                "p_value": json_number(self.p_value)}

    def ratio_dict(self, log_key: str, ratio_key: str) -> dict[str, Any]:
        """The contract's ratio object ``{log_key, se, ratio_key, ci_low, ci_high, p_value}``
        (CI on the ratio scale), as JSON numbers."""
        return {log_key: json_number(self.estimate), "se": json_number(self.se),
                ratio_key: json_number(self.ratio), "ci_low": json_number(self.ratio_ci_low),
                "ci_high": json_number(self.ratio_ci_high), "p_value": json_number(self.p_value)}
