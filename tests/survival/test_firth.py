"""Firth's penalised Cox likelihood against R coxphf 1.13.1 (Breslow ties, profile penalised
likelihood CI and penalised likelihood-ratio p, coxphf's defaults).

References: ``tests/reference/monotone/make_reference.R`` (keys named below), coxphf run with
its convergence tightened (``epsilon = gconv = 1e-9``) so that the reference is converged;
tolerance 1e-6 absolute on the log scale and on p (observed ~1e-9).
"""
import json

import numpy as np
import pandas as pd
import pytest

from evalexp.errors import AnalysisError
from evalexp.survival.cox import prepare
from evalexp.survival.firth import _penalised, firth_cox

from .refdata import REFERENCE, radix_design

HERE = REFERENCE / "monotone"
TOL = 1e-6


@pytest.fixture(scope="module")
def ref():
    return json.loads((HERE / "reference.json").read_text())


def _compare(fit, r, terms):
    np.testing.assert_allclose(fit.params_.to_numpy(), r["coef"], atol=TOL, rtol=0)
    np.testing.assert_allclose(fit.se_.to_numpy(), r["se"], atol=TOL, rtol=0)
    for j, term in enumerate(terms):
        low, high, p = fit.interval(term)
        assert [low, high, p] == pytest.approx(
            [np.log(np.atleast_1d(r["ci_low"])[j]), np.log(np.atleast_1d(r["ci_high"])[j]),
             np.atleast_1d(r["p"])[j]], abs=TOL)


def test_breast_equals_coxphf(ref):
    # coxphf(Surv(TIME, CENS) ~ T + N + G + CD, data = breast)  -- the package's own example
    ref = ref["firth_breast"]
    data = pd.read_csv(REFERENCE / "data" / "breast.csv")
    fit = firth_cox(data["TIME"], data["CENS"], data[["T", "N", "G", "CD"]])
    assert fit.converged and ref["method_ci"] == "Profile Likelihood" and ref["method_ties"] == "breslow"
    _compare(fit, ref, ["T", "N", "G", "CD"])


def test_monotone_toy_example_is_finite_as_in_coxphf(ref):
    # coxphf(Surv(time, cens) ~ x) on time 1:3, x = (1, 1, 0): coxph diverges, Firth does not
    fit = firth_cox([1, 2, 3], [1, 1, 1], pd.DataFrame({"x": [1.0, 1, 0]}))
    _compare(fit, ref["firth_toy"], ["x"])


def test_pilot_cohort_with_a_level_without_event_equals_coxphf(ref):
    # coxphf(Surv(time_days, event) ~ treated + age + female + qpv + diploma + sector + company_size)
    data = pd.read_csv(HERE / "pilot_1028.csv")
    X = radix_design(data, ["treated", "age", "female", "qpv", "diploma", "sector", "company_size"])
    fit = firth_cox(data["time_days"], data["event"], X)
    r = ref["firth_pilot"]
    np.testing.assert_allclose(fit.params_.to_numpy(), r["coef"], atol=TOL, rtol=0)
    np.testing.assert_allclose(fit.se_.to_numpy(), r["se"], atol=TOL, rtol=0)
    out = fit.small_sample("treated")
    assert out["method"] == "firth" and out["ties"] == "breslow"
    assert [np.log(out["ci_low"]), np.log(out["ci_high"]), out["p_value"]] == pytest.approx(
        [np.log(r["ci_low"][0]), np.log(r["ci_high"][0]), r["p"][0]], abs=TOL)
    # the diverging diploma[bac+2] gets a finite penalised estimate
    assert fit.params_["diploma[bac+2]"] == pytest.approx(r["coef"][5], abs=TOL)
    # coxphf's default convergence (epsilon 1e-6) is within 1e-5 of the converged values
    assert fit.params_.to_numpy() == pytest.approx(ref["firth_pilot_default"]["coef"], abs=1e-5)


def test_penalised_score_is_the_gradient_of_the_penalised_likelihood_with_strata():
    # coxphf has no strata: check the stratified score formula against a numerical derivative
    rng = np.random.default_rng(3)
    n = 60
    X = np.column_stack([rng.integers(0, 2, n), rng.normal(size=n)]).astype(float)
    time = rng.exponential(1.0, n).round(1) + 0.1
    event = rng.integers(0, 2, n)
    cd = prepare(time, event, X, strata=rng.integers(0, 3, n), ties="breslow")
    beta = np.array([0.3, -0.2])
    _, score, _ = _penalised(cd, beta)
    h = 1e-6
    numeric = [(_penalised(cd, beta + h * e)[0] - _penalised(cd, beta - h * e)[0]) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(score, numeric, rtol=1e-6)


def test_constant_covariate_is_refused():
    with pytest.raises(AnalysisError, match="singular information matrix"):
        firth_cox([1, 2, 3, 4], [1, 1, 0, 1], pd.DataFrame({"x": [1.0, 1.0, 1.0, 1.0]}))
