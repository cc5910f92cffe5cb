"""A cohort without any rupture: the analysis goes on, every test says "no information" (p = 1)
and every interval the report shows bounds the effect as far as the data allow (issue 14: no
simulated trial may fail).

Data: ``tests/data/no_rupture_n60.csv``, one of the 4,000 simulated trials of the calibration
benchmark's n60 scenario (60 contracts, 3 strata, six covariates) in which nobody broke a contract.
"""
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalexp.calibration_methods import METHODS, score
from evalexp.cohort import Cohort
from evalexp.plan import plan_from_dict
from evalexp.survival.firth import firth_cox, no_rupture_small_sample
from evalexp.survival.km import kaplan_meier
from evalexp.survival.logrank import logrank_test
from evalexp.survival.permutation import randomization_inference
from evalexp.survival.randomization_ci import randomization_intervals
from evalexp.survival.risk_small import effective_size, wilson
from evalexp.survival.rmst_perm import rmst_permutation
from evalexp.survival.survival_analysis import analyze_survival

from .refdata import REFERENCE

COVARIATES = ["age", "female", "qpv", "diploma", "sector", "company_size"]


@pytest.fixture(scope="module")
def cohort():
    return pd.read_csv(REFERENCE.parent / "data" / "no_rupture_n60.csv")


def _args(df):
    return df["time_days"], df["event"], df["treated"]


def test_the_log_rank_has_no_information(cohort):
    # R survdiff(Surv(time_days, event) ~ treated + strata(stratum)): chisq 0, p NaN (df = -1); here p = 1
    test = logrank_test(*_args(cohort), strata=cohort["stratum"])
    assert (test.statistic, test.p_value, test.variance) == (0.0, 1.0, 0.0)


def test_every_re_randomisation_gives_the_observed_data(cohort):
    tests = randomization_inference(*_args(cohort), strata=cohort["stratum"], permutations=50, seed=3,
                                    statistics=["logrank", "cox_score", "rmst"], tau=365)
    assert [(t.statistic, t.observed, t.p_value) for t in tests] == \
        [("logrank", 0.0, 1.0), ("cox_score", 0.0, 1.0), ("rmst", 0.0, 1.0)]


def test_the_randomisation_intervals_reject_no_effect(cohort):
    out = randomization_intervals(*_args(cohort), 365, strata=cohort["stratum"], permutations=50, seed=3).to_dict()
    assert {k: out["hazard_ratio"][k] for k in ("hr", "ci_low", "ci_high", "ci_high_unbounded", "p_value")} == \
        {"hr": None, "ci_low": 0.0, "ci_high": None, "ci_high_unbounded": True, "p_value": 1.0}
    assert {k: out["risk_difference"][k] for k in ("difference", "ci_low", "ci_high", "p_value")} == \
        {"difference": 0.0, "ci_low": -1.0, "ci_high": 1.0, "p_value": 1.0}


def test_the_rmst_interval_is_the_wilson_bound_of_each_arms_risk(cohort):
    time, event, treated = _args(cohort)
    result = rmst_permutation(time, event, treated, 365, strata=cohort["stratum"], permutations=50, seed=3)
    upper = {}
    for arm in (1, 0):
        km = kaplan_meier(time[treated == arm], event[treated == arm])
        n_star = effective_size(km, 365)   # no event: the number at risk at day 365
        assert n_star == km.at([365])["at_risk"].iloc[0]
        upper[arm] = wilson(0.0, n_star, stats.norm.isf(0.025))[1]
    assert (result.method, result.difference, result.p_value) == ("wilson-bound", 0.0, 1.0)
    assert (result.ci_low, result.ci_high) == pytest.approx((-365 * upper[1], 365 * upper[0]), rel=1e-12)


def test_firths_sibling_is_the_whole_half_line():
    # R: coxph(Surv(t, e) ~ g) with no event reports coef NA and "Likelihood ratio test=0 on 0 df, p=1"
    sibling = no_rupture_small_sample()
    assert {k: sibling[k] for k in ("method", "log_hr", "hr", "ci_low", "ci_high", "ci_high_unbounded", "p_value")} \
        == {"method": "firth", "log_hr": None, "hr": None, "ci_low": 0.0, "ci_high": None, "ci_high_unbounded": True,
            "p_value": 1.0}
    # a fitted Firth sibling's keys plus the flag, so that the report and the disclosure treat it alike
    fitted = firth_cox([1.0, 2.0, 3.0, 4.0], [1, 0, 1, 0], pd.DataFrame({"treated": [1.0, 1.0, 0.0, 0.0]}))
    assert sibling.keys() == fitted.small_sample("treated").keys() | {"ci_high_unbounded"}


def test_the_plans_analysis_goes_on_and_every_calibrated_method_is_computed(cohort):
    plan = plan_from_dict({"title": "no rupture", "survival": {"horizon_days": 365, "covariates": COVARIATES,
                                                               "strata": "stratum"},
                           "inference": {"permutations": 50, "seed": 3,
                                         "statistics": ["logrank", "cox_score", "rmst"]}})
    analysis = analyze_survival(Cohort(cohort), plan)
    assert [w.code for w in analysis.warnings][:1] == ["not_estimable"]
    results = {"survival": json.loads(json.dumps(analysis.to_dict(), allow_nan=False))}
    truth = dict.fromkeys(("conditional_log_hr", "marginal_log_hr", "rmst_difference", "risk_difference"), 0.0)
    scores = {spec.name: score(spec, results, truth, 0.05) for spec in METHODS}
    # what the report shows at 60 participants (the small-sample siblings, the randomisation inference)
    shown = ["cox_unadjusted_small_sample", "cox_adjusted_small_sample", "logrank", "randomization_logrank",
             "randomization_cox_score", "randomization_rmst", "randomization_ci_hazard_ratio",
             "randomization_ci_risk_difference", "rmst_small_sample", "risk_difference_small_sample",
             "covariate_adjusted_logrank_small_sample", "covariate_adjusted_log_hr_small_sample",
             "covariate_adjusted_rmst_small_sample", "covariate_adjusted_risk_difference_small_sample"]
    assert {name: (scores[name].computed, scores[name].rejected) for name in shown} == \
        dict.fromkeys(shown, (True, False))
    assert all(scores[name].covered in (True, None) for name in shown)
    # the contract's (R's) Wald intervals stay null: a standard error of 0 is no certainty
    assert results["survival"]["rmst"]["ci_low"] is None and results["survival"]["risk_difference"]["ci_low"] is None
    assert results["survival"]["cox"]["adjusted"]["small_sample"]["method"] == "unadjusted-firth"
    assert math.isclose(results["survival"]["risk_difference"]["small_sample"]["p_value"], 1.0)
    assert np.isfinite(results["survival"]["risk_difference"]["small_sample"]["ci_high"])
