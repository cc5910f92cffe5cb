"""Monotone likelihood in the adjusted Cox model, against R coxph (survival 3.5).

The cohort is ``tests/reference/monotone/pilot_1028.csv`` (``evalexp simulate --n 150
--seed 1028 --hr 1.0``): no rupture has ``diploma == "bac+2"``, so that coefficient runs to
minus infinity. R (``make_reference.R`` beside it, keys named below) warns "Loglik converged
before variable 6; coefficient may be infinite" and reports the other coefficients; so does
``cox_ph``, and its finite coefficients and SEs are the limits that R approaches
(``coxph.control(eps = 1e-14)``). Tolerance: 1e-7 relative for the finite coefficients and
their SEs (observed ~1e-12).
"""
import json
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.linalg

from evalexp.survival.cox import cox_ph
from evalexp.survival.design import design_matrix

from .refdata import REFERENCE, radix_design

HERE = REFERENCE / "monotone"
COVARIATES = ["treated", "age", "female", "qpv", "diploma", "sector", "company_size"]
RTOL = 1e-7


@pytest.fixture(scope="module")
def pilot():
    return pd.read_csv(HERE / "pilot_1028.csv")


@pytest.fixture(scope="module")
def ref():
    return json.loads((HERE / "reference.json").read_text())


def _fit(data, **kwargs):
    X = radix_design(data, COVARIATES)
    with pytest.warns(RuntimeWarning, match=r"monotone likelihood, the coefficient of diploma\[bac\+2\]"):
        return cox_ph(data["time_days"], data["event"], X, **kwargs)


@pytest.mark.parametrize("key, kwargs", [
    # coxph(Surv(time_days, event) ~ treated + ... + strata(stratum), ties = "efron")
    ("strata_tight", {"strata": "stratum"}),
    # the same with cluster = site: robust SE
    ("cluster_tight", {"strata": "stratum", "cluster": "site"}),
    # unstratified, ties = "breslow"
    ("breslow_tight", {"ties": "breslow"}),
])
def test_finite_coefficients_and_se_equal_r_and_the_diverged_term_is_named(pilot, ref, key, kwargs):
    r = ref[key]
    assert "Loglik converged before variable  6 " in r["warnings"][0]
    args = {k: pilot[v] for k, v in kwargs.items() if k != "ties"} | {"ties": kwargs.get("ties", "efron")}
    fit = _fit(pilot, **args)
    assert fit.diverged == ("diploma[bac+2]",) and fit.terms.index("diploma[bac+2]") == 5
    finite = [j for j in range(len(fit.terms)) if j != 5]
    np.testing.assert_allclose(fit.params_.to_numpy()[finite], np.array(r["coef"])[finite], rtol=RTOL)
    np.testing.assert_allclose(fit.se_.to_numpy()[finite], np.array(r["se"])[finite], rtol=RTOL)
    assert fit.params_["diploma[bac+2]"] < -20 and np.isnan(fit.se_["diploma[bac+2]"])
    ratio = fit.ratio("treated")
    assert ratio["log_hr"] == pytest.approx(r["coef"][0], rel=RTOL) and ratio["p_value"] is not None
    assert fit.ratio("diploma[bac+2]")["log_hr"] is None


def test_r_default_convergence_is_within_1e_8_of_the_limit(pilot, ref):
    # R's default eps = 1e-9 stops earlier along the divergence: its treatment SE is ~5e-11 away
    fit = _fit(pilot, strata=pilot["stratum"])
    assert fit.se_["treated"] == pytest.approx(ref["strata_default"]["se"][0], rel=1e-8)


def test_detection_does_not_depend_on_a_solver_raising(pilot, monkeypatch):
    # scipy.linalg.solve warns or raises on a near-singular matrix depending on the build:
    # the fit must not use it (nor numpy's), whatever it does
    def refuse(*args, **kwargs):
        raise np.linalg.LinAlgError("singular")
    for module, name in ((scipy.linalg, "solve"), (scipy.linalg, "inv"), (np.linalg, "solve"),
                         (np.linalg, "inv")):
        monkeypatch.setattr(module, name, refuse)
    fit = _fit(pilot, strata=pilot["stratum"])
    assert fit.diverged == ("diploma[bac+2]",) and np.isfinite(fit.se_["treated"])


def test_a_finite_model_has_no_diverged_term(pilot):
    X = design_matrix(pilot, ["treated", "age", "female"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fit = cox_ph(pilot["time_days"], pilot["event"], X, strata=pilot["stratum"])
    assert fit.diverged == () and fit.aliased == () and fit.converged


def test_a_collinear_covariate_is_aliased_as_r_gives_na(pilot):
    # R: coxph(... ~ treated + age + age2) gives age2 the coefficient NA
    X = design_matrix(pilot, ["treated", "age"]).assign(age2=lambda f: 2 * f["age"] + 1)
    with pytest.warns(RuntimeWarning, match="age2 is not estimable"):
        fit = cox_ph(pilot["time_days"], pilot["event"], X)
    alone = cox_ph(pilot["time_days"], pilot["event"], X[["treated", "age"]])
    assert fit.aliased == ("age2",) and np.isnan(fit.params_["age2"])
    np.testing.assert_allclose(fit.params_[["treated", "age"]], alone.params_, rtol=1e-12)
