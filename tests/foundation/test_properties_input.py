"""Properties: whatever the readers, the loader and the plan parser are given, they succeed or raise an
EvalexpError (docs/CONTRACT.md section 6); no other exception escapes."""
import contextlib
import datetime as dt
import json
import math

import pandas as pd
from _foundation import HEADER, ROWS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalexp.errors import EvalexpError
from evalexp.load import load_cohort, load_frame
from evalexp.plan import _SECTIONS, load_plan, plan_from_dict
from evalexp.readers import FORMATS, read_table

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
VALID = ("\n".join([HEADER, *ROWS]) + "\n").encode()
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
# cells of every kind a cohort file can hold
CELLS = st.one_of(st.none(), TEXT, st.integers(-10**20, 10**20), st.floats(), st.booleans(), st.dates(),
                  st.datetimes(), st.sampled_from(["2O", "n.c.", "#N/A", "1011-03-15", "9999-12-31", "31/12/2010",
                                                   "treatment", "control", "1,5", '"', "\u00a0"]))


def _succeeds_or_refuses(call) -> None:
    with contextlib.suppress(EvalexpError):
        call()


@FUZZ
@given(st.sampled_from(sorted(FORMATS)), st.binary(max_size=300))
def test_any_bytes_in_any_supported_format(tmp_path, suffix, data):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    _succeeds_or_refuses(lambda: read_table(path))


@FUZZ
@given(st.lists(st.sampled_from(['"', ",", ";", "\t", "\n", "\r", "\r\n", "a", "1", " ", "é", "\x81", "\xe9",
                                 "2010-01-05", "P1", "treatment"]), max_size=60),
       st.sampled_from(["utf-8", "cp1252", "latin-1"]))
def test_csv_like_text_in_any_encoding(tmp_path, pieces, encoding):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(HEADER.encode() + b"\n" + "".join(pieces).encode(encoding, errors="replace"))
    _succeeds_or_refuses(lambda: load_cohort(path, key=b"k"))


@FUZZ
@given(st.lists(st.lists(CELLS, min_size=7, max_size=7), min_size=1, max_size=6))
def test_any_cells_in_a_frame_with_a_numeric_covariate(rows):
    frame = pd.DataFrame(rows, columns=[*HEADER.split(","), "age"])
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 30, "covariates": ["age"]}})
    _succeeds_or_refuses(lambda: load_frame(frame, plan, key=b"k"))


def _toml_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _toml_value(value) -> str:
    """A value as TOML text (strings as basic strings; JSON's escapes are TOML's)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, (int, dt.date)):  # dt.datetime is a dt.date
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml_value, value)) + "]"
    return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


def _toml(plan: dict) -> str:
    top = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in plan.items() if not isinstance(v, dict)]
    tables = [f"[{_toml_key(k)}]\n" + "\n".join(f"{_toml_key(key)} = {_toml_value(value)}" for key, value in v.items())
              for k, v in plan.items() if isinstance(v, dict)]
    return "\n".join(top + tables) + "\n"


SCALARS = st.one_of(st.integers(), st.floats(), st.booleans(), TEXT, st.dates(), st.datetimes())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=3),
                      max_leaves=6)
NAMES = ["age", "female", "stratum", "site", "arm", "participant_id", "rupture_initiative", "employed_6m",
         "contract_start", "x"]
# values near the valid ones, then anything
PLAUSIBLE = st.one_of(st.integers(-5, 2000), st.integers(), st.floats(-1, 2), st.floats(),
                      st.sampled_from([*NAMES, "fr", "en", "efron", "breslow", "holm", "bh", "logrank", "cox_score",
                                       "auto", "%d/%m/%Y", "%Y", "$x^$", "", dt.date(1985, 1, 1),
                                       dt.date(2010, 6, 1)]),
                      st.lists(st.sampled_from([*NAMES, "logrank", "rmst", 90, 0, -1]), max_size=3), VALUES)
KNOWN = {"": ["title", "language"], "columns": ["Identifiant", "age", "arm"], "arms": ["treatment", "control"],
         "labels": ["age"], "value_labels": ["female"], **{name: sorted(keys) for name, keys in _SECTIONS.items()}}
# a cohort holding every column NAMES may name
RICH = ("\n".join([HEADER + ",age,female,stratum,site,rupture_initiative,employed_6m",
                    *(row + f",{20 + i},{i % 2},s{i % 2},m{i},employer,{i % 2}" for i, row in enumerate(ROWS))])
        + "\n").encode()


@st.composite
def plans(draw) -> dict:
    """A valid plan with a few keys set to near-valid or arbitrary values (one in ten an unknown key)."""
    plan = {"title": "t", "survival": {"horizon_days": 30}}
    for _ in range(draw(st.integers(0, 4))):
        section = draw(st.sampled_from(sorted(KNOWN)))
        key = draw(TEXT.filter(bool) if draw(st.integers(0, 9)) == 0 else st.sampled_from(KNOWN[section]))
        value = draw(PLAUSIBLE)
        (plan if section == "" else plan.setdefault(section, {}))[key] = value
    return plan


PLANS = plans()


@FUZZ
@given(PLANS)
def test_any_toml_plan_is_a_plan_or_a_plan_error_and_loads_a_cohort_or_refuses_it(tmp_path, plan):
    plan_path, cohort_path = tmp_path / "plan.toml", tmp_path / "cohort.csv"
    plan_path.write_text(_toml(plan), encoding="utf-8")
    cohort_path.write_bytes(RICH)
    _succeeds_or_refuses(lambda: load_cohort(cohort_path, load_plan(plan_path), key=b"k"))


@FUZZ
@given(st.binary(max_size=200))
def test_any_bytes_as_a_plan(tmp_path, data):
    path = tmp_path / "plan.toml"
    path.write_bytes(data)
    _succeeds_or_refuses(lambda: load_plan(path))
