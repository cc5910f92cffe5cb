"""Specification of evalexp.integrity.attrition: WWC attrition ratings and Lee (2009) bounds.

Boundary values: WWC Standards Handbook v4.1, Table II.1. Lee bounds: hand-computed trimmed
means (Lee 2009, Proposition 1, a 0/1 outcome). Imbens-Manski (2004): the defining equation.
"""
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalexp.cohort import Cohort, derive_survival
from evalexp.errors import AnalysisError
from evalexp.integrity.attrition import (
    CAUTIOUS_BOUNDARY,
    OPTIMISTIC_BOUNDARY,
    attrition,
    censored_at_extraction,
    imbens_manski_ci,
    lee_bounds_binary,
    lost_to_followup,
    max_differential,
    overall_row,
    rate_attrition,
)
from evalexp.plan import plan_from_dict


def outcome(n_missing: int, n_zero: int, n_one: int) -> np.ndarray:
    return np.array([np.nan] * n_missing + [0.0] * n_zero + [1.0] * n_one)


def plan(binary=(), boundary="cautious", horizon=365):
    return plan_from_dict({"title": "t", "survival": {"horizon_days": horizon},
                           "outcomes": {"binary": list(binary)},
                           "integrity": {"attrition_boundary": boundary}})


def cohort_with_outcome(y_t: np.ndarray, y_c: np.ndarray) -> Cohort:
    n = len(y_t) + len(y_c)
    start = pd.Timestamp("2020-01-01")
    frame = pd.DataFrame({
        "participant_id": [f"P{i}" for i in range(n)],
        "arm": ["treatment"] * len(y_t) + ["control"] * len(y_c),
        "contract_start": start, "contract_end_planned": start + pd.Timedelta(days=700),
        "followup_end": start + pd.Timedelta(days=700), "rupture_date": pd.NaT,
        "employed_6m": np.concatenate([y_t, y_c]),
    })
    return Cohort(derive_survival(frame))


def test_boundary_table_ends_as_the_handbook_says():
    # Table II.1: 0 % overall -> 5.7 (cautious), 10.0 (optimistic); cautious ends at 57 % (0.0), optimistic at 65 %
    assert max_differential(0.0, "cautious") == 5.7 and max_differential(0.0, "optimistic") == 10.0
    assert len(CAUTIOUS_BOUNDARY) == 58 and CAUTIOUS_BOUNDARY[-1] == 0.0
    assert len(OPTIMISTIC_BOUNDARY) == 66 and OPTIMISTIC_BOUNDARY[-1] == 0.3
    assert max_differential(0.58, "cautious") is None and max_differential(0.66, "optimistic") is None


def test_overall_rate_is_rounded_half_up_to_a_whole_row():
    assert overall_row(0.125) == 13 and overall_row(0.1249) == 12 and overall_row(2 / 150) == 1


def test_rating_compares_the_differential_with_the_row_boundary():
    assert rate_attrition(0.0, 0.057, "cautious") == "low"
    assert rate_attrition(0.0, 0.058, "cautious") == "high"
    assert rate_attrition(0.0, 0.058, "optimistic") == "low"
    # 30 % overall: 4.1 points cautious, 8.2 optimistic
    assert rate_attrition(0.30, -0.06, "cautious") == "high"
    assert rate_attrition(0.30, -0.06, "optimistic") == "low"
    assert rate_attrition(0.70, 0.0, "optimistic") == "high"


def test_lost_to_followup_is_censoring_before_planned_end_and_horizon():
    start = pd.Timestamp("2020-01-01")
    day = lambda d: start + pd.Timedelta(days=d)  # noqa: E731
    frame = pd.DataFrame({
        "participant_id": ["rupture", "short_contract_done", "followed_past_horizon", "lost", "lost_short"],
        "arm": ["treatment", "control", "treatment", "control", "treatment"],
        "contract_start": start,
        "contract_end_planned": [day(700), day(200), day(700), day(700), day(200)],
        "followup_end": [day(100), day(200), day(400), day(300), day(150)],
        "rupture_date": [day(50), pd.NaT, pd.NaT, pd.NaT, pd.NaT],
    })
    lost = lost_to_followup(derive_survival(frame), 365)
    assert lost.tolist() == [False, False, False, True, True]


def test_survival_attrition_counts_and_rates():
    start = pd.Timestamp("2020-01-01")
    n = 40
    followup = [start + pd.Timedelta(days=100 if i < 3 else 700) for i in range(n)]  # 3 lost, all treated
    frame = pd.DataFrame({"participant_id": [f"P{i}" for i in range(n)],
                          "arm": ["treatment"] * 20 + ["control"] * 20, "contract_start": start,
                          "contract_end_planned": start + pd.Timedelta(days=700), "followup_end": followup,
                          "rupture_date": pd.NaT})
    row = attrition(Cohort(derive_survival(frame)), plan()).table.iloc[0]
    # 3/40 = 7.5 % -> row 8 (6.3 points cautious); differential 3/20 = 15 points -> high
    assert (row["attrited_treatment"], row["attrited_control"]) == (3, 0)
    assert row["overall"] == pytest.approx(0.075) and row["differential"] == pytest.approx(0.15)
    assert row["overall_row"] == 8 and row["max_differential"] == 6.3 and row["rating"] == "high"


def test_lee_bounds_hand_example_trimming_treatment():
    # T: 90 of 100 observed, mean 0.5; C: 80 of 100, mean 0.4. p = (0.9 - 0.8) / 0.9 = 1/9:
    # keep 80 of T's 90: lower 35/80 - 0.4 = 0.0375, upper 45/80 - 0.4 = 0.1625
    lower, upper, arm, p = lee_bounds_binary(outcome(10, 45, 45), outcome(20, 48, 32))
    assert (lower, upper) == (pytest.approx(0.0375, abs=1e-14), pytest.approx(0.1625, abs=1e-14))
    assert arm == "treatment" and p == pytest.approx(1 / 9, rel=1e-14)


def test_lee_bounds_hand_example_trimming_control():
    lower, upper, arm, _ = lee_bounds_binary(outcome(20, 48, 32), outcome(10, 45, 45))
    assert (lower, upper) == (pytest.approx(-0.1625, abs=1e-14), pytest.approx(-0.0375, abs=1e-14))
    assert arm == "control"


def test_lee_lower_trimmed_mean_stops_at_zero():
    # T: 10 of 10 observed, 1 one; C: 5 of 10 observed. p = 0.5: lower keeps 5 zeros -> 0; upper 1/5
    lower, upper, _, _ = lee_bounds_binary(outcome(0, 9, 1), outcome(5, 3, 2))
    assert lower == pytest.approx(0 - 0.4, abs=1e-14) and upper == pytest.approx(0.2 - 0.4, abs=1e-14)


def test_lee_bounds_without_attrition_are_the_difference_in_means():
    lower, upper, _, p = lee_bounds_binary(outcome(0, 6, 4), outcome(0, 7, 3))
    assert p == 0 and lower == pytest.approx(0.1, abs=1e-14) and upper == pytest.approx(0.1, abs=1e-14)


def test_imbens_manski_interval_solves_its_equation():
    low, high = imbens_manski_ci(0.1, 0.3, 0.05, 0.04, alpha=0.05)
    c = (0.1 - low) / 0.05
    assert high == pytest.approx(0.3 + c * 0.04, abs=1e-12)
    assert stats.norm.cdf(c + 0.2 / 0.05) - stats.norm.cdf(-c) == pytest.approx(0.95, abs=1e-12)
    # a point-identified effect gets the usual two-sided interval
    low, high = imbens_manski_ci(0.2, 0.2, 0.05, 0.05, alpha=0.05)
    assert high - 0.2 == pytest.approx(stats.norm.isf(0.025) * 0.05, abs=1e-10)


def test_bootstrap_se_without_attrition_matches_the_binomial_formula():
    # no missing value: every replicate's bounds are the difference of means, whose bootstrap
    # SE is sqrt(m_t (1-m_t)/n_t + m_c (1-m_c)/n_c); 2000 replicates -> ~1.6 % Monte Carlo error, tol 6 %
    y_t, y_c = outcome(0, 120, 80), outcome(0, 140, 60)
    result = attrition(cohort_with_outcome(y_t, y_c), plan(["employed_6m"]))
    lee = result.lee.iloc[0]
    expected = math.sqrt(0.4 * 0.6 / 200 + 0.3 * 0.7 / 200)
    assert lee["se_lower"] == pytest.approx(expected, rel=0.06)
    assert lee["se_upper"] == pytest.approx(expected, rel=0.06)


def test_attrition_of_binary_outcomes_and_reproducible_lee_bounds():
    y_t, y_c = outcome(10, 45, 45), outcome(20, 48, 32)
    cohort = cohort_with_outcome(y_t, y_c)
    first = attrition(cohort, plan(["employed_6m"], boundary="optimistic"))
    second = attrition(cohort, plan(["employed_6m"], boundary="optimistic"))
    row = first.table.set_index("outcome").loc["employed_6m"]
    # 30/200 = 15 % -> 10.7 points optimistic; differential 10 points -> low
    assert row["overall"] == pytest.approx(0.15) and row["max_differential"] == 10.7 and row["rating"] == "low"
    lee = first.lee.iloc[0]
    assert (lee["lower"], lee["upper"]) == (pytest.approx(0.0375), pytest.approx(0.1625))
    assert lee["ci_low"] < lee["lower"] and lee["ci_high"] > lee["upper"]
    pd.testing.assert_frame_equal(first.lee, second.lee)


def test_to_dict_is_json_ready_and_tidy_has_the_stable_columns():
    result = attrition(cohort_with_outcome(outcome(10, 45, 45), outcome(20, 48, 32)), plan(["employed_6m"]))
    out = result.to_dict()
    json.dumps(out, allow_nan=False)
    assert set(out["outcomes"]) == {"survival", "employed_6m"}
    assert out["outcomes"]["employed_6m"]["lee_bounds"]["se_method"] == "bootstrap"
    assert list(result.tidy().columns) == ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"]


def test_unknown_binary_outcome_is_an_analysis_error():
    with pytest.raises(AnalysisError, match="'employed_12m'"):
        attrition(cohort_with_outcome(outcome(0, 1, 1), outcome(0, 1, 1)), plan(["employed_12m"]))


def test_censoring_at_the_data_extraction_is_not_attrition():
    # extraction = latest followup_end (day 300): A observed to it before day 365 -> censored, not lost;
    # B stopped on day 200 before the extraction -> lost
    start = pd.Timestamp("2020-01-01")
    frame = pd.DataFrame({"participant_id": ["A", "B", "C"], "arm": ["treatment", "control", "control"],
                          "contract_start": start, "contract_end_planned": start + pd.Timedelta(days=700),
                          "followup_end": [start + pd.Timedelta(days=d) for d in (300, 200, 300)],
                          "rupture_date": pd.NaT})
    data = derive_survival(frame)
    assert lost_to_followup(data, 365).tolist() == [False, True, False]
    assert censored_at_extraction(data, 365).tolist() == [True, False, True]


def test_binary_outcome_with_other_values_is_refused_not_counted_as_attrition():
    # a value 2 is neither observed 0/1 nor missing: refused, as by binary_outcomes
    y_t = np.array([0.0, 1.0, 2.0, np.nan])
    with pytest.raises(AnalysisError, match=r"'employed_6m'.*other than 0, 1"):
        attrition(cohort_with_outcome(y_t, outcome(0, 2, 2)), plan(["employed_6m"]))
