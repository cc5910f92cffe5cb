"""Randomisation inference: re-randomise the arm within strata, holding each stratum's arm sizes fixed.

The statistics depend on the arm only through the treated counts per cell (see
:mod:`.cells`), so one re-randomisation is one draw of those counts, and B draws are
an (M cells, B) array on which the statistics are computed at once:

- ``method="permute"``: re-assign the arm subject by subject within each stratum
  (treated with probability treated-left / subjects-left, which draws uniformly among
  the assignments with the stratum's arm sizes), vectorised over the draws, and count
  the treated per cell;
- ``method="hypergeometric"``: draw the cell counts directly: under re-randomisation
  within stratum s the treated counts over its cells are multivariate hypergeometric
  (``m_s`` treated among the stratum's ``n_s`` subjects), which costs O(cells), not
  O(n), per draw — the route for large n;
- ``method="auto"``: the route that a cost model (:func:`_hypergeometric_is_cheaper`) expects
  to be faster.

Both draw from the same distribution (tested). Draws are made in chunks (bounded
memory), each chunk from its own generator spawned from ``SeedSequence(seed)``, so
results are reproducible (and the same with or without the worker threads).
``p = (1 + #{T* >= T}) / (1 + B)``, with a relative tolerance of 1e-9 on the comparison
(re-randomisations equivalent to the observed one give the same statistic up to
rounding); p is NaN when the observed statistic is undefined (e.g. a zero variance).

Statistics: ``"logrank"`` (stratified Mantel-Haenszel chi-square, O - E and V
recomputed for every draw); ``"cox_score"`` (score chi-square ``U(0)^2 / I(0)`` of the
Cox model ``~ treated + strata`` at beta = 0 with the plan's ties, R ``coxph()$score``);
``"rmst"`` (absolute RMST difference at ``tau``, strata pooled).
"""
from __future__ import annotations

import os
import sys
import time as _time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..results import Result, json_number, tidy_frame
from .cells import Cells, CellStatistics, build_cells

STATISTICS = ("logrank", "cox_score", "rmst")
#: Target number of array elements per chunk (bounds memory to a few hundred MB).
CHUNK_ELEMENTS = 12_000_000
#: Threads drawing chunks (numpy releases the GIL while sampling and in array operations).
WORKERS = max(1, min(2, os.cpu_count() or 1))
#: Relative tolerance of ``T* >= T``.
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
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
        ``"permute"`` or ``"hypergeometric"``.
    seed : int
    """

    statistic: str
    observed: float
    permutations: int
    p_value: float
    exceed: int
    method: str
    seed: int
    title: str = field(default="Randomisation inference", repr=False)

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


def _chunk_size(per_draw: int, total: int) -> int:
    return int(max(1, min(total, CHUNK_ELEMENTS // max(per_draw, 1))))


def _hypergeometric_is_cheaper(n: int, largest_stratum: int, cells: int, permutations: int) -> bool:
    """Cost model of the two routes (seconds measured on an idle 2-core machine, numpy 2.x,
    two worker threads, log-rank statistic included).

    permute: a Python step per subject of the largest stratum and chunk (~10 us) plus ~11 ns
    per subject and draw; hypergeometric: ~75 ns per non-empty cell and draw (numpy's
    sampler and the bookkeeping). Measured with 10,000 draws on simulated cohorts: at
    n = 10^4 (2,837 cells) permute 1.1 s, hypergeometric 2.0 s; at n = 10^5 (9,843 cells)
    permute 11.5 s, hypergeometric 7.1 s.
    """
    chunks = -(-permutations // _chunk_size(2 * cells, permutations))
    permute = largest_stratum * chunks * 10e-6 + permutations * n * 11e-9
    return permutations * cells * 75e-9 < permute


class _Sampler:
    """Draws treated counts per non-empty cell, (M, B), under re-randomisation within strata.

    ``permute``: subjects of a stratum (sorted by cell) are assigned one after the other,
    treated with probability (treated left) / (subjects left) — a uniform draw among the
    assignments with the stratum's arm sizes — vectorised over the B draws and the strata.
    ``hypergeometric``: numpy's multivariate hypergeometric over the stratum's cells.
    """

    def __init__(self, cells: Cells, cell_ids: np.ndarray, method: str, permutations: int = 10_000):
        n = cells.cell.size
        per_stratum = cells.counts.shape[1] * cells.counts.shape[2]
        if method == "auto":
            largest = int(cells.counts.sum(axis=(1, 2)).max())
            cheaper = _hypergeometric_is_cheaper(n, largest, cell_ids.size, permutations)
            method = "hypergeometric" if cheaper else "permute"
        if method not in ("permute", "hypergeometric"):
            raise ValueError(f"method must be 'auto', 'permute' or 'hypergeometric', not {method!r}")
        self.method = method
        self.size = cell_ids.size
        self.colors = cells.counts.ravel()[cell_ids]
        bounds = np.searchsorted(cell_ids, np.arange(cells.n_strata + 1) * per_stratum)
        arm_sizes = cells.arm_sizes
        self.strata = [(int(bounds[s]), int(bounds[s + 1]), int(arm_sizes[s])) for s in range(cells.n_strata)]
        # cell (row of x) of each subject, subjects sorted by cell (so grouped by stratum)
        self.subject_cell = np.repeat(np.arange(self.size), self.colors)
        self.arm_sizes = arm_sizes
        self.stratum_n = cells.counts.sum(axis=(1, 2))
        self.stratum_first = np.r_[0, np.cumsum(self.stratum_n)[:-1]]

    @property
    def per_draw(self) -> int:
        return 2 * self.size

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        x = np.zeros((self.size, size))
        if self.method == "permute":
            # step j re-assigns the j-th subject of every stratum at once
            left = np.repeat(self.arm_sizes[:, None].astype(float), size, axis=1)
            for j in range(int(self.stratum_n.max())):
                active = np.flatnonzero(self.stratum_n > j)
                treated = rng.random((active.size, size)) * (self.stratum_n[active, None] - j) < left[active]
                left[active] -= treated
                x[self.subject_cell[self.stratum_first[active] + j]] += treated
            return x
        for lo, hi, m in self.strata:
            if hi > lo:
                x[lo:hi] = rng.multivariate_hypergeometric(self.colors[lo:hi], m, size=size,
                                                           method="marginals").T
        return x


class _Progress:
    """A one-line progress bar on stderr, shown only when the run is expected to last > 2 s."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.shown = total, enabled, False
        self.start = _time.perf_counter()

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        elapsed = _time.perf_counter() - self.start
        if self.shown or (done < self.total and elapsed * self.total / max(done, 1) > 2.0):
            self.shown = True
            filled = int(30 * done / self.total)
            sys.stderr.write(f"\rrandomisation inference [{'#' * filled}{' ' * (30 - filled)}] "
                             f"{done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


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
    method : {"auto", "permute", "hypergeometric"}
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
    sampler = _Sampler(cells, calc.cell_ids, method, permutations)
    chunk = _chunk_size(sampler.per_draw, permutations)
    sizes = [min(chunk, permutations - start) for start in range(0, permutations, chunk)]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))

    def run_chunk(job: tuple[np.random.SeedSequence, int]) -> tuple[int, dict[str, int]]:
        values = evaluate(sampler.draw(np.random.default_rng(job[0]), job[1]))
        return job[1], {name: int(np.count_nonzero(values[name] >= threshold[name])) for name in statistics}

    exceed = dict.fromkeys(statistics, 0)
    bar = _Progress(permutations, progress)
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
