"""The DuckDB engine refuses bad input with the memory engine's error, word for word."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evalexp.engine.duckdb_engine import load_counts
from evalexp.errors import InputError
from evalexp.load import load_cohort
from evalexp.plan import load_plan

DEMO = Path(__file__).resolve().parents[2] / "data" / "synthetic"


def _demo() -> pd.DataFrame:
    return pd.read_csv(DEMO / "agir_demo.csv", dtype=str, keep_default_na=False)


def _spoil(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    frame = frame.copy()
    if kind == "duplicate id":
        frame.loc[[3, 40, 41], "participant_id"] = frame.loc[2, "participant_id"]
    elif kind == "missing id":
        frame.loc[[5, 9], "participant_id"] = ""
    elif kind == "unmapped arm":
        frame.loc[[1, 7], "arm"] = ["Accompagné", "placebo"]
    elif kind == "empty arm":
        frame["arm"] = "treatment"
    elif kind == "unparseable date":
        frame.loc[[4, 8, 12, 30], "rupture_date"] = ["2012-13-01", "soon", "2012-02-30", "soon"]
    elif kind == "date out of range":
        frame.loc[[6, 11], "followup_end"] = ["1011-03-31", "2999-01-01"]
    elif kind == "missing date":
        frame.loc[[10], "contract_start"] = ""
    elif kind == "rupture before start":
        frame.loc[[0, 14], "rupture_date"] = ["2000-01-01", "2001-01-01"]
    elif kind == "follow-up before start":
        frame.loc[[20], "followup_end"] = ["2000-01-01"]
    elif kind == "planned end before start":
        frame.loc[[21, 22], "contract_end_planned"] = ["2000-01-01", "2000-01-02"]
    elif kind == "bad binary":
        frame.loc[[2, 3], "employed_6m"] = ["2", "3"]
    elif kind == "bad binary text":
        frame.loc[[2, 3], "employed_6m"] = ["yes", "no"]
    elif kind == "ambiguous slash dates":
        frame["contract_start"] = pd.to_datetime(frame["contract_start"]).dt.strftime("%m/%d/%Y").where(
            pd.to_datetime(frame["contract_start"]).dt.day <= 12, "01/01/2010")
    elif kind == "missing column":
        frame = frame.drop(columns=["followup_end", "stratum"])
    elif kind == "empty file":
        frame = frame.iloc[:0]
    return frame


KINDS = ("duplicate id", "missing id", "unmapped arm", "empty arm", "unparseable date", "date out of range",
         "missing date", "rupture before start", "follow-up before start", "planned end before start",
         "bad binary", "bad binary text", "ambiguous slash dates", "missing column", "empty file")


@pytest.mark.parametrize("kind", KINDS)
def test_same_refusal_as_memory(kind, tmp_path):
    plan = load_plan(DEMO / "agir_demo.toml")
    path = tmp_path / "cohort.csv"
    _spoil(_demo(), kind).to_csv(path, index=False)
    with pytest.raises(InputError) as memory:
        load_cohort(path, plan)
    with pytest.raises(InputError) as duck:
        load_counts(path, plan)
    assert type(duck.value) is type(memory.value)
    assert str(duck.value) == str(memory.value)


def test_renamed_columns_named_as_in_the_file(tmp_path):
    """With the plan's [columns], the message names the source column (``'Date rupture' (rupture_date)``)."""
    plan = load_plan(DEMO / "agir_demo_export_fr.toml")
    frame = pd.read_csv(DEMO / "agir_demo_export_fr.csv", dtype=str, keep_default_na=False, sep=";",
                        encoding="cp1252")
    frame.loc[[3], "Date rupture"] = "01/01/2000"
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, sep=";", encoding="cp1252")
    with pytest.raises(InputError) as memory:
        load_cohort(path, plan)
    with pytest.raises(InputError) as duck:
        load_counts(path, plan)
    assert str(duck.value) == str(memory.value)
    assert "'Date rupture (rupture_date)'" in str(duck.value)


def _loading_plan(tmp_path, extra: str) -> Path:
    plan = tmp_path / "plan.toml"
    plan.write_text((DEMO / "agir_demo.toml").read_text(encoding="utf-8").replace(
        'covariates = ["age", "female", "diploma"]', 'covariates = ["female", "diploma"]') + extra, encoding="utf-8")
    return plan


RECODE = '\n[recode.employed_6m]\n1 = ["Oui"]\n0 = ["Non"]\n\n[reference]\ndiploma = "bac"\n\n[data]\nheader_row = 3\n'


def _loading_file(tmp_path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "export.csv"
    path.write_text("Extraction du 31/03/2012\n\n" + frame.to_csv(index=False), encoding="utf-8")
    return path


def test_recode_header_row_and_reference_as_memory(tmp_path):
    """[recode.COLUMN], [data] header_row and [reference] read from the same plan objects by both engines."""
    from evalexp.engine.counts import analyze_counts
    from evalexp.integrity.outcomes import binary_outcomes
    from evalexp.survival.survival_analysis import analyze_survival

    frame = _demo()
    frame["employed_6m"] = frame["employed_6m"].map({"1": " oui", "0": "NON", "": ""})
    path, plan = _loading_file(tmp_path, frame), load_plan(_loading_plan(tmp_path, RECODE))
    cohort = load_cohort(path, plan)
    counts = analyze_counts(load_counts(path, plan))
    fit = analyze_survival(cohort, plan).cox_adjusted
    assert counts.survival.cox_adjusted.terms == fit.terms and "diploma[bac]" not in fit.terms
    assert counts.survival.cox_adjusted.params_.to_numpy() == pytest.approx(fit.params_.to_numpy(), rel=1e-9)
    expected = binary_outcomes(cohort, plan).to_dict()["employed_6m"]
    assert counts.outcomes["employed_6m"]["difference"] == pytest.approx(expected["difference"], rel=1e-9)
    assert counts.outcomes["employed_6m"]["n_observed"] == expected["n_observed"]


@pytest.mark.parametrize("kind", ["unmapped label", "unknown reference", "bad date under header_row"])
def test_loading_refusals_as_memory(kind, tmp_path):
    frame = _demo()
    frame["employed_6m"] = frame["employed_6m"].map({"1": "Oui", "0": "Non", "": ""})
    extra = RECODE
    if kind == "unmapped label":
        frame.loc[[4, 9], "employed_6m"] = ["Peut-être", "?"]
    elif kind == "unknown reference":
        extra = RECODE.replace('diploma = "bac"', 'diploma = "master"')
    else:
        frame.loc[[6], "followup_end"] = "bientôt"
    path, plan = _loading_file(tmp_path, frame), load_plan(_loading_plan(tmp_path, extra))
    with pytest.raises(InputError) as memory:
        load_cohort(path, plan)
    with pytest.raises(InputError) as duck:
        load_counts(path, plan)
    assert type(duck.value) is type(memory.value)
    assert str(duck.value) == str(memory.value)
