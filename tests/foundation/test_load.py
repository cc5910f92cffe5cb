"""Loading: mapping, date and number conversion, identical cohorts from different exports."""
import numpy as np
import pandas as pd
import pytest
from _foundation import EXPORT, EXPORT_PLAN, HEADER, KEY, ROWS

from evalexp.errors import AmbiguousDateError, DateParseError, NotANumberError
from evalexp.load import load_cohort, load_frame
from evalexp.plan import load_plan, plan_from_dict
from evalexp.simulate import simulate


def test_french_export_loads_identical_to_the_canonical_file(demo):
    export = load_cohort(EXPORT, load_plan(EXPORT_PLAN), key=KEY)
    pd.testing.assert_frame_equal(export.data, demo.data)


def test_french_export_warnings_name_the_source_columns():
    export = load_cohort(EXPORT, load_plan(EXPORT_PLAN), key=KEY)
    assert "column 'Date fin suivi (followup_end)'" in export.warnings[0].message


def test_simulated_frame_loads_identical_to_its_csv(demo, demo_plan):
    """data/synthetic/agir_demo.csv is simulate(n=150, seed=28) (data/synthetic/make_demo.py)."""
    cohort = load_frame(simulate(n=150, seed=28).data, demo_plan, key=KEY)
    pd.testing.assert_frame_equal(cohort.data, demo.data)


def test_demo_has_the_canonical_and_derived_columns(demo):
    data = demo.data
    assert demo.n == {"treatment": 75, "control": 75}
    assert data["contract_start"].dtype == "datetime64[ns]"
    assert data["age"].dtype == float and data["female"].dtype == np.int64
    assert set(data["arm"]) == {"treatment", "control"}
    assert {"end", "event", "time_days", "treated"} <= set(data.columns)


def test_derived_survival_follows_the_contract(write_csv):
    cohort = load_cohort(write_csv([HEADER, *ROWS]), key=KEY)
    data = cohort.data
    assert data["event"].tolist() == [0, 1, 1, 0]
    assert data["time_days"].tolist() == [364, 19, 36, 364]  # 2010-03-01 - 2010-02-10 = 19 days


def test_slash_dates_are_day_first_given_a_day_above_12(write_csv):
    path = write_csv(["participant_id;arm;contract_start;contract_end_planned;followup_end",
                      "P1;treatment;05/01/2010;04/01/2011;31/03/2012", "P2;control;10/02/2010;09/02/2011;31/03/2012"])
    data = load_cohort(path, key=KEY).data
    assert data["contract_start"].tolist() == [pd.Timestamp("2010-01-05"), pd.Timestamp("2010-02-10")]


def test_ambiguous_slash_dates_are_refused(write_csv):
    path = write_csv(["participant_id;arm;contract_start;contract_end_planned;followup_end",
                      "P1;treatment;05/01/2010;04/01/2011;03/12/2012", "P2;control;10/02/2010;09/02/2011;03/12/2012"])
    with pytest.raises(AmbiguousDateError) as err:
        load_cohort(path, key=KEY)
    assert "column 'contract_start': slash dates that could be DD/MM/YYYY or MM/DD/YYYY" in str(err.value)
    assert 'set [data] date_format = "%d/%m/%Y"' in str(err.value)
    assert "line 2, line 3" in str(err.value)


def test_plan_date_format_resolves_ambiguity(write_csv):
    path = write_csv(["participant_id;arm;contract_start;contract_end_planned;followup_end",
                      "P1;treatment;05/01/2010;04/01/2011;03/12/2012", "P2;control;10/02/2010;09/02/2011;03/12/2012"])
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365}, "data": {"date_format": "%d/%m/%Y"}})
    assert load_cohort(path, plan, key=KEY).data["followup_end"].iloc[0] == pd.Timestamp("2012-12-03")


def test_unparseable_date_names_column_and_rows(write_csv):
    rows = [ROWS[0], ROWS[1].replace("2010-03-01", "2010-02-30"), ROWS[2], ROWS[3]]
    with pytest.raises(DateParseError) as err:
        load_cohort(write_csv([HEADER, *rows]), key=KEY)
    assert str(err.value).endswith("column 'rupture_date': unparseable date '2010-02-30' "
                                   "(expected YYYY-MM-DD or DD/MM/YYYY) in 1 row: line 3")


def test_time_of_day_is_dropped(write_csv):
    rows = [ROWS[0].replace("2010-01-05", "2010-01-05 00:00:00"), *ROWS[1:]]
    assert load_cohort(write_csv([HEADER, *rows]), key=KEY).data["contract_start"].iloc[0] == pd.Timestamp("2010-01-05")


def test_decimal_comma_and_no_break_space_thousands(write_csv):
    header = HEADER.replace(",", ";") + ";age;income"
    cells = [";21,5;1\u00a0234,5", ";18;2\u202f000", ";19,0;10", ";20;7"]
    rows = [r.replace(",", ";") + v for r, v in zip(ROWS, cells)]
    data = load_cohort(write_csv([header, *rows]), key=KEY).data
    assert data["age"].tolist() == [21.5, 18.0, 19.0, 20.0]
    assert data["income"].tolist() == [1234.5, 2000.0, 10.0, 7.0]


def test_text_columns_stay_text_even_when_numeric(write_csv):
    rows = [r + f",{i}" for i, r in enumerate(ROWS, start=1)]
    data = load_cohort(write_csv([HEADER + ",stratum", *rows]), key=KEY).data
    assert data["stratum"].tolist() == ["1", "2", "3", "4"]


def test_other_date_columns_are_detected(write_csv):
    rows = [r + ",2010-06-01" for r in ROWS]
    data = load_cohort(write_csv([HEADER + ",meeting_date", *rows]), key=KEY).data
    assert data["meeting_date"].dtype == "datetime64[ns]"


def test_arm_labels_from_the_plan_match_regardless_of_case_and_spaces(write_csv):
    rows = [r.replace("treatment", " ACCOMPAGNÉ ").replace("control", "témoin") for r in ROWS]
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365},
                           "arms": {"treatment": ["Accompagné"], "control": ["Témoin"]}})
    assert load_cohort(write_csv([HEADER, *rows]), plan, key=KEY).n == {"treatment": 2, "control": 2}


def test_rupture_date_column_is_optional(write_csv):
    header = HEADER.rsplit(",", 1)[0]
    rows = [r.rsplit(",", 1)[0] for r in ROWS]
    cohort = load_cohort(write_csv([header, *rows]), key=KEY)
    assert cohort.data["event"].sum() == 0


def test_covariate_with_a_stray_non_number_is_refused_naming_values_and_lines(write_csv):
    # docs/CONTRACT.md section 6: was a `not_a_number` warning (the column then read as categorical)
    rows = [r + f",{age}" for r, age in zip(ROWS, ["21", "2O", "19.5", "#N/A"])]
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365, "covariates": ["age"]}})
    path = write_csv([HEADER + ",age", *rows])
    with pytest.raises(NotANumberError) as caught:
        load_cohort(path, plan, key=KEY)
    assert str(caught.value) == (f"{path}: column 'age': not a number in a numeric covariate: '2O', '#N/A' in 2 rows: "
                                 f"line 3, line 5; write a number, or leave the cell empty if the value is missing")


def test_categorical_covariate_in_words_or_mostly_words_is_read_as_text(write_csv):
    rows = [r + f",{level}" for r, level in zip(ROWS, ["bac", "CAP", "bac+2", "3"])]
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365, "covariates": ["diploma"]}})
    cohort = load_cohort(write_csv([HEADER + ",diploma", *rows]), plan, key=KEY)
    assert cohort.data["diploma"].tolist() == ["bac", "CAP", "bac+2", "3"]


