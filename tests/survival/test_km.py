"""Kaplan-Meier: step table, landmark values and median against R survfit(conf.type = "log-log")."""
import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from evalexp.survival.km import kaplan_meier

from .refdata import load_dataset, r_array

DATASETS = ["veteran", "colon", "rats", "pbc", "ovarian"]
ARMS = [0, 1]
RTOL = 1e-6  # tolerance against R's 15-significant-digit JSON


def _fit(name, arm):
    df = load_dataset(name)
    df = df[df["treated"] == arm]
    return kaplan_meier(df["time"], df["event"])


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("arm", ARMS)
def test_step_table_matches_r_survfit(reference, name, arm):
    # R: fit <- survfit(Surv(time, status) ~ treated, conf.type = "log-log"); fit$time, n.risk,
    #    n.event, n.censor, surv, surv * std.err, lower, upper (per arm)
    r = reference[name]["km"][f"arm{arm}"]["table"]
    tab = _fit(name, arm).table
    for ours, theirs in [("time", "time"), ("n_risk", "n_risk"), ("n_event", "n_event"),
                         ("n_censor", "n_censor"), ("survival", "surv"), ("std_err", "std_err"),
                         ("ci_low", "lower"), ("ci_high", "upper")]:
        np.testing.assert_allclose(tab[ours].to_numpy(float), r_array(r[theirs]), rtol=RTOL,
                                   err_msg=ours)


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("arm", ARMS)
def test_landmark_values_match_r_summary_times(reference, name, arm):
    # R: summary(fit, times = km_times, extend = TRUE): surv, lower, upper, n.risk, std.err
    r = reference[name]["km"][f"arm{arm}"]
    at = _fit(name, arm).at(reference[name]["km_times"])
    np.testing.assert_allclose(at["survival"], r_array(r["surv"]), rtol=RTOL)
    np.testing.assert_allclose(at["ci_low"], r_array(r["lower"]), rtol=RTOL)
    np.testing.assert_allclose(at["ci_high"], r_array(r["upper"]), rtol=RTOL)
    np.testing.assert_allclose(at["std_err"], r_array(r["std_err"]), rtol=RTOL)
    np.testing.assert_array_equal(at["at_risk"], r_array(r["n_risk"]))


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("arm", ARMS)
def test_median_and_its_ci_match_r_quantile(reference, name, arm):
    # R: summary(fit)$table[, c("median", "0.95LCL", "0.95UCL")] (NA when not reached)
    r = reference[name]["km"][f"arm{arm}"]
    fit = _fit(name, arm)
    np.testing.assert_allclose([fit.median_, fit.median_ci_low_, fit.median_ci_high_],
                               r_array([r["median"], r["median_lcl"], r["median_ucl"]]), rtol=RTOL)


def test_median_flat_at_one_half_takes_the_midpoint():
    # R: survfit(Surv(c(1, 2, 3, 4), c(1, 1, 1, 1)) ~ 1): S = 0.5 on [2, 3) so median = 2.5
    fit = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    assert fit.median_ == 2.5


@pytest.mark.parametrize("name", ["veteran", "pbc"])
def test_survival_and_band_equal_lifelines(name):
    # lifelines' default band ("exponential Greenwood") is R's log-log band (LIBRARY-NOTES)
    df = load_dataset(name)
    kmf = KaplanMeierFitter().fit(df["time"], df["event"])
    ours = kaplan_meier(df["time"], df["event"]).table.set_index("time")
    theirs = kmf.survival_function_.join(kmf.confidence_interval_).iloc[1:]  # drop lifelines' t = 0 row
    np.testing.assert_allclose(ours["survival"], theirs.iloc[:, 0], rtol=1e-12)
    valid = ours["ci_low"].notna().to_numpy()
    np.testing.assert_allclose(ours["ci_low"].to_numpy()[valid], theirs.iloc[:, 1].to_numpy()[valid], rtol=1e-10)
    np.testing.assert_allclose(ours["ci_high"].to_numpy()[valid], theirs.iloc[:, 2].to_numpy()[valid], rtol=1e-10)


def test_at_risk_counts_subjects_still_followed_on_that_day():
    fit = kaplan_meier([5, 10, 10, 20], [1, 0, 1, 0])
    assert fit.at([0, 5, 6, 10, 11, 20, 21])["at_risk"].tolist() == [4, 4, 3, 3, 1, 1, 0]


def test_before_first_time_survival_is_one_with_degenerate_band():
    at = kaplan_meier([5, 10], [1, 1]).at([2])
    assert at.loc[0, ["survival", "ci_low", "ci_high"]].tolist() == [1.0, 1.0, 1.0]


def test_variance_at_is_greenwood():
    # S(10) = 3/4 * 1/2 = 3/8; Greenwood sum = 1/(4*3) + 1/(2*1)
    fit = kaplan_meier([5, 7, 10, 12], [1, 0, 1, 0])
    assert fit.survival_at(10) == pytest.approx(3 / 8, rel=1e-15)
    assert fit.variance_at(10) == pytest.approx((3 / 8) ** 2 * (1 / 12 + 1 / 2), rel=1e-14)


def test_non_integer_times_give_the_same_curve_as_integer_ones():
    rng = np.random.default_rng(1)
    t = rng.integers(1, 50, 300)
    e = rng.integers(0, 2, 300)
    a, b = kaplan_meier(t, e), kaplan_meier(t + 0.5, e)
    np.testing.assert_allclose(a.surv, b.surv, rtol=1e-15)
    np.testing.assert_allclose(a.time + 0.5, b.time)


def test_points_follow_the_contract():
    points = kaplan_meier([5, 10, 10, 20], [1, 0, 1, 0]).points([7, 30])
    assert list(points[0]) == ["day", "survival", "ci_low", "ci_high", "at_risk"]
    assert points[0]["day"] == 7 and points[0]["at_risk"] == 3
    assert points[1]["at_risk"] == 0


def test_bad_event_coding_is_refused():
    with pytest.raises(ValueError, match="0/1"):
        kaplan_meier([1, 2], [1, 2])


def test_empty_curve_is_one_with_nobody_at_risk():
    # an arm with no subject (e.g. a subgroup): S = 1 everywhere, no one at risk, no median
    fit = kaplan_meier([], [])
    at = fit.at([0, 30])
    assert at["survival"].tolist() == [1.0, 1.0] and at["at_risk"].tolist() == [0, 0]
    assert [p["at_risk"] for p in fit.points([30])] == [0]
    assert np.isnan(fit.median_)
