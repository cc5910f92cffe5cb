"""Small-sample siblings: Newcombe on effective sizes (risk difference), studentised permutation (RMST)."""
import itertools

import numpy as np
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from evalexp.small_sample import THRESHOLD_N, shows_small_sample
from evalexp.survival.km import kaplan_meier
from evalexp.survival.risk_small import effective_size, risk_difference_small_sample
from evalexp.survival.rmst import rmst_difference
from evalexp.survival.rmst_perm import StudentizedPermutation, _rerandomise, rmst_permutation


def _uncensored(e1, n1, e0, n0):
    time = np.r_[np.full(e1, 10.0), np.full(n1 - e1, 500.0), np.full(e0, 20.0), np.full(n0 - e0, 500.0)]
    event = np.r_[np.ones(e1), np.zeros(n1 - e1), np.ones(e0), np.zeros(n0 - e0)]
    return time, event, np.r_[np.ones(n1), np.zeros(n0)]


@pytest.mark.parametrize(("e1", "n1", "e0", "n0"), [(12, 40, 20, 38), (0, 15, 4, 15), (3, 7, 7, 7)])
def test_without_censoring_the_interval_is_newcombes(e1, n1, e0, n0):
    # reference: statsmodels confint_proportions_2indep(method="newcomb") (Newcombe 1998, method 10)
    out = risk_difference_small_sample(*_uncensored(e1, n1, e0, n0), day=365)
    low, high = confint_proportions_2indep(e1, n1, e0, n0, method="newcomb", compare="diff")
    assert out.ci_low == pytest.approx(low, abs=1e-12)
    assert out.ci_high == pytest.approx(high, abs=1e-12)
    assert out.n_effective == {"treatment": pytest.approx(n1), "control": pytest.approx(n0)}


def test_the_p_value_is_the_level_at_which_the_interval_touches_zero():
    data = _uncensored(12, 40, 20, 38)
    out = risk_difference_small_sample(*data, day=365)
    at_p = risk_difference_small_sample(*data, day=365, alpha=out.p_value)
    assert at_p.ci_high == pytest.approx(0.0, abs=1e-9)
    assert (out.p_value <= 0.05) == (out.ci_high < 0)


def test_the_effective_size_is_greenwoods_and_falls_back_to_the_number_at_risk():
    rng = np.random.default_rng(3)
    time = rng.integers(1, 400, 60).astype(float)
    event = (rng.random(60) < 0.6).astype(float)
    km = kaplan_meier(time, event)
    s, var = km.survival_at(200), km.variance_at(200)
    assert effective_size(km, 200) == pytest.approx(s * (1 - s) / var)
    assert effective_size(kaplan_meier(np.array([300.0, 400, 500]), np.array([0.0, 1, 0])), 200) == 3.0


def test_the_studentised_statistic_is_the_rmst_wald_statistic():
    rng = np.random.default_rng(8)
    time = rng.integers(1, 500, 50).astype(float)
    event = (rng.random(50) < 0.7).astype(float)
    treated = np.r_[np.ones(25), np.zeros(25)]
    wald = rmst_difference(time, event, treated, 365)
    out = rmst_permutation(time, event, treated, 365, permutations=50, seed=1)
    assert out.difference == pytest.approx(wald.difference, rel=1e-12)
    assert out.se == pytest.approx(wald.se, rel=1e-12)


def test_the_permutation_p_value_agrees_with_full_enumeration():
    # 10 subjects, 5 treated: the 252 assignments enumerated give the exact permutation p
    time = np.array([3.0, 8, 12, 20, 25, 5, 9, 30, 40, 50])
    event = np.array([1.0, 1, 0, 1, 1, 1, 0, 1, 0, 1])
    treated = np.r_[np.ones(5), np.zeros(5)]
    calc = StudentizedPermutation.build(time, event, 45.0)
    every = np.array([np.isin(np.arange(10), c).astype(float) for c in itertools.combinations(range(10), 5)])
    t_all = np.abs(calc.statistics(every)[2])
    t_obs = abs(calc.statistics(treated[None, :])[2][0])
    exact = np.mean(t_all >= t_obs * (1 - 1e-9))
    out = rmst_permutation(time, event, treated, 45.0, permutations=40_000, seed=2)
    assert out.p_value == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / 40_000))
    assert (out.p_value <= 0.05) == (out.ci_low > 0 or out.ci_high < 0)


def test_re_randomisation_keeps_each_strata_arm_size():
    blocks = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2])
    arm = np.array([1.0, 0, 0, 1, 1, 0, 0, 1, 0])
    draws = _rerandomise(arm, blocks, np.random.default_rng(1), 200)
    for b in range(3):
        assert (draws[:, blocks == b].sum(axis=1) == arm[blocks == b].sum()).all()
    assert len({tuple(d) for d in draws}) > 20


def test_auto_shows_the_small_sample_version_below_the_thresholds():
    assert shows_small_sample("auto", THRESHOLD_N - 1) and not shows_small_sample("auto", THRESHOLD_N)
    assert shows_small_sample("auto", 10_000, n_clusters=49) and not shows_small_sample("auto", 10_000, 50)
    assert shows_small_sample("always", 10_000) and not shows_small_sample("never", 10)


def test_the_few_clusters_interval_is_the_cr1_sandwich_with_a_t_reference():
    from scipy import stats

    from evalexp.survival.cox import cox_ph
    from evalexp.survival.cox_clusters import few_clusters_ratio

    rng = np.random.default_rng(4)
    n = 120
    site = rng.integers(0, 8, n)
    treated = rng.integers(0, 2, n).astype(float)
    time = np.ceil(rng.exponential(300 / np.exp(0.3 * treated)))
    event = (time < 400).astype(float)
    time = np.minimum(time, 400)
    fit = cox_ph(time, event, treated, cluster=site)
    out = few_clusters_ratio(fit, "x", correction="cr1")
    g = fit.n_clusters
    se = float(fit.se_["x"]) * np.sqrt(g / (g - 1))
    beta = float(fit.params_["x"])
    assert out["se"] == pytest.approx(se, rel=1e-12) and out["df"] == g - 1 == 7
    assert out["ci_low"] == pytest.approx(np.exp(beta - stats.t.ppf(0.975, 7) * se), rel=1e-12)
    assert out["p_value"] == pytest.approx(2 * stats.t.sf(abs(beta) / se, 7), rel=1e-12)
    assert out["method"] == "cr1-t"
    with pytest.raises(ValueError, match="needs a cluster-robust fit"):
        few_clusters_ratio(cox_ph(time, event, treated), "x")


def test_the_cox_sibling_is_the_model_variance_times_n_over_n_minus_p_with_a_t_reference():
    from scipy import stats

    from evalexp.survival.cox import cox_ph

    from .refdata import load_dataset

    # R: coxph(Surv(time, status) ~ treated + karno + age + prior + diagtime, veteran)
    df = load_dataset("veteran")
    X = df.assign(treated=(df["trt"] == 2).astype(float))[["treated", "karno", "age", "prior", "diagtime"]]
    fit = cox_ph(df["time"], df["status"], X)
    out = fit.small_sample_ratio("treated")
    n, p = 137, 5
    se = float(fit.se_["treated"]) * np.sqrt(n / (n - p))
    beta = float(fit.params_["treated"])
    assert out["method"] == "wald-hc1-t" and out["df"] == n - p and out["parameters"] == p
    assert out["se"] == pytest.approx(se, rel=1e-12) and out["log_hr"] == beta and out["hr"] == np.exp(beta)
    assert out["ci_high"] == pytest.approx(np.exp(beta + stats.t.isf(0.025, n - p) * se), rel=1e-12)
    assert out["p_value"] == pytest.approx(2 * stats.t.sf(abs(beta) / se, n - p), rel=1e-12)
    with pytest.raises(ValueError, match="use few_clusters_ratio"):
        cox_ph(df["time"], df["status"], X, cluster=df["celltype"]).small_sample_ratio("treated")


def test_results_json_names_each_intervals_method_and_holds_the_siblings():
    from pathlib import Path

    from evalexp.load import load_cohort
    from evalexp.plan import load_plan
    from evalexp.survival.survival_analysis import analyze_survival

    root = Path(__file__).resolve().parents[2]
    plan = load_plan(root / "data" / "synthetic" / "agir_demo.toml")
    out = analyze_survival(load_cohort(root / "data" / "synthetic" / "agir_demo.csv", plan), plan).to_dict()
    assert out["rmst"]["method"] == out["risk_difference"]["method"] == "greenwood-wald"
    assert out["cox"]["unadjusted"]["method"] == out["cox"]["adjusted"]["method"] == "wald"
    assert out["rmst"]["small_sample"]["method"] == "studentized-permutation"
    assert out["rmst"]["small_sample"]["permutations"] == plan.inference.permutations
    assert out["rmst"]["small_sample"]["difference"] == out["rmst"]["difference"]
    assert out["risk_difference"]["small_sample"]["method"] == "newcombe-effective-n"
    assert out["risk_difference"]["small_sample"]["difference"] == out["risk_difference"]["difference"]
    assert out["small_sample"] == {"mode": "auto", "threshold_n": THRESHOLD_N, "threshold_clusters": 50,
                                   "shown": True}
    assert "few_clusters" not in out["cox"]["unadjusted"]
    # 150 participants, small-sample versions shown: Firth's for the unadjusted model, HC1-t for the adjusted
    assert out["cox"]["unadjusted"]["small_sample"]["method"] == "firth"
    assert out["cox"]["adjusted"]["small_sample"]["method"] == "wald-hc1-t"
    ca = out["covariate_adjusted"]
    assert ca["log_hr"]["small_sample"]["method"] == ca["logrank"]["small_sample"]["method"] == "ye-shao-yi-hc1-t"
