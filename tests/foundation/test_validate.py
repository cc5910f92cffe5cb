"""Every refusal of CONTRACT.md section 1 raises its own class naming file, column and rows; oddities warn."""
import pytest
from _foundation import HEADER, KEY, ROWS

from evalexp.errors import (
    DuplicateIdError,
    EmptyArmError,
    EmptyFileError,
    FollowupBeforeStartError,
    InvalidValueError,
    MissingColumnError,
    RuptureBeforeStartError,
    UnmappedArmError,
    UnreadableFileError,
)
from evalexp.load import load_cohort
from evalexp.plan import plan_from_dict


def _plan(**sections):
    return plan_from_dict({"title": "t", "survival": {"horizon_days": 365}, **sections})


def _load(write_csv, rows, header=HEADER, plan=None):
    path = write_csv([header, *rows])
    return load_cohort(path, plan, key=KEY), path


def _refusal(write_csv, error, rows, header=HEADER, plan=None):
    path = write_csv([header, *rows])
    with pytest.raises(error) as info:
        load_cohort(path, plan, key=KEY)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    return message


def test_header_only_file_is_empty(write_csv):
    message = _refusal(write_csv, EmptyFileError, [])
    assert message.endswith("no data rows (only a header)")


def test_missing_required_column(write_csv):
    header = HEADER.replace("followup_end", "fin")
    message = _refusal(write_csv, MissingColumnError, ROWS, header=header)
    assert "missing column: 'followup_end' (required)" in message


def test_missing_column_named_by_the_plan(write_csv):
    plan = _plan(survival={"horizon_days": 365, "covariates": ["age"], "strata": "stratum"})
    message = _refusal(write_csv, MissingColumnError, ROWS, plan=plan)
    assert "missing columns: 'age' (a covariate of [survival]); 'stratum' ('strata' of [survival])" in message


def test_missing_column_renamed_by_the_plan_shows_both_names(write_csv):
    plan = _plan(columns={"Date fin suivi": "followup_end"})
    header = HEADER.replace("followup_end", "fin")
    message = _refusal(write_csv, MissingColumnError, ROWS, header=header, plan=plan)
    assert "column 'Date fin suivi (followup_end)': missing column: 'Date fin suivi (followup_end)' (required)" \
        in message


def test_unmapped_arm_label(write_csv):
    rows = [ROWS[0], ROWS[1].replace("control", "Témoin"), *ROWS[2:]]
    message = _refusal(write_csv, UnmappedArmError, rows)
    assert message.endswith("column 'arm': arm label 'Témoin' not mapped by the plan's [arms] "
                            "(known labels: control, treatment) in 1 row: line 3")


def test_missing_arm_label_is_unmapped(write_csv):
    rows = [ROWS[0], ROWS[1].replace("control", ""), *ROWS[2:]]
    assert "arm label '(empty)' not mapped" in _refusal(write_csv, UnmappedArmError, rows)


def test_arm_with_no_participant(write_csv):
    rows = [r.replace("control", "treatment") for r in ROWS]
    message = _refusal(write_csv, EmptyArmError, rows)
    assert message.endswith("column 'arm': no participant in the control arm (labels found: treatment)")


def test_duplicate_participant_id(write_csv):
    rows = [*ROWS, ROWS[1].replace("control", "treatment")]
    message = _refusal(write_csv, DuplicateIdError, rows)
    assert message.endswith("column 'participant_id': 1 participant identifier used more than once "
                            "in 2 rows: line 3, line 6")


def test_missing_participant_id(write_csv):
    rows = [ROWS[0], ROWS[1].replace("P2", ""), *ROWS[2:]]
    message = _refusal(write_csv, InvalidValueError, rows)
    assert message.endswith("column 'participant_id': missing participant identifier in 1 row: line 3")


def test_rupture_before_contract_start(write_csv):
    rows = [ROWS[0], ROWS[1].replace("2010-03-01", "2010-01-01"), *ROWS[2:]]
    message = _refusal(write_csv, RuptureBeforeStartError, rows)
    assert message.endswith("column 'rupture_date': rupture before contract start in 1 row: line 3")


def test_followup_end_before_contract_start(write_csv):
    rows = [ROWS[0].replace("2012-03-31", "2009-12-31"), *ROWS[1:]]
    message = _refusal(write_csv, FollowupBeforeStartError, rows)
    assert message.endswith("column 'followup_end': end of follow-up before contract start in 1 row: "
                            "line 2")


def test_planned_end_before_contract_start(write_csv):
    rows = [*ROWS[:3], ROWS[3].replace("2011-04-19", "2010-04-19")]
    message = _refusal(write_csv, InvalidValueError, rows)
    assert message.endswith("column 'contract_end_planned': planned end before contract start in 1 row: "
                            "line 5")


def test_missing_required_date(write_csv):
    rows = [ROWS[0].replace("2010-01-05", ""), *ROWS[1:]]
    assert _refusal(write_csv, InvalidValueError, rows).endswith(
        "column 'contract_start': missing date in 1 row: line 2")


def test_support_received_not_0_1(write_csv):
    rows = [r + v for r, v in zip(ROWS, [",1", ",2", ",0", ","])]
    message = _refusal(write_csv, InvalidValueError, rows, header=HEADER + ",support_received")
    assert message.endswith("column 'support_received': values must be 0 or 1 (or empty), found 2 "
                            "in 1 row: line 3")


def test_binary_outcome_not_0_1(write_csv):
    rows = [r + v for r, v in zip(ROWS, [",oui", ",0", ",1", ","])]
    plan = _plan(outcomes={"binary": ["employed_6m"]})
    message = _refusal(write_csv, InvalidValueError, rows, header=HEADER + ",employed_6m", plan=plan)
    assert "column 'employed_6m': values must be 0 or 1 (or empty), found 'oui' in 1 row: line 2" in message


def test_error_names_the_source_column_when_renamed(write_csv):
    header = HEADER.replace("rupture_date", "Date rupture")
    rows = [ROWS[0], ROWS[1].replace("2010-03-01", "2010-01-01"), *ROWS[2:]]
    plan = _plan(columns={"Date rupture": "rupture_date"})
    message = _refusal(write_csv, RuptureBeforeStartError, rows, header=header, plan=plan)
    assert "column 'Date rupture (rupture_date)': rupture before contract start" in message


def test_two_columns_mapped_to_one_name(write_csv):
    plan = _plan(columns={"arm2": "arm"})
    rows = [r + ",x" for r in ROWS]
    message = _refusal(write_csv, UnreadableFileError, rows, header=HEADER + ",arm2", plan=plan)
    assert message.endswith("columns 'arm', 'arm2' would all become 'arm' under the plan's [columns]")


def _codes(cohort):
    return {w.code: w for w in cohort.warnings}


def test_rupture_after_planned_end_warns_and_is_censored(write_csv):
    rows = [ROWS[0].replace("2012-03-31,", "2012-03-31,2011-02-01"), *ROWS[1:]]
    cohort, path = _load(write_csv, rows)
    warning = _codes(cohort)["rupture_after_planned_end"]
    assert warning.count == 1
    assert warning.message == (f"{path}: column 'rupture_date': rupture after the planned end of the contract "
                               "(censored at the planned end) in 1 row (line 2)")
    assert cohort.data["event"].iloc[0] == 0


def test_followup_before_planned_end_warns(write_csv):
    rows = [ROWS[0].replace("2012-03-31", "2010-06-30"), *ROWS[1:]]
    cohort, _ = _load(write_csv, rows)
    assert _codes(cohort)["followup_before_planned_end"].count == 1


def test_rupture_without_cause_warns_when_the_plan_names_causes(write_csv):
    rows = [r + c for r, c in zip(ROWS, [",", ",employer", ",", ","])]
    cohort, _ = _load(write_csv, rows, header=HEADER + ",rupture_initiative",
                      plan=_plan(survival={"horizon_days": 365, "causes": "rupture_initiative"}))
    assert _codes(cohort)["rupture_without_cause"].message.endswith("in 1 row (line 4)")


def test_missing_outcome_values_warn_per_column(write_csv):
    rows = [r + v for r, v in zip(ROWS, [",1", ",", ",0", ","])]
    cohort, _ = _load(write_csv, rows, header=HEADER + ",employed_6m", plan=_plan(outcomes={"binary": ["employed_6m"]}))
    warning = _codes(cohort)["missing_values"]
    assert (warning.column, warning.count) == ("employed_6m", 2)


def test_clean_file_has_no_warning(write_csv):
    cohort, _ = _load(write_csv, ROWS)
    assert cohort.warnings == ()


def test_rupture_after_followup_end_warns_and_is_censored(write_csv):
    rows = [ROWS[0].replace("2012-03-31,", "2010-06-30,2010-09-01"), *ROWS[1:]]
    cohort, _ = _load(write_csv, rows)
    assert _codes(cohort)["rupture_after_followup_end"].count == 1
    assert cohort.data["event"].iloc[0] == 0


def test_cause_without_rupture_warns(write_csv):
    rows = [r + c for r, c in zip(ROWS, [",mutual", ",employer", ",apprentice", ","])]
    cohort, _ = _load(write_csv, rows, header=HEADER + ",rupture_initiative",
                      plan=_plan(survival={"horizon_days": 365, "causes": "rupture_initiative"}))
    assert _codes(cohort)["cause_without_rupture"].message.endswith("in 1 row (line 2)")
