"""Randomisation-test-inversion intervals of the hazard ratio and the risk difference (issue 14).

R references: ``tests/reference/randomization_ci/make_reference.R`` (R 4.2, survival), read from
``reference.json`` beside it.
"""
import json

import numpy as np
import pandas as pd
import pytest

from evalexp.survival.cox import cox_ph
from evalexp.survival.randomization_ci import (
    HR_METHOD,
    MAX_DISTANCE,
    RD_METHOD,
    TOLERANCE,
    _reduce,
    randomization_intervals,
)

from .refdata import REFERENCE, load_dataset

ALPHA = 0.05


@pytest.fixture(scope="module")
def ref() -> dict:
    return json.loads((REFERENCE / "randomization_ci" / "reference.json").read_text())


@pytest.fixture(scope="module")
def veteran():
    df = load_dataset("veteran")
    return (df["time"].to_numpy(float), df["event"].to_numpy(int), df["treated"].to_numpy(float),
            pd.factorize(df["celltype"])[0])


def _parts(data, permutations, seed, ties="efron"):
    return _reduce(*data, 100, permutations, seed, ties)[0]


@pytest.mark.parametrize(("ties", "key"), [("breslow", "score_statistic"), ("efron", "score_statistic_efron")])
def test_the_observed_statistic_is_rs_score_test_at_every_b0(ref, veteran, ties, key):
    # R: coxph(Surv(time, status) ~ treated + strata(celltype), ties = ties, init = b0,
    #          control = coxph.control(iter.max = 0))$score  (veteran has tied deaths within cell types)
    parts = _parts(veteran, 10, 1, ties)
    ours = [parts.statistic(b0)[0][0] for b0 in ref["b0"]]
    assert ours == pytest.approx(ref[key], rel=1e-9)


@pytest.mark.parametrize(("ties", "key"), [("breslow", "breslow_log_hr"), ("efron", "efron_log_hr")])
def test_the_estimate_is_the_cox_estimate_and_the_risk_difference_the_contracts(ref, veteran, ties, key):
    time, event, arm, blocks = veteran
    out = randomization_intervals(time, event, arm, 100, strata=blocks, permutations=500, seed=4, ties=ties)
    # R: coef(coxph(Surv(time, status) ~ treated + strata(celltype), ties = ties))
    assert out.log_hr == pytest.approx(ref[key], abs=1e-8)
    # R: 1 - summary(survfit(Surv(time, status) ~ treated), times = 100)$surv and $std.err
    risk, se = np.array(ref["risk_100"]["risk"]), np.array(ref["risk_100"]["se"])
    assert out.difference == pytest.approx(risk[1] - risk[0], rel=1e-9)
    assert out.se == pytest.approx(np.hypot(*se), rel=1e-9)


def test_the_p_value_is_one_at_the_estimate_and_the_limits_are_where_it_crosses_alpha(veteran):
    # check (a): the interval holds b0 iff p(b0) > alpha, at both limits (to the bisection tolerance)
    time, event, arm, blocks = veteran
    out = randomization_intervals(time, event, arm, 100, strata=blocks, permutations=999, seed=11, alpha=ALPHA)
    parts = _parts(veteran, 999, 11)
    assert parts.p_value(out.log_hr) == 1.0
    assert out.log_hr_ci_low < out.log_hr < out.log_hr_ci_high
    assert parts.p_value(out.log_hr_ci_low) > ALPHA >= parts.p_value(out.log_hr_ci_low - TOLERANCE)
    assert parts.p_value(out.log_hr_ci_high) > ALPHA >= parts.p_value(out.log_hr_ci_high + TOLERANCE)
    assert out.log_hr_p_value == parts.p_value(0.0)


def test_the_risk_difference_interval_is_the_set_of_shifts_with_p_above_alpha(veteran):
    time, event, arm, blocks = veteran
    out = randomization_intervals(time, event, arm, 100, strata=blocks, permutations=999, seed=11, alpha=ALPHA)
    _, diff, se = _reduce(time, event, arm, blocks, 100, 999, 11, "efron")
    permuted = np.abs(diff[1:]) / se[1:]

    def p(d0):
        return (1 + np.count_nonzero(permuted >= abs(out.difference - d0) / out.se)) / 1000

    for bound, outward in ((out.rd_ci_low, -1e-9), (out.rd_ci_high, 1e-9)):
        assert p(bound - outward) > ALPHA >= p(bound + outward)
    assert out.rd_p_value == pytest.approx(p(0.0), abs=1e-12)


def _trial(n, hazard_ratio, seed, blocks=1):
    rng = np.random.default_rng(seed)
    arm = rng.permutation(np.arange(n) % 2).astype(float)
    latent = rng.exponential(1.0 / (0.002 * hazard_ratio ** arm))
    censor = rng.uniform(100, 900, n)
    return np.minimum(latent, censor), (latent <= censor).astype(int), arm, rng.integers(0, blocks, n)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_intervals_exclude_the_null_exactly_when_the_p_value_is_at_most_alpha(seed):
    time, event, arm, blocks = _trial(60, 0.6, seed, blocks=3)
    out = randomization_intervals(time, event, arm, 300, strata=blocks, permutations=400, seed=seed)
    assert (out.log_hr_p_value <= ALPHA) == (not out.log_hr_ci_low <= 0.0 <= out.log_hr_ci_high)
    assert (out.rd_p_value <= ALPHA) == (not out.rd_ci_low <= 0.0 <= out.rd_ci_high)


def test_on_a_large_trial_the_hazard_ratio_interval_is_close_to_walds():
    # check (b): no covariates, 2,000 participants, 4,000 re-randomisations; the Breslow Wald interval
    # (evalexp cox_ph, checked against R coxph elsewhere). Tolerance 0.02 on the log scale: the Monte
    # Carlo error of the permutation quantile is about 0.003 here, the score-vs-Wald gap about 0.005.
    time, event, arm, _ = _trial(2000, 0.7, 7)
    out = randomization_intervals(time, event, arm, 365, permutations=4000, seed=8, ties="breslow")
    wald = cox_ph(time, event, pd.DataFrame({"treated": arm}), ties="breslow").tidy().iloc[0]
    assert out.log_hr == pytest.approx(wald["estimate"], abs=1e-8)
    assert out.log_hr_ci_low == pytest.approx(wald["ci_low"], abs=0.02)
    assert out.log_hr_ci_high == pytest.approx(wald["ci_high"], abs=0.02)


def test_reproducible_from_the_seed(veteran):
    # check (c)
    time, event, arm, blocks = veteran
    first, again, other = (randomization_intervals(time, event, arm, 100, strata=blocks, permutations=300, seed=s)
                           for s in (5, 5, 6))
    assert first.to_dict() == again.to_dict()  # results compare by value through to_dict()
    assert (first.log_hr_ci_low, first.log_hr_ci_high, first.rd_ci_low) != \
        (other.log_hr_ci_low, other.log_hr_ci_high, other.rd_ci_low)


def _no_treated_rupture():
    time = np.r_[np.full(10, 400.0), np.arange(1.0, 11.0) * 20]
    event = np.r_[np.zeros(10), np.ones(10)].astype(int)
    return time, event, np.r_[np.ones(10), np.zeros(10)], np.zeros(20, dtype=int)


def test_an_arm_without_rupture_gives_a_one_sided_interval_from_a_hazard_ratio_of_zero():
    time, event, arm, blocks = _no_treated_rupture()
    out = randomization_intervals(time, event, arm, 365, permutations=200, seed=1)
    parts = _reduce(time, event, arm, blocks, 365, 200, 1, "efron")[0]
    assert out.log_hr == -np.inf and out.log_hr_ci_low == -np.inf
    # the upper limit is where p crosses alpha, as for a finite estimate
    assert parts.p_value(out.log_hr_ci_high) > ALPHA >= parts.p_value(out.log_hr_ci_high + TOLERANCE)
    assert parts.p_value(-MAX_DISTANCE) > ALPHA
    hr = out.to_dict()["hazard_ratio"]
    assert (hr["log_hr"], hr["hr"], hr["ci_low"], hr["ci_high_unbounded"]) == (None, None, 0.0, False)
    assert hr["ci_high"] == pytest.approx(np.exp(out.log_hr_ci_high)) and hr["ci_high"] < 1
    assert hr["p_value"] == pytest.approx(1 / 201)   # no re-randomisation is as extreme


def test_a_control_arm_without_rupture_gives_an_interval_unbounded_above():
    time, event, arm, _ = _no_treated_rupture()
    out = randomization_intervals(time, event, 1 - arm, 365, permutations=200, seed=1)
    assert out.log_hr == np.inf and out.log_hr_ci_high == np.inf and np.isfinite(out.log_hr_ci_low)
    hr = out.to_dict()["hazard_ratio"]
    assert hr["ci_high"] is None and hr["ci_high_unbounded"] is True and hr["ci_low"] > 1


def test_without_any_rupture_no_effect_is_rejected():
    time, event, arm, _ = _no_treated_rupture()
    out = randomization_intervals(time, np.zeros_like(event), arm, 365, permutations=50, seed=1)
    hr, rd = out.to_dict()["hazard_ratio"], out.to_dict()["risk_difference"]
    assert np.isnan(out.log_hr) and (hr["hr"], hr["ci_low"], hr["ci_high"], hr["ci_high_unbounded"], hr["p_value"]) \
        == (None, 0.0, None, True, 1.0)
    assert (rd["difference"], rd["ci_low"], rd["ci_high"], rd["p_value"]) == (0.0, -1.0, 1.0, 1.0)


def test_unknown_ties_are_refused(veteran):
    with pytest.raises(ValueError, match=r"^ties must be 'efron' or 'breslow', got 'exact'$"):
        randomization_intervals(*veteran[:3], 100, ties="exact")


def test_dict_and_tidy(veteran):
    time, event, arm, blocks = veteran
    out = randomization_intervals(time, event, arm, 100, strata=blocks, permutations=200, seed=2)
    d = out.to_dict()
    assert (d["permutations"], d["seed"], d["level"], d["hazard_ratio"]["ties"]) == (200, 2, 0.95, "efron")
    assert d["hazard_ratio"]["method"] == HR_METHOD and d["risk_difference"]["method"] == RD_METHOD
    assert d["hazard_ratio"]["ci_low"] == pytest.approx(np.exp(out.log_hr_ci_low))
    assert d["risk_difference"]["day"] == 100
    tidy = out.tidy()
    assert list(tidy["estimate"]) == pytest.approx([out.log_hr, out.difference])
    assert list(tidy["ci_high"]) == pytest.approx([out.log_hr_ci_high, out.rd_ci_high])
    assert "studentised" in out.summary()
