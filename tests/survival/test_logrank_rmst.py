"""Log-rank (R survdiff), RMST (R summary(survfit, rmean = tau)) and the cell statistics."""
import numpy as np
import pytest

from evalexp.survival.cells import CellStatistics, build_cells
from evalexp.survival.cox import cox_ph
from evalexp.survival.logrank import logrank_test
from evalexp.survival.rmst import rmst_difference

from .refdata import load_dataset

RTOL = 1e-6
DATASETS = ["veteran", "colon", "rats", "pbc", "ovarian"]
STRATA = {"veteran": "celltype", "colon": "extent", "pbc": "edema"}


@pytest.mark.parametrize("name", DATASETS)
def test_logrank_matches_r_survdiff(reference, name):
    # R: survdiff(Surv(time, status) ~ treated)$chisq
    df = load_dataset(name)
    lr = logrank_test(df["time"], df["event"], df["treated"])
    assert lr.statistic == pytest.approx(reference[name]["logrank"], rel=RTOL)
    assert not lr.stratified


@pytest.mark.parametrize("name", sorted(STRATA))
def test_stratified_logrank_matches_r_survdiff_strata(reference, name):
    # R: survdiff(Surv(time, status) ~ treated + strata(s))$chisq
    df = load_dataset(name)
    lr = logrank_test(df["time"], df["event"], df["treated"], strata=df[STRATA[name]])
    assert lr.statistic == pytest.approx(reference[name]["logrank_strat"], rel=RTOL)
    assert lr.stratified and lr.to_dict()["stratified"] is True


@pytest.mark.parametrize("name", DATASETS)
def test_rmst_per_arm_matches_r_rmean(reference, name):
    # R: summary(survfit(Surv(time, status) ~ treated), rmean = tau)$table[, c("rmean", "se(rmean)")]
    df = load_dataset(name)
    r = reference[name]["rmst"]
    res = rmst_difference(df["time"], df["event"], df["treated"], reference[name]["rmst_tau"])
    np.testing.assert_allclose([res.control, res.treatment], r["rmean"], rtol=RTOL)
    np.testing.assert_allclose([res.se_control, res.se_treatment], r["se"], rtol=RTOL)
    assert res.difference == pytest.approx(r["rmean"][1] - r["rmean"][0], rel=RTOL)
    assert res.se == pytest.approx(np.hypot(*r["se"]), rel=RTOL)


def test_rmst_with_tau_beyond_the_last_event_holds_the_curve(reference):
    # R: summary(survfit(Surv(time, status) ~ trt, veteran), rmean = 365)$table
    df = load_dataset("veteran")
    res = rmst_difference(df["time"], df["event"], df["treated"], 365)
    r = reference["veteran"]["rmst_365"]
    np.testing.assert_allclose([res.control, res.treatment, res.se_control, res.se_treatment],
                               r["rmean"] + r["se"], rtol=RTOL)


@pytest.mark.parametrize("name", DATASETS)
def test_cell_cox_score_equals_the_cox_fit_score_test(name):
    # the cell formula must give R's coxph()$score for ~ treated (+ strata), which cox_ph matches
    df = load_dataset(name)
    strata = df[STRATA[name]] if name in STRATA else None
    for ties in ("efron", "breslow"):
        cells = build_cells(df["time"], df["event"], df["treated"], strata)
        calc = CellStatistics(cells, ties=ties)
        ours = calc.cox_score(calc.observed())[0]
        fit = cox_ph(df["time"], df["event"], df[["treated"]], strata=strata, ties=ties)
        assert ours == pytest.approx(fit.score_statistic_, rel=1e-10)


@pytest.mark.parametrize("name", DATASETS)
def test_cell_rmst_difference_equals_the_km_one(reference, name):
    df = load_dataset(name)
    tau = reference[name]["rmst_tau"]
    cells = build_cells(df["time"], df["event"], df["treated"], df[STRATA[name]] if name in STRATA else None)
    calc = CellStatistics(cells, tau=tau)
    ours = calc.rmst_difference(calc.observed())[0]
    assert ours == pytest.approx(rmst_difference(df["time"], df["event"], df["treated"], tau).difference,
                                 rel=1e-10)


def test_rmst_refuses_an_arm_coding_other_than_zero_one():
    with pytest.raises(ValueError, match="treated must be coded 0/1"):
        rmst_difference([1, 2, 3, 4], [1, 1, 0, 1], [1, 2, 1, 2], 3)
