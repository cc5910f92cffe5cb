"""Fine-Gray subdistribution hazards against R cmprsk::crr."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evalexp.competing.finegray import fine_gray
from evalexp.errors import AnalysisError

from .refdata import dataset, reference

CASES = [(name, cause) for name in ("pbc", "mgus2", "tiny") for cause in (1, 2)]


@pytest.mark.parametrize("name,cause", CASES)
def test_matches_crr(name, cause):
    # R: crr(time, status, cov1 = group, failcode = cause): $coef, sqrt(diag($var)).
    # crr stops at its gradient tolerance (gtol = 1e-6), hence 1e-4 here.
    d = dataset(name)
    ref = reference()[name][f"cause_{cause}"]["crr"]
    fit = fine_gray(d["time"], d["status"], d["group"], cause=cause)
    assert fit.params_.iloc[0] == pytest.approx(ref["coef"], rel=1e-4)
    assert fit.se_.iloc[0] == pytest.approx(ref["se"], rel=1e-4)


@pytest.mark.parametrize("name,cause", CASES)
def test_matches_crr_converged_tightly(name, cause):
    # R: crr(..., gtol = 1e-12): both at the maximum, the numbers agree to rounding
    d = dataset(name)
    ref = reference()[name][f"cause_{cause}"]["crr_tight"]
    fit = fine_gray(d["time"], d["status"], d["group"], cause=cause)
    assert fit.params_.iloc[0] == pytest.approx(ref["coef"], rel=1e-8)
    assert fit.se_.iloc[0] == pytest.approx(ref["se"], rel=1e-8)


def test_score_is_zero_at_the_estimate():
    from evalexp.competing._inputs import competing_arrays
    from evalexp.competing.finegray import _Problem

    d = dataset("mgus2")
    time, failed, of_cause = competing_arrays(d["time"], d["status"], 1)
    fit = fine_gray(d["time"], d["status"], d["group"], cause=1)
    problem = _Problem(time, failed, of_cause, d[["group"]].to_numpy(float))
    _, score, _ = problem.loglik_score_information(fit.params_.to_numpy())
    assert abs(score[0]) < 1e-8


def test_two_covariates_match_crr():
    # R: crr(time, status, cov1 = cbind(group, strata), failcode = 1, gtol = 1e-12) on mgus2
    d = dataset("mgus2")
    ref = reference()["mgus2"]["crr_two_covariates"]
    fit = fine_gray(d["time"], d["status"], d[["group", "strata"]], cause=1)
    assert fit.terms == ("group", "strata")
    np.testing.assert_allclose(fit.params_, ref["coef"], rtol=1e-8)
    np.testing.assert_allclose(fit.var_, np.array(ref["var"]).reshape(2, 2), rtol=1e-8)


def test_ratio_is_exp_of_wald_interval():
    d = dataset("pbc")
    fit = fine_gray(d["time"], d["status"], pd.Series(d["group"], name="treated"), cause=2)
    r = fit.ratio("treated")
    assert r["shr"] == pytest.approx(np.exp(r["log_shr"]), rel=1e-15)
    assert r["ci_low"] == pytest.approx(np.exp(r["log_shr"] - 1.959963984540054 * r["se"]), rel=1e-12)
    json.dumps(fit.to_dict(), allow_nan=False)


def test_no_failure_of_the_cause_is_refused():
    with pytest.raises(AnalysisError, match="no failure"):
        fine_gray([1, 2, 3, 4], [2, 0, 2, 0], [0, 1, 0, 1], cause=1)


def test_monotone_likelihood_is_refused():
    # every failure of cause 1 in group 1: the estimate runs to +infinity
    with pytest.raises(AnalysisError, match="monotone likelihood"):
        fine_gray([1, 2, 3, 4, 5, 6], [1, 0, 1, 2, 0, 2], [1, 0, 1, 0, 1, 0], cause=1)


def test_row_order_does_not_change_the_result():
    d = dataset("mgus2")
    shuffled = d.sample(frac=1.0, random_state=3)
    a = fine_gray(d["time"], d["status"], d["group"], cause=2)
    b = fine_gray(shuffled["time"], shuffled["status"], shuffled["group"], cause=2)
    assert a.params_.iloc[0] == pytest.approx(b.params_.iloc[0], rel=1e-12)
    assert a.se_.iloc[0] == pytest.approx(b.se_.iloc[0], rel=1e-12)
