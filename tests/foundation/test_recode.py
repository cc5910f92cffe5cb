"""[recode.COLUMN]: source labels to canonical values before validation, and plan keys naming columns."""
import re

import pytest
from _foundation import HEADER, KEY, ROWS

from evalexp.errors import (
    InvalidValueError,
    MissingColumnError,
    PlanError,
    UnmappedLabelError,
)
from evalexp.load import load_cohort
from evalexp.plan import plan_from_dict
from evalexp.plan_loading import fold_label

CAUSES = {"employer": ["à l'initiative de l'employeur", "licenciement"], "mutual": ["rupture amiable"],
          "apprentice": ["démission"]}


def _plan(source="plan.toml", **extra):
    return plan_from_dict({"title": "t", "survival": {"horizon_days": 30}, **extra}, source=source)


def _csv(write_csv, cause, employed, header_cause="rupture_initiative"):
    header = f"{HEADER},{header_cause},employed_6m"
    return write_csv([header, *(f"{row},{c},{e}" for row, c, e in zip(ROWS, cause, employed))])


def test_labels_match_ignoring_case_accents_spaces_and_apostrophes(write_csv):
    path = _csv(write_csv, ["", " A L’INITIATIVE DE L'EMPLOYEUR ", "Rupture Amiable", ""],
                ["Oui", "non", " O ", ""])
    plan = _plan(recode={"rupture_initiative": CAUSES, "employed_6m": {"1": ["Oui", "O"], "0": ["Non", "N"]}},
                 outcomes={"binary": ["employed_6m"]})
    data = load_cohort(path, plan, key=KEY).data
    assert data["rupture_initiative"].fillna("-").tolist() == ["-", "employer", "mutual", "-"]
    assert data["employed_6m"].fillna(-1).tolist() == [1, 0, 1, -1]  # empty stays missing, then numeric


def test_canonical_values_are_accepted_as_their_own_labels(write_csv):
    path = _csv(write_csv, ["", "employer", "Mutual", ""], ["1", "0", "Oui", "Non"])
    plan = _plan(recode={"rupture_initiative": CAUSES, "employed_6m": {"1": ["Oui"], "0": ["Non"]}})
    data = load_cohort(path, plan, key=KEY).data
    assert data["rupture_initiative"].fillna("-").tolist() == ["-", "employer", "mutual", "-"]
    assert data["employed_6m"].tolist() == [1, 0, 1, 0]


def test_validation_sees_the_canonical_values(write_csv):
    """Without the recoding, 'Oui' in a binary outcome is refused; with it, the column is 0/1."""
    path = _csv(write_csv, ["", "", "", ""], ["Oui", "Non", "Oui", "Non"])
    with pytest.raises(InvalidValueError, match="column 'employed_6m': values must be 0 or 1"):
        load_cohort(path, _plan(outcomes={"binary": ["employed_6m"]}), key=KEY)
    plan = _plan(outcomes={"binary": ["employed_6m"]}, recode={"employed_6m": {"1": ["oui"], "0": ["non"]}})
    assert load_cohort(path, plan, key=KEY).data["employed_6m"].tolist() == [1, 0, 1, 0]


def test_recoding_a_mapped_column_uses_its_canonical_name_and_messages_name_the_source(write_csv):
    path = _csv(write_csv, ["", "licenciement", "rupture conventionnelle", "Fin de période d'essai"], ["", "", "", ""],
                header_cause="Initiative rupture")
    plan = _plan(columns={"Initiative rupture": "rupture_initiative"}, recode={"rupture_initiative": CAUSES})
    with pytest.raises(UnmappedLabelError) as info:
        load_cohort(path, plan, key=KEY)
    assert str(info.value) == (
        f"{path}: column 'Initiative rupture (rupture_initiative)': labels \"Fin de période d'essai\", 'rupture "
        f"conventionnelle' not mapped by the plan's [recode.rupture_initiative] (known labels: apprentice, démission, "
        f"employer, licenciement, mutual, rupture amiable, à l'initiative de l'employeur) in 2 rows: line 4, line 5; "
        f"add them to the plan's table, or leave the cells empty if the value is missing")
    assert [line for line, _ in info.value.rows] == [4, 5]


def test_unmapped_labels_list_the_first_rows_and_count_the_others(write_csv):
    rows = [f"P{i},treatment,2010-01-05,2011-01-04,2012-03-31,,{'Peut-être' if i % 2 else 'Oui'}" for i in range(14)]
    rows[0] = rows[0].replace("treatment", "control")
    path = write_csv([f"{HEADER},employed_6m", *rows])
    with pytest.raises(UnmappedLabelError, match=r"column 'employed_6m': label 'Peut-être' not mapped by the plan's "
                                                 r"\[recode\.employed_6m\] \(known labels: 0, 1, Non, Oui\) in 7 rows: "
                                                 r"line 3, line 5, line 7, line 9, line 11 and 2 more; "):
        load_cohort(path, _plan(recode={"employed_6m": {"1": ["Oui"], "0": ["Non"]}}), key=KEY)


def test_a_recoded_column_absent_from_the_file_is_refused(write_csv):
    with pytest.raises(MissingColumnError) as info:
        load_cohort(write_csv([HEADER, *ROWS]), _plan(recode={"employed_6m": {"1": ["Oui"]}}), key=KEY)
    assert str(info.value).endswith("column 'employed_6m': missing column: 'employed_6m' (recoded by the plan's "
                                    "[recode.employed_6m])")


def test_number_cells_are_recoded_as_text(tmp_path):
    import pandas as pd

    frame = pd.DataFrame([row.split(",") for row in ROWS], columns=HEADER.split(","))
    frame["employed_6m"] = [1, 2, 2, None]
    path = tmp_path / "c.xlsx"
    frame.to_excel(path, index=False)
    data = load_cohort(path, _plan(recode={"employed_6m": {"1": ["1"], "0": ["2"]}}), key=KEY).data
    assert data["employed_6m"].fillna(-1).tolist() == [1, 0, 0, -1]


def test_fold_label():
    assert fold_label("  À l’Initiative de l'EMPLOYEUR ") == "a l'initiative de l'employeur"
    assert fold_label("Période d'essai") == fold_label("periode d’essai")


@pytest.mark.parametrize("recode, message", [
    ({"employed_6m": {"1": ["Oui", "O"], "0": ["OUI "]}},
     ("[recode.employed_6m] labels 'Oui' (-> '1') and 'OUI ' (-> '0') are the same once case, accents and "
     "surrounding spaces are ignored: a label may map to one value only")),
    ({"rupture_initiative": {"employer": ["à l'initiative de l'employeur"],
                             "mutual": ["A l'initiative de l'employeur"]}},
     ("[recode.rupture_initiative] labels \"à l'initiative de l'employeur\" (-> 'employer') and \"A l'initiative de "
     "l'employeur\" (-> 'mutual') are the same once case, accents and surrounding spaces are ignored: a label may "
     "map to one value only")),
    ({"employed_6m": {"1": ["Oui"], "0": ["1"]}},
     ("[recode.employed_6m] labels '1' (-> '1') and '1' (-> '0') are the same once case, accents and surrounding "
     "spaces are ignored: a label may map to one value only")),
    ({"employed_6m": {"1": []}},
     "[recode.employed_6m] '1' must be a label or a list of labels (texts or whole numbers), got []"),
    ({"employed_6m": {"1": [1.5]}},
     "[recode.employed_6m] '1' must be a label or a list of labels (texts or whole numbers), got [1.5]"),
    ({"employed_6m": ["Oui"]},
     "[recode.employed_6m] must map canonical values to lists of source labels, got ['Oui']"),
    ({"arm": {"treatment": ["A"]}}, "[recode.arm] is not allowed: arm labels are mapped by [arms]"),
    ({"participant_id": {"x": ["y"]}}, "[recode.participant_id] is not allowed: identifiers are never recoded"),
])
def test_bad_recode_tables_are_refused_at_plan_load(recode, message):
    with pytest.raises(PlanError) as info:
        _plan(recode=recode)
    assert str(info.value) == f"plan.toml: {message}"


def test_plan_keys_refuse_the_source_name_of_a_mapped_column():
    columns = {"Diplôme": "diploma", "Emploi à 6 mois": "employed_6m", "Initiative rupture": "rupture_initiative"}
    with pytest.raises(PlanError) as info:
        _plan(columns=columns, survival={"horizon_days": 30, "covariates": ["age", "Diplôme"]})
    assert str(info.value) == ("plan.toml: 'covariates' in [survival] names 'Diplôme', the source name of a column "
                               "that [columns] renames to 'diploma': plan keys use the canonical name, write "
                               "'diploma'")
    for extra, where in [({"outcomes": {"binary": ["Emploi à 6 mois"]}}, "'binary' in [outcomes]"),
                         ({"recode": {"Emploi à 6 mois": {"1": ["Oui"]}}}, "[recode]"),
                         ({"survival": {"horizon_days": 30, "causes": "Initiative rupture"}}, "'causes' in [survival]"),
                         ({"labels": {"Diplôme": "Diplôme"}}, "[labels]"),
                         ({"integrity": {"subgroups": ["Diplôme"]}}, "'subgroups' in [integrity]")]:
        with pytest.raises(PlanError, match=f"^plan\\.toml: {re.escape(where)} names '"):
            _plan(columns=columns, **extra)
    plan = _plan(columns=columns, survival={"horizon_days": 30, "covariates": ["diploma"]},
                 recode={"employed_6m": {"1": ["Oui"]}})
    assert plan.survival.covariates == ("diploma",)


def test_a_source_name_that_is_also_a_canonical_name_is_accepted():
    """[columns] may swap names: 'a' is then the canonical name of the column whose source is 'b'."""
    plan = _plan(columns={"a": "b", "b": "a"}, survival={"horizon_days": 30, "covariates": ["a"]})
    assert plan.survival.covariates == ("a",)
