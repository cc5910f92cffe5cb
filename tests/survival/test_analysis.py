"""analyze_survival on the synthetic AGIR demo cohort against R, and the contract's survival block."""
import json

import numpy as np
import pandas as pd
import pytest

from evalexp.cohort import Cohort, derive_survival
from evalexp.errors import AnalysisError
from evalexp.plan import plan_from_dict
from evalexp.schema import result_problems
from evalexp.survival.survival_analysis import analyze_survival

from .refdata import REFERENCE, r_array

RTOL = 1e-6


def _cohort() -> Cohort:
    dates = ["contract_start", "contract_end_planned", "followup_end", "rupture_date"]
    data = pd.read_csv(REFERENCE / "survival" / "agir_demo_subset.csv", parse_dates=dates)
    return Cohort(derive_survival(data), source="agir_demo_subset.csv")


def _plan(**survival):
    base = {"horizon_days": 365, "landmarks_days": [90, 180, 365], "covariates": ["age", "female", "diploma"],
            "strata": "stratum", "cluster": "site"}
    base.update(survival)
    return plan_from_dict({"title": "test", "survival": base,
                           "inference": {"permutations": 2000, "seed": 3,
                                         "statistics": ["logrank", "cox_score", "rmst"]}})


@pytest.fixture(scope="module")
def demo():
    return analyze_survival(_cohort(), _plan())


def test_cox_models_match_r(reference, demo):
    # R: coxph(Surv(time, event) ~ treated [+ age + female + factor(diploma)] + strata(stratum),
    #          cluster = site); robust var (fit$var) and naive var
    r = reference["agir_demo"]
    for fit, key in ((demo.cox_unadjusted, "cox_unadjusted"), (demo.cox_adjusted, "cox_adjusted")):
        coef = r_array(r[key]["coef"])
        p = coef.size
        assert fit.params_["treated"] == pytest.approx(coef[0], rel=RTOL)
        assert fit.var_[0, 0] == pytest.approx(np.reshape(r[key]["var"], (p, p))[0][0], rel=RTOL)
        assert fit.naive_var_[0, 0] == pytest.approx(np.reshape(r[key]["naive_var"], (p, p))[0][0], rel=RTOL)
        assert fit.robust


def test_km_logrank_zph_rmst_and_risk_match_r(reference, demo):
    r = reference["agir_demo"]
    out = demo.to_dict()
    for arm, key in (("treatment", "arm1"), ("control", "arm0")):
        # R: summary(survfit(..., conf.type = "log-log"), times = c(90, 180, 365))
        np.testing.assert_allclose([p["survival"] for p in out["km"][arm]], r_array(r["km"][key]["surv"]), rtol=RTOL)
        np.testing.assert_allclose([p["ci_low"] for p in out["km"][arm]], r_array(r["km"][key]["lower"]), rtol=RTOL)
        assert [p["at_risk"] for p in out["km"][arm]] == r_array(r["km"][key]["n_risk"]).tolist()
    # R: survdiff(... + strata(stratum))$chisq; cox.zph(unadjusted)$table["GLOBAL", ]
    assert out["logrank"]["statistic"] == pytest.approx(r["logrank_strat"], rel=RTOL)
    assert out["ph_test"]["statistic"] == pytest.approx(r_array(r["zph"]["chisq"])[-1], rel=RTOL)
    # R: summary(fit, rmean = 365)$table (rows treated = 0, 1)
    assert [out["rmst"]["control"], out["rmst"]["treatment"]] == pytest.approx(r["rmst"]["rmean"], rel=RTOL)
    assert out["rmst"]["se"] == pytest.approx(np.hypot(*r["rmst"]["se"]), rel=RTOL)
    # R: 1 - summary(fit, times = 365)$surv and std.err
    risk = r_array(r["risk_365"]["risk"])
    assert out["risk_difference"]["difference"] == pytest.approx(risk[1] - risk[0], rel=RTOL)
    assert out["risk_difference"]["se"] == pytest.approx(np.hypot(*r["risk_365"]["se"]), rel=RTOL)


def test_to_dict_is_a_valid_contract_survival_block(demo):
    doc = {"schema_version": 1, "n": {"treatment": 75, "control": 75}, "events": {"treatment": 1, "control": 1},
           "survival": demo.to_dict()}
    assert result_problems(json.loads(json.dumps(doc, allow_nan=False))) == []


def test_randomization_block_is_the_logrank_one_and_all_are_listed(demo):
    out = demo.to_dict()
    assert out["randomization_inference"]["statistic"] == "logrank"
    assert [r["statistic"] for r in out["randomization_inference_all"]] == ["logrank", "cox_score", "rmst"]
    assert out["randomization_inference"]["permutations"] == 2000


def test_adjusted_model_uses_complete_cases_and_says_so():
    cohort = _cohort()
    data = cohort.data.copy()
    data.loc[data.index[:5], "age"] = np.nan
    result = analyze_survival(Cohort(data), _plan())
    assert result.cox_adjusted.n == len(data) - 5
    assert result.cox_unadjusted.n == len(data)
    assert result.to_dict()["cox"]["adjusted"]["n_dropped"] == 5
    assert any("5 rows" in note for note in result.notes)


def test_without_covariates_strata_or_cluster():
    result = analyze_survival(_cohort(), _plan(covariates=[], strata="", cluster=""))
    out = result.to_dict()
    assert result.cox_adjusted is None and "adjusted" not in out["cox"]
    assert out["logrank"]["stratified"] is False
    assert out["cox"]["unadjusted"]["robust"] is False


def test_no_rupture_is_analysed_with_tests_that_have_no_information():
    # it used to be refused (issue 14: no simulated trial may fail); tests/survival/test_no_rupture.py
    cohort = _cohort()
    out = analyze_survival(Cohort(cohort.data.assign(event=0)), _plan())
    assert [(w.code, w.message) for w in out.warnings] == [("not_estimable", (
        "Cox models: no rupture in the cohort, the hazard ratios are null; the tests have no information (p = 1)"))]
    assert out.cox_unadjusted is None and (out.logrank.statistic, out.logrank.p_value) == (0.0, 1.0)


def test_few_clusters_are_noted_and_counted(demo):
    # the demo has 4 sites: the sandwich on 4 clusters is unreliable (FEW_CLUSTERS = 20)
    out = demo.to_dict()
    assert out["cox"]["unadjusted"]["n_clusters"] == 4
    assert ("cluster-robust standard errors rest on only 4 clusters ('site'); "
            "with fewer than 20 they tend to be too small") in out["notes"]


def test_no_cluster_count_without_a_cluster():
    out = analyze_survival(_cohort(), _plan(cluster="", covariates=[])).to_dict()
    assert "n_clusters" not in out["cox"]["unadjusted"]
    assert not any("clusters" in note for note in out["notes"])


def test_an_empty_arm_is_an_analysis_error():
    data = _cohort().data
    with pytest.raises(AnalysisError, match="no participant in the control arm"):
        analyze_survival(Cohort(data[data["treated"] == 1]), _plan())


def test_a_repeated_row_index_does_not_misalign_the_adjusted_model():
    # the complete cases are taken by position: a cohort whose index repeats gives the same fit
    data = _cohort().data
    data.loc[data.index[:5], "age"] = np.nan
    plain = analyze_survival(Cohort(data), _plan())
    repeated = analyze_survival(Cohort(data.set_index(np.zeros(len(data), dtype=int))), _plan())
    assert repeated.cox_adjusted.n == len(data) - 5
    np.testing.assert_allclose(repeated.cox_adjusted.params_, plain.cox_adjusted.params_, rtol=1e-12)


def test_horizon_beyond_an_arm_follow_up_is_noted():
    # R summary(survfit, rmean = 2000) carries the curve flat; survRM2::rmst2 refuses such a tau
    result = analyze_survival(_cohort(), _plan(horizon_days=2000, landmarks_days=[90]))
    assert sum("carried flat to day 2000" in note for note in result.notes) == 2
    assert not any("carried flat" in note for note in analyze_survival(_cohort(), _plan()).notes)


def test_single_level_categorical_covariate_is_left_out_with_a_warning():
    # it gets no dummy column: the adjusted model is fitted without it and says so (a small
    # trial must not abort on it; the warning keeps the model from claiming to adjust for it)
    data = _cohort().data.assign(diploma="none")
    result = analyze_survival(Cohort(data), _plan())
    assert ("covariate_aliased", "adjusted Cox model: covariates with a single value among the complete "
            "cases cannot be adjusted for and are left out: ['diploma']") in [
        (w.code, w.message) for w in result.warnings]
    assert not any(t.startswith("diploma") for t in result.cox_adjusted.terms)


def test_no_rupture_in_one_arm_gives_null_hazard_ratios_and_keeps_the_rest():
    # R: coxph() warns "Loglik converged before variable 1; coefficient may be infinite"
    data = _cohort().data.copy()
    treated = data["treated"] == 1
    data.loc[treated, "event"] = 0
    out = analyze_survival(Cohort(data), _plan()).to_dict()
    for model in ("unadjusted", "adjusted"):
        ratio = out["cox"][model]
        assert ratio["estimable"] is False and ratio["robust"] is True
        assert [ratio[k] for k in ("log_hr", "se", "hr", "ci_low", "ci_high", "p_value")] == [None] * 6
    assert out["ph_test"]["statistic"] is None
    assert out["logrank"]["statistic"] > 0 and out["risk_difference"]["treatment"] == 0.0
    assert any(note.startswith("no rupture in the treatment arm") for note in out["notes"])
    json.dumps(out, allow_nan=False)


def test_the_randomization_block_carries_the_inverted_intervals(demo):
    # issue 14: the intervals sit in the primary randomisation block, from the plan's permutations and seed
    ci = demo.to_dict()["randomization_inference"]["ci"]
    assert (ci["permutations"], ci["seed"]) == (2000, 3)
    assert ci["hazard_ratio"]["ci_low"] < ci["hazard_ratio"]["hr"] < ci["hazard_ratio"]["ci_high"]
    assert ci["risk_difference"]["difference"] == pytest.approx(demo.risk_difference.difference, rel=1e-12)
    assert "randomization: risk difference (day 365, randomization-studentized-inversion)" in \
        list(demo.tidy()["term"])


def test_the_intervals_are_left_out_with_a_note_beyond_the_memory_bound(monkeypatch):
    monkeypatch.setattr("evalexp.survival.survival_analysis.MAX_CELLS", 1)
    result = analyze_survival(_cohort(), _plan(covariates=[], cluster=""))
    assert "ci" not in result.to_dict()["randomization_inference"]
    assert any(note.startswith("randomisation-based confidence intervals not computed: 2000 permutations x ")
               for note in result.notes)
