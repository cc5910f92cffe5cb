"""Cox model against R coxph (survival 3.5): coefficients, variance, log-likelihoods, score test.

Every case below is a coxph() call of tests/reference/survival/make_reference.R; the JSON key
names it. Tolerance 1e-6 relative (observed agreement is ~1e-9 or better).
"""
import warnings

import numpy as np
import pandas as pd
import pytest

from evalexp.errors import AnalysisError
from evalexp.survival.cox import cox_ph
from evalexp.survival.design import design_matrix

from .refdata import load_dataset

RTOL = 1e-6


def _case(name, key):
    df = load_dataset(name)
    if name == "pbc":
        df["logbili"] = np.log(df["bili"])
        df["sex"] = (df["sex"] == "f").astype(float)
    return df, {
        # key: (covariates, keyword arguments of cox_ph)  -- R formula in the comment
        "cox_efron": (["treated"], {}),                                  # ~ treated
        "cox_breslow": (["treated"], {"ties": "breslow"}),               # ~ treated, ties = "breslow"
        "cox_strat": (["treated"], {"strata": "celltype" if name == "veteran" else "extent"}),
        "cox_adj": ({"veteran": ["treated", "karno", "age", "prior", "diagtime"],
                     "pbc": ["treated", "age", "logbili", "albumin", "edema", "sex"]}.get(name), {}),
        "cox_adj_strat": (["treated", "karno", "age"], {"strata": "celltype"}),
        "cox_adj_breslow": (["treated", "karno", "age"], {"ties": "breslow"}),
        "cox_cluster": (["treated"], {"cluster": "litter"}),             # ~ treated, cluster = litter
        "cox_cluster_breslow": (["treated"], {"cluster": "litter", "ties": "breslow"}),
        "cox_cluster_adj_strat": (["treated"], {"cluster": "litter", "strata": "sex"}),
        "cox_adj_cluster": (["treated", "age", "logbili"], {"cluster": "stage"}),
    }[key]


def _fit(name, key):
    df, (terms, kwargs) = _case(name, key)
    kwargs = {k: (df[v] if k in ("strata", "cluster") else v) for k, v in kwargs.items()}
    return cox_ph(df["time"], df["event"], df[terms], **kwargs)


CASES = [("veteran", k) for k in ["cox_efron", "cox_breslow", "cox_strat", "cox_adj", "cox_adj_strat",
                                   "cox_adj_breslow"]] + \
        [("rats", k) for k in ["cox_efron", "cox_cluster", "cox_cluster_breslow", "cox_cluster_adj_strat"]] + \
        [("colon", "cox_efron"), ("colon", "cox_strat"), ("pbc", "cox_efron"), ("pbc", "cox_adj"),
         ("pbc", "cox_adj_cluster"), ("ovarian", "cox_efron")]


@pytest.mark.parametrize("name,key", CASES)
def test_coefficients_match_r(reference, name, key):
    # R: coef(fit)
    fit = _fit(name, key)
    np.testing.assert_allclose(fit.params_.to_numpy(), reference[name][key]["coef"], rtol=RTOL)


@pytest.mark.parametrize("name,key", CASES)
def test_variance_matches_r(reference, name, key):
    # R: fit$var (robust sandwich when cluster =), fit$naive.var (model-based)
    fit = _fit(name, key)
    r = reference[name][key]
    p = len(fit.terms)
    np.testing.assert_allclose(fit.var_, np.reshape(r["var"], (p, p)), rtol=RTOL)
    if "naive_var" in r:
        assert fit.robust
        np.testing.assert_allclose(fit.naive_var_, np.reshape(r["naive_var"], (p, p)), rtol=RTOL)


@pytest.mark.parametrize("name,key", CASES)
def test_logliks_and_score_test_match_r(reference, name, key):
    # R: fit$loglik (at 0 and at the estimate), fit$score (score test at beta = 0)
    fit = _fit(name, key)
    r = reference[name][key]
    np.testing.assert_allclose([fit.loglik_null_, fit.loglik_], r["loglik"], rtol=1e-9)
    np.testing.assert_allclose(fit.score_statistic_, r["score"], rtol=RTOL)
    assert fit.n_events == r["nevent"]


def test_categorical_covariate_with_missing_values_matches_r_factor(reference):
    # R: coxph(Surv(time, status) ~ treated + age + sex + nodes + factor(differ), data = colon2)
    #    (rows with NA nodes/differ dropped: n = 594)
    df = load_dataset("colon")
    df["differ"] = df["differ"].map({1: "1", 2: "2", 3: "3"})
    X = design_matrix(df, ["treated", "age", "sex", "nodes", "differ"])
    kept = df.loc[X.index]
    fit = cox_ph(kept["time"], kept["event"], X)
    r = reference["colon"]["cox_adj"]
    assert fit.n == r["n"] == 594
    np.testing.assert_allclose(fit.params_.to_numpy(), r["coef"], rtol=RTOL)
    np.testing.assert_allclose(fit.var_, np.reshape(r["var"], (6, 6)), rtol=RTOL)


def test_ratio_is_the_contract_object(reference):
    # hr = exp(coef), Wald CI exp(coef -/+ 1.959964 se), p = 2 * pnorm(-|z|)
    fit = _fit("rats", "cox_cluster")
    ratio = fit.ratio("treated")
    assert list(ratio) == ["log_hr", "se", "hr", "ci_low", "ci_high", "p_value", "robust", "n_clusters"]
    assert ratio["n_clusters"] == 100  # R: length(unique(rats$litter))
    r = reference["rats"]["cox_cluster"]
    beta, se = float(np.ravel(r["coef"])[0]), float(np.sqrt(np.ravel(r["var"])[0]))
    assert ratio["robust"] is True
    np.testing.assert_allclose([ratio["hr"], ratio["ci_low"], ratio["ci_high"]],
                               np.exp([beta, beta - 1.959963984540054 * se, beta + 1.959963984540054 * se]),
                               rtol=1e-9)


def test_ratio_of_a_model_based_fit_has_no_cluster_count():
    df = load_dataset("rats")
    ratio = cox_ph(df["time"], df["event"], df[["treated"]]).ratio("treated")
    assert list(ratio) == ["log_hr", "se", "hr", "ci_low", "ci_high", "p_value", "robust"]
    assert ratio["robust"] is False


def test_row_order_does_not_change_the_fit():
    df = load_dataset("rats")
    a = cox_ph(df["time"], df["event"], df[["treated"]], cluster=df["litter"])
    shuffled = df.sample(frac=1.0, random_state=3)
    b = cox_ph(shuffled["time"], shuffled["event"], shuffled[["treated"]], cluster=shuffled["litter"])
    np.testing.assert_allclose(b.params_, a.params_, rtol=1e-10)
    np.testing.assert_allclose(b.var_, a.var_, rtol=1e-10)


def test_score_residuals_sum_to_the_score_so_one_cluster_has_zero_variance():
    # sum_i L_i = U(beta_hat) = 0 at the maximum, hence V (U U') V = 0 for a single cluster
    df = load_dataset("veteran")
    fit = cox_ph(df["time"], df["event"], df[["treated", "karno"]], cluster=np.zeros(len(df)))
    assert fit.n_clusters == 1
    assert np.max(np.abs(fit.var_)) < 1e-12 * np.max(np.abs(fit.naive_var_))


def test_tidy_has_the_stable_columns_then_hazard_ratios():
    tidy = _fit("veteran", "cox_adj").tidy()
    assert tidy.columns[:7].tolist() == ["term", "estimate", "std_error", "statistic", "p_value",
                                         "ci_low", "ci_high"]
    assert tidy["term"].tolist() == ["treated", "karno", "age", "prior", "diagtime"]
    np.testing.assert_allclose(tidy["hr"], np.exp(tidy["estimate"]))


def test_no_event_is_an_analysis_error():
    with pytest.raises(AnalysisError, match="no event"):
        cox_ph([1, 2, 3], [0, 0, 0], pd.DataFrame({"x": [0.0, 1.0, 0.0]}))


def test_constant_covariate_is_an_analysis_error():
    with pytest.raises(AnalysisError, match="singular"):
        cox_ph([1, 2, 3, 4], [1, 1, 0, 1], pd.DataFrame({"x": [1.0, 1.0, 1.0, 1.0]}))


def test_unknown_ties_method_is_refused():
    with pytest.raises(ValueError, match="ties"):
        cox_ph([1, 2], [1, 1], np.array([0.0, 1.0]), ties="exact")


def test_no_event_in_one_group_is_a_monotone_likelihood_warning():
    # every event in x = 1: beta runs to +infinity; R coxph warns "Loglik converged before
    # variable 1; coefficient may be infinite" and returns, so does cox_ph (no exception)
    with pytest.warns(RuntimeWarning, match="monotone likelihood"):
        fit = cox_ph([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 0, 0], pd.DataFrame({"x": [1.0, 1, 1, 0, 0, 0]}))
    assert fit.diverged == ("x",) and fit.params_["x"] > 20
    assert fit.ratio("x")["log_hr"] is None and fit.ratio("x")["p_value"] is None


def test_infinite_stratified_coefficient_warns_as_r_does():
    # within each stratum the x = 1 subjects fail first: R coxph(Surv(time, event) ~ x + strata(s))
    # warns "Loglik converged before variable 1; coefficient may be infinite"
    time = [1, 2, 3, 4, 5, 6, 10, 11, 12]
    event = [1, 1, 0, 0, 0, 0, 1, 1, 0]
    x = pd.DataFrame({"x": [1.0, 1, 0, 0, 1, 1, 0, 0, 0]})
    with pytest.warns(RuntimeWarning, match="monotone likelihood"):
        fit = cox_ph(time, event, x, strata=[0, 0, 0, 0, 1, 1, 1, 1, 1])
    assert fit.diverged == ("x",)


def test_finite_coefficients_do_not_warn():
    # veteran, ~ treated + karno (karno rescaled): finite coefficients, R gives no warning
    df = load_dataset("veteran")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        cox_ph(df["time"], df["event"], df[["treated", "karno"]] * [1, 10])
