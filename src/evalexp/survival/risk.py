"""Risk (cumulative incidence ``1 - S(day)``) difference between arms from Kaplan-Meier curves."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..results import json_number
from ._utils import (
    ArmContrast,
    as_arm_array,
    as_event_array,
    as_float_array,
    as_weight_array,
    wald,
)
from .km import kaplan_meier


@dataclass(frozen=True, eq=False)
class RiskDifference(ArmContrast):
    """Risk of an event by ``day`` per arm and the difference treatment - control.

    Attributes
    ----------
    day : int
    treatment, control : float
        ``1 - S(day)`` from each arm's Kaplan-Meier curve.
    difference, se, ci_low, ci_high, p_value : float
        Difference, ``sqrt(Var_T + Var_C)`` from Greenwood variances, Wald CI and p.
    se_treatment, se_control : float
        Greenwood standard errors of each arm's risk.
    alpha : float
    """

    day: int
    treatment: float
    control: float
    difference: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    se_treatment: float
    se_control: float
    alpha: float = 0.05
    title: ClassVar[str] = "Risk difference (Kaplan-Meier)"

    def to_dict(self) -> dict[str, Any]:
        """The contract's ``risk_difference`` object (plus ``p_value``)."""
        return {"day": int(self.day), "treatment": json_number(self.treatment),
                "control": json_number(self.control), "difference": json_number(self.difference),
                "se": json_number(self.se), "ci_low": json_number(self.ci_low),
                "ci_high": json_number(self.ci_high), "p_value": json_number(self.p_value)}

    def conventions(self) -> str:
        return (f"Risk = 1 - KM S(day {self.day}); Greenwood variances, "
                f"Wald {100 * (1 - self.alpha):g}% CI.")


def risk_difference(time, event, treated, day: int, *, alpha: float = 0.05, weights=None) -> RiskDifference:
    """Difference in the risk of an event by ``day``, treatment minus control.

    ``risk_a = 1 - S_a(day)`` (Kaplan-Meier of arm ``a``), ``Var risk_a`` = Greenwood
    variance of ``S_a(day)``; ``se = sqrt(Var_T + Var_C)``, Wald CI and two-sided p.
    Reference: R ``summary(survfit(Surv(time, event) ~ treated), times = day)``
    (``1 - surv`` and ``std.err``).

    Parameters
    ----------
    time, event : array_like
        Follow-up time and 0/1 event indicator.
    treated : array_like
        1 = treatment arm, 0 = control.
    day : int
        The horizon.
    alpha : float
        1 - confidence level.
    weights : array_like, optional
        Frequency weights (:func:`evalexp.survival._utils.as_weight_array`).
    """
    time = as_float_array(time, "time")
    event = as_event_array(event, time.size)
    arm = as_arm_array(treated, time.size)
    w = as_weight_array(weights, time.size)
    fits = {a: kaplan_meier(time[arm == a], event[arm == a], alpha=alpha, weights=w[arm == a]) for a in (True, False)}
    risk = {a: 1.0 - fits[a].survival_at(day) for a in fits}
    var = {a: fits[a].variance_at(day) for a in fits}
    diff = risk[True] - risk[False]
    se = float(np.sqrt(var[True] + var[False]))
    _, p, low, high = wald(diff, se, alpha)
    return RiskDifference(day=int(day), treatment=risk[True], control=risk[False], difference=diff,
                          se=se, ci_low=low, ci_high=high, p_value=p,
                          se_treatment=float(np.sqrt(var[True])), se_control=float(np.sqrt(var[False])),
                          alpha=alpha)
