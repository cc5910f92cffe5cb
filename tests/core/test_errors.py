"""Messages of input errors name the file, the column and the first rows."""
from evalexp.errors import DuplicateIdError, EvalexpError, InputError


def test_message_names_file_column_and_rows():
    err = DuplicateIdError("cohort.csv", "participant_id", "duplicate identifier",
                           rows=[(3, "P1"), (9, "P1")])
    assert str(err) == ("cohort.csv: column 'participant_id': duplicate identifier in 2 rows: "
                        "line 3, line 9")
    # the identifiers stay with the exception for a program, never in the message (docs/CONTRACT.md section 5)
    assert err.rows == [(3, "P1"), (9, "P1")] and "P1" not in str(err)


def test_long_row_lists_are_cut_after_five_with_a_count():
    rows = [(i, f"P{i}") for i in range(2, 12)]
    err = InputError("f.csv", "arm", "bad label", rows=rows)
    assert str(err).endswith("line 6 and 5 more")
    assert "line 7" not in str(err)


def test_total_may_exceed_the_rows_listed():
    err = InputError("f.csv", "arm", "bad label", rows=[(2, "A")], total=40)
    assert str(err) == "f.csv: column 'arm': bad label in 40 rows: line 2 and 39 more"


def test_file_level_error_has_no_column_part():
    err = InputError("f.csv", None, "the file has no data rows")
    assert str(err) == "f.csv: the file has no data rows"


def test_every_input_error_is_an_evalexp_error():
    assert issubclass(DuplicateIdError, InputError)
    assert issubclass(InputError, EvalexpError)
