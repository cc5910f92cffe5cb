"""Randomisation inference: exact enumeration, p-value convention, reproducibility."""
import itertools

import numpy as np
import pytest

from evalexp.survival.cells import CellStatistics, build_cells
from evalexp.survival.logrank import logrank_test
from evalexp.survival.permutation import randomization_inference

from .refdata import load_dataset

# a small stratified trial: 2 strata of 6, 3 treated in each -> C(6,3)^2 = 400 assignments
TIME = np.array([3, 5, 5, 8, 12, 15, 2, 4, 6, 6, 9, 11])
EVENT = np.array([1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0])
STRATA = np.array([0] * 6 + [1] * 6)
TREATED = np.array([1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0])


def _exact_p(statistic: str) -> float:
    """Exact randomisation p over the 400 within-stratum assignments (>= with 1e-9 tolerance)."""
    def value(arm):
        cells = build_cells(TIME, EVENT, arm, STRATA)
        calc = CellStatistics(cells, tau=10)
        x = calc.observed()
        return {"logrank": calc.logrank, "cox_score": calc.cox_score,
                "rmst": lambda v: np.abs(calc.rmst_difference(v))}[statistic](x)[0]

    observed = value(TREATED)
    values = []
    for a in itertools.combinations(range(6), 3):
        for b in itertools.combinations(range(6), 3):
            arm = np.zeros(12, dtype=int)
            arm[list(a)] = 1
            arm[[6 + i for i in b]] = 1
            values.append(value(arm))
    return float(np.mean(np.array(values) >= observed * (1 - 1e-9)))


@pytest.mark.parametrize("statistic", ["logrank", "cox_score", "rmst"])
@pytest.mark.parametrize("method", ["permute", "hypergeometric", "bernoulli"])
def test_p_value_agrees_with_exact_enumeration(statistic, method):
    # B = 20000: Monte Carlo SE <= 0.0036; tolerance 4 SE
    exact = _exact_p(statistic)
    (ri,) = randomization_inference(TIME, EVENT, TREATED, strata=STRATA, statistics=[statistic],
                                    permutations=20000, seed=7, tau=10, method=method)
    assert abs(ri.p_value - exact) < 4 * np.sqrt(exact * (1 - exact) / 20000) + 1e-4


def test_observed_statistic_is_the_stratified_logrank():
    (ri,) = randomization_inference(TIME, EVENT, TREATED, strata=STRATA, permutations=10, seed=1)
    assert ri.observed == pytest.approx(logrank_test(TIME, EVENT, TREATED, strata=STRATA).statistic, rel=1e-12)


def test_p_value_is_one_plus_exceedances_over_one_plus_b():
    (ri,) = randomization_inference(TIME, EVENT, TREATED, strata=STRATA, permutations=500, seed=2)
    assert ri.p_value == (1 + ri.exceed) / 501


def test_same_seed_same_p_and_other_seed_other_draws():
    df = load_dataset("veteran")
    args = (df["time"], df["event"], df["treated"])
    a = randomization_inference(*args, permutations=2000, seed=5)[0]
    b = randomization_inference(*args, permutations=2000, seed=5)[0]
    c = randomization_inference(*args, permutations=2000, seed=6)[0]
    assert a.p_value == b.p_value
    assert a.exceed != c.exceed


def test_several_statistics_share_the_draws_and_report_in_order():
    df = load_dataset("rats")
    out = randomization_inference(df["time"], df["event"], df["treated"], statistics=["rmst", "logrank"],
                                  permutations=300, seed=1, tau=100)
    assert [r.statistic for r in out] == ["rmst", "logrank"]
    assert out[0].to_dict()["permutations"] == 300


def test_rmst_needs_tau_and_unknown_statistics_are_refused():
    with pytest.raises(ValueError, match="tau"):
        randomization_inference(TIME, EVENT, TREATED, statistics=["rmst"], permutations=10)
    with pytest.raises(ValueError, match="unknown"):
        randomization_inference(TIME, EVENT, TREATED, statistics=["wilcoxon"], permutations=10)


@pytest.mark.parametrize("method", ["permute", "hypergeometric", "bernoulli"])
def test_worker_threads_do_not_change_the_result(monkeypatch, method):
    import evalexp.survival.permutation as permutation
    df = load_dataset("veteran")
    args = (df["time"], df["event"], df["treated"])
    monkeypatch.setattr(permutation, "CHUNK_ELEMENTS", 20_000)  # several chunks
    monkeypatch.setattr(permutation, "WORKERS", 1)
    serial = randomization_inference(*args, strata=df["celltype"], permutations=3000, seed=9, method=method)[0]
    monkeypatch.setattr(permutation, "WORKERS", 2)
    threaded = randomization_inference(*args, strata=df["celltype"], permutations=3000, seed=9, method=method)[0]
    assert serial.method == method and serial.exceed == threaded.exceed


def test_a_statistic_without_information_is_0_and_its_p_value_1():
    # one event, in a risk set of one: the log-rank variance is 0 in every re-randomisation (O = E)
    (ri,) = randomization_inference([1, 2, 3, 4], [0, 0, 0, 1], [1, 0, 1, 0], permutations=50, seed=1)
    assert (ri.observed, ri.p_value, ri.exceed) == (0.0, 1.0, 50)
