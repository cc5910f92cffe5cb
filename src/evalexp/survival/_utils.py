"""Small numerical helpers shared by the survival modules (not public API)."""
from __future__ import annotations

import numpy as np
from scipy import stats


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


def z_value(alpha: float) -> float:
    """The two-sided normal quantile ``z_{1 - alpha/2}``."""
    return float(stats.norm.isf(alpha / 2.0))


def wald(estimate: float, se: float, alpha: float) -> tuple[float, float, float, float]:
    """Wald statistic, two-sided normal p-value (from the survival function) and CI."""
    z = z_value(alpha)
    if not (np.isfinite(se) and se > 0):
        return float("nan"), float("nan"), float("nan"), float("nan")
    stat = estimate / se
    p = float(2.0 * stats.norm.sf(abs(stat)))
    return float(stat), p, float(estimate - z * se), float(estimate + z * se)
