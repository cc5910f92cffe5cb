"""The methods annex's small-sample choice and calibration table (evalexp.report.calibration)."""
import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalexp.disclosure import Publication
from evalexp.errors import EvalexpError, PlanError
from evalexp.plan import load_plan, plan_from_dict
from evalexp.report.calibration import displayed_results, methods_blocks
from evalexp.report.compose import Context
from evalexp.report.document import Paragraph, Table
from evalexp.report.i18n import Formatter, typeset_fr

ROOT = Path(__file__).resolve().parents[2]
SURVIVAL = {
    "rmst": {"difference": 30.0, "ci_low": -5.0, "ci_high": 65.0, "p_value": 0.09, "method": "greenwood-wald",
             "small_sample": {"method": "studentized-permutation", "difference": 30.0, "ci_low": -8.0,
                              "ci_high": 68.0, "p_value": 0.12}},
    "risk_difference": {"difference": -0.1, "ci_low": -0.2, "ci_high": 0.0, "method": "greenwood-wald",
                        "small_sample": {"method": "newcombe-effective-n", "difference": -0.1,
                                         "ci_low": -0.21, "ci_high": 0.01, "p_value": 0.07}},
}
CALIBRATION = {"reps": 2000, "seed": 1, "scenarios": [
    {"hazard_ratio": 1.0, "methods": {
        "logrank": {"rejection_rate": 0.049, "coverage": None, "mc_se": 0.0049, "not_computed": 0,
                    "calibrated": True},
        "risk_difference": {"rejection_rate": 0.071, "coverage": 0.929, "mc_se": 0.0049, "not_computed": 0,
                            "calibrated": False}}},
    {"hazard_ratio": 0.7, "methods": {
        "logrank": {"rejection_rate": 0.31, "coverage": None, "mc_se": 0.0049, "not_computed": 0,
                    "calibrated": None},
        "risk_difference": {"rejection_rate": 0.33, "coverage": 0.931, "mc_se": 0.0049, "not_computed": 2,
                            "calibrated": False}}}]}


def _ctx(language, shown, mode="auto", calibration=""):
    plan = load_plan(ROOT / "data" / "synthetic" / "agir_demo.toml")
    plan = dataclasses.replace(plan, report=dataclasses.replace(plan.report, calibration=calibration))
    survival = {**SURVIVAL, "small_sample": {"mode": mode, "threshold_n": 500, "threshold_clusters": 50,
                                             "shown": shown}}
    fmt = Formatter(language, 11, plan.labels, plan.value_labels)
    pub = Publication("public", 11, {"survival": survival}, (), km={}, km_ticks=np.array([]), at_risk={},
                      max_time=0.0, cif=pd.DataFrame(), cif_stops={})
    return Context(pub, plan, fmt)


def _ctx_with(cox, ca):
    """An English context showing the small-sample versions, with these Cox and covariate-adjusted blocks."""
    ctx = _ctx("en", True)
    return dataclasses.replace(ctx, pub=dataclasses.replace(ctx.pub, results={"survival": {
        **ctx.pub.results["survival"], "cox": cox, "covariate_adjusted": ca}}))


def test_the_report_shows_the_siblings_numbers_when_the_small_sample_version_is_chosen():
    results = {"n": 1, "survival": {**SURVIVAL, "small_sample": {"shown": True}}}
    shown = displayed_results(results)
    assert shown["survival"]["rmst"]["ci_low"] == -8.0 and shown["survival"]["rmst"]["p_value"] == 0.12
    assert shown["survival"]["rmst"]["method"] == "studentized-permutation"
    assert shown["survival"]["risk_difference"]["ci_high"] == 0.01
    assert results["survival"]["rmst"]["ci_low"] == -5.0  # results.json keeps the contract's numbers
    not_shown = {"survival": {**SURVIVAL, "small_sample": {"shown": False}}}
    assert displayed_results(not_shown) is not_shown


def test_the_methods_annex_says_which_version_it_shows():
    (paragraph,) = methods_blocks(_ctx("en", True))
    assert paragraph.text == (
        "Small samples (automatic choice below 500 participants or 50 clusters): for the RMST difference "
        "(studentised permutation test, Ditzhaus, Yu and Xu 2023); the risk difference (Newcombe interval on "
        "Kaplan-Meier effective sample sizes), the report shows the small-sample valid version instead of "
        "the Wald interval (results.json holds both).")
    (paragraph,) = methods_blocks(_ctx("fr", False, mode="never"))
    assert paragraph.text.startswith(typeset_fr("Petits échantillons : le rapport montre les intervalles de Wald "
                                                "(choix du plan : jamais)"))


def test_a_cluster_robust_cox_model_shows_its_few_clusters_version():
    unadjusted = {"hr": 0.7, "ci_low": 0.5, "ci_high": 0.98, "p_value": 0.04, "robust": True,
                  "few_clusters": {"method": "cr1-t", "hr": 0.7, "ci_low": 0.45, "ci_high": 1.09,
                                   "p_value": 0.1}}
    results = {"survival": {**SURVIVAL, "cox": {"unadjusted": unadjusted}, "small_sample": {"shown": True}}}
    shown = displayed_results(results)["survival"]["cox"]["unadjusted"]
    assert (shown["ci_low"], shown["ci_high"], shown["p_value"], shown["method"]) == (0.45, 1.09, 0.1, "cr1-t")
    assert results["survival"]["cox"]["unadjusted"]["ci_low"] == 0.5


def test_the_cox_and_covariate_adjusted_siblings_replace_estimate_interval_and_p():
    firth = {"method": "firth", "log_hr": -0.5, "hr": 0.61, "ci_low": 0.3, "ci_high": 1.1, "p_value": 0.1}
    hc1 = {"method": "wald-hc1-t", "log_hr": -0.6, "hr": 0.55, "ci_low": 0.27, "ci_high": 1.05, "p_value": 0.07,
           "df": 137.0}
    cox = {"unadjusted": {"log_hr": -0.6, "hr": 0.55, "ci_low": 0.29, "ci_high": 1.05, "p_value": 0.07,
                          "small_sample": firth},
           "adjusted": {"log_hr": -0.6, "hr": 0.55, "ci_low": 0.3, "ci_high": 0.99, "p_value": 0.04,
                        "small_sample": hc1}}
    ca = {"hr": {"estimate": 0.53, "ci_low": 0.3, "ci_high": 0.96,
                 "small_sample": {"method": "ye-shao-yi-hc1-t", "estimate": 0.53, "ci_low": 0.27, "ci_high": 1.05,
                                  "p_value": 0.067}},
          "log_hr": {"estimate": -0.63, "p_value": 0.037, "small_sample": {"estimate": -0.63, "p_value": 0.067}},
          "logrank": {"statistic": -2.04, "p_value": 0.041,
                      "small_sample": {"method": "ye-shao-yi-hc1-t", "statistic": -1.81, "p_value": 0.072}}}
    results = {"survival": {**SURVIVAL, "cox": cox, "covariate_adjusted": ca, "small_sample": {"shown": True}}}
    shown = displayed_results(results)["survival"]
    assert (shown["cox"]["unadjusted"]["hr"], shown["cox"]["unadjusted"]["ci_low"]) == (0.61, 0.3)   # Firth's
    assert (shown["cox"]["adjusted"]["ci_high"], shown["cox"]["adjusted"]["p_value"]) == (1.05, 0.07)
    assert shown["covariate_adjusted"]["hr"]["ci_high"] == 1.05
    assert shown["covariate_adjusted"]["log_hr"]["p_value"] == 0.067
    assert shown["covariate_adjusted"]["logrank"]["statistic"] == -1.81
    (paragraph,) = methods_blocks(_ctx_with(cox, ca))
    assert ("the unadjusted Cox model (Firth's penalised likelihood, profile likelihood interval); the adjusted "
            "Cox model (variance times n/(n − p), p coefficients, and Student t with n − p degrees of freedom); "
            "the covariate-adjusted hazard ratio (variances times n/(n − k), k parameters of the adjustment, and "
            "Student t with n − k degrees of freedom)") in paragraph.text


def test_a_few_clusters_sibling_wins_over_a_firth_one():
    unadjusted = {"hr": 0.7, "ci_low": 0.5, "ci_high": 0.98, "p_value": 0.04, "robust": True,
                  "small_sample": {"method": "firth", "hr": 0.72, "ci_low": 0.52, "ci_high": 0.99, "p_value": 0.045},
                  "few_clusters": {"method": "kc-t", "hr": 0.7, "ci_low": 0.45, "ci_high": 1.09, "p_value": 0.1}}
    results = {"survival": {**SURVIVAL, "cox": {"unadjusted": unadjusted}, "small_sample": {"shown": True}}}
    shown = displayed_results(results)["survival"]["cox"]["unadjusted"]
    assert (shown["hr"], shown["ci_low"], shown["method"]) == (0.7, 0.45, "kc-t")


def test_the_calibration_table_and_plain_sentences(tmp_path):
    (tmp_path / "calibration.json").write_text(json.dumps(CALIBRATION))
    plan_file = tmp_path / "plan.toml"
    ctx = _ctx("en", False, calibration="calibration.json")
    ctx = dataclasses.replace(ctx, plan=dataclasses.replace(ctx.plan, source=str(plan_file)))
    blocks = methods_blocks(ctx)
    table = next(b for b in blocks if isinstance(b, Table))
    assert table.caption == "Calibration of the methods over 2,000 simulated trials like this one"
    assert table.header[3:5] == ("Power (HR 0.70)", "Coverage (HR 0.70)")
    assert table.rows == (("The log-rank test", "4.9%", "–", "31.0%", "–", "0", "yes"),
                          ("The risk difference (Wald)", "7.1%", "92.9%", "33.0%", "93.1%", "2", "no"))
    texts = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert ("Over 2,000 simulated trials like this one, the log-rank test wrongly concluded to an effect "
            "4.9% of the time.") in texts
    assert ("Over 2,000 simulated trials like this one, the risk difference (Wald) wrongly concluded to an "
            "effect 7.1% of the time, and its 95% interval contained the true value 92.9% of the time.") in texts
    fr = methods_blocks(dataclasses.replace(ctx, fmt=Formatter("fr", 11)))
    assert any(isinstance(b, Paragraph) and b.text.startswith("Sur 2\u202f000 essais simulés semblables à "
                                                              "celui-ci, le test du log-rank") for b in fr)


def test_a_calibration_file_that_cannot_be_read_is_refused(tmp_path):
    ctx = _ctx("en", False, calibration=str(tmp_path / "absent.json"))
    with pytest.raises(EvalexpError, match="absent.json: cannot read the calibration file named by "
                                           r"\[report\] calibration"):
        methods_blocks(ctx)
    (tmp_path / "other.json").write_text('{"schema_version": 2}')
    with pytest.raises(EvalexpError, match="not a calibration file of evalexp calibrate"):
        methods_blocks(_ctx("en", False, calibration=str(tmp_path / "other.json")))


def test_the_plan_keys():
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365},
                           "inference": {"small_sample": "never"}, "report": {"calibration": "c.json"}})
    assert plan.inference.small_sample == "never" and plan.report.calibration == "c.json"
    assert plan_from_dict({"title": "t", "survival": {"horizon_days": 365}}).inference.small_sample == "auto"
    with pytest.raises(PlanError) as err:
        plan_from_dict({"title": "t", "survival": {"horizon_days": 365}, "inference": {"small_sample": "yes"}})
    assert str(err.value) == "<plan>: 'small_sample' must be one of auto, always, never, got 'yes'"


def test_the_unadjusted_fallbacks_are_shown_and_named():
    # 60 participants, six covariates, nine ruptures: every adjusted analysis falls back to its unadjusted sibling
    firth = {"method": "firth", "log_hr": -0.5, "hr": 0.61, "ci_low": 0.2, "ci_high": 1.9, "p_value": 0.4}
    cox = {"unadjusted": {"hr": None, "ci_low": None, "ci_high": None, "p_value": None, "small_sample": firth},
           "adjusted": {"hr": None, "ci_low": None, "ci_high": None, "p_value": None,
                        "small_sample": {**firth, "method": "unadjusted-firth", "parameters": 13}}}
    ca = {"rmst": {"difference": 12.0, "ci_low": -30.0, "ci_high": 54.0, "p_value": 0.6,
                   "small_sample": {"method": "unadjusted-studentized-permutation", "difference": 10.0,
                                    "ci_low": -40.0, "ci_high": 60.0, "p_value": 0.7}},
          "risk_difference": {"difference": -0.05, "ci_low": -0.2, "ci_high": 0.1, "p_value": 0.5,
                              "small_sample": {"method": "unadjusted-newcombe-effective-n", "difference": -0.04,
                                               "ci_low": -0.25, "ci_high": 0.15, "p_value": 0.6}}}
    results = {"survival": {**SURVIVAL, "cox": cox, "covariate_adjusted": ca, "small_sample": {"shown": True}}}
    shown = displayed_results(results)["survival"]
    assert (shown["cox"]["adjusted"]["hr"], shown["cox"]["adjusted"]["method"]) == (0.61, "unadjusted-firth")
    assert (shown["covariate_adjusted"]["rmst"]["difference"], shown["covariate_adjusted"]["rmst"]["ci_low"]) == \
        (10.0, -40.0)
    assert shown["covariate_adjusted"]["risk_difference"]["ci_high"] == 0.15
    (paragraph,) = methods_blocks(_ctx_with(cox, ca))
    assert ("the adjusted Cox model (fewer than two ruptures per coefficient: the unadjusted Firth model in its "
            "place); the covariate-augmented RMST difference (too few ruptures to adjust: the unadjusted "
            "studentised permutation test instead); the covariate-augmented risk difference (too few ruptures to "
            "adjust: the unadjusted Newcombe interval instead)") in paragraph.text
