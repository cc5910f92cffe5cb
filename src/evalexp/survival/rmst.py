"""Restricted mean survival time (RMST) per arm and the difference, Greenwood-type variance."""
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
from .km import KaplanMeier, kaplan_meier


def restricted_mean(km: KaplanMeier, tau: float) -> tuple[float, float]:
    """RMST ``int_0^tau S(u) du`` of a Kaplan-Meier curve and its standard error.

    ``Var = sum_{t_i <= tau} A_i^2 d_i / (n_i (n_i - d_i))`` with ``A_i = int_{t_i}^tau S(u) du``
    (0 when ``n_i = d_i``): survRM2's formula, R ``summary(survfit, rmean = tau)$table``
    (``rmean``, ``se(rmean)``). The curve is held at its last value up to ``tau``.
    """
    keep = (km.time <= tau) & (km.n_event > 0)
    t, s = km.time[keep], km.surv[keep]
    n, d = km.n_risk[keep], km.n_event[keep]
    nodes = np.r_[0.0, t]
    heights = np.r_[1.0, s]
    widths = np.diff(np.r_[nodes, tau])
    pieces = heights * widths
    area = float(pieces.sum())
    tail = np.cumsum(pieces[::-1])[::-1][1:]  # A_i: area from t_i to tau
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(n - d > 0, d / (n * (n - d)), 0.0)
    return area, float(np.sqrt(np.sum(tail ** 2 * h)))


@dataclass(frozen=True, eq=False)
class RMST(ArmContrast):
    """RMST per arm at ``tau_days`` and the difference treatment - control.

    Attributes
    ----------
    tau_days : int
    treatment, control : float
    se_treatment, se_control : float
    difference, se, ci_low, ci_high, p_value : float
        ``se = sqrt(se_T^2 + se_C^2)``, Wald CI and two-sided p.
    alpha : float
    """

    tau_days: int
    treatment: float
    control: float
    se_treatment: float
    se_control: float
    difference: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    alpha: float = 0.05
    title: ClassVar[str] = "Restricted mean survival time"

    def to_dict(self) -> dict[str, Any]:
        """The contract's ``rmst`` object (plus per-arm standard errors)."""
        return {"tau_days": int(self.tau_days), "treatment": json_number(self.treatment),
                "control": json_number(self.control), "difference": json_number(self.difference),
                "se": json_number(self.se), "ci_low": json_number(self.ci_low),
                "ci_high": json_number(self.ci_high), "p_value": json_number(self.p_value),
                "se_treatment": json_number(self.se_treatment), "se_control": json_number(self.se_control)}

    def conventions(self) -> str:
        return (f"RMST = area under each arm's KM curve up to day {self.tau_days}; Greenwood-type variance "
                f"(survRM2, R print(survfit, rmean = tau)); Wald {100 * (1 - self.alpha):g}% CI.")


def rmst_difference(time, event, treated, tau: float, *, alpha: float = 0.05, weights=None) -> RMST:
    """Restricted mean survival time per arm up to ``tau`` and the difference, treatment - control.

    See :func:`restricted_mean` for the estimator and its variance; the arms are independent,
    so ``Var(diff) = Var_T + Var_C``; Wald CI and p. Reference: survRM2 ``rmst2``. Optional
    frequency ``weights`` (:func:`evalexp.survival._utils.as_weight_array`).
    """
    time = as_float_array(time, "time")
    event = as_event_array(event, time.size)
    arm = as_arm_array(treated, time.size)
    w = as_weight_array(weights, time.size)
    (m1, s1), (m0, s0) = (restricted_mean(kaplan_meier(time[arm == a], event[arm == a], weights=w[arm == a]), tau)
                          for a in (True, False))
    diff = m1 - m0
    se = float(np.hypot(s1, s0))
    _, p, low, high = wald(diff, se, alpha)
    return RMST(tau_days=int(tau), treatment=m1, control=m0, se_treatment=s1, se_control=s0,
                difference=diff, se=se, ci_low=low, ci_high=high, p_value=p, alpha=alpha)
