"""Covariate-adjusted log-rank and log HR (Ye, Shao & Yi 2024) against RobinCar2, and the augmented contrasts.

Reference values: ``tests/reference/adjusted/make_reference.R`` (R 4.2, survival 3.5.3,
RobinCar2 0.2.3.9000) in ``reference.json``; each case names its ``robin_surv`` call
(``call``). Data: R's ``colon`` and ``veteran`` (survival) and ``carData::Rossi``, exported
to ``tests/reference/data``.
"""
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalexp.errors import AnalysisError, PlanError
from evalexp.plan import plan_from_dict
from evalexp.survival.augmented import augmented_contrasts, influence_table
from evalexp.survival.cells import build_cells
from evalexp.survival.covariate_adjusted import (
    arm_groups,
    covariate_adjusted,
    fit_hazard_ratio,
    small_sample_hazard,
)
from evalexp.survival.cox import cox_ph
from evalexp.survival.design import design_matrix
from evalexp.survival.firth import firth_cox
from evalexp.survival.km import kaplan_meier
from evalexp.survival.logrank import logrank_test
from evalexp.survival.projection import ArmProjection
from evalexp.survival.risk import risk_difference
from evalexp.survival.rmst import rmst_difference

from .refdata import REFERENCE

RTOL = 1e-6
CASES = json.loads((REFERENCE / "adjusted" / "reference.json").read_text())["cases"]
#: columns each data set's complete cases are taken on (as the R script does)
COMPLETE = {"colon_death": ["age", "sex", "nodes", "extent", "node4"],
            "colon_recurrence": ["age", "obstruct", "differ", "surg"], "rossi": [], "veteran": []}


def _dataset(name: str) -> pd.DataFrame:
    """The R script's analysis data: ``time``, ``event``, ``treated`` and the covariates."""
    if name.startswith("colon"):
        df = pd.read_csv(REFERENCE / "data" / "colon.csv")
        df = df[(df["etype"] == (2 if name == "colon_death" else 1)) & df["rx"].isin(["Obs", "Lev+5FU"])]
        df = df.assign(treated=(df["rx"] == "Lev+5FU").astype(int), event=df["status"])
        for col in ("extent", "differ", "node4", "surg"):
            df[col] = df[col].astype("Int64").astype(str).replace("<NA>", np.nan)
    elif name == "rossi":
        df = pd.read_csv(REFERENCE / "data" / "rossi.csv")
        df = df.assign(treated=(df["fin"] == "yes").astype(int), time=df["week"], event=df["arrest"])
    else:
        df = pd.read_csv(REFERENCE / "data" / "veteran.csv")
        df = df.assign(treated=(df["trt"] == 2).astype(int), event=df["status"], prior=df["prior"].astype(str))
    return df.dropna(subset=COMPLETE[name]).reset_index(drop=True)


def _fit(case: dict):
    df = _dataset(case["dataset"])
    x = design_matrix(df, case["covariates"]).to_numpy() if case["covariates"] else None
    strata = df[case["strata"]] if case["strata"] else None
    return fit_hazard_ratio(df["time"], df["event"], df["treated"], x, strata=strata)


@pytest.mark.parametrize("key", sorted(CASES))
def test_log_hr_se_and_test_equal_robin_surv(key):
    case = CASES[key]                      # R: case["call"]
    fit = _fit(case)
    assert fit.n == case["n"]
    np.testing.assert_allclose(fit.log_hr, case["log_hr"], rtol=RTOL)         # robin_surv(...)$estimate
    np.testing.assert_allclose(fit.se, case["se"], rtol=RTOL)                 # robin_surv(...)$se
    np.testing.assert_allclose(fit.z, case["z"], rtol=RTOL)                   # robin_surv(...)$test_stat
    np.testing.assert_allclose(fit.z_p_value, case["p_value"], rtol=RTOL)     # robin_surv(...)$p_value


@pytest.mark.parametrize("key", sorted(k for k in CASES if "/nocov/" in k))
def test_without_covariates_it_is_the_stratified_logrank_and_breslow_cox(key):
    case = CASES[key]
    fit = _fit(case)
    np.testing.assert_allclose(fit.z ** 2, case["survdiff_chisq"], rtol=RTOL)          # survdiff(...)$chisq
    np.testing.assert_allclose(fit.log_hr, case["coxph_breslow_log_hr"], rtol=RTOL)    # coxph(ties = "breslow")
    np.testing.assert_allclose(fit.se, case["coxph_breslow_se"], rtol=RTOL)
    df = _dataset(case["dataset"])
    strata = df[case["strata"]] if case["strata"] else None
    assert fit.z ** 2 == pytest.approx(logrank_test(df["time"], df["event"], df["treated"], strata=strata).statistic,
                                       rel=1e-10)
    cox = cox_ph(df["time"], df["event"], df[["treated"]].astype(float), strata=strata, ties="breslow")
    assert fit.log_hr == pytest.approx(cox.params_.iloc[0], rel=1e-8)
    assert fit.se == pytest.approx(cox.se_.iloc[0], rel=1e-8)


def test_both_randomisation_schemes_give_robin_surv_the_same_numbers():
    for key, case in CASES.items():
        if case["randomization"] == "permuted_blocks":
            simple = CASES[key.replace("permuted_blocks", "simple")]
            assert (case["log_hr"], case["se"], case["z"]) == (simple["log_hr"], simple["se"], simple["z"])


def test_adjustment_gains_precision_on_every_reference_trial():
    for key, case in CASES.items():
        if "/cov/" in key:
            assert case["se"] < CASES[key.replace("/cov/", "/nocov/")]["se"]


def test_row_order_and_covariate_coding_do_not_matter():
    df = _dataset("rossi")
    x = design_matrix(df, ["age", "prio", "race", "wexp"]).to_numpy()
    base = fit_hazard_ratio(df["time"], df["event"], df["treated"], x, strata=df["mar"])
    order = np.random.default_rng(1).permutation(len(df))
    recoded = np.column_stack([x[order] * 3.0 + 7.0, x[order][:, :1]])   # affine change, a collinear copy
    other = fit_hazard_ratio(df["time"].to_numpy()[order], df["event"].to_numpy()[order],
                             df["treated"].to_numpy()[order], recoded, strata=df["mar"].to_numpy()[order])
    for name in ("log_hr", "se", "z"):
        assert getattr(other, name) == pytest.approx(getattr(base, name), rel=1e-10)


def _psi_by_definition(time, event, tau, measure):
    """Each subject's influence function summed event time by event time (augmented module docstring)."""
    km = kaplan_meier(time, event)
    keep = (km.time <= tau) & (km.n_event > 0)
    t, y, d, s = km.time[keep], km.n_risk[keep], km.n_event[keep], km.surv[keep]
    s_tau = km.survival_at(tau)
    psi = np.zeros(time.size)
    for i in range(time.size):
        total = 0.0
        for j in range(t.size):
            area = np.sum(np.r_[s[j:], 0.0][:-1] * np.diff(np.r_[t[j:], tau])) if measure == "rmst" else s_tau
            martingale = (event[i] == 1 and time[i] == t[j]) - (time[i] >= t[j]) * d[j] / y[j]
            total += area * martingale / y[j]
        psi[i] = (-1.0 if measure == "rmst" else 1.0) * time.size * total
    return psi


@pytest.mark.parametrize("measure", ["rmst", "risk"])
def test_influence_functions_are_the_martingale_sums(measure):
    df = _dataset("veteran")
    time, event, arm = df["time"].to_numpy(float), df["event"].to_numpy(float), df["treated"].to_numpy()
    cells = build_cells(time, event, arm, df["prior"])
    estimate, _, table = influence_table(cells, 200, measure)
    psi = table.ravel()[cells.cell * 2 + arm]
    for a in (0, 1):
        rows = arm == a
        expected = _psi_by_definition(time[rows], event[rows], 200, measure)
        np.testing.assert_allclose(psi[rows], expected, rtol=1e-10, atol=1e-10)
        assert abs(psi[rows].sum()) < 1e-8
    km = kaplan_meier(time[arm == 1], event[arm == 1])
    assert estimate[1] == pytest.approx(1.0 - km.survival_at(200) if measure == "risk" else
                                        rmst_difference(time, event, arm, 200).treatment, rel=1e-12)


def _contrasts(df, x, strata=None, tau=1825):
    time, event, arm = df["time"].to_numpy(float), df["event"].to_numpy(float), df["treated"].to_numpy()
    cells = build_cells(time, event, arm, strata)
    stratum = (cells.cell // 2) // cells.counts.shape[1]
    projection = ArmProjection(x, arm, stratum, cells.n_strata)
    return augmented_contrasts(cells, projection.grouped(*arm_groups(cells, arm)), tau)


def test_augmented_contrasts_without_covariates_are_the_unadjusted_ones():
    df = _dataset("colon_death")
    args = (df["time"].to_numpy(float), df["event"].to_numpy(float), df["treated"].to_numpy())
    parts = _contrasts(df, np.zeros((len(df), 0)))
    plain = {"rmst": rmst_difference(*args, 1825), "risk": risk_difference(*args, 1825)}
    for measure, mine in parts.items():
        assert mine.difference == pytest.approx(plain[measure].difference, rel=1e-12)
        assert mine.se == pytest.approx(plain[measure].se, rel=1e-12)
        assert (mine.treatment, mine.control) == pytest.approx((plain[measure].treatment, plain[measure].control),
                                                               rel=1e-12)


def _anhecova(psi, x, arm, est, var):
    """The augmented module's formula, with explicit least squares on [1, x] per arm (numpy lstsq)."""
    n, xbar = arm.size, x.mean(axis=0)
    beta, adjusted, residual = {}, {}, {}
    for a in (0, 1):
        rows = arm == a
        design = np.column_stack([np.ones(rows.sum()), x[rows]])
        beta[a] = np.linalg.lstsq(design, psi[rows], rcond=None)[0][1:]
        adjusted[a] = est[a] - (x[rows].mean(axis=0) - xbar) @ beta[a]
        s_a = np.cov(x[rows], rowvar=False, bias=True)
        residual[a] = (var[a] - beta[a] @ s_a @ beta[a] / rows.sum()) * rows.sum() / (rows.sum() - x.shape[1])
    contrast = beta[1] - beta[0]
    total = residual[1] + residual[0] + contrast @ np.cov(x, rowvar=False, bias=True) @ contrast / n
    return adjusted[1] - adjusted[0], np.sqrt(total)


@pytest.mark.parametrize("measure", ["rmst", "risk"])
def test_augmented_contrasts_follow_the_formula_with_strata_as_dummies(measure):
    df = _dataset("colon_death")
    x = design_matrix(df, ["age", "sex", "nodes", "extent"]).to_numpy()
    mine = _contrasts(df, x, strata=df["node4"])[measure]
    time, event, arm = df["time"].to_numpy(float), df["event"].to_numpy(float), df["treated"].to_numpy()
    cells = build_cells(time, event, arm, df["node4"])
    est, var, table = influence_table(cells, 1825, measure)
    dummies = design_matrix(df, ["node4"]).to_numpy()
    diff, se = _anhecova(table.ravel()[cells.cell * 2 + arm], np.column_stack([x, dummies]), arm, est, var)
    assert (mine.difference, mine.se) == pytest.approx((diff, se), rel=1e-9)


def test_augmented_contrasts_move_towards_balance_and_are_coding_invariant():
    df = _dataset("colon_death")
    x = design_matrix(df, ["age", "sex", "nodes", "extent"]).to_numpy()
    rmst = _contrasts(df, x)["rmst"]
    recoded = _contrasts(df, np.column_stack([x * 2.0 - 1.0, x[:, :2]]))["rmst"]
    assert (recoded.difference, recoded.se) == pytest.approx((rmst.difference, rmst.se), rel=1e-9)
    assert rmst.se < rmst.unadjusted_se
    assert rmst.difference != pytest.approx(rmst.unadjusted_difference, rel=1e-3)


def test_result_object_and_contract_fields():
    df = _dataset("rossi")
    res = covariate_adjusted(df["time"], df["event"], df["treated"], df[["age", "prio", "race", "wexp"]],
                             strata=df["mar"], strata_name="mar", randomization="permuted_blocks", horizon_days=40)
    out = res.to_dict()
    case = CASES["rossi/cov/strata/permuted_blocks"]
    assert (out["method"], out["strata"], out["covariates"]) == ("ye-shao-yi", "mar", ["age", "prio", "race", "wexp"])
    assert out["logrank"]["statistic"] == pytest.approx(case["z"], rel=RTOL)
    assert out["log_hr"]["estimate"] == pytest.approx(case["log_hr"], rel=RTOL)
    assert out["log_hr"]["ci_low"] == pytest.approx(case["log_hr"] - 1.959963984540054 * case["se"], rel=RTOL)
    for part in ("rmst", "risk_difference"):
        assert set(out[part]) >= {"difference", "se", "ci_low", "ci_high", "p_value"}
    gain = out["precision_gain"]
    assert gain["equivalent_participants"] == round(432 * ((CASES["rossi/nocov/strata/permuted_blocks"]["se"]
                                                            / case["se"]) ** 2 - 1))
    assert list(res.tidy().columns) == ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"]
    assert "Ye-Shao-Yi" in res.summary() and "<table" in res._repr_html_()
    json.dumps(out, allow_nan=False)


def test_missing_covariates_are_dropped_and_counted():
    df = _dataset("veteran")
    df.loc[:4, "karno"] = np.nan
    res = covariate_adjusted(df["time"], df["event"], df["treated"], df[["karno", "celltype"]], horizon_days=100)
    assert (res.n, res.n_dropped) == (len(df) - 5, 5)


def test_guard_rails_are_refused_word_for_word():
    df = _dataset("veteran")
    with pytest.raises(ValueError, match=r"^randomization must be one of \('permuted_blocks', 'simple'\), "
                                         r"not 'minimisation'$"):
        covariate_adjusted(df["time"], df["event"], df["treated"], df[["age"]], randomization="minimisation",
                           horizon_days=100)
    with pytest.raises(AnalysisError, match=r"^covariates with a single value among the complete cases cannot be "
                                            r"adjusted for: \['one'\]$"):
        covariate_adjusted(df["time"], df["event"], df["treated"], df[["age"]].assign(one="a"), horizon_days=100)
    with pytest.raises(ValueError, match=r"^treated must have subjects in both arms$"):
        fit_hazard_ratio(df["time"], df["event"], np.ones(len(df)), df[["age"]].to_numpy())
    with pytest.raises(ValueError, match=r"^treated must be coded 0/1, one value per row$"):
        fit_hazard_ratio(df["time"], df["event"], df["treated"] + 1, df[["age"]].to_numpy())


def _plan(**survival):
    return plan_from_dict({"title": "t", "survival": {"horizon_days": 365, **survival}})


def test_plan_defaults_for_randomization_and_primary():
    assert (_plan().survival.randomization, _plan().survival.primary) == ("simple", "cox_unadjusted")
    plan = _plan(covariates=["age"], strata="stratum")
    assert (plan.survival.randomization, plan.survival.primary) == ("permuted_blocks", "cox_adjusted")
    plan = _plan(covariates=["age"], primary="covariate_adjusted", randomization="simple")
    assert (plan.survival.randomization, plan.survival.primary) == ("simple", "covariate_adjusted")


def test_plan_values_are_checked_word_for_word():
    with pytest.raises(PlanError, match=r"^<plan>: 'randomization' must be one of permuted_blocks, simple, "
                                        r"got 'blocks'$"):
        _plan(randomization="blocks")
    with pytest.raises(PlanError, match=r"^<plan>: 'primary' must be one of cox_adjusted, cox_unadjusted, "
                                        r"covariate_adjusted, logrank, risk_difference, rmst, got 'hr'$"):
        _plan(primary="hr")
    with pytest.raises(PlanError, match=r"^<plan>: 'primary' = 'covariate_adjusted' in \[survival\] needs "
                                        r"'covariates'$"):
        _plan(primary="covariate_adjusted")


def _demo_cohort():
    from evalexp.cohort import Cohort, derive_survival
    dates = ["contract_start", "contract_end_planned", "followup_end", "rupture_date"]
    data = pd.read_csv(REFERENCE / "survival" / "agir_demo_subset.csv", parse_dates=dates)
    return Cohort(derive_survival(data), source="agir_demo_subset.csv")


def test_results_json_carries_the_block_and_the_primary_choice():
    from evalexp.analysis import analyze
    cohort = _demo_cohort()
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365, "covariates": ["age", "female", "diploma"],
                                                      "strata": "stratum", "primary": "covariate_adjusted"},
                           "inference": {"permutations": 10}})
    out = analyze(cohort, plan).to_dict()
    assert out["primary"] == "covariate_adjusted"
    block = out["survival"]["covariate_adjusted"]
    assert (block["strata"], block["randomization"]) == ("stratum", "permuted_blocks")
    data = cohort.data.reset_index(drop=True)
    direct = covariate_adjusted(data["time_days"], data["event"], data["treated"], data[["age", "female", "diploma"]],
                                strata=data["stratum"].astype(str), strata_name="stratum",
                                randomization="permuted_blocks", horizon_days=365)
    assert block == json.loads(json.dumps(direct.to_dict()))
    bare = analyze(cohort, _plan()).to_dict()
    assert bare["primary"] == "cox_unadjusted" and "covariate_adjusted" not in bare["survival"]


def test_an_arm_without_rupture_keeps_the_tests_and_differences_and_firths_estimate():
    df = _dataset("veteran")
    df.loc[(df["treated"] == 1) & (df["event"] == 1), "karno"] = np.nan     # no treated death among complete cases
    with pytest.warns(RuntimeWarning, match=r"^monotone likelihood: no rupture in the treatment arm among the "
                                            r"complete cases: the covariate-adjusted hazard ratio is not estimable"):
        result = covariate_adjusted(df["time"], df["event"], df["treated"], df[["karno"]], horizon_days=100)
    kept = df.dropna(subset=["karno"])
    assert np.isnan(result.hazard.log_hr) and np.isnan(result.hazard.log_hr_unadjusted)
    # the stratified log-rank test at 0 stands (R survdiff), and the adjusted one beside it
    logrank = logrank_test(kept["time"], kept["event"], kept["treated"])
    assert result.hazard.z_unadjusted ** 2 == pytest.approx(logrank.statistic, rel=1e-10)
    assert np.isfinite(result.hazard.z) and result.hazard.z < 0
    small = result.small_sample
    firth = firth_cox(kept["time"], kept["event"], kept[["treated"]].astype(float)).small_sample()
    assert small.method == "unadjusted-firth" and small.log_hr == pytest.approx(firth["log_hr"], rel=1e-12)
    assert np.exp(small.ci_high) == pytest.approx(firth["ci_high"], rel=1e-12) and firth["ci_high"] < 1
    out = result.to_dict()
    assert out["log_hr"]["estimate"] is None and out["hr"]["estimate"] is None
    assert out["hr"]["small_sample"]["estimate"] == pytest.approx(firth["hr"], rel=1e-12)
    assert out["risk_difference"]["difference"] < 0 and out["rmst"]["difference"] > 0
    assert out["precision_gain"]["equivalent_participants"] is None


def test_without_any_rupture_the_tests_have_no_information_and_the_small_sample_versions_bound_the_effect():
    df = _dataset("veteran")
    with pytest.warns(RuntimeWarning, match=r"^no rupture among the complete cases: the covariate-adjusted hazard "
                                            r"ratio is not estimable and its tests have no information \(p = 1\)"):
        result = covariate_adjusted(df["time"], np.zeros(len(df)), df["treated"], df[["karno"]], horizon_days=100,
                                    permutations=20)
    out = result.to_dict()
    assert out["logrank"]["statistic"] == 0.0 and out["logrank"]["p_value"] == 1.0
    assert out["log_hr"]["estimate"] is None
    assert out["logrank"]["small_sample"] == {"method": "unadjusted-firth", "statistic": 0.0, "p_value": 1.0,
                                              "df": None}
    assert out["log_hr"]["small_sample"] == {
        "method": "unadjusted-firth", "estimate": None, "se": None, "ci_low": None, "ci_high": None,
        "ci_low_unbounded": True, "ci_high_unbounded": True, "p_value": 1.0, "df": None, "parameters": 4}
    assert out["hr"]["small_sample"] == {"method": "unadjusted-firth", "estimate": None, "ci_low": 0.0,
                                         "ci_high": None, "ci_high_unbounded": True, "p_value": 1.0}
    # the risk difference and the RMST difference at day 100: Newcombe's interval and the Wilson bound
    assert out["risk_difference"]["small_sample"]["method"] == "unadjusted-newcombe-effective-n"
    assert out["risk_difference"]["small_sample"]["p_value"] == 1.0
    assert out["rmst"]["small_sample"]["method"] == "unadjusted-wilson-bound"
    assert out["rmst"]["small_sample"]["ci_low"] < 0 < out["rmst"]["small_sample"]["ci_high"]


def test_the_newton_solver_reaches_a_far_root():
    # 40 treated events against 1 control event (day 20.5): a log HR beyond 3
    time = np.r_[np.arange(1, 41), 20.5, np.arange(50, 90)]
    event = np.r_[np.ones(40), 1.0, np.zeros(40)]
    treated = np.r_[np.ones(40), np.zeros(41)]
    fit = fit_hazard_ratio(time, event, treated)
    cox = cox_ph(time, event, pd.DataFrame({"treated": treated}), ties="breslow")
    assert fit.log_hr > 3 and fit.log_hr == pytest.approx(cox.params_.iloc[0], rel=1e-8)


@pytest.mark.filterwarnings("ignore")  # the adjusted Cox model warns of its monotone likelihood
def test_analysis_notes_a_covariate_adjusted_hazard_ratio_it_cannot_estimate():
    from evalexp.survival.survival_analysis import analyze_survival
    cohort = _demo_cohort()
    data = cohort.data.copy()
    data.loc[(data["treated"] == 1) & (data["event"] == 1), "age"] = np.nan
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365, "covariates": ["age"]},
                           "inference": {"permutations": 10}})
    result = analyze_survival(type(cohort)(data, source="x.csv"), plan)
    assert any(w.code == "monotone_likelihood" and w.message.startswith(
        "covariate-adjusted analysis (Ye, Shao & Yi): monotone likelihood: no rupture in the treatment arm among "
        "the complete cases") for w in result.warnings)
    out = result.to_dict()["covariate_adjusted"]
    assert out["log_hr"]["estimate"] is None and out["logrank"]["p_value"] < 0.05
    assert out["log_hr"]["small_sample"]["method"] == "unadjusted-firth"


def test_arm_groups_read_the_group_sizes_and_cells_off_the_cell_counts():
    df = _dataset("colon_death")
    arm = df["treated"].to_numpy()
    cells = build_cells(df["time"], df["event"], arm, df["extent"])
    group, cell, counts = arm_groups(cells, arm)
    np.testing.assert_array_equal(group, cells.cell * 2 + arm)
    np.testing.assert_array_equal(counts, np.bincount(group, minlength=cells.counts.size * 2))
    stratum = pd.factorize(df["extent"], sort=True)[0]
    np.testing.assert_array_equal(cell[group], stratum * 2 + arm)


# ----------------------------------------------------------------------- the small-sample sibling (issue 14)

@pytest.mark.parametrize("key", sorted(k for k in CASES if "/cov/" in k))
def test_small_sample_sibling_is_the_robin_surv_variance_times_n_over_n_minus_k_with_student_t(key):
    case = CASES[key]                      # R: case["call"]; the sibling rescales its se and test_stat
    fit = _fit(case)
    df = _dataset(case["dataset"])
    small = small_sample_hazard(fit, df["time"], df["event"], df["treated"],
                                strata=df[case["strata"]] if case["strata"] else None)
    x = design_matrix(df, case["covariates"]).to_numpy()
    strata = 1 if not case["strata"] else df[case["strata"]].nunique()
    k = 2 * (np.linalg.matrix_rank(x - x.mean(axis=0)) + strata)     # slopes and intercepts of both arms
    assert small.method == "ye-shao-yi-hc1-t" and small.parameters == k and small.df == case["n"] - k
    inflation = np.sqrt(case["n"] / (case["n"] - k))
    t = stats.t(case["n"] - k)
    np.testing.assert_allclose(small.log_hr, case["log_hr"], rtol=RTOL)
    np.testing.assert_allclose(small.se, case["se"] * inflation, rtol=RTOL)
    np.testing.assert_allclose(small.ci_high - small.log_hr, t.isf(0.025) * case["se"] * inflation, rtol=RTOL)
    np.testing.assert_allclose(small.p_value, 2 * t.sf(abs(case["log_hr"]) / (case["se"] * inflation)), rtol=RTOL)
    np.testing.assert_allclose(small.z, case["z"] / inflation, rtol=RTOL)
    np.testing.assert_allclose(small.z_p_value, 2 * t.sf(abs(case["z"] / inflation)), rtol=RTOL)


def test_with_fewer_ruptures_than_parameters_the_sibling_is_the_unadjusted_firth_analysis():
    # 13 arrests; 2 x (6 slopes + 2 stratum intercepts) = 16 parameters ('mar' is also the stratum)
    df = _dataset("rossi").iloc[:60]
    x = design_matrix(df, ["age", "prio", "race", "wexp", "mar", "paro", "educ"]).to_numpy()
    fit = fit_hazard_ratio(df["time"], df["event"], df["treated"], x, strata=df["mar"])
    small = small_sample_hazard(fit, df["time"], df["event"], df["treated"], strata=df["mar"])
    assert (small.ruptures, small.parameters) == (13, 16)
    assert small.method == "unadjusted-firth" and small.df is None
    # the test: the stratified log-rank (R survdiff); the estimate: Firth's (R coxphf, Breslow ties, per stratum)
    assert small.z == fit.z_unadjusted
    assert small.z_p_value == pytest.approx(2 * stats.norm.sf(abs(fit.z_unadjusted)), rel=1e-12)
    firth = firth_cox(df["time"], df["event"], df[["treated"]].astype(float), strata=df["mar"]).small_sample()
    assert [small.log_hr, small.se, small.ci_low, small.ci_high, small.p_value] == pytest.approx(
        [firth["log_hr"], firth["se"], np.log(firth["ci_low"]), np.log(firth["ci_high"]), firth["p_value"]],
        rel=1e-12)


def test_the_sibling_is_in_results_json_beside_the_robin_surv_numbers():
    df = _dataset("rossi")
    result = covariate_adjusted(df["time"], df["event"], df["treated"], df[["age", "prio", "race", "wexp"]],
                                strata=df["mar"], strata_name="mar", horizon_days=26)
    out = result.to_dict()
    small = result.small_sample
    assert out["log_hr"]["small_sample"] == {
        "method": "ye-shao-yi-hc1-t", "estimate": small.log_hr, "se": small.se, "ci_low": small.ci_low,
        "ci_high": small.ci_high, "p_value": small.p_value, "df": small.df, "parameters": small.parameters}
    assert out["logrank"]["small_sample"] == {"method": "ye-shao-yi-hc1-t", "statistic": small.z,
                                              "p_value": small.z_p_value, "df": small.df}
    assert out["hr"]["small_sample"]["ci_low"] == pytest.approx(np.exp(small.ci_low), rel=1e-12)
    assert "ruptures" not in out["log_hr"]["small_sample"]          # a count among complete cases
    assert "small sample: ye-shao-yi-hc1-t" in " ".join(result.tidy()["term"])


def _n60_trial(name: str):
    """The plan's covariate-adjusted analysis (six covariates, strata, day 365) of a trial kept from the
    calibration benchmark's n60 scenario (tests/data)."""
    df = pd.read_csv(REFERENCE.parent / "data" / name)
    covariates = ["age", "female", "qpv", "diploma", "sector", "company_size"]
    return covariate_adjusted(df["time_days"], df["event"], df["treated"], df[covariates], strata=df["stratum"],
                              horizon_days=365)


def test_an_adjusted_equation_without_finite_root_keeps_the_tests_and_the_small_sample_version():
    # a simulated 60-participant trial (evalexp.calibrate, n60 scenario) with 8 ruptures and six covariates:
    # the covariate shift lies beyond the range of the score, U_c(theta) = 0 has no finite root
    with pytest.warns(RuntimeWarning, match=r"^the covariate-adjusted log hazard ratio did not converge: its "
                                            r"estimating equation has no finite root"):
        result = _n60_trial("ysy_no_finite_root.csv")
    assert np.isnan(result.hazard.log_hr) and np.isnan(result.hazard.se)
    assert np.isfinite(result.hazard.z) and np.isfinite(result.hazard.log_hr_unadjusted)
    assert result.small_sample.method == "unadjusted-firth" and np.isfinite(result.small_sample.ci_high)
    assert np.isfinite(result.rmst.difference) and np.isfinite(result.risk_difference.difference)


def test_ruptures_of_one_arm_without_the_other_at_risk_make_the_hazard_ratio_not_estimable_not_an_error():
    # a simulated 60-participant trial (evalexp.calibrate, n60 scenario, HR 0.6): 2 control ruptures and 1
    # treated one, but within its stratum the treated rupture happens when no control is at risk, so the
    # stratified score U(theta) never reaches 0 (R coxph: "coefficient may be infinite")
    with pytest.warns(RuntimeWarning, match=r"^monotone likelihood: every rupture of one arm happens when nobody "
                                            r"of the other arm is at risk in its stratum"):
        result = _n60_trial("ysy_no_unadjusted_root.csv")
    assert np.isnan(result.hazard.log_hr) and np.isnan(result.hazard.log_hr_unadjusted)
    assert np.isfinite(result.hazard.z) and np.isfinite(result.hazard.z_unadjusted)
    assert result.small_sample.method == "unadjusted-firth"
    assert np.isfinite(result.small_sample.ci_low) and np.isfinite(result.small_sample.ci_high)
    assert np.isfinite(result.rmst.difference) and np.isfinite(result.risk_difference.difference)


def test_augmented_siblings_refer_the_augmented_differences_to_student_t_with_n_minus_k_df():
    # Rossi (432 men, 114 arrests), four covariates and 'mar' strata: k = 2 x (4 slopes + 2 intercepts) = 12
    df = _dataset("rossi")
    result = covariate_adjusted(df["time"], df["event"], df["treated"], df[["age", "prio", "race", "wexp"]],
                                strata=df["mar"], strata_name="mar", horizon_days=26, permutations=50)
    out = result.to_dict()
    assert result.hazard.parameters == 12 and result.hazard.ruptures == 114
    for key, part in (("rmst", result.rmst), ("risk_difference", result.risk_difference)):
        df_t = 432 - 12
        q = stats.t(df_t).isf(0.025)
        small = dict(out[key]["small_sample"])
        assert small.pop("method") == "augmented-t"
        assert small == pytest.approx({
            "difference": part.difference, "se": part.se,
            "ci_low": part.difference - q * part.se, "ci_high": part.difference + q * part.se,
            "p_value": 2 * stats.t(df_t).sf(abs(part.difference / part.se)), "df": df_t, "parameters": 12},
            rel=1e-12)
    assert "rmst difference (augmented, day 26) (small sample: augmented-t)" in list(result.tidy()["term"])


def test_with_fewer_ruptures_than_parameters_the_augmented_siblings_are_the_unadjusted_small_sample_ones():
    # 13 arrests, 16 parameters (as above): the studentised permutation and Newcombe on the same rows
    from evalexp.survival.risk_small import risk_difference_small_sample
    from evalexp.survival.rmst_perm import rmst_permutation

    df = _dataset("rossi").iloc[:60]
    covariates = ["age", "prio", "race", "wexp", "mar", "paro", "educ"]
    args = (df["time"], df["event"], df["treated"])
    result = covariate_adjusted(*args, df[covariates], strata=df["mar"], horizon_days=26, permutations=200, seed=7)
    out = result.to_dict()
    perm = rmst_permutation(*args, 26, strata=df["mar"], permutations=200, seed=7)
    newcombe = risk_difference_small_sample(*args, 26)
    assert out["rmst"]["small_sample"] == {
        "method": "unadjusted-studentized-permutation", "difference": perm.difference, "se": perm.se,
        "ci_low": perm.ci_low, "ci_high": perm.ci_high, "p_value": perm.p_value, "df": None, "parameters": 16}
    assert out["risk_difference"]["small_sample"] == {
        "method": "unadjusted-newcombe-effective-n", "difference": newcombe.difference, "se": None,
        "ci_low": newcombe.ci_low, "ci_high": newcombe.ci_high, "p_value": newcombe.p_value, "df": None,
        "parameters": 16}
    # without re-randomisations there is no RMST sibling to fall back on
    bare = covariate_adjusted(*args, df[covariates], strata=df["mar"], horizon_days=26).to_dict()
    assert "small_sample" not in bare["rmst"] and "small_sample" in bare["risk_difference"]
