"""Heterogeneity across sites against R: tests/reference/heterogeneity/make_reference.R (R 4.2,
survival 3.5, metafor 3.8), output reference.json.

- meta-analysis numerics: ``rma(yi, sei = se, method = "REML", test = "knha",
  control = list(threshold = 1e-10))``, ``predict()``, ``blup()``, on metafor's dat.bcg and on
  the per-site log HRs of (b) and (c);
- (b) survival::cgd, a real multi-centre randomised trial (13 centres, time to the first
  infection, horizon 180 days; 7 centres have an infection in both arms, REML tau2 = 0);
- (c) sim20.csv, a simulated 20-site cohort, with a stratum crossed with the site;
- per site: ``coxph(Surv(time, event) ~ treated, ties = "efron")`` and
  ``summary(survfit(...), times = horizon)``; the interaction test: Wald chi-square of the
  ``treated:factor(site)`` terms of ``coxph(Surv(time, event) ~ treated * factor(site)
  [+ strata(stratum)])``, and on sim20 stratified by regions of five sites (three site dummies
  aliased with the strata, NA in R).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalexp.cohort import Cohort
from evalexp.heterogeneity import heterogeneity, random_effects_meta
from evalexp.plan import plan_from_dict

REF = Path(__file__).parents[1] / "reference" / "heterogeneity"
R = json.loads((REF / "reference.json").read_text())
#: metafor at threshold 1e-10 against our machine-precision REML root (measured: at most 1.4e-9, on I2
#: in percent; the issue asks for 1e-6)
META_TOL = 1e-8
#: both Cox fits converged tightly (R: coxph.control(eps = 1e-12)); KM risks are exact
COX_TOL = 1e-8


def cohort(name: str) -> Cohort:
    data = pd.read_csv(REF / name).rename(columns={"time": "time_days"})
    data["arm"] = np.where(data["treated"] == 1, "treatment", "control")
    return Cohort(data)


def analyse(name: str, horizon: int, strata: str | None):
    survival = {"horizon_days": horizon, **({"strata": strata} if strata else {})}
    plan = plan_from_dict({"title": name, "survival": survival, "heterogeneity": {"by": "site"}})
    return heterogeneity(cohort(name), plan)


def assert_meta(ours: dict, meta, ref: dict) -> None:
    """Every number of metafor's rma/predict/blup (log scale) against ours."""
    assert ours["k"] == ref["k"]
    for key in ("tau2", "i2", "h2", "q", "q_p_value"):
        assert ours[key] == pytest.approx(ref[key], abs=META_TOL, rel=META_TOL), key
    assert ours["q_df"] == ref["q_df"]
    pooled = ours["pooled"]
    assert pooled["log_hr"] == pytest.approx(ref["mu"], abs=META_TOL)
    assert pooled["se"] == pytest.approx(ref["se"], abs=META_TOL)
    assert pooled["p_value"] == pytest.approx(ref["p_value"], abs=META_TOL, rel=META_TOL)
    assert np.log([pooled["ci_low"], pooled["ci_high"]]) == pytest.approx([ref["ci_low"], ref["ci_high"]], abs=META_TOL)
    pi = ours["prediction_interval"]
    assert np.log([pi["hr_low"], pi["hr_high"]]) == pytest.approx([ref["pi_low"], ref["pi_high"]], abs=META_TOL)
    assert list(meta.labels) == ref["labels"]
    assert meta.blup == pytest.approx(ref["blup"], abs=META_TOL)
    assert meta.blup_se == pytest.approx(ref["blup_se"], abs=META_TOL)
    tidy = meta.tidy().set_index("term")
    assert tidy.loc[[f"blup: {s}" for s in ref["labels"]], "ci_low"].to_numpy() == pytest.approx(ref["blup_low"],
                                                                                                  abs=META_TOL)
    assert tidy.loc[[f"blup: {s}" for s in ref["labels"]], "ci_high"].to_numpy() == pytest.approx(ref["blup_high"],
                                                                                                   abs=META_TOL)


def test_meta_analysis_equals_metafor_on_bcg():
    ref = R["bcg"]
    meta = random_effects_meta(ref["yi"], ref["vi"], labels=ref["labels"])
    assert_meta(meta.to_dict(), meta, ref)


@pytest.mark.parametrize("name, horizon, strata", [("cgd_first.csv", 180, None), ("sim20.csv", 365, "stratum")])
def test_sites_equal_coxph_survfit_and_metafor(name, horizon, strata):
    ref = R["cgd" if name.startswith("cgd") else "sim20"]
    result = analyse(name, horizon, strata)
    out = result.to_dict()
    assert [s["site"] for s in out["sites"]] == [s["site"] for s in ref["sites"]]
    for ours, theirs in zip(out["sites"], ref["sites"]):
        assert ours["n"] == theirs["n"] and ours["events"] == theirs["events"]
        assert ours["rupture_risk"]["treatment"] == pytest.approx(theirs["risk_treatment"], abs=COX_TOL)
        assert ours["rupture_risk"]["control"] == pytest.approx(theirs["risk_control"], abs=COX_TOL)
        assert ours["risk_difference"] == pytest.approx(theirs["risk_difference"], abs=COX_TOL)
        assert ours["risk_difference_se"] == pytest.approx(theirs["risk_difference_se"], abs=COX_TOL)
        if "log_hr" in theirs:
            assert ours["excluded"] is None
            assert ours["log_hr"] == pytest.approx(theirs["log_hr"], abs=COX_TOL)
            assert ours["se"] == pytest.approx(theirs["se"], abs=COX_TOL)
        else:
            assert ours["excluded"] == "no rupture in an arm"
            assert ours["log_hr"] is None and ours["shrunken_log_hr"] is None
    assert_meta(out, result.meta, ref["meta"])
    shrunken = [s["shrunken_log_hr"] for s in out["sites"] if s["excluded"] is None]
    assert shrunken == pytest.approx(ref["meta"]["blup"], abs=META_TOL)
    test = out["interaction_test"]
    assert test["df"] == ref["interaction"]["df"]
    assert test["statistic"] == pytest.approx(ref["interaction"]["statistic"], rel=1e-8)
    assert test["p_value"] == pytest.approx(ref["interaction"]["p_value"], rel=1e-7)


def test_cgd_is_a_boundary_case():
    """REML puts tau2 at zero on cgd: the pooled effect is then the fixed-effect one, I2 = 0 and
    the BLUPs all equal the pooled effect (the test above checks them against metafor)."""
    out = analyse("cgd_first.csv", 180, None).to_dict()
    assert out["tau2"] == 0.0 and out["i2"] == 0.0
    assert len({round(s["shrunken_log_hr"], 12) for s in out["sites"] if s["excluded"] is None}) == 1


def test_interaction_test_with_sites_nested_in_strata_equals_coxph():
    """Regions of five sites as strata: the dummies that the regions span are left out as R does."""
    data = pd.read_csv(REF / "sim20.csv").rename(columns={"time": "time_days"})
    data["arm"] = np.where(data["treated"] == 1, "treatment", "control")
    data["region"] = "R" + ((data["site"].str[1:].astype(int) - 1) // 5).astype(str)
    plan = plan_from_dict({"title": "r", "survival": {"horizon_days": 365, "strata": "region"},
                           "heterogeneity": {"by": "site"}})
    test = heterogeneity(Cohort(data), plan).to_dict()["interaction_test"]
    ref = R["sim20_region"]["interaction"]
    assert test["df"] == ref["df"] == 19
    assert test["statistic"] == pytest.approx(ref["statistic"], rel=1e-8)


def test_with_the_site_as_strata_the_interaction_test_is_cochrans_q():
    """Strata = site (e.g. AGIR's blocks by Mission locale): every site dummy is absorbed, the
    partial likelihood factorises by site, so the Wald statistic of the interactions is exactly
    Cochran's Q of the per-site estimates (a closed-form check of the one-stage model)."""
    data = pd.read_csv(REF / "sim20.csv").rename(columns={"time": "time_days"})
    data["arm"] = np.where(data["treated"] == 1, "treatment", "control")
    plan = plan_from_dict({"title": "s", "survival": {"horizon_days": 365, "strata": "site"},
                           "heterogeneity": {"by": "site"}})
    out = heterogeneity(Cohort(data), plan).to_dict()
    assert out["interaction_test"]["statistic"] == pytest.approx(out["q"], rel=1e-9)
    assert out["interaction_test"]["definition"] == "site dummies, strata = site"
