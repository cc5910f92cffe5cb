"""Helpers shared by the survival modules (not public API): input checks, Wald tests, arm contrasts."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..results import Result, tidy_frame
from ..wald import WaldEstimate


def as_float_array(values, name: str) -> np.ndarray:
    """A 1-D float array with no missing value (raises ``ValueError`` naming ``name``)."""
    arr = np.asarray(values, dtype=float).ravel()
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has missing or infinite values")
    return arr


def as_event_array(values, n: int) -> np.ndarray:
    """The 0/1 event indicator as a float array of length ``n``."""
    arr = np.asarray(values, dtype=float).ravel()
    if arr.shape[0] != n:
        raise ValueError(f"event has length {arr.shape[0]}, time has length {n}")
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError("event must be coded 0/1")
    return arr


def as_weight_array(values, n: int) -> np.ndarray:
    """Frequency weights as a float array of length ``n``: ones when ``values`` is None.

    A frequency weight is a whole number of identical participants (the counts of an
    aggregated cohort, :mod:`evalexp.engine`): every estimator that takes them gives what it
    gives on the data with each row repeated that many times.
    """
    if values is None:
        return np.ones(n)
    arr = np.asarray(values, dtype=float).ravel()
    if arr.shape[0] != n:
        raise ValueError(f"weights has length {arr.shape[0]}, time has length {n}")
    if not np.all((arr >= 1) & (arr == np.round(arr))):
        raise ValueError("weights must be whole numbers >= 1 (frequency weights)")
    return arr


def as_arm_array(values, n: int) -> np.ndarray:
    """The 0/1 arm indicator as a boolean array of length ``n`` (True = treatment).

    Raises ``ValueError`` unless it is coded 0/1 and both arms have a subject (a 1/2
    coding read as booleans would put everyone in the treatment arm).
    """
    arr = np.asarray(values, dtype=float).ravel()
    if arr.shape[0] != n or not np.all((arr == 0) | (arr == 1)):
        raise ValueError("treated must be coded 0/1, one value per row")
    if arr.min() == arr.max():
        raise ValueError("treated must have subjects in both arms")
    return arr == 1


def z_value(alpha: float) -> float:
    """The two-sided normal quantile ``z_{1 - alpha/2}``."""
    return float(stats.norm.isf(alpha / 2.0))


def wald(estimate: float, se: float, alpha: float) -> tuple[float, float, float, float]:
    """Wald statistic, two-sided p-value and CI of :class:`evalexp.wald.WaldEstimate`, as a tuple."""
    w = WaldEstimate(float(estimate), float(se), alpha)
    return w.statistic, w.p_value, w.ci_low, w.ci_high


class ArmContrast(Result):
    """Mixin of the per-arm estimates and their difference (RMST, risk difference).

    The dataclass provides ``treatment``, ``control``, ``se_treatment``, ``se_control``,
    ``difference``, ``se``, ``p_value``, ``ci_low`` and ``ci_high``.
    """

    treatment: float
    control: float
    se_treatment: float
    se_control: float
    difference: float
    se: float
    p_value: float
    ci_low: float
    ci_high: float

    def tidy(self) -> pd.DataFrame:
        """Rows treatment, control (estimate and SE) and difference (Wald statistic, p, CI)."""
        stat = self.difference / self.se if self.se > 0 else float("nan")
        return tidy_frame([
            {"term": "treatment", "estimate": self.treatment, "std_error": self.se_treatment},
            {"term": "control", "estimate": self.control, "std_error": self.se_control},
            {"term": "difference", "estimate": self.difference, "std_error": self.se, "statistic": stat,
             "p_value": self.p_value, "ci_low": self.ci_low, "ci_high": self.ci_high},
        ])
