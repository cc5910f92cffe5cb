"""Aalen-Johansen cumulative incidence: hand example, R cmprsk::cuminc and survival::survfit."""
from __future__ import annotations

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from scipy import stats

from evalexp.competing.cif import cumulative_incidence, log_log_interval
from evalexp.errors import AnalysisError

from .refdata import dataset, max_rel_err, r_numbers, reference

CASES = [(name, cause, group) for name in ("pbc", "mgus2", "tiny") for cause in (1, 2) for group in (0, 1)]


def _curve(name, cause, group):
    d = dataset(name)
    labels = sorted(d["group"].unique())
    sub = d[d["group"] == labels[group]]
    ref = reference()[name][f"cause_{cause}"][f"group_{labels[group]}"]
    return cumulative_incidence(sub["time"], sub["status"], cause), ref


def test_hand_computed_steps():
    # tiny, group 1 (times 2:cause1, 2:censored, 4:cause1, 5:cause1, 7:cause2), cause 1:
    # F(2) = 1/5; S(2) = 4/5, 3 at risk at 4: F(4) = 1/5 + 4/5 * 1/3 = 7/15;
    # S(4) = 4/5 * 2/3, 2 at risk at 5: F(5) = 7/15 + 8/15 * 1/2 = 11/15.
    d = dataset("tiny").query("group == 1")
    table = cumulative_incidence(d["time"], d["status"], 1).table
    np.testing.assert_array_equal(table["time"], [0, 2, 4, 5])
    np.testing.assert_allclose(table["cif"], [0, 1 / 5, 7 / 15, 11 / 15], rtol=1e-15)
    np.testing.assert_array_equal(table["at_risk"], [5, 5, 3, 2])


def test_hand_computed_first_variance():
    # cinc at t = 2 (n = 5, d = 1, S(2-) = 1, S(2) = 0.8, F = 0.2): c = 1/25, a = 1/0.8,
    # u = 1 + a F = 1.25; v1 = v2 = v3 = 1.5625/25, so Var = v1 (1 + F^2 - 2F) = 0.04.
    d = dataset("tiny").query("group == 1")
    table = cumulative_incidence(d["time"], d["status"], 1).table
    assert table["std_err"].iloc[1] ** 2 == pytest.approx(0.04, rel=1e-14)


@pytest.mark.parametrize("name,cause,group", CASES)
def test_steps_match_cuminc(name, cause, group):
    # R: cuminc(time, status, group)[["<group> <cause>"]]$time / $est / $var, corner points
    # (0, t1, t1, t2, t2, ..., last follow-up): the value after each jump is at index 2, 4, ...
    curve, ref = _curve(name, cause, group)
    m = (len(ref["step_time"]) - 2) // 2
    jumps = curve.table.iloc[1:]
    np.testing.assert_array_equal(jumps["time"], ref["step_time"][1:2 * m:2])
    assert max_rel_err(jumps["cif"], ref["step_est"][2:2 * m + 1:2]) <= 1e-6
    assert max_rel_err(jumps["std_err"] ** 2, ref["step_var"][2:2 * m + 1:2]) <= 1e-6
    assert curve.last_time == ref["step_time"][-1]


@pytest.mark.parametrize("name,cause,group", CASES)
def test_landmarks_match_timepoints(name, cause, group):
    # R: timepoints(cuminc(...), times) -- NA after the group's last follow-up time
    curve, ref = _curve(name, cause, group)
    at = curve.at(reference()[name]["times"])
    expected_est, expected_var = r_numbers(ref["at_est"]), r_numbers(ref["at_var"])
    np.testing.assert_array_equal(np.isnan(at["cif"]), np.isnan(expected_est))
    assert max_rel_err(at["cif"], expected_est) <= 1e-6
    assert max_rel_err(at["std_err"] ** 2, expected_var) <= 1e-6


@pytest.mark.parametrize("name,cause,group", CASES)
def test_estimates_match_survfit_multistate(name, cause, group):
    # R: summary(survfit(Surv(time, factor(status)) ~ group)[g], times, extend = TRUE)$pstate
    curve, ref = _curve(name, cause, group)
    times = np.array(reference()[name]["times"], dtype=float)
    inside = times <= curve.last_time
    expected = np.array(ref["survfit_pstate"], dtype=float)[inside]
    assert max_rel_err(curve.at(times[inside])["cif"], expected) <= 1e-6


def test_causes_add_up_to_one_minus_kaplan_meier():
    # Aalen-Johansen identity: sum over causes of CIF_k(t) = 1 - S(t) (lifelines KM, all causes)
    d = dataset("mgus2")
    times = np.unique(d["time"])
    total = sum(cumulative_incidence(d["time"], d["status"], k).at(times)["cif"].to_numpy() for k in (1, 2))
    km = KaplanMeierFitter().fit(d["time"], d["status"] > 0)
    assert np.max(np.abs(total - (1 - km.survival_function_at_times(times).to_numpy()))) <= 1e-12


def test_log_log_interval_formula():
    # theta = log(-log F), se_theta = se / (F |log F|); F = exp(-exp(theta +- z se_theta))
    F, se, z = 0.3, 0.05, stats.norm.isf(0.025)
    theta, se_theta = np.log(-np.log(F)), se / (F * abs(np.log(F)))
    low, high = log_log_interval(np.array([F]), np.array([se]), 0.05)
    assert low[0] == pytest.approx(np.exp(-np.exp(theta + z * se_theta)), rel=1e-12)
    assert high[0] == pytest.approx(np.exp(-np.exp(theta - z * se_theta)), rel=1e-12)


def test_interval_brackets_estimate_inside_unit_interval():
    d = dataset("pbc")
    table = cumulative_incidence(d["time"], d["status"], 2).table.iloc[1:]
    assert np.all((table["ci_low"] > 0) & (table["ci_low"] < table["cif"]))
    assert np.all((table["ci_high"] > table["cif"]) & (table["ci_high"] < 1))


def test_zero_incidence_has_degenerate_interval():
    table = cumulative_incidence([1, 2, 3], [0, 2, 0], 1).table
    assert table[["time", "cif", "std_err", "ci_low", "ci_high"]].to_numpy().tolist() == [[0, 0, 0, 0, 0]]


def test_row_order_does_not_change_the_result():
    d = dataset("mgus2")
    shuffled = d.sample(frac=1.0, random_state=7)
    a = cumulative_incidence(d["time"], d["status"], 1).table
    b = cumulative_incidence(shuffled["time"], shuffled["status"], 1).table
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())


def test_at_is_right_continuous():
    d = dataset("tiny").query("group == 1")
    at = cumulative_incidence(d["time"], d["status"], 1).at([1.999, 2.0, 7.0, 7.5])
    np.testing.assert_allclose(at["cif"][:3], [0, 0.2, 11 / 15], rtol=1e-15)
    assert np.isnan(at["cif"][3])


def test_string_causes_and_custom_censoring_code():
    a = cumulative_incidence([1, 2, 3, 4], ["employer", "", "apprentice", "employer"], "employer", cencode="")
    b = cumulative_incidence([1, 2, 3, 4], [1, 0, 2, 1], 1)
    np.testing.assert_array_equal(a.table.to_numpy(), b.table.to_numpy())


def test_negative_time_is_refused():
    with pytest.raises(AnalysisError, match="non-negative"):
        cumulative_incidence([-1, 2], [1, 0], 1)


def test_missing_status_is_refused():
    # NaN differs from the censoring code: it must not count as a failure from another cause
    with pytest.raises(AnalysisError, match="status has missing"):
        cumulative_incidence([1, 2, 3], [1, np.nan, 0], 1)
