"""A small-sample interval for the risk difference at a day: Newcombe's hybrid score on effective sample sizes.

The contract's risk difference (:mod:`.risk`) is a Wald interval on Greenwood variances,
which covers too rarely in pilot-sized trials. This sibling (``risk_difference.small_sample``)
replaces, in each arm, the binomial sample size by the Kaplan-Meier *effective sample size*
(Anderson, Bernstein & Pike 1982; Dorey & Korn 1987)::

    n*_a = r_a (1 - r_a) / Var_Greenwood(r_a),    r_a = 1 - S_a(day)

(when no event or every subject's event precedes ``day``, where the Greenwood variance is 0
or undefined: the number at risk at ``day`` plus the events up to it), takes Wilson's score interval
``[l_a, u_a]`` for ``r_a`` with
``n*_a`` trials, and combines the arms by Newcombe's (1998, method 10) hybrid score / MOVER
rule::

    d = r_T - r_C
    low  = d - sqrt((r_T - l_T)^2 + (u_C - r_C)^2)
    high = d + sqrt((u_T - r_T)^2 + (r_C - l_C)^2)

Without censoring ``n*_a`` is the arm size and the interval is Newcombe's, as statsmodels'
``confint_proportions_2indep(method="newcomb")`` computes it. The two-sided p-value is the
level at which the interval's bound touches 0 (the interval inverted), so that
``p <= alpha`` exactly when the ``1 - alpha`` interval excludes 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy import optimize, stats

from ..results import Result, json_number, tidy_frame
from ._utils import as_arm_array, as_event_array, as_float_array, z_value
from .km import KaplanMeier, kaplan_meier

METHOD = "newcombe-effective-n"


def wilson(r: float, n: float, z: float) -> tuple[float, float]:
    """Wilson's score interval for a proportion ``r`` out of ``n`` (not necessarily whole) trials."""
    denom = 1.0 + z * z / n
    centre = (r + z * z / (2.0 * n)) / denom
    half = z / denom * np.sqrt(r * (1.0 - r) / n + z * z / (4.0 * n * n))
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def effective_size(km: KaplanMeier, day: float) -> float:
    """Effective sample size of ``1 - S(day)``: ``r (1 - r) / Var``, or at risk + events when S is 0 or 1."""
    with np.errstate(invalid="ignore"):
        surv, var = km.survival_at(day), km.variance_at(day)
        at_risk = int(km.at([day])["at_risk"].iloc[0])
    if 0.0 < surv < 1.0 and var > 0.0:
        return float(surv * (1.0 - surv) / var)
    return float(max(1, at_risk + int(km.n_event[km.time <= day].sum())))


def newcombe_interval(r1: float, n1: float, r0: float, n0: float, z: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``r1 - r0`` at normal quantile ``z``."""
    l1, u1 = wilson(r1, n1, z)
    l0, u0 = wilson(r0, n0, z)
    d = r1 - r0
    return d - float(np.hypot(r1 - l1, u0 - r0)), d + float(np.hypot(u1 - r1, r0 - l0))


def _p_value(r1: float, n1: float, r0: float, n0: float) -> float:
    """Two-sided p: ``2 (1 - Phi(z*))`` with ``z*`` where the interval's near bound reaches 0."""
    d = r1 - r0
    if d == 0:
        return 1.0

    def bound(z: float) -> float:
        low, high = newcombe_interval(r1, n1, r0, n0, z)
        return low if d > 0 else -high

    if bound(40.0) > 0:
        return 0.0
    z_star = optimize.brentq(bound, 0.0, 40.0, xtol=1e-12)
    return float(2.0 * stats.norm.sf(z_star))


@dataclass(frozen=True, eq=False)
class SmallSampleRiskDifference(Result):
    """Newcombe hybrid-score interval of the risk difference on effective sample sizes.

    Attributes
    ----------
    day : int
    difference : float
        ``r_T - r_C``, the same as the contract's risk difference.
    ci_low, ci_high, p_value : float
    n_effective : dict
        ``{"treatment": n*_T, "control": n*_C}``.
    alpha : float
    """

    day: int
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    n_effective: dict[str, float]
    alpha: float = 0.05
    method: str = METHOD
    title: ClassVar[str] = "Risk difference, small-sample interval"

    def tidy(self):
        return tidy_frame([{"term": f"risk difference (day {self.day}, {self.method})",
                            "estimate": self.difference, "p_value": self.p_value,
                            "ci_low": self.ci_low, "ci_high": self.ci_high}])

    def to_dict(self) -> dict[str, Any]:
        """The ``risk_difference.small_sample`` sibling object."""
        return {"method": self.method, "difference": json_number(self.difference),
                "ci_low": json_number(self.ci_low), "ci_high": json_number(self.ci_high),
                "p_value": json_number(self.p_value),
                "n_effective": {arm: json_number(v) for arm, v in self.n_effective.items()}}

    def conventions(self) -> str:
        return (f"Newcombe hybrid-score {100 * (1 - self.alpha):g}% interval on Kaplan-Meier effective "
                f"sample sizes (Wilson per arm, MOVER difference); p by inverting the interval.")


def risk_difference_small_sample(time, event, treated, day: int, *,
                                 alpha: float = 0.05) -> SmallSampleRiskDifference:
    """Risk difference at ``day`` (treatment - control) with the interval of the module docstring.

    Parameters
    ----------
    time, event : array_like
        Follow-up time and 0/1 event indicator.
    treated : array_like
        1 = treatment arm, 0 = control.
    day : int
    alpha : float
    """
    time = as_float_array(time, "time")
    event = as_event_array(event, time.size)
    arm = as_arm_array(treated, time.size)
    fits = {a: kaplan_meier(time[arm == a], event[arm == a]) for a in (True, False)}
    r = {a: 1.0 - fits[a].survival_at(day) for a in fits}
    n = {a: effective_size(fits[a], day) for a in fits}
    low, high = newcombe_interval(r[True], n[True], r[False], n[False], z_value(alpha))
    return SmallSampleRiskDifference(day=int(day), difference=r[True] - r[False], ci_low=low, ci_high=high,
                                     p_value=_p_value(r[True], n[True], r[False], n[False]),
                                     n_effective={"treatment": n[True], "control": n[False]}, alpha=alpha)
