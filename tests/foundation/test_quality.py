"""The data-quality summary printed by `evalexp validate` and kept in the report's annex."""
import json

import numpy as np
import pandas as pd
import pytest
from _foundation import ROOT

from evalexp.quality import quality_summary, reverse_km_median
from evalexp.results import TIDY_COLUMNS

REFERENCE = json.loads((ROOT / "tests" / "reference" / "foundation" / "median_followup.json").read_text())


def test_counts_per_arm_add_up(demo):
    counts = quality_summary(demo).counts
    for arm in ("treatment", "control", "total"):
        c = counts[arm]
        assert c["events"] + c["planned_end"] + c["extraction"] + c["lost"] == c["n"]
    assert counts["total"]["n"] == 150


def test_events_match_R(demo):
    """Events per arm computed by tests/reference/foundation/median_followup.R from the CSV."""
    counts = quality_summary(demo).counts
    assert {arm: counts[arm]["events"] for arm in ("treatment", "control")} == REFERENCE["events"]


def test_median_followup_matches_R_reverse_km(demo):
    """R: summary(survfit(Surv(time, 1 - event) ~ arm))$table[, "median"]; exact (whole days)."""
    medians = quality_summary(demo).median_followup_days
    assert medians == {arm: REFERENCE[arm] for arm in ("treatment", "control", "total")}


def test_reverse_km_median_matches_R_on_veteran():
    """R: survfit(Surv(time, status) ~ trt, data = veteran) medians 103 and 52.5 (a midpoint), exact."""
    veteran = pd.read_csv(ROOT / "tests" / "reference" / "data" / "veteran.csv")
    medians = [reverse_km_median(g["time"].to_numpy(), 1 - g["status"].to_numpy()) for _, g in veteran.groupby("trt")]
    assert medians == pytest.approx(REFERENCE["veteran_km_median_by_trt"], abs=1e-12)


def test_reverse_km_median_takes_the_midpoint_of_a_flat_half():
    """R: survfit(Surv(c(1, 2, 3, 4), c(1, 1, 1, 1)) ~ 1) median 2.5 (reverse curve: event = 1 - 0)."""
    assert reverse_km_median(np.array([1, 2, 3, 4]), np.zeros(4)) == REFERENCE["midpoint"]


def test_reverse_km_median_not_reached_is_nan():
    assert np.isnan(reverse_km_median(np.array([1, 2, 3]), np.array([0, 1, 1])))  # S = 2/3 after day 1


def test_missing_values_per_column(demo):
    missing = quality_summary(demo).missing
    assert missing["employed_6m"] == demo.data["employed_6m"].isna().sum()
    assert "participant_id" not in missing


def test_to_dict_is_json_with_counts_only(demo):
    as_dict = quality_summary(demo).to_dict()
    text = json.dumps(as_dict)
    assert "ps_" not in text and "line" not in text
    assert as_dict["warnings"] == [{"code": w.code, "column": w.column, "count": w.count} for w in demo.warnings]


def test_tidy_has_the_stable_columns(demo):
    tidy = quality_summary(demo).tidy()
    assert list(tidy.columns) == TIDY_COLUMNS
    assert tidy.set_index("term").loc["events[control]", "estimate"] == 26


def test_summary_shows_counts_and_warnings(demo):
    text = quality_summary(demo).summary()
    assert "ruptures (events)" in text and "censored: lost to follow-up" in text
    assert f"Warnings ({len(demo.warnings)}):" in text
