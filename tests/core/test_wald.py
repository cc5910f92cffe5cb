"""One Wald type (evalexp.wald.WaldEstimate) behind every ratio and difference with a standard error."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalexp.competing.finegray import fine_gray
from evalexp.survival.cox import cox_ph
from evalexp.wald import WaldEstimate

Z = stats.norm.isf(0.025)


def test_log_scale_and_ratio_scale():
    w = WaldEstimate(math.log(0.5), 0.2)
    assert w.statistic == pytest.approx(math.log(0.5) / 0.2, rel=1e-15)
    assert (w.ci_low, w.ci_high) == pytest.approx((math.log(0.5) - Z * 0.2, math.log(0.5) + Z * 0.2), rel=1e-15)
    assert (w.ratio, w.ratio_ci_low, w.ratio_ci_high) == pytest.approx(
        (0.5, math.exp(w.ci_low), math.exp(w.ci_high)), rel=1e-15)
    assert w.p_value == pytest.approx(2 * stats.norm.cdf(-abs(w.statistic)), rel=1e-12)


def test_tiny_p_values_come_from_the_survival_function():
    assert WaldEstimate(30.0, 1.0).p_value == pytest.approx(2 * stats.norm.sf(30.0), rel=1e-12)
    assert WaldEstimate(30.0, 1.0).p_value > 1e-200  # 2 * norm.cdf(-30) is as accurate; 1 - cdf(30) is 0


@pytest.mark.parametrize("se", [0.0, -1.0, float("inf"), float("nan")])
def test_without_a_finite_positive_se_nothing_is_inferred(se):
    w = WaldEstimate(0.3, se)
    assert all(math.isnan(v) for v in (w.statistic, w.p_value, w.ci_low, w.ci_high, w.ratio_ci_low))
    assert w.ratio == pytest.approx(math.exp(0.3))
    assert w.ratio_dict("log_hr", "hr") == {"log_hr": 0.3, "se": None if not math.isfinite(se) else se,
                                            "hr": pytest.approx(math.exp(0.3)), "ci_low": None, "ci_high": None,
                                            "p_value": None}


def test_alpha_sets_the_level():
    assert WaldEstimate(0.0, 1.0, alpha=0.1).ci_high == pytest.approx(stats.norm.isf(0.05), rel=1e-15)


@pytest.fixture(scope="module")
def trial() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    treated = np.repeat([0, 1], 60)
    time = rng.exponential(np.where(treated == 1, 2.0, 1.0))
    status = np.where(rng.random(120) < 0.3, 0, rng.integers(1, 3, 120))
    return pd.DataFrame({"time": time, "status": status, "treated": treated.astype(float)})


def test_cox_and_fine_gray_ratios_are_wald_estimates(trial):
    cox = cox_ph(trial["time"], trial["status"] > 0, trial[["treated"]])
    expected = WaldEstimate(float(cox.params_["treated"]), float(cox.se_["treated"])).ratio_dict("log_hr", "hr")
    assert {k: v for k, v in cox.ratio("treated").items() if k in expected} == expected
    fg = fine_gray(trial["time"], trial["status"], trial[["treated"]], cause=1)
    assert fg.ratio("treated") == fg.wald("treated").ratio_dict("log_shr", "shr")
    assert fg.tidy().iloc[0]["p_value"] == pytest.approx(fg.ratio("treated")["p_value"], rel=1e-15)


def test_cox_and_fine_gray_share_the_fitting_api(trial):
    # fit(time, outcome, X, *, options, alpha) -> result with terms, params_, se_, n, n_events,
    # wald(term) -> WaldEstimate, ratio(term) -> contract object, tidy(), to_dict()
    cox = cox_ph(trial["time"], trial["status"] > 0, trial[["treated"]], alpha=0.1)
    fg = fine_gray(trial["time"], trial["status"], trial[["treated"]], cause=1, alpha=0.1)
    for fit in (cox, fg):
        assert fit.terms == ("treated",) and fit.n == 120 and fit.n_events > 0 and fit.alpha == 0.1
        w = fit.wald("treated")
        assert isinstance(w, WaldEstimate) and w.alpha == 0.1
        assert (w.estimate, w.se) == (float(fit.params_["treated"]), float(fit.se_["treated"]))
        assert fit.tidy().iloc[0][["estimate", "std_error", "p_value"]].tolist() == pytest.approx(
            [w.estimate, w.se, w.p_value], rel=1e-15)
