"""Bell-McCaffrey t inference of the binary differences against R (tests/reference/integrity/small_sample.R)."""
import json
from pathlib import Path

import numpy as np
import pytest

from evalexp.integrity.outcomes import robust_ols
from evalexp.integrity.small_sample import TEstimate, bell_mccaffrey_df
from evalexp.small_sample import shows_small_sample

REF = json.loads((Path(__file__).parents[1] / "reference" / "integrity" / "small_sample.json").read_text())
TOL = 1e-6


def _fit(clusters):
    data = REF["data"]
    y = np.array([row["y"] for row in data], float)
    treated = np.array([row["treated"] for row in data], float)
    X = np.column_stack([np.ones(len(y)), treated])
    beta, cov = robust_ols(X, y, clusters)
    df = bell_mccaffrey_df(X, np.array([0.0, 1.0]), clusters)
    return TEstimate("x", float(beta[1]), float(np.sqrt(cov[1, 1])), df, 0.05, 0)


def test_hc2_bm_equals_clubsandwich_with_each_row_its_cluster():
    # clubSandwich::coef_test(lm(y ~ treated), vcov = "CR2", cluster = id, test = "Satterthwaite")
    est, ref = _fit(None), REF["hc2"]
    assert est.estimate == pytest.approx(ref["estimate"], abs=TOL)
    assert est.se == pytest.approx(ref["se"], abs=TOL)
    assert est.df == pytest.approx(ref["df"], abs=TOL)
    assert est.p_value == pytest.approx(ref["p_value"], abs=TOL)


def test_cr2_bm_equals_clubsandwich_and_estimatr():
    sites = np.array([row["site"] for row in REF["data"]])
    est = _fit(sites)
    ref = REF["cr2"]  # clubSandwich::coef_test(..., vcov = "CR2", cluster = site, test = "Satterthwaite")
    assert est.se == pytest.approx(ref["se"], abs=TOL)
    assert est.df == pytest.approx(ref["df"], abs=TOL)
    assert est.p_value == pytest.approx(ref["p_value"], abs=TOL)
    er = REF["estimatr_cr2"]  # estimatr::lm_robust(y ~ treated, clusters = site, se_type = "CR2")
    out = est.to_dict()
    assert est.df == pytest.approx(er["df"], abs=TOL)
    assert out["ci_low"] == pytest.approx(er["ci_low"], abs=TOL)
    assert out["ci_high"] == pytest.approx(er["ci_high"], abs=TOL)
    assert out["p_value"] == pytest.approx(er["p_value"], abs=TOL)


def test_shown_under_auto_below_the_stated_sizes():
    assert shows_small_sample("auto", 499, None)
    assert not shows_small_sample("auto", 500, None)
    assert shows_small_sample("auto", 5000, 49)
    assert not shows_small_sample("auto", 5000, 50)
    assert shows_small_sample("always", 10 ** 6, None)
    assert not shows_small_sample("never", 10, 3)


def test_plan_key_small_sample_defaults_to_auto_and_refuses_other_words():
    from evalexp.errors import PlanError
    from evalexp.plan import plan_from_dict

    assert plan_from_dict({"title": "t", "survival": {"horizon_days": 365}}).inference.small_sample == "auto"
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365}, "inference": {"small_sample": "never"}})
    assert plan.inference.small_sample == "never"
    with pytest.raises(PlanError) as err:
        plan_from_dict({"title": "t", "survival": {"horizon_days": 365}, "inference": {"small_sample": "sometimes"}})
    assert str(err.value) == "<plan>: 'small_sample' must be one of auto, always, never, got 'sometimes'"
