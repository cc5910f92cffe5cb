"""Subgroup effects on ruptures: per-level Cox hazard ratios and KM risk differences, interaction tests.

Reference values: tests/reference/integrity/effects_colon.R (R 4.2, survival 3.5) on the colon
trial analysis set (tests/reference/integrity/effects_colon_data.csv), death as the event:
coxph(Surv(time, status) ~ treated, subset = level, ties = "efron"),
summary(survfit(...), times = 1826), and the Wald test of the treated:g terms of
coxph(Surv(time, status) ~ treated * factor(g)) (plain, cluster = site, + strata(extent)).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalexp.cohort import Cohort
from evalexp.errors import AnalysisError
from evalexp.integrity.subgroups import SubgroupEffects, subgroup_effects, subgroup_levels
from evalexp.plan import plan_from_dict

REF = Path(__file__).parents[1] / "reference" / "integrity"
R = json.loads((REF / "effects_colon.json").read_text())["subgroups"]
TOL = 1e-8  # both Cox fits converged tightly (R: coxph.control(eps = 1e-12))
#: our level labels -> the R script's (age split at the median, 61, in both)
LEVELS = {"sex": {"0": "0", "1": "1"}, "node4": {"0": "0", "1": "1"},
          "patient_age": {"< 61": "< median", ">= 61": ">= median"}}


def colon_cohort() -> Cohort:
    data = pd.read_csv(REF / "effects_colon_data.csv")
    data["arm"] = np.where(data["treated"] == 1, "treatment", "control")
    data["extent"] = data["extent"].astype(str)
    data["patient_age"] = data["age"]  # "age" itself would be cut at 21 years
    return Cohort(data)


def make_plan(**survival):
    return plan_from_dict({"title": "colon", "survival": {"horizon_days": 1826, **survival},
                           "integrity": {"subgroups": ["sex", "node4", "patient_age"]}})


@pytest.fixture(scope="module")
def result() -> SubgroupEffects:
    return subgroup_effects(colon_cohort(), make_plan())


def r_name(variable: str) -> str:
    return "age_band" if variable == "patient_age" else variable


def test_levels_are_the_values_and_a_median_split_for_continuous(result):
    found = {(lv.variable, lv.level) for lv in result.levels}
    assert found == {(v, lv) for v, levels in LEVELS.items() for lv in levels}


@pytest.mark.parametrize("variable", ["sex", "node4", "patient_age"])
def test_counts_per_level_and_arm(result, variable):
    for lv in (x for x in result.levels if x.variable == variable):
        ref = R[r_name(variable)]["levels"][LEVELS[variable][lv.level]]
        assert lv.n == {"treatment": ref["n_treatment"], "control": ref["n_control"]}
        assert lv.events == {"treatment": ref["events_treatment"], "control": ref["events_control"]}


@pytest.mark.parametrize("variable", ["sex", "node4", "patient_age"])
def test_hazard_ratio_per_level_equals_coxph_on_the_subset(result, variable):
    # R: coxph(Surv(time, status) ~ treated, data = level subset, ties = "efron")
    for lv in (x for x in result.levels if x.variable == variable):
        ref = R[r_name(variable)]["levels"][LEVELS[variable][lv.level]]
        assert lv.log_hr.estimate == pytest.approx(ref["log_hr"], rel=TOL)
        assert lv.log_hr.se == pytest.approx(ref["se"], rel=TOL)


@pytest.mark.parametrize("variable", ["sex", "node4", "patient_age"])
def test_risk_difference_per_level_equals_survfit(result, variable):
    # R: 1 - summary(survfit(Surv(time, status) ~ treated, data = subset), times = 1826)$surv
    for lv in (x for x in result.levels if x.variable == variable):
        ref = R[r_name(variable)]["levels"][LEVELS[variable][lv.level]]
        assert lv.risk_treatment == pytest.approx(ref["risk_treatment"], rel=1e-10)
        assert lv.risk_control == pytest.approx(ref["risk_control"], rel=1e-10)
        assert lv.risk_difference.se == pytest.approx(np.sqrt(ref["var_treatment"] + ref["var_control"]), rel=1e-8)


@pytest.mark.parametrize("variable", ["sex", "node4", "patient_age"])
def test_interaction_wald_equals_coxph_with_interaction(result, variable):
    # R: b' V^-1 b for the treated:g coefficients of coxph(Surv ~ treated * g)
    test = next(t for t in result.tests if t.variable == variable)
    ref = R[r_name(variable)]
    assert test.df == ref["df"] == 1
    assert test.statistic == pytest.approx(ref["wald"], rel=TOL)
    assert test.p_value == pytest.approx(ref["p_value"], rel=TOL)


@pytest.mark.parametrize("variable", ["sex", "node4", "patient_age"])
def test_interaction_with_cluster_uses_robust_variance(variable):
    # R: coxph(Surv ~ treated * g, cluster = site)
    out = subgroup_effects(colon_cohort(), make_plan(cluster="site"))
    test = next(t for t in out.tests if t.variable == variable)
    assert test.statistic == pytest.approx(R[r_name(variable)]["wald_cluster"], rel=TOL)
    assert test.robust and all(lv.robust for lv in out.levels)


def test_fewer_than_20_clusters_fall_back_to_model_based_variance():
    # 19 clusters: the sandwich is not used; the statistic is the plain coxph one
    data = colon_cohort().data.assign(site=lambda d: d["id"] % 19)
    out = subgroup_effects(Cohort(data), make_plan(cluster="site"))
    test = next(t for t in out.tests if t.variable == "sex")
    assert not test.robust and not any(lv.robust for lv in out.levels)
    assert test.statistic == pytest.approx(R["sex"]["wald"], rel=TOL)
    assert out.to_dict()["variables"]["sex"]["interaction"]["robust"] is False


@pytest.mark.parametrize("variable", ["sex", "node4", "patient_age"])
def test_interaction_is_stratified_by_the_plan_strata(variable):
    # R: coxph(Surv ~ treated * g + strata(extent))
    out = subgroup_effects(colon_cohort(), make_plan(strata="extent"))
    test = next(t for t in out.tests if t.variable == variable)
    assert test.statistic == pytest.approx(R[r_name(variable)]["wald_strata"], rel=TOL)


def test_forest_has_the_plot_columns(result):
    forest = result.forest()
    assert list(forest.columns) == ["variable", "level", "n", "estimate", "ci_low", "ci_high", "interaction_p"]
    row = forest[(forest["variable"] == "sex") & (forest["level"] == "1")].iloc[0]
    ref = R["sex"]["levels"]["1"]
    assert row["n"] == ref["n_treatment"] + ref["n_control"]
    assert row["estimate"] == pytest.approx(np.exp(ref["log_hr"]), rel=TOL)
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    assert row["interaction_p"] == pytest.approx(R["sex"]["p_value"], rel=TOL)


def test_age_is_cut_at_21_years():
    ages = pd.Series([16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 18.5, np.nan])
    labels, rule = subgroup_levels(ages, "age")
    assert list(labels[:6]) == ["< 21"] * 5 + [">= 21"]
    assert pd.isna(labels.iloc[-1])
    assert "21" in rule


def test_level_without_ruptures_in_an_arm_has_no_hazard_ratio():
    data = colon_cohort().data.copy()
    data["group"] = np.where(data.index < 40, "small", "rest")
    data.loc[(data["group"] == "small") & (data["treated"] == 1), "event"] = 0
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 1826}, "integrity": {"subgroups": ["group"]}})
    out = subgroup_effects(Cohort(data), plan)
    small = next(lv for lv in out.levels if lv.level == "small")
    assert small.log_hr is None
    assert out.to_dict()["variables"]["group"]["levels"]["small"]["cox"] is None
    # the only other level cannot be compared with it: no interaction test
    assert out.tests[0].df == 0
    json.dumps(out.to_dict(), allow_nan=False)


def test_unknown_subgroup_column_is_refused():
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 1}, "integrity": {"subgroups": ["diploma"]}})
    with pytest.raises(AnalysisError, match="'diploma'"):
        subgroup_effects(colon_cohort(), plan)


def test_to_dict_and_summary(result):
    d = result.to_dict()
    assert d["horizon_days"] == 1826
    assert set(d["variables"]) == {"sex", "node4", "patient_age"}
    assert d["variables"]["patient_age"]["definition"] == "cut at 61 (the median)"
    json.dumps(d, allow_nan=False)
    assert "exploratory" in result.summary()


def test_demo_cohort_smoke(demo):
    data, plan = demo.data, demo.plan
    out = subgroup_effects(demo.cohort, plan)
    forest = out.forest()
    assert set(forest["variable"]) == set(plan.integrity.subgroups)
    assert forest.groupby("variable")["n"].sum().eq(len(data)).all()
    # 4 sites only: no cluster-robust variance within subgroups
    assert not any(t.robust for t in out.tests)
    json.dumps(out.to_dict(), allow_nan=False)


@pytest.mark.parametrize("role", ["strata", "cluster"])
def test_missing_stratum_or_cluster_labels_form_a_level_of_their_own(role):
    # as the primary analysis: the rows without a label are one stratum / cluster, so the fit
    # equals the one where they carry an explicit common label (no crash on NaN labels)
    column = "extent" if role == "strata" else "site"
    data = colon_cohort().data.copy()
    data[column] = data[column].astype(object)
    data.loc[data.index[:30], column] = np.nan
    labelled = data.assign(**{column: data[column].where(data[column].notna(), "none")})
    got = subgroup_effects(Cohort(data), make_plan(**{role: column}))
    expected = subgroup_effects(Cohort(labelled), make_plan(**{role: column}))
    for a, b in zip(got.tests, expected.tests):
        assert np.isfinite(a.statistic) and a.statistic == pytest.approx(b.statistic, rel=1e-12)
    for a, b in zip(got.levels, expected.levels):
        assert a.log_hr.estimate == pytest.approx(b.log_hr.estimate, rel=1e-12)
        assert a.log_hr.se == pytest.approx(b.log_hr.se, rel=1e-12)


def test_subgroup_nested_in_the_strata_keeps_its_interaction_test():
    # R (effects_subgroup_in_strata.R): coxph(Surv(time_days, event) ~ treated * factor(extent)
    #   + strata(extent)) -- the extent main effects are NA (absorbed), the 3 interactions remain
    ref = json.loads((REF / "effects_subgroup_in_strata.json").read_text())
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 1826, "strata": "extent"},
                           "integrity": {"subgroups": ["extent"]}})
    test = subgroup_effects(colon_cohort(), plan).tests[0]
    assert test.df == ref["df"] == 3
    assert test.statistic == pytest.approx(ref["wald"], rel=TOL)
    assert test.p_value == pytest.approx(ref["p_value"], rel=TOL)
