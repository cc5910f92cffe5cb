"""A partner's spreadsheet export: [data] header_row, .xls and .ods, the whole way to a cohort.

tests/data/partner_export.xls is written by tests/data/make_partner_export_xls.py (xlwt 1.3.0):
a title row and an empty row above the header (row 3), French names and labels, DD/MM/YYYY
text dates beside native Excel dates. tests/data/partner_export.toml is its plan.
"""
import pandas as pd
import pytest
from _foundation import HEADER, KEY, ROOT, ROWS

from evalexp.errors import EmptyFileError, PlanError, UnreadableFileError
from evalexp.load import load_cohort
from evalexp.plan import load_plan, plan_from_dict
from evalexp.readers import read_table

XLS = ROOT / "tests" / "data" / "partner_export.xls"
XLS_PLAN = ROOT / "tests" / "data" / "partner_export.toml"


@pytest.fixture(scope="module")
def partner():
    return load_cohort(XLS, load_plan(XLS_PLAN), key=KEY)


def _plan(**data):
    return plan_from_dict({"title": "t", "survival": {"horizon_days": 30}, "data": data}, source="plan.toml")


def test_xls_header_on_row_3_rows_are_sheet_rows():
    raw = read_table(XLS, header_row=3)
    assert raw.format == "xls"
    assert list(raw.data.columns[:3]) == ["Identifiant", "Groupe", "Date début contrat"]
    assert raw.lines.tolist() == [4, 5, 6, 7, 8, 9, 10, 11]
    assert raw.data.loc[0, "Date début contrat"] == pd.Timestamp("2023-09-04")
    assert raw.data.loc[1, "Date rupture"] == "15/01/2024"


def test_xls_without_header_row_takes_the_title_as_header_and_refuses_it():
    with pytest.raises(UnreadableFileError, match=r"partner_export\.xls: row 3 has a value beyond the header's 1 "
                                                  r"columns \('Groupe'\): a column without a name$"):
        read_table(XLS)


def test_partner_export_loads_with_recoded_labels_and_day_first_dates(partner):
    data = partner.data
    assert data["arm"].tolist() == ["treatment", "control"] * 4
    assert data["rupture_initiative"].fillna("-").tolist() == ["-", "employer", "-", "mutual", "apprentice", "-",
                                                                "-", "trial_period"]
    assert data["employed_6m"].fillna(-1).tolist() == [1, 0, 1, 0, -1, 1, 0, 1]
    assert data["diploma"].tolist() == ["CAP-BEP", "bac", "sans diplôme", "supérieur", "bac", "CAP-BEP",
                                        "supérieur", "sans diplôme"]
    assert data.loc[1, "rupture_date"] == pd.Timestamp("2024-01-15")
    assert data.loc[3, "rupture_date"] == pd.Timestamp("2023-11-23")
    assert data["time_days"].tolist() == [484, 126, 365, 52, 206, 442, 421, 47]


@pytest.mark.parametrize("suffix", ["ods", "xlsx"])
def test_ods_and_xlsx_with_a_title_row_load_like_the_xls(suffix, partner, tmp_path):
    """The same sheet written by pandas (odf, openpyxl): a title, an empty row, the header on row 3."""
    raw = read_table(XLS, header_row=3).data
    width = raw.shape[1]
    sheet = [["Export AGIR — Mission locale de Nantes"] + [None] * (width - 1), [None] * width,
             list(raw.columns), *raw.to_numpy().tolist()]
    path = tmp_path / f"export.{suffix}"
    pd.DataFrame(sheet).to_excel(path, index=False, header=False, engine="odf" if suffix == "ods" else "openpyxl")
    reread = read_table(path, header_row=3)
    assert reread.format == suffix and reread.lines.tolist() == list(range(4, 12))
    pd.testing.assert_frame_equal(load_cohort(path, load_plan(XLS_PLAN), key=KEY).data, partner.data)


def test_ods_sheet_by_name_and_unknown_sheet(tmp_path):
    path = tmp_path / "c.ods"
    with pd.ExcelWriter(path, engine="odf") as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="notes", index=False)
        pd.DataFrame({"b": ["x", "y"]}).to_excel(writer, sheet_name="cohorte", index=False)
    assert read_table(path, sheet="cohorte").data["b"].tolist() == ["x", "y"]
    assert read_table(path, sheet=1).lines.tolist() == [2, 3]
    with pytest.raises(UnreadableFileError, match=r"c\.ods: no sheet 'other' \(sheets: notes, cohorte\)$"):
        read_table(path, sheet="other")


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_a_corrupt_xls_or_ods_is_refused(suffix, tmp_path):
    path = tmp_path / f"bad.{suffix}"
    path.write_bytes(b"not a workbook")
    with pytest.raises(UnreadableFileError, match=rf"bad\.{suffix}: cannot open as an {suffix} workbook: "):
        read_table(path)


def test_csv_header_row_skips_title_lines_and_keeps_file_line_numbers(write_csv):
    path = write_csv(["Export AGIR du 31/12/2024;;", "", HEADER, *ROWS], newline="\r\n")
    raw = read_table(path, header_row=3)
    assert list(raw.data.columns) == HEADER.split(",")
    assert raw.lines.tolist() == [4, 5, 6, 7]


def test_csv_header_row_in_cp1252_semicolons_with_cr_line_ends(write_csv):
    path = write_csv(["Extraction du 12/03/2024", "Identifiant;Âge", "P1;18,5", "P2;19"], encoding="cp1252",
                     newline="\r")
    raw = read_table(path, header_row=2)
    assert (raw.encoding, raw.separator) == ("cp1252", ";")
    assert raw.data["Âge"].tolist() == ["18,5", "19"] and raw.lines.tolist() == [3, 4]


def test_csv_header_row_on_a_quoted_multiline_title_counts_physical_lines(write_csv):
    path = write_csv(['"Export', 'AGIR"', "a,b", "1,2"])
    assert read_table(path, header_row=3).lines.tolist() == [4]


def test_csv_errors_keep_the_file_line_numbers(write_csv):
    path = write_csv(["titre", "a;b", "1;2", "3;4;5"])
    with pytest.raises(UnreadableFileError, match="line 4 has 3 fields, the header has 2"):
        read_table(path, header_row=2)


def test_header_row_beyond_the_file_or_on_an_empty_line_is_refused(write_csv, tmp_path):
    path = write_csv(["titre", "", "a,b", "1,2"])
    with pytest.raises(UnreadableFileError, match=r"cohort\.csv: the header row 9 \(\[data\] header_row\) is beyond "
                                                  r"the end of the file \(4 lines\)$"):
        read_table(path, header_row=9)
    with pytest.raises(UnreadableFileError, match=r"cohort\.csv: line 2 \(\[data\] header_row\) is empty: no "
                                                  r"header there$"):
        read_table(path, header_row=2)
    with pytest.raises(UnreadableFileError, match=r"partner_export\.xls: the header row 40 \(\[data\] header_row\) "
                                                  r"is beyond the end of the sheet \(11 rows\)$"):
        read_table(XLS, header_row=40)
    with pytest.raises(UnreadableFileError, match=r"partner_export\.xls: row 2 \(\[data\] header_row\) is empty: "
                                                  r"no header there$"):
        read_table(XLS, header_row=2)
    with pytest.raises(EmptyFileError, match=r"cohort\.csv: no data rows \(only a header\)"):
        load_cohort(path, _plan(header_row=4))


def test_header_row_applies_to_csv_and_spreadsheets_only(tmp_path):
    path = tmp_path / "c.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(UnreadableFileError, match=r"c\.parquet: \[data\] header_row = 2: a parquet file holds its "
                                                  r"column names apart from its rows; header_row applies to CSV "
                                                  r"and spreadsheets only \(leave it at 1\)$"):
        read_table(path, header_row=2)


def test_load_cohort_reads_the_plan_header_row(write_csv):
    path = write_csv(["Export du 31/03/2012", HEADER, *ROWS])
    cohort = load_cohort(path, _plan(header_row=2), key=KEY)
    assert len(cohort) == 4


@pytest.mark.parametrize("value, message", [
    (0, "'header_row' in [data] must be a row number >= 1 (1 = the first row), got 0"),
    (-2, "'header_row' in [data] must be a row number >= 1 (1 = the first row), got -2"),
    (2.5, "key 'header_row' in [data] must be int, got 2.5"),
    ("3", "key 'header_row' in [data] must be int, got '3'"),
    (True, "key 'header_row' in [data] must be int, got True"),
])
def test_bad_header_row_is_refused_at_plan_load(value, message):
    with pytest.raises(PlanError) as info:
        _plan(header_row=value)
    assert str(info.value) == f"plan.toml: {message}"
