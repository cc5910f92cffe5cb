"""A CSV record with more fields than the header: the DuckDB engine gives the memory engine's refusal."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalexp.engine.duckdb_engine import load_counts
from evalexp.engine.records import extra_fields_error
from evalexp.errors import UnreadableFileError
from evalexp.load import load_cohort
from evalexp.plan import load_plan

DEMO = Path(__file__).resolve().parents[2] / "data" / "synthetic"


def _lines(sep: str = ",") -> list[str]:
    frame = pd.read_csv(DEMO / "agir_demo.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "stratum"] = "S0é"
    return frame.to_csv(index=False, sep=sep).splitlines(keepends=True)


def _plan(tmp_path: Path, header_row: int) -> Path:
    plan = tmp_path / "plan.toml"
    extra = f"\n[data]\nheader_row = {header_row}\n" if header_row != 1 else ""
    plan.write_text((DEMO / "agir_demo.toml").read_text(encoding="utf-8") + extra, encoding="utf-8")
    return plan


CASES = {
    # name: (separator, encoding, lines above the header, data rows repeated, index of the spoilt line, message)
    "in DuckDB's sniffing sample": (",", "utf-8", 0, 1, 30, "line 31 has 25 fields, the header has 23 (separator ',')"),
    "after many rows": (",", "utf-8", 0, 40, 5997, "line 5998 has 25 fields, the header has 23 (separator ',')"),
    "cp1252, ';' and header_row 3": (";", "cp1252", 2, 1, 12,
                                     "line 15 has 25 fields, the header has 23 (separator ';')"),
}


@pytest.mark.parametrize("case", CASES)
def test_more_fields_than_the_header_as_memory(case, tmp_path):
    sep, encoding, above, repeat, spoilt, message = CASES[case]
    lines = _lines(sep)
    lines = lines[:1] + lines[1:] * repeat
    lines[spoilt] = lines[spoilt].rstrip("\n") + f"{sep}x{sep}y\n"
    path = tmp_path / "cohort.csv"
    path.write_bytes(("Extraction\n" * above + "".join(lines)).encode(encoding))
    plan = load_plan(_plan(tmp_path, above + 1))
    with pytest.raises(UnreadableFileError) as memory:
        load_cohort(path, plan)
    with pytest.raises(UnreadableFileError) as duck:
        load_counts(path, plan)
    assert str(memory.value) == f"{path}: {message}"
    assert str(duck.value) == str(memory.value)


def test_empty_extra_fields_are_not_refused(tmp_path):
    """Fields beyond the header that are all empty are not the memory engine's refusal (it pads them away)."""
    lines = _lines()
    lines[7] = lines[7].rstrip("\n") + ",,\n"
    path = tmp_path / "cohort.csv"
    path.write_text("".join(lines), encoding="utf-8")
    assert extra_fields_error(path, "utf-8-sig", 1, str(path)) is None
    load_cohort(path, load_plan(DEMO / "agir_demo.toml"))
