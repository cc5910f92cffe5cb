"""Scoring a replicate's results.json (evalexp.calibration_methods) and the calibrated rule."""
import math

import pytest

from evalexp.calibrate import summarise
from evalexp.calibration_methods import METHODS, Score, resolve, score

SPECS = {spec.name: spec for spec in METHODS}
TRUTH = {"conditional_log_hr": math.log(0.7), "marginal_log_hr": -0.3, "rmst_difference": 10.0,
         "risk_difference": -0.1}


def test_a_pointer_segment_key_value_picks_a_list_element():
    results = {"survival": {"randomization_inference_all": [{"statistic": "logrank", "p_value": 0.2},
                                                            {"statistic": "rmst", "p_value": 0.01}]}}
    assert resolve(results, "/survival/randomization_inference_all/statistic=rmst") == \
        {"statistic": "rmst", "p_value": 0.01}
    assert resolve(results, "/survival/randomization_inference_all/statistic=cox_score") is None
    assert resolve(results, "/survival/cox/adjusted") is None


def test_a_hazard_ratio_ci_is_compared_with_the_exponentiated_truth():
    block = {"log_hr": -0.4, "ci_low": 0.5, "ci_high": 0.69, "p_value": 0.04}
    s = score(SPECS["cox_adjusted"], {"survival": {"cox": {"adjusted": block}}}, TRUTH, 0.05)
    assert s == Score(True, True, False, -0.4, None)  # 0.7 is above 0.69
    block["ci_high"] = 0.71
    assert score(SPECS["cox_adjusted"], {"survival": {"cox": {"adjusted": block}}}, TRUTH, 0.05).covered


def test_a_difference_without_p_value_rejects_when_its_ci_excludes_zero():
    block = {"difference": -0.15, "ci_low": -0.2, "ci_high": -0.01, "method": "newcombe"}
    s = score(SPECS["risk_difference_small_sample"],
              {"survival": {"risk_difference": {"small_sample": block}}}, TRUTH, 0.05)
    assert s == Score(True, True, True, -0.15, "newcombe")


def test_null_numbers_are_not_computed_and_absent_objects_not_scored():
    results = {"survival": {"cox": {"unadjusted": {"log_hr": None, "ci_low": None, "ci_high": None,
                                                   "p_value": None}},
                            "logrank": {"statistic": 1.0, "p_value": None}}}
    assert score(SPECS["cox_unadjusted"], results, TRUTH, 0.05).computed is False
    assert score(SPECS["logrank"], results, TRUTH, 0.05).computed is False
    assert score(SPECS["rmst"], results, TRUTH, 0.05) is None


def _scores(rejected: int, covered: int, reps: int = 2000) -> list:
    return [{"rmst": Score(True, i < rejected, i < covered, 1.0, None)} for i in range(reps)]


@pytest.mark.parametrize(("rejected", "covered", "calibrated"), [
    (100, 1900, True),     # 5.0 %, 95.0 %
    (129, 1871, True),     # 6.45 % <= 5 % + 3 x 0.487 % = 6.46 %; coverage 93.55 % >= 93.54 %
    (130, 1900, False),    # 6.5 % type-I error
    (59, 1900, False),     # 2.95 % < 3 %
    (100, 1941, False),    # 97.05 % coverage > 97 %
])
def test_the_calibrated_rule_of_contract_section_10(rejected, covered, calibrated):
    out = summarise(_scores(rejected, covered), TRUTH, 0.05, null=True)["rmst"]
    assert out["calibrated"] is calibrated
    assert out["mc_se"] == pytest.approx(math.sqrt(0.05 * 0.95 / 2000))


def test_a_replicate_whose_analysis_failed_makes_the_method_uncalibrated():
    replicates = _scores(100, 1900)
    replicates[0] = "AnalysisError: no rupture"
    out = summarise(replicates, TRUTH, 0.05, null=True)["rmst"]
    assert out["not_computed"] == 1 and out["calibrated"] is False


def test_the_randomization_intervals_are_scored_on_their_scales():
    # issue 14: the hazard-ratio interval is on the HR scale, the risk-difference one on the difference scale
    ci = {"hazard_ratio": {"log_hr": -0.4, "hr": 0.67, "ci_low": 0.45, "ci_high": 0.73, "p_value": 0.03,
                           "method": "randomization-score-inversion"},
          "risk_difference": {"difference": -0.12, "ci_low": -0.25, "ci_high": 0.01, "p_value": 0.08,
                              "method": "randomization-studentized-inversion"}}
    results = {"survival": {"randomization_inference": {"statistic": "logrank", "ci": ci}}}
    assert score(SPECS["randomization_ci_hazard_ratio"], results, TRUTH, 0.05) == \
        Score(True, True, False, -0.4, "randomization-score-inversion")  # exp(-0.3) = 0.741 > 0.73
    ci["hazard_ratio"]["ci_high"] = 0.75
    assert score(SPECS["randomization_ci_hazard_ratio"], results, TRUTH, 0.05).covered
    assert score(SPECS["randomization_ci_risk_difference"], results, TRUTH, 0.05) == \
        Score(True, False, True, -0.12, "randomization-studentized-inversion")


def test_a_one_sided_randomization_interval_is_scored_with_its_infinite_bound():
    # no rupture in the control arm: [1.8, inf) on the HR scale, the upper bound null and flagged
    ci = {"hazard_ratio": {"log_hr": None, "hr": None, "ci_low": 1.8, "ci_high": None, "ci_high_unbounded": True,
                           "p_value": 0.02}}
    results = {"survival": {"randomization_inference": {"ci": ci}}}
    assert score(SPECS["randomization_ci_hazard_ratio"], results, TRUTH, 0.05) == Score(True, True, False, None,
                                                                                         None)
    ci["hazard_ratio"]["ci_low"] = 0.5                             # [0.5, inf) holds exp(-0.3)
    assert score(SPECS["randomization_ci_hazard_ratio"], results, TRUTH, 0.05).covered
    # no rupture in the treatment arm: [0, 0.6]; a plain null bound is still "not computed"
    ci["hazard_ratio"].update(ci_low=0.0, ci_high=0.6, ci_high_unbounded=False)
    assert score(SPECS["randomization_ci_hazard_ratio"], results, TRUTH, 0.05).covered is False
    ci["hazard_ratio"].update(ci_high=None)
    assert score(SPECS["randomization_ci_hazard_ratio"], results, TRUTH, 0.05).computed is False
