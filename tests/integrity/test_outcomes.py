"""Binary outcomes: difference in proportions, Lin adjustment, odds ratio, multiplicity.

Reference values: tests/reference/integrity/effects_colon.R (R 4.2, estimatr, survival) on
the colon-cancer trial (survival::colon, death rows, Obs vs Lev+5FU), analysis set in
tests/reference/integrity/effects_colon_data.csv; the R call is named above each check.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalexp.cohort import Cohort
from evalexp.errors import AnalysisError
from evalexp.integrity.outcomes import BinaryOutcomes, binary_outcomes, robust_ols
from evalexp.plan import plan_from_dict

REF = Path(__file__).parents[1] / "reference" / "integrity"
R = json.loads((REF / "effects_colon.json").read_text())
TOL = 1e-9  # relative, R's values are printed with 15 significant digits
COVARIATES = ["age", "sex", "node4", "extent"]


def colon_cohort() -> Cohort:
    data = pd.read_csv(REF / "effects_colon_data.csv")
    data["extent"] = data["extent"].astype(str)  # R: factor(extent)
    data["arm"] = np.where(data["treated"] == 1, "treatment", "control")
    return Cohort(data)


def make_plan(**outcomes) -> object:
    cluster = outcomes.pop("cluster", "")
    return plan_from_dict({"title": "colon", "survival": {"horizon_days": 1826, "cluster": cluster},
                           "outcomes": {"binary": ["dead_5y", "recur_2y"], **outcomes}})


@pytest.fixture(scope="module")
def result() -> BinaryOutcomes:
    return binary_outcomes(colon_cohort(), make_plan(adjust=COVARIATES))


@pytest.fixture(scope="module")
def clustered() -> BinaryOutcomes:
    return binary_outcomes(colon_cohort(), make_plan(adjust=COVARIATES, cluster="site"))


def normal_ci(estimate: float, se: float) -> tuple[float, float]:
    z = stats.norm.ppf(0.975)
    return estimate - z * se, estimate + z * se


@pytest.mark.parametrize("outcome", ["dead_5y", "recur_2y"])
def test_proportions_and_counts_are_among_observed(result, outcome):
    # R: mean(y[treated == 1 & !is.na(y)]), sum(!is.na(y) & treated == 1)
    block = result.to_dict()[outcome]
    ref = R[outcome]
    assert block["treatment"] == pytest.approx(ref["treatment"], rel=TOL)
    assert block["control"] == pytest.approx(ref["control"], rel=TOL)
    assert block["n_observed"] == {"treatment": ref["n_treatment"], "control": ref["n_control"]}


@pytest.mark.parametrize("outcome", ["dead_5y", "recur_2y"])
def test_difference_se_equals_estimatr_difference_in_means(result, outcome):
    # R: difference_in_means(y ~ treated, data = d); CI recomputed as estimate ± z se (contract)
    block = result.to_dict()[outcome]
    ref = R[outcome]["dim"]
    assert block["difference"] == pytest.approx(ref["estimate"], rel=TOL)
    assert block["se"] == pytest.approx(ref["se"], rel=TOL)
    low, high = normal_ci(ref["estimate"], ref["se"])
    assert (block["ci_low"], block["ci_high"]) == pytest.approx((low, high), rel=TOL)
    assert block["p_value"] == pytest.approx(ref["p_value"], rel=1e-8)


@pytest.mark.parametrize("outcome", ["dead_5y", "recur_2y"])
def test_lin_estimate_and_hc2_se_equal_estimatr_lm_lin(result, outcome):
    # R: lm_lin(y ~ treated, covariates = ~ age + sex + node4 + factor(extent), se_type = "HC2")
    lin = result.to_dict()[outcome]["lin"]
    ref = R[outcome]["lin_hc2"]
    assert lin["se_type"] == "HC2"
    assert lin["estimate"] == pytest.approx(ref["estimate"], rel=TOL)
    assert lin["se"] == pytest.approx(ref["se"], rel=TOL)
    assert lin["p_value"] == pytest.approx(ref["p_value"], rel=1e-8)


@pytest.mark.parametrize("outcome", ["dead_5y", "recur_2y"])
def test_lin_with_cluster_uses_cr2_of_estimatr(clustered, outcome):
    # R: lm_lin(..., clusters = site, se_type = "CR2")
    lin = clustered.to_dict()[outcome]["lin"]
    ref = R[outcome]["lin_cr2"]
    assert lin["se_type"] == "CR2"
    assert lin["estimate"] == pytest.approx(ref["estimate"], rel=TOL)
    assert lin["se"] == pytest.approx(ref["se"], rel=TOL)


@pytest.mark.parametrize("outcome", ["dead_5y", "recur_2y"])
def test_cluster_robust_difference_equals_lm_robust_cr2(clustered, outcome):
    # R: lm_robust(y ~ treated, clusters = site, se_type = "CR2")
    block = clustered.to_dict()[outcome]
    ref = R[outcome]["dim_cr2"]
    assert block["cluster_robust"]["se"] == pytest.approx(ref["se"], rel=TOL)
    # the contract's se stays the Neyman one
    assert block["se"] == pytest.approx(R[outcome]["dim"]["se"], rel=TOL)


@pytest.mark.parametrize("outcome", ["dead_5y", "recur_2y"])
def test_odds_ratio_equals_logistic_regression(result, outcome):
    # R: glm(y ~ treated, family = binomial): Wald log odds ratio and SE
    odds = result.to_dict()[outcome]["odds_ratio"]
    ref = R[outcome]
    assert odds["log_odds_ratio"] == pytest.approx(ref["log_or"], rel=1e-7)
    assert odds["se"] == pytest.approx(ref["log_or_se"], rel=1e-6)
    low, high = normal_ci(ref["log_or"], ref["log_or_se"])
    assert (odds["ci_low"], odds["ci_high"]) == pytest.approx((np.exp(low), np.exp(high)), rel=1e-6)


def test_holm_and_bh_equal_r_p_adjust(result):
    # R: p.adjust(p, "holm") and p.adjust(p, "BH") over the two Neyman p-values
    d = result.to_dict()
    assert [d[o]["p_holm"] for o in ("dead_5y", "recur_2y")] == pytest.approx(R["p_holm"], rel=1e-8)
    assert [d[o]["p_bh"] for o in ("dead_5y", "recur_2y")] == pytest.approx(R["p_bh"], rel=1e-8)


def test_holm_is_not_holm_sidak(result):
    # closed form: Holm multiplies the smaller of 2 p-values by 2; Holm-Šidák would give
    # 1 - (1 - p)^2, here 4.7e-4 relative away
    p = result["recur_2y"].difference.p_value
    assert result["recur_2y"].p_holm == pytest.approx(2 * p, rel=1e-12)
    assert result["recur_2y"].p_holm != pytest.approx(1 - (1 - p) ** 2, rel=1e-5)


def test_plan_multiplicity_is_the_primary_adjusted_p():
    cohort = colon_cohort()
    for choice, key in (("holm", "p_holm"), ("bh", "p_bh"), ("none", "p_value")):
        block = binary_outcomes(cohort, make_plan(multiplicity=choice)).to_dict()["recur_2y"]
        assert block["multiplicity"] == choice
        assert block["p_adjusted"] == block[key]


def test_to_dict_holds_the_contract_block_for_each_outcome(result):
    contract = {"treatment", "control", "difference", "se", "ci_low", "ci_high", "p_value", "n_observed"}
    d = result.to_dict()
    assert set(d) == {"dead_5y", "recur_2y"}
    for block in d.values():
        assert contract <= set(block)
    json.dumps(d, allow_nan=False)


def test_without_covariates_there_is_no_lin_block():
    d = binary_outcomes(colon_cohort(), make_plan()).to_dict()
    assert "lin" not in d["dead_5y"] and "cluster_robust" not in d["dead_5y"]


def test_tidy_has_one_row_per_estimate(result):
    tidy = result.tidy()
    assert list(tidy["term"][:3]) == ["dead_5y: difference", "dead_5y: Lin adjusted", "dead_5y: log odds ratio"]
    assert len(tidy) == 6
    assert "Neyman (HC2)" in result.summary() and "<table" in result._repr_html_()


def test_zero_cell_gets_haldane_correction():
    # closed form: cells (a, b, c, d) = (5, 0, 2, 3) + 0.5 -> log(5.5 * 3.5 / (0.5 * 2.5))
    data = pd.DataFrame({"treated": [1] * 5 + [0] * 5, "y": [1] * 5 + [1, 1, 0, 0, 0]})
    data["arm"] = np.where(data["treated"] == 1, "treatment", "control")
    out = binary_outcomes(Cohort(data), plan_from_dict({"title": "t", "survival": {"horizon_days": 1},
                                                         "outcomes": {"binary": ["y"]}}))
    lor = out["y"].log_odds_ratio
    assert lor.estimate == pytest.approx(np.log(5.5 * 3.5 / (0.5 * 2.5)), rel=1e-12)
    assert lor.se == pytest.approx(np.sqrt(1 / 5.5 + 1 / 0.5 + 1 / 2.5 + 1 / 3.5), rel=1e-12)


def test_non_binary_values_are_refused():
    data = pd.DataFrame({"treated": [1, 0, 1, 0], "arm": ["treatment", "control"] * 2, "y": [0, 1, 2, np.nan]})
    with pytest.raises(AnalysisError, match=r"'y'.*other than 0, 1"):
        binary_outcomes(Cohort(data), plan_from_dict({"title": "t", "survival": {"horizon_days": 1},
                                                      "outcomes": {"binary": ["y"]}}))


def test_missing_outcome_column_is_refused():
    data = pd.DataFrame({"treated": [1, 0], "arm": ["treatment", "control"]})
    with pytest.raises(AnalysisError, match="'employed_6m'"):
        binary_outcomes(Cohort(data), plan_from_dict({"title": "t", "survival": {"horizon_days": 1},
                                                      "outcomes": {"binary": ["employed_6m"]}}))


def test_robust_ols_hc2_equals_closed_form_for_two_groups():
    # closed form: with X = [1, T], HC2 SE of the slope = sqrt(s1²/n1 + s0²/n0)
    rng = np.random.default_rng(7)
    t = np.repeat([1.0, 0.0], [13, 21])
    y = rng.normal(size=34) + t
    _beta, cov = robust_ols(np.column_stack([np.ones(34), t]), y)
    expected = np.sqrt(y[t == 1].var(ddof=1) / 13 + y[t == 0].var(ddof=1) / 21)
    assert np.sqrt(cov[1, 1]) == pytest.approx(expected, rel=1e-12)


def test_robust_ols_cr2_with_singleton_clusters_is_hc2():
    # CR2 with one observation per cluster reduces to HC2 (A_g = (1 - h_ii)^{-1/2})
    rng = np.random.default_rng(8)
    X = np.column_stack([np.ones(30), rng.integers(0, 2, 30), rng.normal(size=30)])
    y = rng.normal(size=30)
    _, hc2 = robust_ols(X, y)
    _, cr2 = robust_ols(X, y, clusters=np.arange(30))
    np.testing.assert_allclose(cr2, hc2, rtol=1e-10)


def test_rows_with_a_missing_covariate_leave_the_lin_fit_only():
    data = colon_cohort().data.copy()
    data.loc[data.index[:7], "age"] = np.nan
    out = binary_outcomes(Cohort(data), make_plan(adjust=COVARIATES))
    seen = data["dead_5y"].notna()
    assert out["dead_5y"].lin_n == int((seen & data["age"].notna()).sum())
    assert out["dead_5y"].n_treatment + out["dead_5y"].n_control == int(seen.sum())


def test_demo_cohort_smoke(demo):
    data, plan = demo.data, demo.plan
    d = binary_outcomes(demo.cohort, plan).to_dict()
    assert list(d) == list(plan.outcomes.binary)
    for name, block in d.items():
        assert block["n_observed"]["treatment"] == int(data.loc[data["arm"] == "treatment", name].notna().sum())
        assert block["lin"]["se_type"] == "HC2" and "cluster_robust" not in block  # the demo plan has no cluster
    json.dumps(d, allow_nan=False)


def test_robust_ols_cr2_when_clusters_nest_dummies_equals_estimatr():
    # R: lm_robust(dead_5y ~ treated + factor(extent), clusters = extent, se_type = "CR2"):
    # each dummy lives in one cluster, so I - H_gg is singular (pseudo-inverse square root)
    data = colon_cohort().data.dropna(subset=["dead_5y"])
    X = np.column_stack([np.ones(len(data)), data["treated"]]
                        + [(data["extent"] == k).astype(float) for k in ("2", "3", "4")])
    _, cov = robust_ols(X, data["dead_5y"].to_numpy(), clusters=data["extent"].to_numpy())
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), R["cr2_singular_se"], rtol=1e-8)


def test_outcome_observed_in_one_arm_only_gives_nulls_not_an_error():
    data = colon_cohort().data.copy()
    data.loc[data["treated"] == 0, "recur_2y"] = np.nan
    d = binary_outcomes(Cohort(data), make_plan(adjust=COVARIATES)).to_dict()["recur_2y"]
    assert d["n_observed"] == {"treatment": 299, "control": 0}
    assert d["control"] is None and d["difference"] is None and d["lin"]["estimate"] is None
    assert d["odds_ratio"]["odds_ratio"] is None
    json.dumps(d, allow_nan=False)


def test_outcome_observed_in_one_arm_only_has_no_cluster_robust_difference():
    # with X = [1, T] and T constant the pseudo-inverse would split the mean between the two
    # coefficients (a "difference" of mean / 2): the CR2 difference must be null instead
    data = colon_cohort().data.copy()
    data.loc[data["treated"] == 0, "recur_2y"] = np.nan
    d = binary_outcomes(Cohort(data), make_plan(cluster="site")).to_dict()["recur_2y"]
    assert d["cluster_robust"]["estimate"] is None and d["cluster_robust"]["se"] is None
    json.dumps(d, allow_nan=False)
