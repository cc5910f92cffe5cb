"""Bias-corrected sandwich variances of the cluster-robust Cox model against R ``CoxBcv`` 0.0.1.

Reference values: ``tests/reference/cox_clusters/make_reference.R`` (R 4.2, survival 3.5.3, CoxBcv
0.0.1), read from ``reference.json``; each case names its R call. Tolerance 1e-6 relative.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalexp.survival.cox import cox_ph
from evalexp.survival.cox_bcv import bias_corrected_variances
from evalexp.survival.cox_clusters import few_clusters_ratio

from .refdata import REFERENCE

REF = json.loads((REFERENCE / "cox_clusters" / "reference.json").read_text())
RTOL = 1e-6


def _data(name: str) -> pd.DataFrame:
    """The data sets as the R script derives them (clusters numbered 1..G, as CoxBcv needs)."""
    df = pd.read_csv(REFERENCE / "data" / f"{name}.csv")
    if name == "rats":
        df["female"] = (df["sex"] == "f").astype(int)
        df["site10"] = (df["litter"] - 1) // 10 + 1
    else:
        df["argon"] = (df["laser"] == "argon").astype(int)
        df["site12"] = np.unique(df["id"], return_inverse=True)[1] % 12 + 1
    return df


CASES = ["rats_litter", "rats_site10", "diabetic_site12"]


@pytest.mark.parametrize("case", CASES)
def test_the_corrected_variances_are_coxbcvs(case):
    # R: CoxBcv.rob / CoxBcv.md / CoxBcv.kc / CoxBcv.fg (Y, Delta, X, ID)$outbeta, at R's coxph estimate
    ref = REF[case]
    df = _data(ref["data"])
    X = df[ref["covariates"]].to_numpy(float)
    out = bias_corrected_variances(df["time"], df["status"], X, df[ref["cluster"]], np.atleast_1d(ref["coef"]))
    for name in ("robust", "md", "kc", "fg"):
        np.testing.assert_allclose(np.diag(out[name]), np.atleast_1d(ref[name]), rtol=RTOL, err_msg=name)


@pytest.mark.parametrize("case", CASES)
def test_the_few_clusters_sibling_of_our_efron_fit_matches_coxbcv(case):
    # R: CoxBcv.<x>(...)$outbeta — coef is coxph's (Efron ties), as cox_ph's default
    ref = REF[case]
    df = _data(ref["data"])
    fit = cox_ph(df["time"], df["status"], df[ref["covariates"]], cluster=df[ref["cluster"]])
    np.testing.assert_allclose(fit.params_.to_numpy(), np.atleast_1d(ref["coef"]), rtol=RTOL)
    term = ref["covariates"][0]
    g = fit.n_clusters
    for correction in ("kc", "fg", "md"):
        out = few_clusters_ratio(fit, term, correction)
        se = np.sqrt(np.atleast_1d(ref[correction])[0])
        assert out["method"] == f"{correction}-t" and out["df"] == g - 1
        assert out["se"] == pytest.approx(se, rel=RTOL)
        beta = float(fit.params_[term])
        q = stats.t.isf(0.025, g - 1)
        assert out["ci_low"] == pytest.approx(np.exp(beta - q * se), rel=RTOL)
        assert out["ci_high"] == pytest.approx(np.exp(beta + q * se), rel=RTOL)
        assert out["p_value"] == pytest.approx(2 * stats.t.sf(abs(beta) / se, g - 1), rel=RTOL)


def test_with_strata_and_breslow_ties_the_uncorrected_sandwich_is_coxphs():
    # R: coxph(Surv(time, status) ~ rx + strata(sex), cluster = site10, ties = "breslow"): coef, diag(vcov)
    ref = REF["rats_strata_breslow"]
    df = _data("rats")
    fit = cox_ph(df["time"], df["status"], df[["rx"]], strata=df["sex"], cluster=df["site10"], ties="breslow")
    np.testing.assert_allclose(fit.params_.to_numpy(), np.atleast_1d(ref["coef"]), rtol=RTOL)
    out = bias_corrected_variances(df["time"], df["status"], df[["rx"]], df["site10"], fit.params_.to_numpy(),
                                   strata=df["sex"])
    assert out["robust"][0, 0] == pytest.approx(ref["robust"], rel=RTOL)
    assert out["robust"][0, 0] == pytest.approx(fit.var_[0, 0], rel=1e-9)


def test_the_corrections_do_not_depend_on_the_row_order_or_cluster_labels():
    df = _data("rats")
    X = df[["rx", "female"]].to_numpy(float)
    beta = np.atleast_1d(REF["rats_site10"]["coef"])
    strata = df["litter"].to_numpy() % 3  # (litter % 2 is the sex: female would be aliased)
    base = bias_corrected_variances(df["time"], df["status"], X, df["site10"], beta, strata=strata)
    perm = np.random.default_rng(3).permutation(len(df))
    labels = np.array([f"site {c}" for c in df["site10"]])
    other = bias_corrected_variances(df["time"].to_numpy()[perm], df["status"].to_numpy()[perm], X[perm],
                                     labels[perm], beta, strata=strata[perm])
    for name in ("robust", "md", "kc", "fg"):
        np.testing.assert_allclose(other[name], base[name], rtol=1e-10)
        assert np.all(np.diag(base[name]) > 0)
    # the corrections inflate the sandwich (Omega_g is positive here)
    assert base["md"][0, 0] > base["kc"][0, 0] > base["robust"][0, 0]


def test_a_single_cluster_and_an_unknown_correction_are_refused():
    df = _data("rats")
    with pytest.raises(ValueError, match="need at least two clusters"):
        bias_corrected_variances(df["time"], df["status"], df["rx"], np.ones(len(df)), [0.5])
    fit = cox_ph(df["time"], df["status"], df[["rx"]], cluster=df["site10"])
    with pytest.raises(ValueError, match="correction must be one of cr1, kc, fg, md, not 'hc3'"):
        few_clusters_ratio(fit, "rx", "hc3")


def test_the_analysis_few_clusters_sibling_is_the_kc_correction_and_follows_the_schema():
    # the AGIR demo subset has 4 sites; stratified, Efron: the KC variance of the fit, t(3) reference
    import jsonschema
    from evalexp.survival.analysis import analyze_survival

    from evalexp.schema import results_schema
    from evalexp.survival.cox_clusters import corrected_se

    from .test_analysis import _cohort, _plan

    analysis = analyze_survival(_cohort(), _plan())
    out = analysis.to_dict()["cox"]
    schema = results_schema()
    for key, fit in (("unadjusted", analysis.cox_unadjusted), ("adjusted", analysis.cox_adjusted)):
        sibling = out[key]["few_clusters"]
        assert sibling["method"] == "kc-t" and sibling["df"] == 3 and sibling["n_clusters"] == 4
        assert sibling["se"] == pytest.approx(corrected_se(fit, "treated", "kc")[0], rel=1e-12)
        assert sibling["log_hr"] == out[key]["log_hr"]
        jsonschema.validate(out[key], {"$defs": schema["$defs"], "$ref": "#/$defs/ratio"})
    with pytest.raises(jsonschema.ValidationError, match="'hc3-t' is not one of"):
        jsonschema.validate({**out["unadjusted"], "few_clusters": {**out["unadjusted"]["few_clusters"],
                                                                   "method": "hc3-t"}},
                            {"$defs": schema["$defs"], "$ref": "#/$defs/ratio"})


def test_a_negative_kc_variance_falls_back_to_fg():
    # Omega - Omega_g need not be positive definite: KC's one-sided product can be negative (30 rows,
    # 3 clusters; found by a seed search), and the sibling then uses FG and names it
    rng = np.random.default_rng(196)
    n = 30
    cluster = rng.integers(0, 3, n)
    X = np.c_[rng.integers(0, 2, n), rng.normal(size=n)]
    time = np.ceil(rng.exponential(10, n))
    event = (rng.random(n) < 0.7).astype(float)
    fit = cox_ph(time, event, X, cluster=cluster)
    out = bias_corrected_variances(time, event, X, cluster, fit.params_.to_numpy())
    assert out["kc"][0, 0] < 0 < out["fg"][0, 0]
    sibling = few_clusters_ratio(fit, "x0")
    assert sibling["method"] == "fg-t"
    assert sibling["se"] == pytest.approx(np.sqrt(out["fg"][0, 0]), rel=1e-12)
