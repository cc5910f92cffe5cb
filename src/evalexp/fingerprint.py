"""Which cohort and which plan an analysis was computed from.

:func:`cohort_fingerprint` identifies a cohort's data independently of the row
order and of the pseudonymisation key (pseudonyms change with the key, the
analysis does not): the SHA-256 of the sorted 64-bit row hashes
(:func:`pandas.util.hash_pandas_object`) of every column but ``participant_id``,
columns in name order, with the column names. :func:`check_analysis_matches`
refuses results given with another cohort or plan.
"""
from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from .cohort import Cohort
from .errors import MismatchError
from .plan import Plan

#: The plan sections that determine the analysis (the others only change how it is shown).
ANALYSIS_SECTIONS = ("survival", "outcomes", "inference", "integrity")


def cohort_fingerprint(cohort: Cohort) -> str:
    """Hex SHA-256 of the cohort's data, order- and pseudonym-independent (module docstring)."""
    columns = sorted(str(c) for c in cohort.data.columns if c != "participant_id")
    frame = cohort.data[columns]
    rows = np.sort(pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64))
    digest = hashlib.sha256("\x1f".join(columns).encode("utf-8"))
    digest.update(rows.tobytes())
    return digest.hexdigest()


def check_analysis_matches(analysis: Any, cohort: Cohort, plan: Plan) -> None:
    """Refuse an analysis that was not computed from ``cohort`` under ``plan``.

    Compared: participants and ruptures per arm, the cohort fingerprint (when the
    analysis records one, as :func:`evalexp.analysis.analyze` does) and the plan's
    :data:`ANALYSIS_SECTIONS`; the language, labels and report texts may differ.

    Raises
    ------
    MismatchError
    """
    if analysis.n != cohort.n or analysis.events != cohort.events:
        raise MismatchError(f"the analysis given was computed on another cohort (participants {analysis.n}, "
                            f"ruptures {analysis.events}; this cohort: {cohort.n}, {cohort.events})")
    recorded = analysis.cohort_fingerprint
    if recorded is not None and recorded != cohort_fingerprint(cohort):
        raise MismatchError("the analysis given was computed on another cohort (same counts per arm, "
                            "different data)")
    differ = [name for name in ANALYSIS_SECTIONS if getattr(analysis.plan, name) != getattr(plan, name)]
    if differ:
        raise MismatchError(f"the analysis given was computed under another plan (sections "
                            f"{', '.join(f'[{name}]' for name in differ)} differ)")
