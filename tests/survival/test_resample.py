"""The three exact samplers of the re-randomisation distribution of treated counts per cell.

Under re-randomisation within stratum s (``m_s`` treated among ``N_s``), the treated
counts over the stratum's cells are multivariate hypergeometric; strata are independent.
Each sampler is checked against that distribution: exact pmf on small designs
(chi-square goodness of fit), hypergeometric means and variances of the treated at risk
on a large one, and the same log-rank null distribution on a real trial.
"""
import itertools

import numpy as np
import pytest
from scipy import stats

from evalexp.survival.cells import Cells, CellStatistics, build_cells
from evalexp.survival.resample import BernoulliSampler, _distinct_ranks, sampler

from .refdata import load_dataset

METHODS = ["permute", "hypergeometric", "bernoulli"]


def _cells(colors: list[list[int]], treated: list[int]) -> Cells:
    """Cells with the given subjects per non-empty cell in each stratum and arm sizes."""
    width = max(len(c) for c in colors)
    counts = np.zeros((len(colors), width, 2), dtype=np.int64)
    arm = np.zeros_like(counts)
    for s, (row, m) in enumerate(zip(colors, treated)):
        counts[s].ravel()[:len(row)] = row
        flat = arm[s].ravel()
        for k, c in enumerate(row):  # put the observed treated anywhere: only their number matters
            flat[k] = min(c, m - flat.sum())
    return Cells(event_times=np.arange(width - 1.0), counts=counts, treated=arm, cell=np.zeros(0, np.int64))


def _draw(cells: Cells, method: str, size: int, seed: int = 1) -> np.ndarray:
    ids = np.flatnonzero(cells.counts.ravel())
    return sampler(cells, ids, method).draw(np.random.default_rng(seed), size)


def _goodness_of_fit(draws: np.ndarray, colors: list[list[int]], treated: list[int]) -> float:
    """Chi-square p-value of the draws (B, M) against the product of multivariate hypergeometrics."""
    widths = np.cumsum([0] + [len(c) for c in colors])
    supports = [[k for k in itertools.product(*[range(c + 1) for c in row]) if sum(k) == m]
                for row, m in zip(colors, treated)]
    outcomes = list(itertools.product(*supports))
    probs = np.array([np.prod([stats.multivariate_hypergeom.pmf(list(k), row, m)
                               for k, row, m in zip(o, colors, treated)]) for o in outcomes])
    index = {tuple(np.concatenate(o)): i for i, o in enumerate(outcomes)}
    seen = np.zeros(len(outcomes))
    for row in draws.astype(int):
        seen[index[tuple(row)]] += 1
    assert seen.sum() == draws.shape[0] and widths[-1] == draws.shape[1]
    return stats.chisquare(seen, probs * draws.shape[0]).pvalue


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("colors, treated", [
    ([[2, 3, 1], [4, 1]], [3, 2]),            # two strata, balanced and not
    ([[1, 1, 1, 1, 1, 1]], [1]),              # m far from N / 2: many corrections
    ([[3, 2], [1], [2, 2]], [5, 0, 2]),       # all treated, none treated
])
def test_draws_have_the_multivariate_hypergeometric_distribution(method, colors, treated):
    draws = _draw(_cells(colors, treated), method, 40_000)
    assert _goodness_of_fit(draws, colors, treated) > 1e-3


@pytest.mark.parametrize("method", METHODS)
def test_cells_across_64_bit_word_boundaries(method):
    # one stratum of 130 = 64 + 66 subjects: the boundary falls on a word edge and the
    # last word is partly used; the first cell's count is hypergeometric(64, 66, 65)
    draws = _draw(_cells([[64, 66]], [65]), method, 40_000)[:, 0].astype(int)
    support = np.arange(20, 46)
    expected = stats.hypergeom.pmf(support, 130, 64, 65) * draws.size
    seen = np.array([(draws == k).sum() for k in support])
    assert ((draws >= 20) & (draws < 46)).mean() > 0.999
    assert stats.chisquare(seen, expected * seen.sum() / expected.sum()).pvalue > 1e-3


@pytest.mark.parametrize("method", METHODS)
def test_draws_keep_each_stratum_arm_size_and_cell_sizes(method):
    df = load_dataset("veteran")
    cells = build_cells(df["time"], df["event"], df["treated"], df["celltype"])
    ids = np.flatnonzero(cells.counts.ravel())
    s = sampler(cells, ids, method)
    x = s.draw(np.random.default_rng(3), 300)
    for lo, hi, m in s.strata:
        assert np.all(x[:, lo:hi].sum(axis=1) == m)
    assert np.all(x <= s.colors) and np.all(x >= 0)


def test_bernoulli_treated_at_risk_has_hypergeometric_mean_and_variance():
    # 20,000 subjects in 4 strata of unequal arm sizes, 2,000 draws: the treated among the
    # subjects of the first j cells of a stratum (those at risk after the j-th interval)
    # are hypergeometric, mean m K / N and variance m (K / N)(1 - K / N)(N - m) / (N - 1)
    rng = np.random.default_rng(8)
    n = 20_000
    strata = rng.integers(0, 4, n)
    arm = (rng.random(n) < np.array([0.5, 0.45, 0.6, 0.5])[strata]).astype(int)
    cells = build_cells(rng.integers(1, 400, n).astype(float), rng.random(n) < 0.3, arm, strata)
    ids = np.flatnonzero(cells.counts.ravel())
    s = BernoulliSampler(cells, ids)
    x = s.draw(np.random.default_rng(9), 2000)
    for lo, hi, m in s.strata:
        N = s.colors[lo:hi].sum()
        for j in (1, (hi - lo) // 3, (hi - lo) // 2, hi - lo - 1):
            K = s.colors[lo:lo + j].sum()
            mean = m * K / N
            var = m * (K / N) * (1 - K / N) * (N - m) / (N - 1)
            got = x[:, lo:lo + j].sum(axis=1)
            assert abs(got.mean() - mean) < 4.5 * np.sqrt(var / got.size)
            # variance of a sample variance of ~normal draws: 2 var^2 / (B - 1)
            assert abs(got.var(ddof=1) - var) < 4.5 * var * np.sqrt(2 / (got.size - 1))


def test_samplers_give_the_same_logrank_null_distribution():
    # Kolmogorov-Smirnov, 4000 draws each, against the plain permutation route; and all
    # close to the asymptotic chi-square(1) null at the 50/90/99% quantiles
    df = load_dataset("veteran")
    cells = build_cells(df["time"], df["event"], df["treated"], df["celltype"])
    calc = CellStatistics(cells)
    draws = {m: calc.logrank(sampler(cells, calc.cell_ids, m).draw(np.random.default_rng(11), 4000))
             for m in METHODS}
    q = [0.5, 0.9, 0.99]
    for method in ("hypergeometric", "bernoulli"):
        assert stats.ks_2samp(draws["permute"], draws[method]).pvalue > 0.01
        np.testing.assert_allclose(np.quantile(draws[method], q), stats.chi2.ppf(q, 1), rtol=0.15)


def test_distinct_ranks_are_a_uniform_subset():
    # 3 distinct ranks among 5 in each of 30,000 groups: the 10 subsets equally likely
    sizes, pools = np.full(30_000, 3), np.full(30_000, 5)
    key = _distinct_ranks(np.random.default_rng(4), sizes, pools)
    group, rank = key >> 32, key & 0xFFFFFFFF
    assert np.array_equal(group, np.repeat(np.arange(30_000), 3)) and rank.max() < 5
    subsets = rank.reshape(-1, 3)
    assert np.all(np.diff(subsets, axis=1) > 0)
    code = (1 << subsets).sum(axis=1)
    seen = np.unique(code, return_counts=True)[1]
    assert seen.size == 10 and stats.chisquare(seen).pvalue > 1e-3


def test_auto_picks_permute_for_a_pilot_and_bernoulli_for_a_large_balanced_trial():
    rng = np.random.default_rng(2)

    def chosen(n, share):
        arm = (rng.random(n) < share).astype(int)
        cells = build_cells(rng.integers(1, 700, n).astype(float), rng.random(n) < 0.25, arm,
                            rng.integers(0, 4, n))
        return sampler(cells, np.flatnonzero(cells.counts.ravel())).method

    assert chosen(150, 0.5) == "permute"
    assert chosen(100_000, 0.5) == "bernoulli"
    # one treated in five: the coin count misses m by ~N/3 per stratum, too many corrections
    assert chosen(100_000, 0.2) == "hypergeometric"


def test_unknown_method_is_refused():
    cells = _cells([[2, 3]], [2])
    with pytest.raises(ValueError, match=r"^method must be 'auto', 'permute', 'hypergeometric', "
                                         r"'bernoulli', not 'shuffle'$"):
        sampler(cells, np.flatnonzero(cells.counts.ravel()), "shuffle")
