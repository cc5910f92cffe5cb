"""The analysis plan: CONTRACT.md section 2, its defaults and its guard rails."""
import datetime as dt

import pytest

from evalexp.errors import EvalexpTypeError, PlanError
from evalexp.plan import load_plan, plan_from_dict

CONTRACT_EXAMPLE = '''
title = "AGIR — Loire-Atlantique"
language = "fr"

[columns]
"Identifiant" = "participant_id"

[arms]
treatment = ["AGIR", "accompagné"]
control = ["témoin"]

[survival]
horizon_days = 365
landmarks_days = [90, 180, 365]
covariates = ["age", "female"]
strata = "stratum"
cluster = "site"
causes = "rupture_initiative"

[outcomes]
binary = ["employed_6m"]

[inference]
alpha = 0.05
permutations = 10000
seed = 20101001
'''


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(CONTRACT_EXAMPLE, encoding="utf-8")
    return path


def test_the_contract_example_loads_with_every_key(plan_file):
    plan = load_plan(plan_file)
    assert plan.title == "AGIR — Loire-Atlantique"
    assert plan.columns == {"Identifiant": "participant_id"}
    assert plan.arms == {"treatment": ("AGIR", "accompagné"), "control": ("témoin",)}
    assert plan.survival.covariates == ("age", "female")
    assert (plan.survival.strata, plan.survival.cluster, plan.survival.causes) == \
        ("stratum", "site", "rupture_initiative")
    assert plan.outcomes.binary == ("employed_6m",)
    assert (plan.inference.alpha, plan.inference.permutations, plan.inference.seed) == (0.05, 10000, 20101001)


def test_optional_keys_take_their_documented_defaults():
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 180}})
    assert plan.language == "fr"
    assert plan.survival.landmarks_days == (90, 180, 365)
    assert plan.survival.strata is None and plan.survival.cluster is None and plan.survival.causes is None
    assert plan.survival.ties == "efron"
    assert plan.inference.statistics == ("logrank",)
    assert plan.outcomes.multiplicity == "holm"
    assert plan.integrity.attrition_boundary == "cautious"
    assert plan.report.suppression_threshold == 11


def test_balance_and_adjustment_covariates_default_to_the_cox_covariates():
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 1, "covariates": ["age"]}})
    assert plan.balance_covariates == ("age",)
    assert plan.adjust_covariates == ("age",)


def test_empty_strata_string_means_no_strata():
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 1, "strata": ""}})
    assert plan.survival.strata is None


def test_missing_title_is_refused():
    with pytest.raises(PlanError, match=r"^<plan>: missing required key 'title'$"):
        plan_from_dict({"survival": {"horizon_days": 365}})


def test_missing_horizon_is_refused():
    with pytest.raises(PlanError, match=r"^<plan>: missing required key 'horizon_days' in \[survival\]$"):
        plan_from_dict({"title": "t", "survival": {}})


def test_unknown_key_is_refused_with_the_known_ones():
    with pytest.raises(PlanError, match=r"unknown key 'horizon' in \[survival\] \(known: causes, cluster"):
        plan_from_dict({"title": "t", "survival": {"horizon": 365}})


def test_wrong_type_is_refused():
    with pytest.raises(PlanError, match=r"key 'permutations' in \[inference\] must be int, got '100'"):
        plan_from_dict({"title": "t", "survival": {"horizon_days": 1}, "inference": {"permutations": "100"}})


def test_language_outside_fr_en_is_refused():
    with pytest.raises(PlanError, match="'language' must be one of fr, en, got 'de'"):
        plan_from_dict({"title": "t", "language": "de", "survival": {"horizon_days": 1}})


def test_unknown_arm_in_arms_table_is_refused():
    with pytest.raises(PlanError, match="'\\[arms\\] key' must be one of treatment, control, got 'placebo'"):
        plan_from_dict({"title": "t", "arms": {"placebo": ["x"]}, "survival": {"horizon_days": 1}})


def test_alpha_outside_the_unit_interval_is_refused():
    with pytest.raises(PlanError, match=r"'alpha' in \[inference\] must be between 0 and 1, got 1.5"):
        plan_from_dict({"title": "t", "survival": {"horizon_days": 1}, "inference": {"alpha": 1.5}})


def test_unknown_randomisation_statistic_is_refused():
    with pytest.raises(PlanError, match="'statistics' must be one of logrank, cox_score, rmst, got 'wilcoxon'"):
        plan_from_dict({"title": "t", "survival": {"horizon_days": 1}, "inference": {"statistics": ["wilcoxon"]}})


def test_invalid_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("title = \n", encoding="utf-8")
    with pytest.raises(PlanError, match=f"^{path}: not valid TOML"):
        load_plan(path)


def test_absent_plan_file_names_the_file(tmp_path):
    with pytest.raises(PlanError, match=r"absent.toml: cannot read the plan"):
        load_plan(tmp_path / "absent.toml")


def test_labels_name_variables_and_their_values_for_the_report():
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 1},
                           "labels": {"employed_6m": "En emploi à 6 mois"},
                           "value_labels": {"female": {"0": "Homme", "1": "Femme"}}})
    assert plan.labels == {"employed_6m": "En emploi à 6 mois"}
    assert plan.value_labels == {"female": {"0": "Homme", "1": "Femme"}}


def test_value_labels_must_be_tables_of_strings():
    with pytest.raises(PlanError) as err:
        plan_from_dict({"title": "t", "survival": {"horizon_days": 1}, "value_labels": {"female": {"0": 1}}})
    assert str(err.value) == ("<plan>: [value_labels.female] '0' must be a text or a table of texts per "
                              "language (fr, en), got 1")


@pytest.mark.parametrize("section, key, value, message", [
    ("inference", "permutations", 0, "'permutations' in [inference] must be >= 1, got 0"),
    ("inference", "seed", -1, "'seed' in [inference] must be >= 0, got -1"),
    ("inference", "alpha", 0, "'alpha' in [inference] must be between 0 and 1, got 0.0"),
    ("report", "suppression_threshold", 1,
     "'suppression_threshold' in [report] must be >= 5 (docs/CONTRACT.md section 6), got 1"),
    ("survival", "horizon_days", 10**9, "'horizon_days' in [survival] must be at most 40176 days (the span of "
                                        "[data] date_min..date_max, 1990-01-01..2099-12-31), got 1000000000"),
    ("survival", "horizon_days", 0, "'horizon_days' in [survival] must be positive, got 0"),
    ("survival", "landmarks_days", [0, 90], "'landmarks_days' must be a list of positive whole days, got [0, 90]"),
])
def test_plan_values_out_of_range_are_refused(section, key, value, message):
    raw = {"title": "t", "survival": {"horizon_days": 365}}
    raw.setdefault(section, {})[key] = value
    with pytest.raises(PlanError) as caught:
        plan_from_dict(raw)
    assert str(caught.value) == f"<plan>: {message}"


def test_date_bounds_are_toml_dates_in_order(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text('title = "t"\n[data]\ndate_min = 1985-01-01\n[survival]\nhorizon_days = 365\n', encoding="utf-8")
    plan = load_plan(path)
    assert (plan.data.date_min, plan.data.date_max) == (dt.date(1985, 1, 1), dt.date(2099, 12, 31))
    path.write_text('title = "t"\n[data]\ndate_min = 1985-01-01T10:00:00\n[survival]\nhorizon_days = 1\n',
                    encoding="utf-8")
    with pytest.raises(PlanError, match=r"key 'date_min' in \[data\] must be date, got datetime.datetime\(1985"):
        load_plan(path)
    with pytest.raises(PlanError, match=r"^<plan>: 'date_min' in \[data\] must be before 'date_max', got "
                                        r"2100-01-01 and 2099-12-31$"):
        plan_from_dict({"title": "t", "data": {"date_min": dt.date(2100, 1, 1)}, "survival": {"horizon_days": 1}})


def test_a_plan_that_is_not_utf8_is_refused_with_the_line(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_bytes('title = "AGIR"\n[survival]\n# témoin\nhorizon_days = 365\n'.encode("cp1252"))
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(caught.value) == f"{path}: the plan is not UTF-8 text: byte 0xe9 on line 3 (save the file as UTF-8)"


def test_load_plan_and_plan_from_dict_refuse_wrong_types(plan_file):
    plan = load_plan(plan_file)
    with pytest.raises(EvalexpTypeError, match=r"^load_plan\(\): 'path' must be a path \(str or pathlib.Path\) to a "
                                               r"TOML plan, got Plan$"):
        load_plan(plan)
    with pytest.raises(TypeError, match=r"^plan_from_dict\(\): 'raw' must be a dict \(a parsed TOML plan\), got str$"):
        plan_from_dict(str(plan_file))
