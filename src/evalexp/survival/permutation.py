"""Randomisation inference: re-randomise the arm within strata, holding each stratum's arm sizes fixed.

The statistics depend on the arm only through the treated counts per cell (see
:mod:`.cells`), so one re-randomisation is one draw of those counts, and B draws are
an (M cells, B) array on which the statistics are computed at once. The draws come
from one of the exact samplers of :mod:`.resample` (``method="permute"``,
``"hypergeometric"`` or ``"bernoulli"``; ``"auto"`` picks the cheapest by a cost model).

All draw from the same distribution (tested). Draws are made in chunks (bounded
memory, and the sampler's preferred block: the Bernoulli sampler and the statistics
then run on a few draws at a time, in the CPU cache), each chunk from its own generator spawned from
``SeedSequence(seed)``, so
results are reproducible (and the same with or without the worker threads).
``p = (1 + #{T* >= T}) / (1 + B)``, with a relative tolerance of 1e-9 on the comparison
(re-randomisations equivalent to the observed one give the same statistic up to
rounding). A chi-square without information (zero variance: no rupture) is 0, so p = 1.

Statistics: ``"logrank"`` (stratified Mantel-Haenszel chi-square, O - E and V
recomputed for every draw); ``"cox_score"`` (score chi-square ``U(0)^2 / I(0)`` of the
Cox model ``~ treated + strata`` at beta = 0 with the plan's ties, R ``coxph()$score``);
``"rmst"`` (absolute RMST difference at ``tau``, strata pooled).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._progress import ProgressBar
from ..results import Result, json_number, tidy_frame
from .cells import CellStatistics, build_cells
from .resample import sampler as make_sampler

STATISTICS = ("logrank", "cox_score", "rmst")
#: Target number of array elements per chunk (bounds memory to a few hundred MB).
CHUNK_ELEMENTS = 12_000_000
#: Threads drawing chunks (numpy releases the GIL while sampling and in array operations).
WORKERS = max(1, min(2, os.cpu_count() or 1))
#: Relative tolerance of ``T* >= T``.
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class RandomizationTest(Result):
    """A randomisation (re-randomisation) test.

    Attributes
    ----------
    statistic : str
        ``"logrank"``, ``"cox_score"`` or ``"rmst"``.
    observed : float
        The statistic on the actual assignment.
    permutations : int
    p_value : float
        ``(1 + #{T* >= T}) / (1 + permutations)``.
    exceed : int
        ``#{T* >= T}``.
    method : str
        The sampler of :mod:`.resample`: ``"permute"``, ``"hypergeometric"`` or ``"bernoulli"``.
    seed : int
    """

    statistic: str
    observed: float
    permutations: int
    p_value: float
    exceed: int
    method: str
    seed: int
    title: ClassVar[str] = "Randomisation inference"

    @property
    def mc_error(self) -> float:
        """Monte Carlo standard error of the p-value, ``sqrt(p (1 - p) / B)``."""
        return float(np.sqrt(self.p_value * (1 - self.p_value) / self.permutations))

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([{"term": self.statistic, "statistic": self.observed, "p_value": self.p_value,
                            "std_error": self.mc_error}])

    def to_dict(self) -> dict[str, Any]:
        """The contract's ``randomization_inference`` object plus observed value, method and seed."""
        return {"statistic": self.statistic, "permutations": int(self.permutations),
                "p_value": json_number(self.p_value), "observed": json_number(self.observed),
                "method": self.method, "seed": int(self.seed), "mc_error": json_number(self.mc_error)}

    def conventions(self) -> str:
        return (f"Re-randomisation within strata (arm sizes fixed), {self.permutations} draws "
                f"({self.method}), seed {self.seed}; p = (1 + #{{T* >= T}}) / (1 + B).")


def _chunk_size(per_draw: int, block: int, total: int) -> int:
    return int(max(1, min(total, block, CHUNK_ELEMENTS // max(per_draw, 1))))


def randomization_inference(time, event, treated, *, strata=None,
                            statistics: Sequence[str] = ("logrank",), permutations: int = 10000,
                            seed: int = 20101001, ties: str = "efron", tau: float | None = None,
                            method: str = "auto", progress: bool = False) -> list[RandomizationTest]:
    """Randomisation p-values of the treatment effect, one per statistic, from the same draws.

    Parameters
    ----------
    time, event, treated : array_like
        Follow-up time, 0/1 event, 0/1 arm.
    strata : array_like, optional
        Randomisation blocks: the arm is re-randomised within them and the log-rank and
        Cox score statistics are stratified by them.
    statistics : sequence of {"logrank", "cox_score", "rmst"}
    permutations : int
        Number of re-randomisations B.
    seed : int
        Seed of ``numpy.random.SeedSequence``.
    ties : {"efron", "breslow"}
        Ties of the Cox score statistic.
    tau : float
        Horizon of the RMST statistic (required for ``"rmst"``).
    method : {"auto", "permute", "hypergeometric", "bernoulli"}
        The exact sampler of the draws (:mod:`.resample`); ``"auto"``: the cheapest.
    progress : bool
        Show a progress bar on stderr when the run lasts more than about 2 s.
    """
    statistics = tuple(statistics)
    unknown = [s for s in statistics if s not in STATISTICS]
    if unknown:
        raise ValueError(f"unknown statistics {unknown}; choose among {STATISTICS}")
    if "rmst" in statistics and tau is None:
        raise ValueError("the 'rmst' statistic needs tau")
    if permutations < 1:
        raise ValueError("permutations must be >= 1")
    cells = build_cells(time, event, treated, strata)
    calc = CellStatistics(cells, ties=ties, tau=tau)

    def evaluate(x: np.ndarray) -> dict[str, np.ndarray]:
        out = {}
        for name in statistics:
            if name == "logrank":
                out[name] = calc.logrank(x)
            elif name == "cox_score":
                out[name] = calc.cox_score(x)
            else:
                out[name] = np.abs(calc.rmst_difference(x))
        return out

    observed = {k: float(v[0]) for k, v in evaluate(calc.observed()).items()}
    threshold = {k: v - TIE_TOLERANCE * abs(v) for k, v in observed.items()}
    sampler = make_sampler(cells, calc.cell_ids, method)
    chunk = _chunk_size(2 * sampler.size, sampler.block, permutations)
    sizes = [min(chunk, permutations - start) for start in range(0, permutations, chunk)]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))

    def run_chunk(job: tuple[np.random.SeedSequence, int]) -> tuple[int, dict[str, int]]:
        values = evaluate(sampler.draw(np.random.default_rng(job[0]), job[1]))
        return job[1], {name: int(np.count_nonzero(values[name] >= threshold[name])) for name in statistics}

    exceed = dict.fromkeys(statistics, 0)
    # drawn only on a terminal, and only when the run is predicted to last more than two seconds
    bar = ProgressBar("randomisation inference", permutations, progress and sys.stderr.isatty(), min_seconds=2.0)
    done = 0
    # chunks are independent (own generator each), so threads give the same result as a loop
    workers = min(WORKERS, len(sizes))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for size, counts in pool.map(run_chunk, zip(seeds, sizes)):
            for name in statistics:
                exceed[name] += counts[name]
            done += size
            bar.update(done)
    bar.close()
    return [RandomizationTest(statistic=name, observed=observed[name], permutations=permutations,
                              p_value=(1 + exceed[name]) / (1 + permutations) if np.isfinite(observed[name])
                              else float("nan"), exceed=exceed[name], method=sampler.method, seed=seed)
            for name in statistics]
