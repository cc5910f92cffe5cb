"""Compliance: first stage, ITT and CACE (Wald / 2SLS) for binary outcomes and the rupture risk.

Reference values: tests/reference/integrity/effects_colon.R (R 4.2, estimatr 1.0, survival 3.5)
on the colon trial analysis set (tests/reference/integrity/effects_colon_data.csv), where
take-up is defined as ``1 - obstruct`` in the treated arm and ``perfor`` in the control arm.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalexp.cohort import Cohort
from evalexp.errors import AnalysisError
from evalexp.integrity.compliance import ComplianceResult, complier_effects, km_risk_influence
from evalexp.plan import plan_from_dict
from evalexp.survival.risk import risk_difference

REF = Path(__file__).parents[1] / "reference" / "integrity"
R = json.loads((REF / "effects_colon.json").read_text())
TOL = 1e-9


def colon_cohort() -> Cohort:
    data = pd.read_csv(REF / "effects_colon_data.csv")
    data["arm"] = np.where(data["treated"] == 1, "treatment", "control")
    return Cohort(data)


def make_plan(horizon: int = 1826, binary=("dead_5y", "recur_2y"), cluster: str = ""):
    return plan_from_dict({"title": "colon", "survival": {"horizon_days": horizon, "cluster": cluster},
                           "outcomes": {"binary": list(binary)}})


@pytest.fixture(scope="module")
def result() -> ComplianceResult:
    return complier_effects(colon_cohort(), make_plan())


def test_first_stage_is_take_up_difference_with_hc2_se(result):
    # R: lm_robust(support_received ~ treated, data = d, se_type = "HC2")
    first = result.to_dict()["first_stage"]
    ref = R["first_stage"]
    assert first["treatment"] == pytest.approx(ref["treatment"], rel=TOL)
    assert first["control"] == pytest.approx(ref["control"], rel=TOL)
    assert first["estimate"] == pytest.approx(ref["estimate"], rel=TOL)
    assert first["se"] == pytest.approx(ref["se"], rel=TOL)


@pytest.mark.parametrize("outcome", ["dead_5y", "recur_2y"])
def test_binary_cace_equals_iv_robust_hc2(result, outcome):
    # R: iv_robust(y ~ support_received | treated, se_type = "HC2"); normal CI from its SE
    cace = result.to_dict()["binary_outcomes"][outcome]["cace"]
    ref = R[outcome]["cace"]
    assert cace["estimate"] == pytest.approx(ref["estimate"], rel=TOL)
    assert cace["se"] == pytest.approx(ref["se"], rel=TOL)
    assert (cace["ci_low"], cace["ci_high"]) == pytest.approx((ref["ci_low"], ref["ci_high"]), rel=TOL)


@pytest.mark.parametrize("outcome", ["dead_5y", "recur_2y"])
def test_clustered_cace_equals_iv_robust_cr2(outcome):
    # R: iv_robust(y ~ support_received | treated, clusters = site, se_type = "CR2");
    #    lm_robust(y ~ treated, clusters = site, se_type = "CR2") for the ITT and the first stage
    block = complier_effects(colon_cohort(), make_plan(cluster="site")).to_dict()["binary_outcomes"][outcome]
    assert block["se_type"] == "CR2"
    assert block["cace"]["estimate"] == pytest.approx(R[outcome]["cace_cr2"]["estimate"], rel=TOL)
    assert block["cace"]["se"] == pytest.approx(R[outcome]["cace_cr2"]["se"], rel=TOL)
    assert block["itt"]["se"] == pytest.approx(R[outcome]["dim_cr2"]["se"], rel=TOL)
    assert block["first_stage"]["se"] == pytest.approx(R[outcome]["first_stage_cr2_se"], rel=TOL)


def test_clustered_first_stage_uses_cr2():
    # R: lm_robust(support_received ~ treated, data = d, clusters = site, se_type = "CR2")
    first = complier_effects(colon_cohort(), make_plan(cluster="site")).to_dict()["first_stage"]
    assert first["se_type"] == "CR2"
    assert first["se"] == pytest.approx(R["first_stage"]["se_cr2"], rel=TOL)


@pytest.mark.parametrize("outcome", ["dead_5y", "recur_2y"])
def test_binary_cace_is_itt_over_first_stage_on_the_observed(result, outcome):
    # R: difference_in_means(y ~ treated) / lm_robust(support_received ~ treated, observed rows)
    block = result.to_dict()["binary_outcomes"][outcome]
    assert block["itt"]["estimate"] == pytest.approx(R[outcome]["dim"]["estimate"], rel=TOL)
    assert block["first_stage"]["estimate"] == pytest.approx(R[outcome]["first_stage"]["estimate"], rel=TOL)
    assert block["first_stage"]["se"] == pytest.approx(R[outcome]["first_stage"]["se"], rel=TOL)
    assert block["cace"]["estimate"] == pytest.approx(block["itt"]["estimate"] / block["first_stage"]["estimate"],
                                                      rel=1e-12)


@pytest.mark.parametrize("day", [1826, 365])
def test_km_risk_and_greenwood_variance_equal_survfit(day):
    # R: summary(survfit(Surv(time, status) ~ treated), times = day): 1 - surv, std.err^2
    data = colon_cohort().data
    ref = R[f"km_{day}"]
    for arm, flag in (("treatment", 1), ("control", 0)):
        part = data[data["treated"] == flag]
        risk, variance, _ = km_risk_influence(part["time_days"].to_numpy(), part["event"].to_numpy(), day)
        assert risk == pytest.approx(ref[arm], rel=TOL)
        assert variance == pytest.approx(ref[f"var_{arm}"], rel=1e-8)


def test_rupture_itt_is_the_km_risk_difference(result):
    # R: survfit as above, difference of 1 - S(1826), Greenwood variances added
    ref = R["km_1826"]
    itt = result.to_dict()["rupture_risk"]["itt"]
    assert itt["estimate"] == pytest.approx(ref["treatment"] - ref["control"], rel=TOL)
    assert itt["se"] == pytest.approx(np.sqrt(ref["var_treatment"] + ref["var_control"]), rel=1e-8)


def test_rupture_cace_without_censoring_equals_iv_robust_hc0():
    # Nobody is censored before day 453, so the KM risk at day 365 is the share dead by then and
    # the delta-method variance must equal the HC0 sandwich of 2SLS on 1(T <= 365).
    # R: iv_robust(dead_1y ~ support_received | treated, se_type = "HC0")
    out = complier_effects(colon_cohort(), make_plan(horizon=365, binary=()))
    cace = out.to_dict()["rupture_risk"]["cace"]
    assert cace["estimate"] == pytest.approx(R["cace_dead_1y_hc0"]["estimate"], rel=1e-10)
    assert cace["se"] == pytest.approx(R["cace_dead_1y_hc0"]["se"], rel=1e-10)


def test_rupture_cace_is_itt_over_first_stage(result):
    block = result.to_dict()["rupture_risk"]
    assert block["day"] == 1826
    assert block["cace"]["estimate"] == pytest.approx(block["itt"]["estimate"] / block["first_stage"]["estimate"],
                                                      rel=1e-12)


def test_km_influence_without_censoring_is_the_binomial_one():
    # closed form: with no censoring, psi_i = (1(T_i <= h) - F) / n
    time = np.array([3, 5, 5, 8, 9, 12, 15, 20])
    event = np.ones(8, dtype=int)
    risk, variance, influence = km_risk_influence(time, event, 10)
    assert risk == pytest.approx(5 / 8, rel=1e-12)
    assert variance == pytest.approx(5 / 8 * 3 / 8 / 8, rel=1e-12)
    np.testing.assert_allclose(influence, ((time <= 10) - 5 / 8) / 8, atol=1e-15)


def test_no_support_column_gives_none():
    data = colon_cohort().data.drop(columns="support_received")
    assert complier_effects(Cohort(data), make_plan()) is None


def test_missing_take_up_leaves_the_participant_out(result):
    data = colon_cohort().data.copy()
    data.loc[data.index[:10], "support_received"] = np.nan
    out = complier_effects(Cohort(data), make_plan())
    assert sum(out.n.values()) == len(data) - 10
    assert out.rupture.n_treatment + out.rupture.n_control == len(data) - 10


def test_take_up_values_other_than_0_1_are_refused():
    data = colon_cohort().data.copy()
    data.loc[data.index[0], "support_received"] = 2
    with pytest.raises(AnalysisError, match="support_received"):
        complier_effects(Cohort(data), make_plan())


def test_no_first_stage_gives_no_cace():
    data = colon_cohort().data.assign(support_received=1)
    out = complier_effects(Cohort(data), make_plan())
    d = out.to_dict()
    assert d["rupture_risk"]["cace"]["estimate"] is None
    assert d["binary_outcomes"]["dead_5y"]["cace"]["estimate"] is None
    json.dumps(d, allow_nan=False)


def test_summary_and_tidy(result):
    tidy = result.tidy()
    assert tidy["term"].iloc[0] == "first stage: take-up difference"
    assert list(tidy["term"].iloc[-2:]) == ["rupture risk at day 1826: ITT", "rupture risk at day 1826: CACE"]
    assert "CACE = ITT / first stage" in result.summary()


def test_rupture_itt_is_the_survival_risk_difference_of_the_contract(result):
    # same Kaplan-Meier / Greenwood convention as survival.risk_difference
    data = colon_cohort().data
    rd = risk_difference(data["time_days"], data["event"], data["treated"], 1826)
    itt = result.rupture.itt
    assert itt.estimate == pytest.approx(rd.difference, rel=1e-12)
    assert itt.se == pytest.approx(rd.se, rel=1e-10)


def test_demo_cohort_smoke(demo):
    plan = demo.plan
    out = complier_effects(demo.cohort, plan)
    d = out.to_dict()
    assert d["first_stage"]["control"] == 0.0  # one-sided non-compliance in the simulator
    assert set(d["binary_outcomes"]) == set(plan.outcomes.binary)
    assert d["rupture_risk"]["day"] == plan.survival.horizon_days
    json.dumps(d, allow_nan=False)


def test_clustered_outcome_observed_in_one_arm_gives_null_effects_not_an_error():
    data = colon_cohort().data.copy()
    data.loc[data["treated"] == 0, "recur_2y"] = np.nan
    block = complier_effects(Cohort(data), make_plan(cluster="site")).to_dict()["binary_outcomes"]["recur_2y"]
    assert block["itt"]["estimate"] is None and block["first_stage"]["estimate"] is None
    assert block["cace"]["estimate"] is None
    json.dumps(block, allow_nan=False)
