"""Which version of a result the report shows: the contract's (R conventions) or its small-sample sibling.

The plan's ``[inference] small_sample`` (CONTRACT.md version 2 preamble): ``"always"`` shows
the ``small_sample`` sibling wherever a result has one, ``"never"`` the contract's version,
``"auto"`` (the default) the siblings when the cohort has fewer than :data:`THRESHOLD_N`
participants or, with cluster-robust errors, fewer than :data:`THRESHOLD_CLUSTERS` clusters.
The thresholds come from ``benchmarks/calibration.py`` (``benchmarks/calibration_results.md``).
"""
from __future__ import annotations

from typing import Any

#: Below this many participants, ``small_sample = "auto"`` shows the small-sample siblings.
THRESHOLD_N = 500
#: Below this many clusters (cluster-robust errors), ``"auto"`` shows them too.
THRESHOLD_CLUSTERS = 50


def shows_small_sample(mode: str, n: int, n_clusters: int | None = None) -> bool:
    """Whether the report shows the siblings for ``mode``, ``n`` participants and ``n_clusters``."""
    few = n < THRESHOLD_N or (n_clusters is not None and n_clusters < THRESHOLD_CLUSTERS)
    return mode == "always" or (mode == "auto" and few)


def small_sample_choice(mode: str, n: int, n_clusters: int | None = None) -> dict[str, Any]:
    """The ``survival.small_sample`` object of ``results.json``: the mode, the thresholds, the choice."""
    return {"mode": mode, "threshold_n": THRESHOLD_N, "threshold_clusters": THRESHOLD_CLUSTERS,
            "shown": shows_small_sample(mode, n, n_clusters)}
