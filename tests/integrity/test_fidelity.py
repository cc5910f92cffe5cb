"""Fidelity of the support method: tripartite meetings held, on time, not due after a rupture.

The expected counts are worked out by hand from the windows documented in
evalexp.integrity.fidelity (days since contract start: start -7..15, month 21..45,
end min(183, D - 14) +/- 30 and not after the planned end D).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalexp.cohort import Cohort
from evalexp.errors import AnalysisError
from evalexp.integrity.fidelity import FidelityResult, fidelity
from evalexp.plan import plan_from_dict

MEETINGS = ["m_start", "m_month", "m_end"]


def day(n: int | None) -> pd.Timestamp:
    return pd.NaT if n is None else pd.Timestamp("2020-01-01") + pd.Timedelta(days=n)


def hand_cohort() -> Cohort:
    # id: arm, received, planned end (days), exit day, event, meeting days
    rows = {
        "p1": ("treatment", 1, 366, 366, 0, (0, 30, 190)),      # all three on time
        "p2": ("treatment", 1, 366, 366, 0, (20, 50, None)),    # start and month late, end missed
        "p3": ("treatment", 1, 366, 30, 1, (3, None, None)),    # rupture day 30: month and end not due
        "p4": ("treatment", 1, 366, 100, 1, (None, 25, None)),  # start missed; rupture day 100: end not due
        "p5": ("treatment", 1, 120, 120, 0, (-3, None, 110)),   # short contract: end due at day 106
        "p6": ("control", 0, 366, 366, 0, (0, 30, 190)),        # control arm: not in the population
        "p7": ("treatment", 0, 366, 366, 0, (None, None, None)),  # no support received: not in it
    }
    data = pd.DataFrame([{"participant_id": pid, "arm": arm, "support_received": received,
                          "contract_start": day(0), "contract_end_planned": day(end),
                          "time_days": exit_day, "event": event,
                          **{name: day(m) for name, m in zip(MEETINGS, meetings)}}
                         for pid, (arm, received, end, exit_day, event, meetings) in rows.items()])
    data["treated"] = (data["arm"] == "treatment").astype(int)
    # the end meeting as French text, as a spreadsheet would give it
    data["m_end"] = data["m_end"].dt.strftime("%d/%m/%Y")
    return Cohort(data)


def make_plan(meetings=MEETINGS):
    return plan_from_dict({"title": "t", "survival": {"horizon_days": 365},
                           "integrity": {"meetings": list(meetings)}})


@pytest.fixture(scope="module")
def result() -> FidelityResult:
    return fidelity(hand_cohort(), make_plan())


def test_population_is_the_treated_who_received_support(result):
    assert result.n == 5
    assert result.to_dict()["population"] == "treatment arm, support received"


def test_start_meeting_counts(result):
    m = result.to_dict()["meetings"]["m_start"]
    assert (m["due"], m["held"], m["on_time"]) == (5, 4, 3)


def test_month_meeting_is_not_due_after_an_early_rupture(result):
    m = result.to_dict()["meetings"]["m_month"]
    assert (m["due"], m["held"], m["on_time"]) == (4, 3, 2)


def test_end_meeting_window_follows_short_contracts(result):
    m = result.to_dict()["meetings"]["m_end"]
    assert (m["due"], m["held"], m["on_time"]) == (3, 2, 2)


def test_all_three_on_time(result):
    assert result.to_dict()["all_on_time"] == {"due": 3, "on_time": 1, "share": pytest.approx(1 / 3)}


def test_shares_have_wilson_intervals(result):
    # closed form (R prop.test(3, 5, correct = FALSE)$conf.int): Wilson score interval
    m = result.to_dict()["meetings"]["m_start"]
    z, p, n = stats.norm.ppf(0.975), 3 / 5, 5
    centre = (p + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
    half = z / (1 + z ** 2 / n) * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
    assert m["share_on_time"] == pytest.approx(0.6, rel=1e-15)
    assert (m["ci_low"], m["ci_high"]) == pytest.approx((centre - half, centre + half), rel=1e-12)


def test_ruptures_by_meetings_held_is_labelled_non_causal(result):
    d = result.to_dict()
    assert d["causal"] is False and d["ruptures_by_meetings"]["causal"] is False
    assert d["ruptures_by_meetings"]["rows"] == [
        {"meetings_held": 0, "n": 0, "ruptures": 0, "share": None},
        {"meetings_held": 1, "n": 2, "ruptures": 2, "share": 1.0},
        {"meetings_held": 2, "n": 2, "ruptures": 0, "share": 0.0},
        {"meetings_held": 3, "n": 1, "ruptures": 0, "share": 0.0},
    ]
    assert "NOT CAUSAL" in result.summary()
    json.dumps(d, allow_nan=False)


def test_without_take_up_column_the_whole_treated_arm_counts():
    data = hand_cohort().data.drop(columns="support_received")
    out = fidelity(Cohort(data), make_plan())
    assert out.n == 6 and out.population == "treatment arm"


def test_plan_must_name_three_meetings():
    with pytest.raises(AnalysisError, match="three"):
        fidelity(hand_cohort(), make_plan(MEETINGS[:2]))


def test_meeting_values_must_be_dates():
    data = hand_cohort().data.assign(m_month="soon")
    with pytest.raises(AnalysisError, match="'m_month'"):
        fidelity(Cohort(data), make_plan())


def test_demo_cohort_smoke(demo):
    data = demo.data
    out = fidelity(demo.cohort, demo.plan)
    d = out.to_dict()
    assert out.n == int(((data["arm"] == "treatment") & (data["support_received"] == 1)).sum())
    for m in d["meetings"].values():
        assert 0 <= m["on_time"] <= m["held"] <= m["due"] <= out.n
    assert sum(row["n"] for row in d["ruptures_by_meetings"]["rows"]) == out.n


def test_end_meeting_of_a_short_contract_run_to_its_end_is_due_and_missed():
    # D = 180: due at min(183, 166) = 166, window 136..180; the contract ran to day 180
    # (time_days = D) without the end meeting: due, not held. Before the window closes
    # (rupture on day 150) it is not due.
    data = hand_cohort().data
    extra = data.iloc[[0, 0]].assign(participant_id=["q1", "q2"], contract_end_planned=day(180),
                                      time_days=[180, 150], event=[0, 1], m_end=None)
    out = fidelity(Cohort(pd.concat([data, extra], ignore_index=True)), make_plan())
    m = out.to_dict()["meetings"]["m_end"]
    assert (m["due"], m["held"], m["on_time"]) == (3 + 1, 2, 2)
