"""Rules of the disclosure layer on hand-written ``results.json`` pieces (CONTRACT §7-8): sites,
cost per rupture avoided, warnings, outputs the layer does not know, notes, the threshold."""
import numpy as np
import pandas as pd

from evalexp.disclosure import results as rules
from evalexp.disclosure.ledger import Ledger

N = {"treatment": 75, "control": 75}


def _ledger(**results):
    return Ledger({"n": N, "events": {"treatment": 20, "control": 30}, **results}, 11)


def _site(name, n, events):
    return {"site": name, "n": n, "events": events, "log_hr": -0.2, "se": 0.5, "shrunken_log_hr": -0.1,
            "risk_difference": -0.05, "rupture_risk": {"treatment": 0.2, "control": 0.25}}


def _arms(t, c):
    return {"treatment": t, "control": c}


def test_a_site_of_three_is_pooled_with_the_next_smallest_and_the_pooled_effect_stays():
    block = {"k": 4, "tau2": 0.01, "i2": 12.0, "pooled": {"log_hr": -0.3, "hr": 0.74, "ci_low": 0.5, "ci_high": 1.1},
             "sites": [_site("A", _arms(2, 1), _arms(1, 0)), _site("B", _arms(25, 25), _arms(12, 14)),
                       _site("C", _arms(24, 23), _arms(11, 12)), _site("D", _arms(24, 26), _arms(11, 13))]}
    ledger = _ledger(heterogeneity=block)
    rules.heterogeneity(ledger)
    sites = ledger.data["heterogeneity"]["sites"]
    assert sites[0]["site"] == "A" and sites[0]["n"] is None and sites[0]["log_hr"] is None
    assert sites[0]["rupture_risk"] is None
    assert ledger.rule("heterogeneity", "sites", 0, "n") == "small_site"
    # A's pool (2 + 1 treated) is below 11: the site with the smallest cell (B, 11 unbroken in control;
    # the first of the ties) joins it
    assert sites[1]["n"] is None and ledger.rule("heterogeneity", "sites", 1, "n") == "secondary_site"
    assert sites[2]["n"] == _arms(24, 23) and sites[2]["log_hr"] == -0.2
    assert ledger.data["heterogeneity"]["other_sites"] == {"sites": 2, "n": _arms(27, 26), "events": _arms(13, 14)}
    assert ledger.data["heterogeneity"]["pooled"]["hr"] == 0.74 and ledger.data["heterogeneity"]["tau2"] == 0.01


def test_with_two_sites_one_small_arm_pools_both():
    block = {"sites": [_site("A", _arms(30, 8), _arms(12, 11)), _site("B", _arms(45, 67), _arms(20, 25))]}
    ledger = _ledger(heterogeneity=block)
    rules.heterogeneity(ledger)
    sites = ledger.data["heterogeneity"]["sites"]
    assert sites[0]["n"] is None and sites[0]["log_hr"] is None
    assert sites[1]["n"] is None  # with two sites, the other is the total minus the first
    assert ledger.data["heterogeneity"]["other_sites"]["n"] == N


def test_cost_per_rupture_avoided_follows_the_risk_difference():
    cost = {"cost_per_participant": 850, "currency": "EUR", "horizon_days": 365, "ruptures_avoided_per_100": 13.0,
            "cost_per_rupture_avoided": {"estimate": 6538.0, "ci_low": None, "ci_high": None}}
    ledger = _ledger(cost_effectiveness=cost, survival={"risk_difference": {"difference": None}})
    rules.cost_effectiveness(ledger)
    assert ledger.data["cost_effectiveness"]["cost_per_rupture_avoided"]["estimate"] is None
    assert ledger.data["cost_effectiveness"]["cost_per_participant"] == 850
    ledger = _ledger(cost_effectiveness=cost, survival={"risk_difference": {"difference": -0.13}})
    rules.cost_effectiveness(ledger)
    assert ledger.data["cost_effectiveness"]["ruptures_avoided_per_100"] == 13.0


def test_warning_messages_are_withheld_and_their_codes_kept():
    ledger = _ledger(warnings=[{"code": "few_events_per_parameter", "message": "6 events for 3 parameters"}])
    rules.warnings(ledger)
    assert ledger.data["warnings"] == [{"code": "few_events_per_parameter", "message": None}]
    assert ledger.rule("warnings", 0, "message") == "text"


def test_an_output_without_rules_is_withheld_whole_and_metadata_is_kept():
    ledger = _ledger(new_analysis={"n": 6, "estimate": 0.3}, provenance={"seed": 1}, title="T")
    rules.unreviewed(ledger, {"n", "events"})
    assert ledger.data["new_analysis"] is None and ledger.rule("new_analysis") == "unreviewed"
    assert ledger.data["provenance"] == {"seed": 1} and ledger.data["title"] == "T"


def test_generated_notes_are_withheld():
    table = {"time": np.array([10.0, 20.0]), "n_risk": np.array([75, 70]), "n_event": np.array([12, 12])}
    km = {a: pd.DataFrame(table) for a in ("treatment", "control")}
    survival = {"km": {a: [] for a in ("treatment", "control")},
                "notes": ["treatment arm followed up to day 437 only: its curve is carried flat"]}
    ledger = _ledger(survival=survival)
    rules.survival(ledger, km, {a: np.array([]) for a in ("treatment", "control")}, comparable=True)
    assert ledger.data["survival"]["notes"] is None and ledger.rule("survival", "notes") == "text"


def test_subgroup_risk_at_the_horizon_is_withheld_when_it_stands_for_few_ruptures():
    """12 ruptures over the follow-up, but a 12-month risk of 0.25 among 32 is 8 ruptures by then."""
    level = {"n": {"treatment": 32, "control": 40}, "events": {"treatment": 12, "control": 15},
             "cox": {"hr": 0.9, "ci_low": 0.4, "ci_high": 2.0},
             "risk_difference": {"treatment": 0.25, "control": 0.35, "difference": -0.1}}
    other = {"n": {"treatment": 43, "control": 35}, "events": {"treatment": 14, "control": 15},
             "cox": {"hr": 0.9, "ci_low": 0.4, "ci_high": 2.0},
             "risk_difference": {"treatment": 0.3, "control": 0.4, "difference": -0.1}}
    ledger = _ledger(subgroups={"variables": {"female": {"levels": {"0": level, "1": other},
                                                         "interaction": {"p_value": 0.5}}}})
    rules.subgroups(ledger)
    levels = ledger.data["subgroups"]["variables"]["female"]["levels"]
    assert levels["0"]["risk_difference"]["treatment"] is None and levels["0"]["cox"]["hr"] == 0.9
    assert levels["1"]["risk_difference"]["difference"] == -0.1


def test_median_follow_up_is_rounded_to_the_grid():
    ledger = _ledger(data_quality={"median_followup_days": {"treatment": 347.0, "control": 365.0, "total": 352.0}})
    rules.data_quality(ledger)
    assert ledger.data["data_quality"]["median_followup_days"] == {"treatment": 360, "control": 360, "total": 360}


def test_rows_dropped_by_the_adjusted_model_are_a_count_of_people():
    adjusted = {"hr": 0.5, "ci_low": 0.3, "ci_high": 0.9, "n": 147, "n_dropped": 3, "covariates": ["age"]}
    survival = {"km": {a: [] for a in ("treatment", "control")}, "cox": {"adjusted": adjusted}}
    ledger = _ledger(survival=survival)
    table = pd.DataFrame({"time": [10.0], "n_risk": [150], "n_event": [20]})
    rules.survival(ledger, {a: table for a in ("treatment", "control")},
                   {a: np.array([]) for a in ("treatment", "control")}, comparable=True)
    cox = ledger.data["survival"]["cox"]["adjusted"]
    assert cox["n_dropped"] is None and cox["n"] is None and cox["hr"] == 0.5


def test_the_small_sample_degrees_of_freedom_do_not_give_the_hidden_model_size_back():
    # df = n - p and parameters = p: published together they would give n = 147, hence the 3 dropped rows
    sibling = {"method": "wald-hc1-t", "hr": 0.5, "ci_low": 0.28, "ci_high": 0.92, "df": 134.0, "parameters": 13}
    adjusted = {"hr": 0.5, "ci_low": 0.3, "ci_high": 0.9, "n": 147, "n_dropped": 3, "covariates": ["age"],
                "small_sample": sibling}
    robust = {"method": "ye-shao-yi", "n": 147, "n_dropped": 3,
              "log_hr": {"estimate": -0.4, "se": 0.3, "small_sample": {"estimate": -0.4, "df": 115.0,
                                                                          "parameters": 32}},
              "logrank": {"statistic": -1.2, "small_sample": {"statistic": -1.1, "df": 115.0}}}
    arms = ("treatment", "control")
    ledger = _ledger(survival={"km": {a: [] for a in arms}, "cox": {"adjusted": adjusted},
                               "covariate_adjusted": robust})
    table = pd.DataFrame({"time": [10.0], "n_risk": [150], "n_event": [20]})
    rules.survival(ledger, {a: table for a in arms}, {a: np.array([]) for a in arms}, comparable=True)
    survival = ledger.data["survival"]
    assert survival["cox"]["adjusted"]["small_sample"]["df"] is None
    assert survival["cox"]["adjusted"]["small_sample"]["ci_low"] == 0.28
    assert survival["covariate_adjusted"]["log_hr"]["small_sample"]["df"] is None
    assert survival["covariate_adjusted"]["logrank"]["small_sample"]["df"] is None
    assert ledger.rule("survival", "cox", "adjusted", "small_sample", "df") == "complement"


def test_no_flag_tells_that_an_arm_has_no_rupture_when_the_comparison_is_withheld():
    # an arm without rupture: the Cox models are not estimable and the randomisation interval one-sided
    arms = ("treatment", "control")
    survival = {"km": {a: [] for a in arms},
                "cox": {"unadjusted": {"hr": None, "estimable": False, "robust": False,
                                       "small_sample": {"method": "firth", "hr": 3.1, "converged": True}},
                        "adjusted": {"hr": None, "estimable": False}},
                "randomization_inference": {"p_value": 0.01, "ci": {"hazard_ratio": {
                    "ci_low": 1.8, "ci_high": None, "ci_high_unbounded": True}}}}
    ledger = _ledger(survival=survival)
    rules.survival(ledger, {a: pd.DataFrame() for a in arms}, {a: np.array([]) for a in arms}, comparable=False)
    out = ledger.data["survival"]
    assert out["cox"]["unadjusted"]["estimable"] is None and out["cox"]["adjusted"]["estimable"] is None
    assert out["randomization_inference"]["ci"]["hazard_ratio"]["ci_high_unbounded"] is None
    assert out["cox"]["unadjusted"]["small_sample"]["hr"] is None
    assert ledger.rule("survival", "cox", "unadjusted", "estimable") == "small_group"


def test_lin_sample_size_is_hidden_when_few_rows_lack_a_covariate():
    outcome = {"treatment": 0.6, "control": 0.5, "difference": 0.1, "se": 0.08, "ci_low": -0.05, "ci_high": 0.25,
               "p_value": 0.2, "n_observed": {"treatment": 50, "control": 52},
               "lin": {"estimate": 0.11, "n": 98}}
    ledger = _ledger(binary_outcomes={"y": outcome})
    rules.binary_outcomes(ledger)
    assert ledger.data["binary_outcomes"]["y"]["lin"]["n"] is None
    assert ledger.data["binary_outcomes"]["y"]["lin"]["estimate"] == 0.11


def test_a_few_rows_dropped_from_the_covariate_adjusted_analysis_are_withheld_with_its_size():
    robust = {"method": "ye-shao-yi", "n": 146, "n_dropped": 4, "log_hr": {"estimate": -0.4, "se": 0.3}}
    arms = ("treatment", "control")
    ledger = _ledger(survival={"km": {a: [] for a in arms}, "covariate_adjusted": robust})
    rules.survival(ledger, {a: pd.DataFrame() for a in arms}, {a: np.array([]) for a in arms}, comparable=True)
    assert ledger.data["survival"]["covariate_adjusted"]["n_dropped"] is None
    assert ledger.data["survival"]["covariate_adjusted"]["n"] is None  # 150 - 146 gives the 4 back
    assert ledger.rule("survival", "covariate_adjusted", "n_dropped") == "primary"
    assert ledger.data["survival"]["covariate_adjusted"]["log_hr"]["estimate"] == -0.4


def test_a_withheld_risk_difference_withholds_its_randomisation_interval_too():
    # issue 14: survival.randomization_inference.ci.risk_difference gives the same difference back
    arms = ("treatment", "control")
    rd = {"day": 365, "treatment": 0.21, "control": 0.34, "difference": -0.13, "se": 0.07}
    ci = {"hazard_ratio": {"method": "randomization-score-inversion", "hr": 0.55, "ci_low": 0.3, "ci_high": 1.0},
          "risk_difference": {"method": "randomization-studentized-inversion", "day": 365, "difference": -0.13,
                              "se": 0.07, "ci_low": -0.27, "ci_high": 0.01, "p_value": 0.08}}
    ledger = _ledger(survival={"km": {a: [] for a in arms}, "risk_difference": rd,
                               "randomization_inference": {"statistic": "logrank", "p_value": 0.05, "ci": ci}})
    rules.survival(ledger, {a: pd.DataFrame() for a in arms}, {a: np.array([90, 180]) for a in arms},
                   comparable=True)
    shown = ledger.data["survival"]["randomization_inference"]["ci"]
    assert ledger.data["survival"]["risk_difference"]["difference"] is None
    assert [shown["risk_difference"][k] for k in ("difference", "se", "ci_low", "ci_high", "p_value")] == [None] * 5
    assert shown["risk_difference"]["method"] == "randomization-studentized-inversion"
    assert shown["hazard_ratio"]["hr"] == 0.55
