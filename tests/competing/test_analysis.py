"""analyze_competing: the contract's competing_risks block, checked end to end against R on mgus2."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from evalexp.cohort import Cohort
from evalexp.competing.competing_risks import UNKNOWN_CAUSE, analyze_competing
from evalexp.errors import AnalysisError
from evalexp.plan import plan_from_dict

from .refdata import dataset, r_numbers, reference

LANDMARKS = [12, 60, 120, 240, 400]
CAUSES = {"pcm": 1, "death": 2}   # mgus2 status codes


def _cohort(name="mgus2") -> Cohort:
    """A cohort as the loader derives it: arm treatment = group 1 (mgus2: men)."""
    d = dataset(name)
    label = {0: None, 1: "pcm", 2: "death"}
    return Cohort(pd.DataFrame({
        "arm": np.where(d["group"] == 1, "treatment", "control"),
        "treated": d["group"].astype(np.int8),
        "event": (d["status"] > 0).astype(np.int8),
        "time_days": d["time"].astype(np.int64),
        "rupture_initiative": [label[s] for s in d["status"]],
        "stratum": d["strata"].astype(str),
        "site": d["cluster"].astype(str),
    }))


def _plan(**survival):
    return plan_from_dict({"title": "test", "survival": {
        "horizon_days": 400, "landmarks_days": LANDMARKS, "causes": "rupture_initiative", **survival}})


@pytest.fixture(scope="module")
def stratified():
    return analyze_competing(_cohort(), _plan(strata="stratum", cluster="site")).to_dict()


@pytest.fixture(scope="module")
def plain():
    return analyze_competing(_cohort(), _plan()).to_dict()


def test_causes_are_sorted_keys(stratified):
    assert list(stratified) == ["death", "pcm"]


@pytest.mark.parametrize("cause", CAUSES)
@pytest.mark.parametrize("arm,group", [("treatment", 1), ("control", 0)])
def test_cif_points_match_timepoints(stratified, cause, arm, group):
    # R: timepoints(cuminc(time, status, group), times)
    ref = reference()["mgus2"][f"cause_{CAUSES[cause]}"][f"group_{group}"]
    points = stratified[cause]["cif"][arm]
    assert [p["day"] for p in points] == LANDMARKS
    # after the arm's last follow-up time: R NA, JSON null
    cif = np.array([np.nan if p["cif"] is None else p["cif"] for p in points])
    se = np.array([np.nan if p["std_err"] is None else p["std_err"] for p in points])
    np.testing.assert_allclose(cif, r_numbers(ref["at_est"]), rtol=1e-6)
    np.testing.assert_allclose(se ** 2, r_numbers(ref["at_var"]), rtol=1e-6)


@pytest.mark.parametrize("cause", CAUSES)
def test_gray_test_uses_the_plan_strata(stratified, plain, cause):
    # R: cuminc(time, status, group, strata = strata)$Tests and without strata
    ref = reference()["mgus2"][f"cause_{CAUSES[cause]}"]
    assert stratified[cause]["gray_test"]["statistic"] == pytest.approx(ref["gray_strata"]["statistic"], rel=1e-6)
    assert plain[cause]["gray_test"]["statistic"] == pytest.approx(ref["gray"]["statistic"], rel=1e-6)


@pytest.mark.parametrize("cause", CAUSES)
def test_cause_specific_cox_uses_strata_and_cluster(stratified, plain, cause):
    # R: coxph(Surv(time, status == k) ~ group + strata(strata), cluster = cluster) and
    #    coxph(Surv(time, status == k) ~ group), Efron ties
    ref = reference()["mgus2"][f"cause_{CAUSES[cause]}"]
    robust, naive = stratified[cause]["cause_specific_cox"], plain[cause]["cause_specific_cox"]
    assert robust["robust"] and not naive["robust"]
    assert robust["log_hr"] == pytest.approx(ref["cox_strata_cluster"]["coef"], rel=1e-6)
    assert robust["se"] == pytest.approx(ref["cox_strata_cluster"]["se"], rel=1e-6)
    assert naive["log_hr"] == pytest.approx(ref["cox"]["coef"], rel=1e-6)
    assert naive["se"] == pytest.approx(ref["cox"]["se"], rel=1e-6)


@pytest.mark.parametrize("cause", CAUSES)
def test_fine_gray_matches_crr(stratified, cause):
    # R: crr(time, status, cov1 = group, failcode = k)
    ref = reference()["mgus2"][f"cause_{CAUSES[cause]}"]["crr"]
    fg = stratified[cause]["fine_gray"]
    assert fg["log_shr"] == pytest.approx(ref["coef"], rel=1e-4)
    assert fg["se"] == pytest.approx(ref["se"], rel=1e-4)
    assert fg["shr"] == pytest.approx(np.exp(fg["log_shr"]), rel=1e-15)


def test_block_has_the_contract_keys_and_is_json(stratified):
    for block in stratified.values():
        assert set(block) >= {"cif", "gray_test", "cause_specific_cox", "fine_gray"}
        assert set(block["cif"]) == {"treatment", "control"}
        assert set(block["gray_test"]) >= {"statistic", "p_value"}
        assert set(block["cause_specific_cox"]) >= {"log_hr", "se", "hr", "ci_low", "ci_high", "p_value"}
        assert set(block["fine_gray"]) >= {"log_shr", "se", "shr", "ci_low", "ci_high", "p_value"}
    json.dumps(stratified, allow_nan=False)


def test_no_causes_in_plan_gives_none():
    plan = plan_from_dict({"title": "test", "survival": {"horizon_days": 365}})
    assert analyze_competing(_cohort("tiny"), plan) is None


def test_missing_cause_of_a_rupture_becomes_unknown_and_censored_causes_are_ignored():
    cohort = _cohort("tiny")
    data = cohort.data.copy()
    data.loc[0, "rupture_initiative"] = None           # a rupture (status 1) without cause
    data.loc[3, "rupture_initiative"] = "employer"    # censored row: its cause is not a rupture
    result = analyze_competing(Cohort(data), _plan())
    assert result.causes == ("death", "pcm", UNKNOWN_CAUSE)
    assert sum(result[c].events["treatment"] + result[c].events["control"] for c in result.causes) == 7


def test_cause_without_rupture_in_an_arm_gets_null_models():
    # tiny with every control rupture recoded "death": no "pcm" rupture in the control arm
    cohort = _cohort("tiny")
    data = cohort.data.copy()
    data.loc[(data["treated"] == 0) & (data["event"] == 1), "rupture_initiative"] = "death"
    block = analyze_competing(Cohort(data), _plan()).to_dict()["pcm"]
    assert block["events"] == {"treatment": 3, "control": 0}
    assert all(v is None for k, v in block["cause_specific_cox"].items() if k != "robust")
    assert all(v is None for v in block["fine_gray"].values())
    assert "control" in block["note"]
    assert block["gray_test"]["statistic"] is not None
    json.dumps(block, allow_nan=False)


def test_cif_table_stacks_to_one_minus_kaplan_meier():
    result = analyze_competing(_cohort(), _plan())
    table = result.cif_table()
    assert list(table.columns) == ["cause", "arm", "time", "cif"]
    assert (table.groupby(["cause", "arm"])["time"].min() == 0).all()
    d = dataset("mgus2")
    for arm, group in (("treatment", 1), ("control", 0)):
        stacked = table[table["arm"] == arm].groupby("time")["cif"].sum()
        sub = d[d["group"] == group]
        km = KaplanMeierFitter().fit(sub["time"], sub["status"] > 0)
        expected = 1 - km.survival_function_at_times(stacked.index).to_numpy()
        assert np.max(np.abs(stacked.to_numpy() - expected)) <= 1e-12


def test_tidy_and_summary_cover_every_cause():
    result = analyze_competing(_cohort(), _plan())
    tidy = result.tidy()
    assert tidy["term"].str.startswith("death:").any() and tidy["term"].str.startswith("pcm:").any()
    assert "Competing risks: pcm" in result.summary()


def test_missing_causes_column_is_refused():
    plan = _plan(causes="initiative")
    with pytest.raises(AnalysisError, match="initiative"):
        analyze_competing(_cohort("tiny"), plan)


def test_infinite_stratified_cox_is_null_and_fine_gray_is_kept():
    # cause "pcm": 2 ruptures per arm, but within each stratum the treated rupture first, so
    # the stratified cause-specific Cox coefficient is infinite (R coxph warns "coefficient
    # may be infinite"); the unstratified Fine-Gray model is finite and is reported
    data = pd.DataFrame({
        "treated": [1, 1, 0, 0, 1, 1, 0, 0, 0],
        "event": [1, 1, 0, 0, 1, 1, 1, 1, 0],
        "time_days": [1, 2, 3, 4, 5, 6, 10, 11, 12],
        "rupture_initiative": ["pcm", "pcm", None, None, "death", "death", "pcm", "pcm", None],
        "stratum": ["a"] * 4 + ["b"] * 5,
    })
    block = analyze_competing(Cohort(data), _plan(strata="stratum")).to_dict()["pcm"]
    assert block["events"] == {"treatment": 2, "control": 2}
    assert block["cause_specific_cox"]["log_hr"] is None
    assert "cause-specific Cox" in block["note"] and "monotone" in block["note"]
    assert block["fine_gray"]["log_shr"] is not None


def test_tidy_survives_a_ratio_with_null_limits():
    # an upper limit exp(beta + z se) that overflows is None in the (JSON-ready) Cox ratio object
    part = analyze_competing(_cohort(), _plan())["pcm"]
    ratio = {**part.cause_specific_cox, "ci_high": None}
    row = dataclasses.replace(part, cause_specific_cox=ratio).tidy().iloc[-2]
    assert row["term"] == "pcm: cause-specific log HR"
    assert np.isnan(row["ci_high"]) and row["estimate"] == pytest.approx(ratio["log_hr"], rel=1e-15)


def test_few_clusters_are_noted_for_the_cause_specific_cox():
    cohort = _cohort()
    g = cohort.data["stratum"].nunique()
    assert g < 20
    out = analyze_competing(cohort, _plan(cluster="stratum")).to_dict()
    for cause in CAUSES:
        assert out[cause]["cause_specific_cox"]["n_clusters"] == g
        assert out[cause]["note"] == (f"cause-specific Cox: cluster-robust standard errors rest on only {g} "
                                      "clusters; with fewer than 20 they tend to be too small")


def test_enough_clusters_leave_no_note(stratified):
    for cause in CAUSES:
        assert stratified[cause]["cause_specific_cox"]["n_clusters"] >= 20
        assert "note" not in stratified[cause]
