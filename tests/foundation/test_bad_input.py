"""More bad input refused (docs/CONTRACT.md section 6): a typed error naming file, column and rows by
line (never an identifier or a row's content), exit 2 from the CLI, nothing written."""
import datetime as dt

import pandas as pd
import pytest
from _foundation import HEADER, KEY, ROWS

import evalexp as ee
from evalexp.cli import main
from evalexp.errors import DateRangeError, EvalexpTypeError, HorizonError, UnmappedArmError, UnreadableFileError
from evalexp.load import load_cohort, load_frame
from evalexp.plan import plan_from_dict
from evalexp.quality import quality_summary
from evalexp.readers import read_table
from evalexp.report import build_report

PLAN = plan_from_dict({"title": "t", "survival": {"horizon_days": 365}})
BOUNDS_HINT = "; a typo? The plan's [data] date_min and date_max move the bounds"


def _frame() -> pd.DataFrame:
    return pd.DataFrame([row.split(",") for row in ROWS], columns=HEADER.split(",")).replace("", None)


def test_a_year_1011_is_refused_by_line_and_the_plan_moves_the_bounds(write_csv):
    path = write_csv([HEADER, *ROWS[:2], ROWS[2].replace("2010-03-15", "1011-03-15"), ROWS[3]])
    with pytest.raises(DateRangeError) as caught:
        load_cohort(path, PLAN, key=KEY)
    assert str(caught.value) == (f"{path}: column 'contract_start': date outside 1990-01-01..2099-12-31 "
                                 f"(1011-03-15) in 1 row: line 4" + BOUNDS_HINT)
    early = write_csv([HEADER, *ROWS[:2], ROWS[2].replace("2010-03-15", "1987-03-15"), ROWS[3]], name="early.csv")
    plan = plan_from_dict({"title": "t", "data": {"date_min": dt.date(1985, 1, 1)}, "survival": {"horizon_days": 365}})
    assert load_cohort(early, plan, key=KEY).data["contract_start"].min() == pd.Timestamp("1987-03-15")


@pytest.mark.parametrize("value", [dt.datetime(9999, 12, 31), dt.date(9999, 12, 31)], ids=["timestamp", "date32"])
def test_9999_12_31_in_parquet_is_refused_not_a_traceback(tmp_path, value):
    frame = _frame()
    frame["followup_end"] = [value] * 2 + [type(value)(2012, 3, 31)] * 2
    path = tmp_path / "cohort.parquet"
    frame.to_parquet(path)
    with pytest.raises(DateRangeError) as caught:
        load_cohort(path, PLAN, key=KEY)
    assert str(caught.value) == (f"{path}: column 'followup_end': date outside 1990-01-01..2099-12-31 "
                                 f"(9999-12-31) in 2 rows: line 2, line 3" + BOUNDS_HINT)


def test_a_date_column_the_plan_does_not_bound_must_fit_the_date_type(write_csv):
    path = write_csv([HEADER + ",signed_on", *(r + f",{d}" for r, d in zip(ROWS, ["2009-12-01", "2500-01-01",
                                                                                  "2010-01-02", "2010-03-01"]))])
    with pytest.raises(DateRangeError, match=r"column 'signed_on': date outside 1677-09-22..2262-04-11 \(2500-01-01\) "
                                             r"in 1 row: line 3;"):
        load_cohort(path, PLAN, key=KEY)


def test_an_excel_formula_without_a_stored_value_is_refused_by_sheet_and_cell(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Cohorte"
    for row in [HEADER, *ROWS]:
        sheet.append([dt.date.fromisoformat(v) if v[:2] == "20" else (v or None) for v in row.split(",")])
    sheet["F4"] = "=C4+30"  # openpyxl writes the formula and no cached value
    path = tmp_path / "cohort.xlsx"
    book.save(path)
    with pytest.raises(UnreadableFileError) as caught:
        load_cohort(path, PLAN, key=KEY)
    assert str(caught.value) == (f"{path}: sheet 'Cohorte', cell F4: a formula without a stored value (the workbook "
                                 f"was written by a program that does not compute formulas); open and save it in a "
                                 f"spreadsheet, or paste values")


def test_a_stray_byte_in_a_utf8_file_is_refused_with_its_line_and_offset(tmp_path):
    text = "\n".join([HEADER + ",note", *(r + ",é" for r in ROWS)]) + "\n"
    raw = text.encode("utf-8")
    offset = raw.index(b"P3")
    path = tmp_path / "cohort.csv"
    path.write_bytes(raw[:offset] + b"\xe9" + raw[offset:])
    with pytest.raises(UnreadableFileError) as caught:
        load_cohort(path, PLAN, key=KEY)
    assert str(caught.value) == (f"{path}: not valid UTF-8: byte 0xe9 on line 4 (byte offset {offset}) in a file "
                                 f"otherwise written in UTF-8; correct or remove that byte")


def test_a_cp1252_file_is_still_read(write_csv):
    path = write_csv([HEADER + ",note", *(r + ",témoin" for r in ROWS)], encoding="cp1252")
    assert load_cohort(path, PLAN, key=KEY).data["note"].tolist() == ["témoin"] * 4


@pytest.mark.parametrize("broken, message", [
    ('P3,"treatment,2010-03-15,2011-03-14,2012-03-31,2010-04-20',
     "the record starting on line 4 runs over lines 4-204 with 2 of the header's 6 fields: a quote (\") opened "
     "and never closed?"),
    ('P3,treatment,2010-03-15,2011-03-14,2012-03-31,"2010-04-20',
     "a quote (\") opened in the record starting on line 4 is never closed: the rest of the file would be one "
     "field"),
])
def test_an_unclosed_quote_is_one_short_message_without_row_content(write_csv, broken, message):
    path = write_csv([HEADER, *ROWS[:2], broken, *ROWS[3:] * 200])
    with pytest.raises(UnreadableFileError) as caught:
        load_cohort(path, PLAN, key=KEY)
    assert str(caught.value) == f"{path}: {message}"


def test_a_horizon_beyond_the_longest_follow_up_is_refused_at_load_and_at_analysis(write_csv):
    path = write_csv([HEADER, *ROWS])
    far = plan_from_dict({"title": "t", "survival": {"horizon_days": 900}})
    with pytest.raises(HorizonError) as caught:
        load_cohort(path, far, key=KEY)
    assert str(caught.value) == (f"<plan>: 'horizon_days' in [survival] is 900 days, beyond the longest follow-up in "
                                 f"{path} (816 days from contract start to end of follow-up): no one is observed at "
                                 f"that horizon")
    cohort = load_cohort(path, PLAN, key=KEY)
    with pytest.raises(HorizonError, match="is 900 days, beyond the longest follow-up"):
        ee.analyze(cohort, far)
    assert load_cohort(path, key=KEY).n == {"treatment": 2, "control": 2}  # no plan: no horizon to check


def test_wrong_argument_types_raise_the_typed_error(write_csv, tmp_path):
    path = write_csv([HEADER, *ROWS])
    cohort = load_cohort(path, PLAN, key=KEY)
    calls = {
        "load_cohort(): 'plan' must be a Plan (from evalexp.load_plan) or None, got str (load it with "
        "evalexp.load_plan first)": lambda: load_cohort(path, "plan.toml"),
        "load_cohort(): 'path' must be a path (str or pathlib.Path), got DataFrame": lambda: load_cohort(_frame()),
        "load_cohort(): 'key' must be a bytes or None, got str": lambda: load_cohort(path, PLAN, key="k"),
        "load_frame(): 'data' must be a DataFrame, got PosixPath": lambda: load_frame(path),
        "analyze(): 'cohort' must be a Cohort (from evalexp.load_cohort), got PosixPath":
            lambda: ee.analyze(path, PLAN),
        "analyze(): 'plan' must be a Plan (from evalexp.load_plan), got PosixPath (load it with evalexp.load_plan "
        "first)": lambda: ee.analyze(cohort, tmp_path / "plan.toml"),
        "build_report(): 'out_dir' must be a path (str or pathlib.Path), got NoneType":
            lambda: build_report(cohort, PLAN, None),
        "quality_summary(): 'cohort' must be a Cohort (from evalexp.load_cohort), got DataFrame":
            lambda: quality_summary(cohort.data),
    }
    for message, call in calls.items():
        with pytest.raises(EvalexpTypeError) as caught:
            call()
        assert str(caught.value) == message and isinstance(caught.value, TypeError)


def test_the_cli_exits_2_writes_nothing_and_prints_no_identifier(write_csv, tmp_path, capsys):
    path = write_csv([HEADER, *ROWS[:2], ROWS[2].replace("2010-03-15", "1011-03-15"), ROWS[3]])
    plan = tmp_path / "plan.toml"
    plan.write_text('title = "t"\n[survival]\nhorizon_days = 365\n', encoding="utf-8")
    out = tmp_path / "results.json"
    assert main(["analyze", str(path), "--plan", str(plan), "--json", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert not out.exists()
    assert "line 4" in err and "P3" not in err and "Traceback" not in err
    plan.write_text('title = "t"\n[survival]\nhorizon_days = 365\n[inference]\npermutations = 0\n', encoding="utf-8")
    assert main(["analyze", str(write_csv([HEADER, *ROWS], name="ok.csv")), "--plan", str(plan),
                 "--json", str(out), "--quiet"]) == 2
    assert not out.exists() and "'permutations' in [inference] must be >= 1, got 0" in capsys.readouterr().err


def test_a_message_lists_few_values_each_cut_short(write_csv):
    labels = [f"{i} " + "x" * 60 for i in range(8)]
    rows = [row.replace(arm, label) for row, arm, label in
            zip(ROWS * 2, ["treatment", "control"] * 4, labels)]
    path = write_csv([HEADER, *(row.replace("P", f"Q{i}-", 1) for i, row in enumerate(rows))])
    with pytest.raises(UnmappedArmError) as caught:
        load_cohort(path, PLAN, key=KEY)
    shown = ", ".join(repr(f"{i} " + "x" * 27 + "…") for i in range(5))
    assert f"arm labels {shown} and 3 more not mapped by the plan's [arms]" in str(caught.value)
    with pytest.raises(EvalexpTypeError, match=r"^read_table\(\): 'path' must be a path \(str or pathlib.Path\), "
                                               r"got bytes$"):
        read_table(b"cohort.csv")
