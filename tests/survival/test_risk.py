"""Risk difference by a day: 1 - S(day) per arm, Greenwood variances, Wald CI."""
import numpy as np
import pytest
from scipy import stats

from evalexp.survival.risk import risk_difference

from .refdata import load_dataset, r_array


@pytest.mark.parametrize("name", ["veteran", "colon", "rats", "pbc", "ovarian"])
def test_risk_difference_matches_r_summary_times(reference, name):
    # R: s <- summary(survfit(Surv(time, status) ~ treated), times = day, extend = TRUE);
    #    risk = 1 - s$surv, se = sqrt(sum(s$std.err^2)); Wald CI at 95%
    df = load_dataset(name)
    r = reference[name]["km"]
    day = reference[name]["km_times"][1]
    s1, s0 = r_array(r["arm1"]["surv"])[1], r_array(r["arm0"]["surv"])[1]
    e1, e0 = r_array(r["arm1"]["std_err"])[1], r_array(r["arm0"]["std_err"])[1]
    rd = risk_difference(df["time"], df["event"], df["treated"], day)
    se = np.hypot(e1, e0)
    z = stats.norm.isf(0.025)
    np.testing.assert_allclose([rd.treatment, rd.control, rd.difference, rd.se, rd.ci_low, rd.ci_high],
                               [1 - s1, 1 - s0, s0 - s1, se, s0 - s1 - z * se, s0 - s1 + z * se],
                               rtol=1e-6)


def test_to_dict_has_the_contract_keys():
    rd = risk_difference([1, 2, 3, 4, 5, 6], [1, 0, 1, 1, 0, 1], [1, 1, 1, 0, 0, 0], 4)
    assert {"day", "treatment", "control", "difference", "se", "ci_low", "ci_high"} <= set(rd.to_dict())
    assert rd.to_dict()["day"] == 4


def test_alpha_sets_the_interval_level():
    df = load_dataset("veteran")
    wide = risk_difference(df["time"], df["event"], df["treated"], 90, alpha=0.01)
    narrow = risk_difference(df["time"], df["event"], df["treated"], 90, alpha=0.10)
    assert wide.ci_high - wide.ci_low == pytest.approx(
        (narrow.ci_high - narrow.ci_low) * stats.norm.isf(0.005) / stats.norm.isf(0.05), rel=1e-12)


@pytest.mark.parametrize("treated", [[1, 2, 1, 2], [1, 1, 1, 1]])
def test_arm_must_be_coded_zero_one_with_both_arms(treated):
    # a 1/2 coding read as booleans would put everyone in the treatment arm
    with pytest.raises(ValueError, match="treated must"):
        risk_difference([1, 2, 3, 4], [1, 1, 0, 1], treated, 3)
