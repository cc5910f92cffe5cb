"""Reader texts of the plan given per language ({fr = "…", en = "…"}) and the report's language."""
import dataclasses
import tomllib
from pathlib import Path

import pytest

from evalexp.errors import PlanError
from evalexp.plan import default_plan, load_plan, plan_from_dict, text_in

DEMO_PLAN = Path(__file__).resolve().parents[2] / "data" / "synthetic" / "agir_demo.toml"

BILINGUAL = """
title = { fr = "AGIR — rapport", en = "AGIR — report" }
language = "fr"
[survival]
horizon_days = 365
[labels]
age = "Âge"
employed_6m = { fr = "En emploi à 6 mois", en = "Employed at 6 months" }
[value_labels.female]
"0" = { fr = "Homme", en = "Man" }
"1" = "F"
[report]
funder = { fr = "Fonds", en = "Fund" }
lessons = { en = "Only in English." }
"""


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(BILINGUAL, encoding="utf-8")
    return load_plan(path)


def test_a_plan_reads_its_texts_in_its_own_language(plan):
    assert plan.title == "AGIR — rapport"
    assert plan.labels == {"age": "Âge", "employed_6m": "En emploi à 6 mois"}
    assert plan.value_labels == {"female": {"0": "Homme", "1": "F"}}
    assert plan.report.funder == "Fonds"


def test_in_language_takes_each_text_in_that_language(plan):
    english = plan.in_language("en")
    assert english.language == "en"
    assert english.title == "AGIR — report"
    assert english.labels == {"age": "Âge", "employed_6m": "Employed at 6 months"}
    assert english.value_labels == {"female": {"0": "Man", "1": "F"}}
    assert english.report.funder == "Fund"
    assert english.report.lessons == "Only in English."


def test_a_text_missing_in_a_language_falls_back_to_the_plan_language_then_the_first_entry():
    assert text_in({"fr": "Fonds", "en": "Fund"}, "en", "fr") == "Fund"
    assert text_in({"fr": "Fonds"}, "en", "fr") == "Fonds"
    assert text_in({"en": "Fund"}, "fr", "fr") == "Fund"
    assert text_in("Fonds", "en", "fr") == "Fonds"


def test_back_and_forth_between_languages_gives_the_same_plan(plan):
    assert plan.in_language("en").in_language("fr") == plan


def test_a_replaced_language_is_resolved_by_in_language(plan):
    """build_report resolves ``plan.in_language(plan.language)``: a plan whose language was
    replaced in code gets that language's texts."""
    replaced = dataclasses.replace(plan, language="en")
    assert replaced.labels["employed_6m"] == "En emploi à 6 mois"
    assert replaced.in_language(replaced.language).labels["employed_6m"] == "Employed at 6 months"


def test_a_plan_built_in_code_only_changes_its_language():
    plan = default_plan()
    assert plan.in_language("en") == dataclasses.replace(plan, language="en")


def test_an_unknown_language_is_refused(plan):
    with pytest.raises(PlanError) as err:
        plan.in_language("de")
    assert str(err.value).endswith("'language' must be one of fr, en, got 'de'")


@pytest.mark.parametrize("raw, message", [
    ({"title": {"de": "Titel"}},
     "'title' must be a text or a table of texts per language (fr, en), got {'de': 'Titel'}"),
    ({"labels": {"age": {"fr": 1}}},
     "[labels] 'age' must be a text or a table of texts per language (fr, en), got {'fr': 1}"),
    ({"report": {"lessons": {}}},
     "'lessons' in [report] must be a text or a table of texts per language (fr, en), got {}"),
])
def test_malformed_texts_are_refused_word_for_word(raw, message):
    base = {"title": "t", "survival": {"horizon_days": 1}}
    with pytest.raises(PlanError) as err:
        plan_from_dict({**base, **raw})
    assert str(err.value) == f"<plan>: {message}"


def test_the_demo_plan_gives_english_labels():
    plan = load_plan(DEMO_PLAN)
    raw = tomllib.loads(DEMO_PLAN.read_text(encoding="utf-8"))
    english = plan.in_language("en")
    for column, text in raw["labels"].items():
        assert isinstance(text, dict) and set(text) == {"fr", "en"}
        assert english.labels[column] == text["en"] and plan.labels[column] == text["fr"]


def test_a_text_changed_in_code_is_kept_in_every_language(plan):
    changed = dataclasses.replace(plan, report=dataclasses.replace(plan.report, lessons="Généraliser avec prudence."),
                                  labels={**plan.labels, "employed_6m": "Emploi (6 mois)", "new": "Nouveau"})
    english = changed.in_language("en")
    assert english.report.lessons == "Généraliser avec prudence."
    assert english.labels == {"age": "Âge", "employed_6m": "Emploi (6 mois)", "new": "Nouveau"}
    assert english.report.funder == "Fund" and english.title == "AGIR — report"
