"""The three exact re-randomisation samplers side by side (issue 3, target 3). Prints figures; asserts nothing.

For simulated cohorts (``evalexp.simulate``, 10 strata) of 150 .. 10^6 contracts: seconds per
10,000 draws of each sampler of ``evalexp.survival.resample`` (drawn in the sampler's blocks, one
thread, scaled from fewer draws at large n), the route ``method="auto"`` picks, and, as a check
that the fast route draws the same distribution, the two-sample Kolmogorov-Smirnov p-value of
2,000 log-rank statistics from the Bernoulli sampler against 2,000 from numpy's hypergeometric
sampler. These figures calibrate the cost model of ``resample._cheapest``.

Usage: python benchmarks/resample.py [--max-n 1000000]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats
from survival import data_of  # benchmarks/survival.py: the same simulated cohorts

from evalexp.survival.cells import CellStatistics, build_cells
from evalexp.survival.permutation import _chunk_size
from evalexp.survival.resample import SAMPLERS, sampler

SIZES = [150, 1_000, 10_000, 100_000, 1_000_000]
#: Largest n at which a sampler is timed (permute is O(n) per draw).
LIMIT = {"permute": 20_000, "hypergeometric": 10 ** 7, "bernoulli": 10 ** 7}


def seconds_per_10k(s, draws: int) -> float:
    block = _chunk_size(2 * s.size, s.block, draws)  # the chunks randomization_inference uses
    rng = np.random.default_rng(1)
    start = time.perf_counter()
    for _ in range(draws // block):
        s.draw(rng, block)
    return (time.perf_counter() - start) * 10_000 / (draws // block * block)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"{'n':>9} {'cells':>7}" + "".join(f"{m:>16}" for m in SAMPLERS) + f"{'auto':>16}{'KS p':>8}"
          + "   (s per 10,000 draws)")
    for n in [s for s in SIZES if s <= args.max_n]:
        d = data_of(n)
        cells = build_cells(d["time"], d["event"], d["treated"], d["stratum"])
        calc = CellStatistics(cells)
        draws = 10_000 if n <= 10_000 else 1_000
        row = [f"{seconds_per_10k(sampler(cells, calc.cell_ids, m), draws):>16.3f}" if n <= LIMIT[m]
               else f"{'-':>16}" for m in SAMPLERS]
        null = {m: calc.logrank(sampler(cells, calc.cell_ids, m).draw(np.random.default_rng(2), 2000))
                for m in ("hypergeometric", "bernoulli")}
        ks = stats.ks_2samp(null["hypergeometric"], null["bernoulli"]).pvalue
        auto = sampler(cells, calc.cell_ids).method
        print(f"{n:>9} {calc.cell_ids.size:>7}" + "".join(row) + f"{auto:>16}{ks:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
