"""Reading every supported format, and the CSV dialects of French administrative exports."""
import pandas as pd
import pytest
from _foundation import DEMO, EXPORT, KEY, ROOT

from evalexp.errors import EmptyFileError, UnreadableFileError
from evalexp.load import load_cohort
from evalexp.readers import read_table


def test_csv_comma_utf8():
    raw = read_table(DEMO)
    assert (raw.format, raw.separator, raw.encoding) == ("csv", ",", "utf-8-sig")
    assert raw.data.shape == (150, 23)


def test_csv_semicolon_cp1252_crlf():
    raw = read_table(EXPORT)
    assert (raw.separator, raw.encoding) == (";", "cp1252")
    assert raw.data.columns[2] == "Date début contrat"
    assert raw.data.loc[0, "Groupe"] == "Accompagné"
    assert not any(str(v).endswith("\r") for v in raw.data.iloc[:, -1])


def test_utf8_bom_is_removed_from_the_first_column_name(write_csv):
    path = write_csv(["\ufeffa;b", "1;2"])
    assert list(read_table(path).data.columns) == ["a", "b"]


def test_line_numbers_count_the_header_and_quoted_line_breaks(write_csv):
    path = write_csv(['id,note', '1,"two\nlines"', '', '2,plain'])
    raw = read_table(path)
    assert raw.lines.tolist() == [2, 5]
    assert raw.data["note"].tolist() == ["two\nlines", "plain"]


def test_missing_markers_become_none(write_csv):
    path = write_csv(["a,b,c,d,e", " ,NA,N/A,.,x "])
    assert read_table(path).data.iloc[0].tolist() == [None, None, None, None, "x"]


def test_short_rows_are_padded_and_empty_trailing_fields_dropped(write_csv):
    path = write_csv(["a;b;c", "1;2", "3;4;5;;"])
    assert read_table(path).data.values.tolist() == [["1", "2", None], ["3", "4", "5"]]


def test_extra_nonempty_field_is_refused_with_its_line(write_csv):
    path = write_csv(["a;b", "1;2", "3;4;5"])
    with pytest.raises(UnreadableFileError, match="line 3 has 3 fields, the header has 2"):
        read_table(path)


def test_empty_file_is_refused(write_csv, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(EmptyFileError, match=r"empty.csv: the file is empty"):
        read_table(path)


def test_duplicate_header_names_are_refused(write_csv):
    with pytest.raises(UnreadableFileError, match="duplicate column names in the header: a"):
        read_table(write_csv(["a,a", "1,2"]))


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(UnreadableFileError, match=r"unsupported file type '.json'"):
        read_table(tmp_path / "x.json")
    with pytest.raises(UnreadableFileError, match="no such file"):
        read_table(tmp_path / "x.csv")


def test_bytes_that_are_neither_utf8_nor_cp1252_are_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n\x81\x8d,1\n")
    with pytest.raises(UnreadableFileError, match="cannot decode the file as UTF-8 or cp1252"):
        read_table(path)


def test_corrupt_binary_file_is_refused(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"not parquet")
    with pytest.raises(UnreadableFileError, match="cannot read as parquet"):
        read_table(path)


def test_excel_line_numbers_are_sheet_rows(tmp_path):
    path = tmp_path / "c.xlsx"
    pd.DataFrame({"a": [1, None, 3], "b": ["x", None, "z"]}).to_excel(path, index=False)
    raw = read_table(path)
    assert raw.lines.tolist() == [2, 4]  # the empty sheet row 3 is skipped


@pytest.fixture(scope="module")
def demo_frame():
    return pd.read_csv(DEMO, parse_dates=["contract_start", "contract_end_planned", "followup_end",
                                          "rupture_date", "assigned_on", "meeting1_date", "meeting2_date",
                                          "meeting3_date"])


@pytest.mark.parametrize("suffix", ["xlsx", "parquet", "dta"])
def test_every_format_loads_the_demo_identically(suffix, demo_frame, demo_plan, demo, tmp_path):
    path = tmp_path / f"demo.{suffix}"
    if suffix == "xlsx":
        demo_frame.to_excel(path, index=False)
    elif suffix == "parquet":
        demo_frame.to_parquet(path, index=False)
    else:
        demo_frame.to_stata(path, write_index=False, convert_dates={c: "td" for c in demo_frame.columns
                                                                    if c.endswith(("_date", "_start", "_end",
                                                                                   "_planned", "_on"))})
    pd.testing.assert_frame_equal(load_cohort(path, demo_plan, key=KEY).data, demo.data)


def test_sas7bdat_written_by_haven_loads_the_demo_identically(demo_plan, demo):
    """tests/data/agir_demo.sas7bdat: tests/reference/foundation/write_sas.R (haven::write_sas)."""
    cohort = load_cohort(ROOT / "tests" / "data" / "agir_demo.sas7bdat", demo_plan, key=KEY)
    pd.testing.assert_frame_equal(cohort.data, demo.data)


@pytest.mark.parametrize("lines", [
    ["a;b;c", "1;x ; ", ";;", "", "NA;2,5;é", "4;5;6"],
    ['"a","b"', '"1","two"', '"3",""'],
])
def test_arrow_and_csv_module_parsers_agree(lines):
    """The fast path (Arrow, one line per record) and the csv module give the same table and lines."""
    from evalexp.readers import _records_arrow, _records_python

    text = "\r\n".join(lines) + "\r\n"
    sep = ";" if ";" in lines[0] else ","
    names, data, where = _records_arrow(text, sep, "f.csv")
    names_py, data_py, where_py = _records_python(text, sep, "f.csv")
    assert names == names_py and where.tolist() == where_py.tolist()
    pd.testing.assert_frame_equal(data, data_py)


def test_excel_sheet_by_name(tmp_path):
    path = tmp_path / "c.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="notes", index=False)
        pd.DataFrame({"b": ["x", "y"]}).to_excel(writer, sheet_name="cohorte", index=False)
    assert read_table(path, sheet="cohorte").data["b"].tolist() == ["x", "y"]
    with pytest.raises(UnreadableFileError, match="no sheet 'other' \\(sheets: notes, cohorte\\)"):
        read_table(path, sheet="other")


def test_excel_value_beyond_the_header_is_refused_like_a_csv_extra_field(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "c.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["a", "b"])
    sheet.append([1, "x"])
    sheet.append([2, "y", "stray"])
    book.save(path)
    with pytest.raises(UnreadableFileError, match=r"c\.xlsx: row 3 has a value beyond the header's 2 columns "
                                                  r"\('stray'\): a column without a name$"):
        read_table(path)


def test_excel_empty_cells_beyond_the_header_are_ignored(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "c.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["a", "b"])
    sheet.append([1, "x", None, " "])
    book.save(path)
    assert read_table(path).data.shape == (1, 2)
