"""Checking and coding competing-risks inputs (shared by the estimators of this package).

Every estimator takes the cmprsk convention: a follow-up ``time`` per subject and a
``status`` that is ``cencode`` (default 0) for a censored subject and the label of the
cause otherwise; ``cause`` names the cause of interest (R ``failcode``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError


def competing_arrays(time: Any, status: Any, cause: Any, cencode: Any = 0,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(time, failed, of_cause)``: float times, any-cause and cause-of-interest 0/1.

    Raises
    ------
    AnalysisError
        Lengths differ, a time is missing, negative or infinite, a status is missing, or the
        data are empty.
    """
    time = np.asarray(time, dtype=float)
    status = np.asarray(status)
    if time.ndim != 1 or status.shape != time.shape:
        raise AnalysisError(f"time and status must be 1-d of the same length, got {time.shape} and {status.shape}")
    if time.size == 0:
        raise AnalysisError("no observations")
    if not np.all(np.isfinite(time)) or np.any(time < 0):
        raise AnalysisError("times must be finite and non-negative")
    if pd.isna(status).any():
        # NaN != cencode: it would count as a failure from some other cause
        raise AnalysisError("status has missing values (code censoring as cencode)")
    failed = (status != cencode).astype(np.int64)
    of_cause = (status == cause).astype(np.int64)
    return time, failed, of_cause


def tie_groups(sorted_time: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct times of a sorted vector, the index of each one's first row, and its row count."""
    times, first, counts = np.unique(sorted_time, return_index=True, return_counts=True)
    return times, first, counts
