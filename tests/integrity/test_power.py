"""Specification of evalexp.integrity.power: events, sample sizes, minimum detectable effects.

Reference numbers come from tests/reference/integrity/design_power.R (R 4.2, pwr 1.3.0), saved
in design_power.json beside it; DOMAIN.md's figures are checked as stated there.
"""
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from evalexp.cli import main
from evalexp.cohort import Cohort, derive_survival
from evalexp.errors import EvalexpError
from evalexp.integrity import power as pw
from evalexp.plan import plan_from_dict

REF = json.loads((Path(__file__).parents[1] / "reference" / "integrity" / "design_power.json").read_text())


def make_cohort(times, events, arms) -> Cohort:
    start = pd.Timestamp("2020-01-01")
    n = len(times)
    days = pd.to_timedelta(np.asarray(times), unit="D")
    frame = pd.DataFrame({
        "participant_id": [f"P{i:03d}" for i in range(n)],
        "arm": arms,
        "contract_start": [start] * n,
        "contract_end_planned": [start + pd.Timedelta(days=730)] * n,
        "followup_end": [start + d for d in days],
        "rupture_date": [start + d if e else pd.NaT for d, e in zip(days, events)],
    })
    return Cohort(derive_survival(frame))


@pytest.mark.parametrize("row", REF["power_grid"], ids=lambda r: f"h{r['h']}-{r['n1']}-{r['n2']}-{r['alpha']}")
def test_arcsine_power_equals_pwr_2p2n_test(row):
    # R: pwr.2p2n.test(h, n1, n2, sig.level)$power ; tolerance 1e-12 relative
    got = pw.two_proportions_power(row["h"], row["n1"], row["n2"], alpha=row["alpha"])
    assert got == pytest.approx(row["power"], rel=1e-12)


@pytest.mark.parametrize("row", REF["solve_h"], ids=lambda r: f"{r['n1']}-{r['n2']}-{r['power']}")
def test_detectable_h_equals_pwr_root_within_uniroot_tolerance(row):
    # R: pwr.2p2n.test(n1, n2, power)$h, found by uniroot with tol 1.2e-4: our root is exact
    got = pw.min_detectable_effect_size_h(row["n1"], row["n2"], power=row["power"])
    assert got == pytest.approx(row["h"], abs=1.5e-4)
    assert pw.two_proportions_power(got, row["n1"], row["n2"]) == pytest.approx(row["power"], abs=1e-12)


def test_equal_arms_h_matches_pwr_2p_test():
    # R: pwr.2p.test(n = 75, power = 0.8)$h = 0.4575056 (uniroot tolerance 1.2e-4)
    assert pw.min_detectable_effect_size_h(75, 75) == pytest.approx(REF["equal_n_h"][0], abs=1.5e-4)


@pytest.mark.parametrize("row", REF["es_h"], ids=lambda r: f"{r['p1']}-{r['p2']}")
def test_cohens_h_equals_pwr_es_h(row):
    # R: ES.h(p1, p2); tolerance 1e-14 absolute
    assert pw.cohens_h(row["p1"], row["p2"]) == pytest.approx(row["h"], abs=1e-14)


@pytest.mark.parametrize("row", REF["events"], ids=lambda r: f"{r['hr']}-{r['ratio']}-{r['alpha']}-{r['power']}")
def test_schoenfeld_and_freedman_events_equal_r_closed_forms(row):
    # R: z^2 / (p (1-p) log(hr)^2) and z^2 (1 + r hr)^2 / (r (1-hr)^2), z from qnorm; 1e-12 relative
    kwargs = dict(alpha=row["alpha"], power=row["power"], ratio=row["ratio"])
    assert pw.schoenfeld_events(row["hr"], **kwargs) == pytest.approx(row["schoenfeld"], rel=1e-12)
    assert pw.freedman_events(row["hr"], **kwargs) == pytest.approx(row["freedman"], rel=1e-12)


@pytest.mark.parametrize("row", REF["min_detectable_hr"], ids=lambda r: str(r["events"]))
def test_min_detectable_hr_equals_r_closed_form(row):
    # R: exp(-(qnorm(.975) + qnorm(.8)) / sqrt(.25 * events)); 1e-12 relative
    assert pw.min_detectable_hazard_ratio(row["events"]) == pytest.approx(row["hr"], rel=1e-12)


def test_domain_hr_half_needs_about_65_events():
    # DOMAIN.md: "a hazard ratio of 0.5 needs about 65 events (Schoenfeld)"
    assert pw.schoenfeld_events(0.5) == pytest.approx(65.35, abs=0.01)


def test_domain_30_to_40_events_detect_only_hr_036_to_041():
    # DOMAIN.md: "with 30-40 events only HR ~ 0.36-0.41 is detectable"
    assert pw.min_detectable_hazard_ratio(30) == pytest.approx(0.36, abs=0.005)
    assert pw.min_detectable_hazard_ratio(40) == pytest.approx(0.41, abs=0.005)


def test_domain_75_vs_75_detects_a_17_point_drop_from_25_percent():
    # DOMAIN.md: "for a 25 % control rate, a drop of about 17 points"
    drop, treated = pw.min_detectable_risk_difference(75, 75, 0.25)
    assert drop == pytest.approx(0.166, abs=0.001)
    assert treated == pytest.approx(0.25 - drop, abs=1e-15)


def test_min_detectable_hr_inverts_schoenfeld_events():
    for hr in (0.3, 0.5, 0.8):
        events = pw.schoenfeld_events(hr, ratio=2)
        assert pw.min_detectable_hazard_ratio(events, ratio=2) == pytest.approx(hr, rel=1e-12)


def test_schoenfeld_power_at_required_events_is_the_target():
    assert pw.schoenfeld_power(0.6, pw.schoenfeld_events(0.6, power=0.9)) == pytest.approx(0.9, abs=1e-12)


def test_expected_event_probability_under_proportional_hazards():
    # hand: p_t = 1 - 0.75 ** 0.5 = 0.1339746; (0.25 + 0.1339746) / 2
    assert pw.expected_event_probability(0.25, 0.5) == pytest.approx((0.25 + 1 - 0.75 ** 0.5) / 2, rel=1e-15)
    # ratio 2: (p_c + 2 p_t) / 3
    assert pw.expected_event_probability(0.25, 0.5, 2) == pytest.approx((0.25 + 2 * (1 - 0.75 ** 0.5)) / 3, rel=1e-15)


def test_sample_size_rounds_each_arm_up():
    assert pw.sample_size(65.3, 0.2) == {"treatment": 164, "control": 164, "total": 328}
    assert pw.sample_size(60, 0.2, ratio=2) == {"treatment": 200, "control": 100, "total": 300}


def test_mde_hr_for_n_gives_the_target_power_at_its_expected_events():
    hr = pw.min_detectable_hazard_ratio_for_n(150, 0.25)
    events = 150 * pw.expected_event_probability(0.25, hr)
    assert pw.schoenfeld_events(hr) == pytest.approx(events, rel=1e-10)


def test_invalid_inputs_are_refused():
    with pytest.raises(EvalexpError):
        pw.schoenfeld_events(1.0)
    with pytest.raises(EvalexpError):
        pw.schoenfeld_events(0.5, power=1.2)
    with pytest.raises(EvalexpError):
        pw.power_calculation()
    with pytest.raises(EvalexpError):
        pw.power_calculation(hazard_ratio=0.5, simulations=10)


def test_power_for_cohort_uses_observed_events_and_control_km_share():
    rng = np.random.default_rng(3)
    times = rng.integers(10, 500, size=40)
    events = rng.random(40) < 0.5
    arms = ["treatment", "control"] * 20
    cohort = make_cohort(times, events, arms)
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365}})
    result = pw.power_for_cohort(cohort, plan)
    control = cohort.data[cohort.data["arm"] == "control"]
    km = KaplanMeierFitter().fit(control["time_days"], control["event"])
    # lifelines KM = R survfit (LIBRARY-NOTES); tolerance 1e-12
    assert result.control_rate == pytest.approx(1 - km.predict(365), abs=1e-12)
    assert result.events == int(events.sum())
    assert result.mde_hazard_ratio == pytest.approx(pw.min_detectable_hazard_ratio(int(events.sum())), rel=1e-12)
    # censoring before the horizon (issue 20): the arm sizes become the binomial-equivalent numbers
    # observed to the horizon, F (1 - F) / Greenwood variance, here computed from lifelines' event table
    effective = {}
    for arm in ("treatment", "control"):
        rows = cohort.data[cohort.data["arm"] == arm]
        fit = KaplanMeierFitter().fit(rows["time_days"], rows["event"])
        table = fit.event_table.loc[:365]
        greenwood = (table["observed"] / (table["at_risk"] * (table["at_risk"] - table["observed"]))).sum()
        s_tau = float(fit.predict(365))
        effective[arm] = (1 - s_tau) / (s_tau * greenwood)  # F(1-F) / (S^2 sum)
        assert result.n_effective[arm] == pytest.approx(effective[arm], rel=1e-10)
        assert result.n_effective[arm] < 20
    rd, _ = pw.min_detectable_risk_difference(effective["treatment"], effective["control"], result.control_rate)
    assert result.mde_risk_difference == pytest.approx(rd, rel=1e-10)
    assert result.mde_risk_difference > pw.min_detectable_risk_difference(20, 20, result.control_rate)[0]


def test_power_for_cohort_without_events_reports_null():
    cohort = make_cohort([100, 200, 300, 400], [0, 0, 0, 0], ["treatment", "control"] * 2)
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365}})
    out = pw.power_for_cohort(cohort, plan).to_dict()
    assert out["hazard_ratio"]["minimum_detectable"] is None
    assert out["risk_difference"]["minimum_detectable"] is None
    json.dumps(out, allow_nan=False)


def test_power_result_tidy_has_the_stable_columns():
    cohort = make_cohort([10, 20, 30, 40, 50, 60], [1, 1, 0, 1, 0, 1], ["treatment", "control"] * 3)
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365}})
    tidy = pw.power_for_cohort(cohort, plan).tidy()
    assert list(tidy.columns) == ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"]


def test_power_command_prints_json(capsys):
    assert main(["power", "--hr", "0.5", "--n", "150", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schoenfeld"]["events"]["required"] == 66
    assert out["minimum_detectable"]["risk_difference"] == pytest.approx(0.166, abs=0.001)


def test_power_command_without_hr_or_n_exits_2(capsys):
    assert main(["power"]) == 2
    assert "--hr" in capsys.readouterr().err


def test_power_command_text_names_both_methods(capsys):
    assert main(["power", "--hr", "0.6"]) == 0
    text = capsys.readouterr().out
    assert "Schoenfeld" in text and "Freedman" in text


def test_simulated_power_detects_a_strong_effect_in_almost_every_trial():
    # HR 0.3 with 400 participants (~90 ruptures): Schoenfeld power > 0.999
    share, se = pw.simulated_power(0.3, 400, simulations=20, seed=1)
    assert share >= 0.9
    assert se == pytest.approx(math.sqrt(share * (1 - share) / 20), abs=1e-15)


def test_simulated_power_is_reproducible_from_its_seed():
    assert pw.simulated_power(0.6, 100, simulations=5, seed=7) == pw.simulated_power(0.6, 100, simulations=5, seed=7)


def test_no_detectable_reduction_when_even_zero_falls_short_of_the_power():
    # 10 vs 10, control 5 %: a drop to 0 % has h = 2 asin(sqrt(.05)) = 0.451 and power
    # 0.25 < 0.8 (closed form below), so no reduction is detectable: NaN, not "5 points"
    h_zero = pw.cohens_h(0.05, 0.0)
    assert pw.two_proportions_power(h_zero, 10, 10) < 0.8
    drop, treated = pw.min_detectable_risk_difference(10, 10, 0.05)
    assert math.isnan(drop) and math.isnan(treated)


def test_design_with_too_few_expected_ruptures_reports_no_detectable_effect():
    # n = 4, control 1 %: at most 0.02 ruptures expected; no hazard ratio reaches 80 % power
    result = pw.power_calculation(n=4, control_rate=0.01)
    out = result.to_dict()
    assert out["minimum_detectable"]["hazard_ratio"] is None
    assert out["minimum_detectable"]["risk_difference"] is None
    json.dumps(out, allow_nan=False)
    assert "none" in result.summary()
