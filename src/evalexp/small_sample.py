"""Which version of a result the report shows: the contract's (R conventions) or its small-sample sibling.

The plan's ``[inference] small_sample`` (CONTRACT.md version 2 preamble): ``"always"`` shows
the ``small_sample`` sibling wherever a result has one, ``"never"`` the contract's version,
``"auto"`` (the default) the sibling when the cohort has fewer than :data:`THRESHOLD_N`
participants. The threshold comes from ``benchmarks/calibration.py``: at 1,000 participants
the Wald intervals of the RMST and risk differences are calibrated (CONTRACT.md section 10),
at 60 to 300 they are not, and the siblings are.
"""
from __future__ import annotations

from typing import Any

#: Below this many participants, ``small_sample = "auto"`` shows the small-sample siblings.
THRESHOLD_N = 500


def shows_small_sample(mode: str, n: int) -> bool:
    """Whether the report shows the small-sample siblings for ``mode`` and ``n`` participants."""
    return mode == "always" or (mode == "auto" and n < THRESHOLD_N)


def small_sample_choice(mode: str, n: int) -> dict[str, Any]:
    """The ``survival.small_sample`` object of ``results.json``: the mode, the threshold, the choice."""
    return {"mode": mode, "threshold_n": THRESHOLD_N, "shown": shows_small_sample(mode, n)}
