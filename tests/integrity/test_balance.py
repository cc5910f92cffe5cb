"""Specification of evalexp.integrity.balance: WWC standardised differences and ratings.

Formulas: WWC Procedures Handbook v4.1, Appendix E (Hedges' g with omega = 1 - 3/(4N - 9);
Cox index = omega * log-odds difference / 1.65). Reference numbers: tests/reference/integrity/
design_balance.R on survival::colon (R 4.2), saved in design_balance.json; hand computations
are written out in the tests.
"""
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalexp.cohort import Cohort
from evalexp.errors import AnalysisError
from evalexp.integrity.balance import baseline_balance, cox_index, hedges_g, rating
from evalexp.plan import plan_from_dict

HERE = Path(__file__).parents[1] / "reference"
REF = json.loads((HERE / "integrity" / "design_balance.json").read_text())


def plan(balance, covariates=()):
    return plan_from_dict({"title": "t", "survival": {"horizon_days": 365, "covariates": list(covariates)},
                           "integrity": {"balance": list(balance)}})


@pytest.fixture(scope="module")
def colon() -> Cohort:
    d = pd.read_csv(HERE / "data" / "colon.csv")
    d = d[(d["etype"] == 2) & (d["rx"] != "Lev")].copy()
    d["arm"] = np.where(d["rx"] == "Lev+5FU", "treatment", "control")
    d["differ"] = d["differ"].map({1: "1", 2: "2", 3: "3"})  # categories as text
    return Cohort(d.reset_index(drop=True))


def test_hedges_g_hand_example():
    # diff 1, pooled SD 1, N = 6: omega = 1 - 3/15 = 0.8 -> g = 0.8
    assert hedges_g(np.array([5.0, 6, 7]), np.array([4.0, 5, 6])) == pytest.approx(0.8, abs=1e-15)


def test_cox_index_hand_example():
    # 30/100 vs 20/100: (log(.3/.7) - log(.2/.8)) / 1.65 * (1 - 3/(800 - 9))
    expected = (math.log(0.3 / 0.7) - math.log(0.2 / 0.8)) / 1.65 * (1 - 3 / 791)
    assert cox_index(30, 100, 20, 100) == pytest.approx(expected, rel=1e-14)


def test_cox_index_with_an_empty_cell_adds_one_half_to_each_cell():
    # 0/10 vs 3/10 -> (0.5/11, 3.5/11); omega with N = 20
    p_t, p_c = 0.5 / 11, 3.5 / 11
    expected = (math.log(p_t / (1 - p_t)) - math.log(p_c / (1 - p_c))) / 1.65 * (1 - 3 / 71)
    assert cox_index(0, 10, 3, 10) == pytest.approx(expected, rel=1e-14)
    assert math.isfinite(cox_index(10, 10, 10, 10)) and cox_index(10, 10, 10, 10) == 0


def test_ratings_follow_the_wwc_thresholds():
    assert [rating(d) for d in (0.0, 0.05, -0.0501, 0.25, 0.2501, -1.0)] == \
        ["satisfies", "satisfies", "adjustment required", "adjustment required", "fails", "fails"]
    assert rating(math.nan) is None


@pytest.mark.parametrize("name", ["age", "nodes"])
def test_continuous_covariates_match_r(colon, name):
    # R: omega * (mean_t - mean_c) / pooled SD (design_balance.R); 1e-12 relative
    row = baseline_balance(colon, plan([name])).table.iloc[0]
    ref = REF[name]
    assert row["kind"] == "continuous" and row["measure"] == "hedges_g"
    assert (row["n_treatment"], row["n_control"]) == (ref["n_t"], ref["n_c"])
    assert row["mean_treatment"] == pytest.approx(ref["mean_t"], rel=1e-12)
    assert row["sd_control"] == pytest.approx(ref["sd_c"], rel=1e-12)
    assert row["std_difference"] == pytest.approx(ref["d"], rel=1e-12)


@pytest.mark.parametrize("name", ["sex", "obstruct"])
def test_binary_covariates_match_r(colon, name):
    # R: omega * (qlogis(p_t) - qlogis(p_c)) / 1.65 (design_balance.R); 1e-12 relative
    row = baseline_balance(colon, plan([name])).table.iloc[0]
    assert row["kind"] == "binary" and row["measure"] == "cox_index"
    assert row["mean_control"] == pytest.approx(REF[name]["mean_c"], rel=1e-12)
    assert row["std_difference"] == pytest.approx(REF[name]["d"], rel=1e-12)


def test_categorical_covariate_gives_one_row_per_level_matching_r(colon):
    table = baseline_balance(colon, plan(["differ"])).table
    assert table["level"].tolist() == ["1", "2", "3"]
    for _, row in table.iterrows():
        ref = REF["differ"][row["level"]]
        assert row["n_treatment"] == ref["n_t"]
        assert row["std_difference"] == pytest.approx(ref["d"], rel=1e-12)


def test_ratings_and_adjustment_flags_on_colon(colon):
    table = baseline_balance(colon, plan(["age", "sex", "nodes"], covariates=["sex"])).table.set_index("covariate")
    # |0.020| satisfies; |-0.153| and |-0.082| need adjustment (R values above)
    assert table.loc["age", "rating"] == "satisfies"
    assert table.loc["sex", "rating"] == "adjustment required" and table.loc["sex", "adjusted"]
    assert table.loc["nodes", "rating"] == "adjustment required" and not table.loc["nodes", "adjusted"]


def test_missing_values_are_left_out_per_covariate(colon):
    row = baseline_balance(colon, plan(["nodes"])).table.iloc[0]
    assert row["n_treatment"] + row["n_control"] == colon.data["nodes"].notna().sum()


def test_love_plot_data_and_json(colon):
    result = baseline_balance(colon, plan(["age", "differ"]))
    love = result.love_plot_data()
    assert love["term"].tolist() == ["age", "differ[1]", "differ[2]", "differ[3]"]
    assert (love["abs_difference"] >= 0).all()
    out = result.to_dict()
    json.dumps(out, allow_nan=False)
    assert out["thresholds"] == {"satisfies": 0.05, "fails": 0.25}
    assert out["covariates"][0]["treatment"]["n"] == REF["age"]["n_t"]
    assert list(result.tidy().columns) == ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"]


def test_constant_covariate_gives_zero_difference():
    cohort = Cohort(pd.DataFrame({"arm": ["treatment", "control"] * 3, "x": [2.0] * 6}))
    assert baseline_balance(cohort, plan(["x"])).table.iloc[0]["std_difference"] == 0


def test_unknown_covariate_is_an_analysis_error():
    cohort = Cohort(pd.DataFrame({"arm": ["treatment", "control"], "x": [1.0, 2.0]}))
    with pytest.raises(AnalysisError, match="'age'"):
        baseline_balance(cohort, plan(["age"]))


def test_summary_shows_means_differences_and_ratings(colon):
    text = baseline_balance(colon, plan(["age", "sex"])).summary()
    assert "adjustment required" in text and "satisfies" in text and "59.7" in text


def test_boolean_covariate_with_missing_values_is_binary():
    # True/False with a gap is an object column: still one Cox-index row, not two mirror levels
    # hand: treated 2/3 True, control 1/4 True (the gap left out); N = 7, omega = 1 - 3/19
    cohort = Cohort(pd.DataFrame({"arm": ["treatment", "control"] * 4,
                                  "b": [True, False, None, True, False, False, True, False]}))
    table = baseline_balance(cohort, plan(["b"])).table
    assert len(table) == 1 and table.iloc[0]["kind"] == "binary"
    expected = (math.log(2) - math.log(1 / 3)) / 1.65 * (1 - 3 / 19)
    assert table.iloc[0]["std_difference"] == pytest.approx(expected, rel=1e-14)
