"""Specification of evalexp.integrity.consort: CONSORT 2010 flow counts per arm (hand-counted cohorts)."""
import json

import numpy as np
import pandas as pd
import pytest

from evalexp.cohort import Cohort, derive_survival
from evalexp.errors import AnalysisError
from evalexp.integrity.consort import consort_flow
from evalexp.plan import plan_from_dict
from evalexp.simulate import simulate

START = pd.Timestamp("2020-01-01")


def day(d):
    return START + pd.Timedelta(days=d)


def plan(binary=(), horizon=365):
    return plan_from_dict({"title": "t", "survival": {"horizon_days": horizon}, "outcomes": {"binary": list(binary)}})


@pytest.fixture()
def cohort() -> Cohort:
    # treatment: T1 rupture, T2 lost (stops day 100), T3 complete, T4 complete but outcome missing
    # control:   C1 complete, C2 lost (stops day 50), C3 lost (stops day 300), C4 short contract ended day 200
    frame = pd.DataFrame({
        "participant_id": ["T1", "T2", "T3", "T4", "C1", "C2", "C3", "C4"],
        "arm": ["treatment"] * 4 + ["control"] * 4,
        "contract_start": START,
        "contract_end_planned": [day(700)] * 7 + [day(200)],
        "followup_end": [day(700), day(100), day(700), day(700), day(700), day(50), day(300), day(200)],
        "rupture_date": [day(30)] + [pd.NaT] * 7,
        "support_received": [1, 1, 0, np.nan, 0, 0, 1, 0],
        "employed_6m": [0, np.nan, 1, np.nan, 1, np.nan, 0, 1],
    })
    return Cohort(derive_survival(frame))


def test_assigned_and_support_received_per_arm(cohort):
    flow = consort_flow(cohort, plan())
    assert flow.assigned == {"treatment": 4, "control": 4}
    assert flow.support == {"received": {"treatment": 2, "control": 1},
                            "not_received": {"treatment": 1, "control": 3},
                            "unknown": {"treatment": 1, "control": 0}}


def test_lost_to_followup_before_planned_end_and_horizon(cohort):
    assert consort_flow(cohort, plan()).lost_to_followup == {"treatment": 1, "control": 2}
    # with a 90-day horizon only C2 (stopped on day 50) is lost
    assert consort_flow(cohort, plan(horizon=90)).lost_to_followup == {"treatment": 0, "control": 1}


def test_rupture_is_analysed_by_intention_to_treat(cohort):
    flow = consort_flow(cohort, plan())
    assert flow.analysed["rupture"] == {"treatment": 4, "control": 4}
    assert flow.excluded["rupture"] == {"treatment": 0, "control": 0}


def test_binary_outcome_is_analysed_where_known(cohort):
    flow = consort_flow(cohort, plan(["employed_6m"]))
    assert flow.analysed["employed_6m"] == {"treatment": 2, "control": 3}
    assert flow.excluded["employed_6m"] == {"treatment": 2, "control": 1}
    assert flow.reasons["employed_6m"] == "outcome missing"


def test_boxes_give_the_diagram_top_to_bottom(cohort):
    boxes = consort_flow(cohort, plan(["employed_6m"])).boxes()
    assert [b["stage"] for b in boxes] == ["enrolment"] + ["allocation"] * 2 + ["follow-up"] * 2 + ["analysis"] * 4
    assert boxes[0]["n"] == 8
    treated = boxes[1]
    assert treated["arm"] == "treatment" and treated["n"] == 4
    assert {d["key"]: d["n"] for d in treated["details"]} == \
        {"support_received": 2, "support_not_received": 1, "support_unknown": 1}
    control_details = {d["key"] for d in boxes[2]["details"]}
    assert "support_unknown" not in control_details  # shown only when some are unknown
    analysed = [b for b in boxes if b["stage"] == "analysis" and b["outcome"] == "employed_6m"]
    assert [(b["arm"], b["n"], b["details"][0]["n"]) for b in analysed] == [("treatment", 2, 2), ("control", 3, 1)]


def test_without_support_column_support_is_none(cohort):
    data = cohort.data.drop(columns="support_received")
    flow = consort_flow(Cohort(data), plan())
    assert flow.support is None
    assert flow.boxes()[1]["details"] == []


def test_counts_add_up_on_a_simulated_cohort():
    sim = Cohort(derive_survival(simulate(n=300, seed=5).data))
    flow = consort_flow(sim, plan(["employed_6m", "employed_12m"]))
    for outcome in ("rupture", "employed_6m", "employed_12m"):
        for arm in ("treatment", "control"):
            assert flow.analysed[outcome][arm] + flow.excluded[outcome][arm] == flow.assigned[arm]
    assert sum(flow.assigned.values()) == 300
    assert sum(v["treatment"] + v["control"] for v in flow.support.values()) == 300


def test_to_dict_is_json_ready_and_tidy_has_the_stable_columns(cohort):
    flow = consort_flow(cohort, plan(["employed_6m"]))
    out = flow.to_dict()
    json.dumps(out, allow_nan=False)
    assert out["lost_to_followup"] == {"treatment": 1, "control": 2}
    tidy = flow.tidy()
    assert list(tidy.columns) == ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"]
    assert tidy.set_index("term").loc["excluded[employed_6m]:treatment", "estimate"] == 2


def test_unknown_binary_outcome_is_an_analysis_error(cohort):
    with pytest.raises(AnalysisError, match="'qualification'"):
        consort_flow(cohort, plan(["qualification"]))


def test_censoring_at_extraction_is_shown_apart_from_losses(cohort):
    # in the fixture the extraction (latest follow-up end) is day 700, after everyone's horizon;
    # cutting the data at day 300 makes day 300 the extraction, before the 365-day horizon
    flow = consort_flow(cohort, plan())
    assert flow.censored_at_extraction == {"treatment": 0, "control": 0}
    data = cohort.data.copy()
    cut = day(300)
    data["followup_end"] = data["followup_end"].where(data["followup_end"] < cut, cut)
    flow = consort_flow(Cohort(derive_survival(data.drop(columns=["end", "event", "time_days", "treated"]))), plan())
    # T1 rupture day 30; T2 lost day 100; T3, T4 cut at extraction; C2 lost day 50; C1, C3 cut; C4 ended day 200
    assert flow.lost_to_followup == {"treatment": 1, "control": 1}
    assert flow.censored_at_extraction == {"treatment": 2, "control": 2}
    assert flow.to_dict()["censored_at_extraction"] == {"treatment": 2, "control": 2}
