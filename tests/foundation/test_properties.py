"""Property: whatever bytes a cohort file holds, load_cohort either succeeds or raises an EvalexpError."""
import contextlib

from _foundation import HEADER, ROWS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalexp.errors import EvalexpError
from evalexp.load import load_cohort

VALID = ("\n".join([HEADER, *ROWS]) + "\n").encode()
FIELDS = st.sampled_from(["", "P1", "treatment", "control", "2010-01-05", "05/01/2010", "13/01/2010",
                          "2010-02-30", "1,5", "x;y", '"', "\u00a0", "NA", "0", "1", "-3", "1e309", "é"])


def _load(tmp_path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    with contextlib.suppress(EvalexpError):
        load_cohort(path, key=b"k")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_random_bytes(tmp_path, data):
    _load(tmp_path, data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(VALID) - 1), st.binary(min_size=1, max_size=8))
def test_corrupted_valid_file(tmp_path, position, junk):
    _load(tmp_path, VALID[:position] + junk + VALID[position + len(junk):])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(FIELDS, min_size=0, max_size=8), min_size=0, max_size=6), st.sampled_from([",", ";"]))
def test_plausible_cells_in_the_canonical_header(tmp_path, rows, sep):
    lines = [HEADER.replace(",", sep)] + [sep.join(row) for row in rows]
    _load(tmp_path, "\r\n".join(lines).encode("cp1252"))
