"""Reading notes and figures that follow the plan and the publication (issue 13).

- the power table's reading note and the glossary state the plan's ``[integrity] power`` and
  ``[inference] alpha``, never a fixed 80 %;
- the sites section explains how to read its tables and figure, in French and English;
- the subgroup forest plot is drawn only when a subgroup hazard ratio is published.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalexp.cohort import Cohort
from evalexp.disclosure import Publication
from evalexp.disclosure import results as rules
from evalexp.disclosure.ledger import Ledger
from evalexp.heterogeneity import heterogeneity, simulate_sites
from evalexp.integrity.power import power_for_cohort
from evalexp.load import load_cohort
from evalexp.plan import load_plan, plan_from_dict
from evalexp.report.document import Figure, Paragraph, Table
from evalexp.report.i18n import Formatter, typeset
from evalexp.report.sections import Context, glossary, power, sites, subgroups

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"
N = {"treatment": 75, "control": 75}
EVENTS = {"treatment": 20, "control": 30}


def _ctx(results, plan, language, audience="public", *apply):
    ledger = Ledger({"n": N, "events": EVENTS, **results}, 11)
    for rule in apply:
        rule(ledger)
    pub = Publication(audience, 11, ledger.data, tuple(ledger.decisions), {}, np.array([]), {}, 0.0,
                      pd.DataFrame({"group": [], "arm": [], "time": [], "cif": []}), {}, {})
    plan = plan.in_language(language)
    return Context(pub=pub, plan=plan, fmt=Formatter(language, 11, plan.labels, plan.value_labels))


@pytest.fixture(scope="module")
def plan90():
    """The demo plan with a target power of 90 % and alpha 10 %."""
    plan = load_plan(DEMO_PLAN)
    return dataclasses.replace(plan, integrity=dataclasses.replace(plan.integrity, power=0.9),
                               inference=dataclasses.replace(plan.inference, alpha=0.1))


# --------------------------------------------------------------------------- power and glossary

@pytest.mark.parametrize("language, expected", [
    ("fr", "avait 90 % de chances de détecter avec les ruptures observées, pour un test au seuil de 10 %"),
    ("en", "had a 90% chance of detecting with the ruptures observed, with a test at the 10% level"),
])
def test_power_note_states_the_plans_power_and_alpha(plan90, language, expected):
    block = power_for_cohort(load_cohort(DEMO, plan90), plan90).to_dict()
    assert block["power"] == 0.9 and block["alpha"] == 0.1
    section = power.section(_ctx({"power": block}, plan90, language, "public", rules.power))
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert typeset(expected, language) in table.note
    assert "80" not in table.note


@pytest.mark.parametrize("language, words", [
    ("fr", ("détecté avec une puissance de 90 % (valeur fixée par le plan d'analyse)",
            "un IC à 90 % contiendrait la vraie valeur 90 fois sur 100", "(moins de 10 chances sur 100)")),
    ("en", ("detected with 90% power (the value the analysis plan sets)",
            "a 90% CI would contain the true value 90 times out of 100", "(less than 10 chances in 100)")),
])
def test_glossary_states_the_plans_power_and_alpha(plan90, language, words):
    text = " ".join(row[1] for row in glossary.section(_ctx({}, plan90, language)).blocks[0].rows)
    for word in words:
        assert typeset(word, language) in typeset(text, language)
    assert "80" not in text and "95" not in text


# --------------------------------------------------------------------------- sites

def _sites_ctx(language):
    big, _ = simulate_sites(k=5, n_per_site=120, tau2=0.2, seed=11)
    tiny, _ = simulate_sites(k=1, n_per_site=16, log_hr=-1.0, tau2=0.0, control_risk=0.5, seed=4)
    tiny["site"] = "TINY"
    plan = plan_from_dict({"title": "t", "language": language, "survival": {"horizon_days": 365},
                           "heterogeneity": {"by": "site"}})
    block = heterogeneity(Cohort(pd.concat([big, tiny], ignore_index=True)), plan).to_dict()
    ledger = Ledger({"heterogeneity": block}, 11)
    from evalexp.disclosure import sites as site_rule
    site_rule.heterogeneity(ledger)
    pub = Publication("public", 11, ledger.data, tuple(ledger.decisions), {}, np.array([]), {}, 0.0,
                      pd.DataFrame(), {})
    return Context(pub, plan, Formatter(language, 11))


@pytest.mark.parametrize("language, starts, pooled", [
    ("fr", ("Comment lire ce tableau et la figure : chaque ligne donne le rapport des risques",
            "Comment lire ce tableau : participants et ruptures de chaque site"),
     "regroupés dans « autres sites »"),
    ("en", ("How to read this table and the figure: each row gives a site's hazard ratio",
            "How to read this table: participants and ruptures of each site"),
     "pooled into \"other sites\""),
])
def test_sites_tables_have_a_reading_note_in_both_languages(language, starts, pooled):
    section = sites.section(_sites_ctx(language))
    notes = [b.note for b in section.blocks if isinstance(b, Table) and b.note]
    assert [any(n.startswith(s) for n in notes) for s in starts] == [True, True]
    effects = next(n for n in notes if n.startswith(starts[0]))
    for word in ("τ²", "I²"):
        assert word in effects
    assert ("prédiction" if language == "fr" else "prediction interval") in effects
    counts = next(n for n in notes if n.startswith(starts[1]))
    assert pooled in counts     # the tiny site is pooled in this public report


# --------------------------------------------------------------------------- subgroup forest plot

def _subgroups(hr_published: bool):
    big = {"n": {"treatment": 40, "control": 40}, "events": {"treatment": 15, "control": 20},
           "cox": {"hr": 0.7, "ci_low": 0.4, "ci_high": 1.3, "p_value": 0.2}}
    small = {"n": {"treatment": 35, "control": 35}, "events": {"treatment": 5 if not hr_published else 12,
                                                                "control": 10 if not hr_published else 12},
             "cox": {"hr": 0.5, "ci_low": 0.2, "ci_high": 1.4, "p_value": 0.2}}
    if not hr_published:
        big = {**big, "events": {"treatment": 6, "control": 20}}
    return {"variables": {"female": {"levels": {"0": big, "1": small}, "interaction": {"p_value": 0.4}}}}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_forest_plot_when_every_subgroup_estimate_is_withheld(language):
    plan = load_plan(DEMO_PLAN)
    section = subgroups.section(_ctx({"subgroups": _subgroups(False)}, plan, language, "public", rules.subgroups))
    assert not any(isinstance(b, Figure) for b in section.blocks)
    first = section.blocks[0]
    assert isinstance(first, Paragraph)
    assert first.text == subgroups.TEXTS[language]["withheld"].format(threshold=11)
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert [row[3] for row in table.rows] == ["s", "s"]
    assert table.rows[0][4] != ""       # the interaction test is still published


def test_forest_plot_when_a_subgroup_estimate_is_published():
    plan = load_plan(DEMO_PLAN)
    section = subgroups.section(_ctx({"subgroups": _subgroups(True)}, plan, "en", "public", rules.subgroups))
    assert isinstance(section.blocks[0], Figure)
    assert not any(isinstance(b, Paragraph) and b.text.startswith("No hazard ratio") for b in section.blocks)


def test_evaluator_without_any_estimable_subgroup_says_so():
    plan = load_plan(DEMO_PLAN)
    block = _subgroups(True)
    for level in block["variables"]["female"]["levels"].values():
        level["cox"] = {"hr": None, "ci_low": None, "ci_high": None, "p_value": None}
    section = subgroups.section(_ctx({"subgroups": block}, plan, "en", "evaluator"))
    assert section.blocks[0] == Paragraph(subgroups.TEXTS["en"]["not_estimable"])


def test_subgroup_texts_have_both_languages():
    assert set(subgroups.TEXTS["fr"]) == set(subgroups.TEXTS["en"])


@pytest.mark.parametrize("language, label", [
    ("fr", "Puissance pour détecter l'effet prévu (rapport des risques 0,75)"),
    ("en", "Power to detect the planned effect (hazard ratio 0.75)"),
])
def test_power_table_gives_the_power_to_detect_the_planned_effect(plan90, language, label):
    """[integrity] planned_hazard_ratio = 0.75: the row gives Schoenfeld's power with the published
    ruptures (the summary's verdict uses the same number); without it, no row."""
    from scipy.stats import norm

    plan = dataclasses.replace(plan90, integrity=dataclasses.replace(plan90.integrity, planned_hazard_ratio=0.75))
    block = power_for_cohort(load_cohort(DEMO, plan), plan).to_dict()
    ctx = _ctx({"power": block}, plan, language, "public", rules.power)
    rows = dict(next(b for b in power.section(ctx).blocks if isinstance(b, Table)).rows)
    share = block["n"]["treatment"] / sum(block["n"].values())
    expected = norm.cdf((share * (1 - share) * block["events"]) ** 0.5 * abs(np.log(0.75)) - norm.ppf(1 - 0.1 / 2))
    assert rows[typeset(label, language)] == ctx.fmt.percent(expected, 0)
    without = power.section(_ctx({"power": block}, plan90, language, "public", rules.power))
    assert len(next(b for b in without.blocks if isinstance(b, Table)).rows) == len(rows) - 1
