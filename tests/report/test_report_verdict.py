"""The summary's verdict (issue 13): the pre-specified primary analysis stated first, in words whose
sign agrees with the interval, with a verdict that follows the evidence (significant, inconclusive,
underpowered); the cost per rupture avoided; the sections the plan's texts ask for; no placeholder
in a public report.

The trials are hand-written ``results.json`` pieces run through the disclosure rules
(:mod:`evalexp.disclosure.results`), as in ``test_report_compose_disclosure.py``.
"""
import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalexp.cost import cost_effectiveness
from evalexp.disclosure import Publication
from evalexp.disclosure import results as rules
from evalexp.disclosure.ledger import Ledger
from evalexp.errors import PlanError
from evalexp.plan import load_plan, plan_from_dict
from evalexp.report.document import Paragraph, Table
from evalexp.report.i18n import Formatter
from evalexp.report.sections import Context, glossary, intervention, lessons, recommendations, sensitivity
from evalexp.report.sections.summary import planned_power, points_difference, points_interval
from evalexp.report.sections.summary import section as summary_section

ROOT = Path(__file__).resolve().parents[2]
N = {"treatment": 500, "control": 500}


def _results(hr, p, events, rd=(-0.11, -0.20, -0.02), risks=(0.18, 0.29), cost=850):
    """A two-arm trial's results: unadjusted Cox primary, the risk difference at day 365 and the
    power block for ``events`` ruptures."""
    difference, low, high = rd
    out = {
        "n": N, "events": {"treatment": events // 2, "control": events - events // 2}, "primary": "cox_unadjusted",
        "survival": {
            "cox": {"unadjusted": {"hr": hr, "ci_low": hr * 0.8, "ci_high": hr * 1.25, "p_value": p}},
            "logrank": {"statistic": 1.0, "p_value": p},
            "risk_difference": {"day": 365, "treatment": risks[0], "control": risks[1], "difference": difference,
                                "ci_low": low, "ci_high": high, "p_value": p}},
        "power": {"alpha": 0.05, "power": 0.8, "n": N, "events": events,
                  "hazard_ratio": {"method": "schoenfeld", "events": events, "minimum_detectable": 0.7},
                  "risk_difference": {"method": "arcsine", "day": 365, "control_rate": risks[1],
                                      "treatment_rate": risks[1] - 0.12, "minimum_detectable": -0.12}},
    }
    if cost is not None:
        out["cost_effectiveness"] = cost_effectiveness(cost, "EUR", 365, difference, low, high).to_dict()
    return out


def _plan(language="en", planned=0.75, **report):
    plan = load_plan(ROOT / "data" / "synthetic" / "agir_demo.toml").in_language(language)
    return dataclasses.replace(
        plan, survival=dataclasses.replace(plan.survival, primary="cox_unadjusted"),
        integrity=dataclasses.replace(plan.integrity, planned_hazard_ratio=planned),
        report=dataclasses.replace(plan.report, **report))


def _ctx(results, plan, audience="public", *apply):
    ledger = Ledger(results, 11)
    for rule in apply:
        rule(ledger)
    if audience == "public":
        rules.arm_counts(ledger)
        rules.power(ledger)
        rules.cost_effectiveness(ledger)
    pub = Publication(audience, 11, ledger.data, tuple(ledger.decisions), {}, np.array([]), {}, 0.0,
                      pd.DataFrame({"group": [], "arm": [], "time": [], "cif": []}), {}, {})
    return Context(pub=pub, plan=plan, fmt=Formatter(plan.language, 11, plan.labels, plan.value_labels))


def _texts(section):
    return [" ".join(b.text.split()) for b in section.blocks if isinstance(b, Paragraph)]


# ----------------------------------------------------------------------------- words of a difference

@pytest.mark.parametrize("language, rd, difference, interval", [
    ("en", (-0.11, -0.20, -0.02), "11.0 points fewer", "2.0 to 20.0 points fewer"),
    ("fr", (-0.11, -0.20, -0.02), "11,0 points de moins", "2,0 à 20,0 points de moins"),
    ("en", (-0.13, -0.276, 0.016), "13.0 points fewer", "between 27.6 points fewer and 1.6 points more"),
    ("fr", (-0.13, -0.276, 0.016), "13,0 points de moins", "de 27,6 points de moins à 1,6 point de plus"),
    ("en", (0.05, 0.01, 0.09), "5.0 points more", "1.0 to 9.0 points more"),
    ("fr", (0.05, -0.01, 0.11), "5,0 points de plus", "de 1,0 point de moins à 11,0 points de plus"),
])
def test_a_difference_and_its_interval_are_written_with_agreeing_signs(language, rd, difference, interval):
    fmt = Formatter(language)
    assert points_difference(fmt, rd[0]) == difference
    assert points_interval(fmt, rd[1], rd[2]) == interval


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_interval_in_words_contradicts_its_bounds(language):
    """Every interval of a sweep: "fewer/less" words only for bounds at or below 0, "more" for bounds at or above."""
    fmt = Formatter(language)
    fewer, more = ("de moins", "de plus") if language == "fr" else ("fewer", "more")
    rng = np.random.default_rng(13)
    for low, high in np.sort(rng.uniform(-0.4, 0.4, size=(500, 2)), axis=1):
        text = points_interval(fmt, low, high)
        lo, hi = round(100 * low, 1), round(100 * high, 1)
        assert (fewer in text) == (lo < 0) or (lo == 0 and hi <= 0)
        assert (more in text) == (hi > 0) or (hi == 0 and lo >= 0) or (lo >= 0)


# ----------------------------------------------------------------------------- the verdict

def test_significant_trial_states_the_primary_result_first_and_no_detectable_effect_sentence():
    texts = _texts(summary_section(_ctx(_results(hr=0.6, p=0.004, events=120), _plan())))
    assert texts[1] == ("At 12 months, 18.0% of the supported young people had broken their contract against 29.0% "
                        "in the control group: 11.0 points fewer (95% CI: 2.0 to 20.0 points fewer).")
    assert texts[2] == ("Primary analysis, fixed before the analysis: the unadjusted Cox model, hazard ratio of "
                        "rupture 0.60 (95% CI: [0.48, 0.75]; p = 0.004).")
    assert texts[3].startswith("Verdict: the support reduced contract ruptures; this result is statistically "
                               "significant at the 5% level.")
    assert not any("could only detect" in t or "power" in t for t in texts)


def test_significant_in_french_too():
    texts = _texts(summary_section(_ctx(_results(hr=0.6, p=0.004, events=120), _plan("fr"))))
    assert texts[1] == ("À 12 mois, 18,0 % des jeunes accompagnés avaient rompu leur contrat contre 29,0 % dans le "
                        "groupe témoin : 11,0 points de moins (IC à 95 % : 2,0 à 20,0 points de moins).")
    assert texts[3].startswith("Verdict : l'accompagnement a réduit les ruptures de contrat")
    assert not any("ne pouvait détecter" in t for t in texts)


def test_a_significant_harm_is_called_a_harm():
    texts = _texts(summary_section(_ctx(_results(hr=1.6, p=0.01, events=120, rd=(0.1, 0.02, 0.18),
                                                 risks=(0.39, 0.29)), _plan())))
    assert texts[1].endswith("10.0 points more (95% CI: 2.0 to 18.0 points more).")
    assert texts[3].startswith("Verdict: ruptures were more frequent among the supported young people")


def test_null_result_of_a_well_powered_trial_is_inconclusive_without_a_detectable_effect_sentence():
    """400 ruptures, 1:1: the power to detect the planned HR 0.75 is 82 % (>= 80 %)."""
    ctx = _ctx(_results(hr=0.97, p=0.76, events=400, rd=(-0.005, -0.07, 0.06)), _plan())
    texts = _texts(summary_section(ctx))
    assert texts[1].endswith("0.5 points fewer (95% CI: between 7.0 points fewer and 6.0 points more).")
    assert texts[3] == ("Verdict: no effect shown. The result is not statistically significant at the 5% level, "
                        "although the trial had 82% power to detect the planned effect (hazard ratio 0.75): an "
                        "effect that large is hardly compatible with the data.")
    assert not any("could only detect" in t for t in texts)


def test_null_result_of_an_underpowered_trial_says_so_and_what_it_could_have_detected():
    """60 ruptures: 20 % power for HR 0.75; the minimum-detectable-effect sentence follows."""
    texts = _texts(summary_section(_ctx(_results(hr=0.8, p=0.4, events=60, rd=(-0.05, -0.15, 0.05)), _plan())))
    assert texts[3] == ("Verdict: no conclusion can be drawn. The result is not statistically significant at the 5% "
                        "level, but the trial had only 20% power to detect the planned effect (hazard ratio 0.75): "
                        "it is too small to establish or rule out an effect that large.")
    assert texts[4].startswith("With 60 observed ruptures, the study could only detect")
    assert "0.70" in texts[4] and "12.0 points" in texts[4]


def test_without_a_planned_effect_a_null_result_is_not_significant_and_says_what_could_be_detected():
    texts = _texts(summary_section(_ctx(_results(hr=0.8, p=0.4, events=60, rd=(-0.05, -0.15, 0.05)),
                                        _plan(planned=None))))
    assert texts[3] == "Verdict: no effect shown; the result is not statistically significant at the 5% level."
    assert texts[4].startswith("With 60 observed ruptures, the study could only detect")


def test_planned_power_matches_schoenfeld_required_events():
    """Schoenfeld (1981), 1:1, alpha 5 %, HR 0.75: 80 % power needs 4 (1.96 + 0.8416)^2 / log(0.75)^2 =
    379.5 ruptures (R gsDesign::nEvents(hr = 0.75) gives 379.5)."""
    for events, above in ((379, False), (380, True)):
        power = planned_power(_ctx(_results(hr=0.9, p=0.5, events=events), _plan()))
        assert abs(power - 0.8) < 0.002 and (power >= 0.8) == above


def test_a_withheld_primary_result_is_said_to_be_withheld():
    """An arm below the threshold: the survival rule withholds the hazard ratio (small_group)."""
    def small(ledger):
        ledger.hide(("survival", "cox", "unadjusted"), "small_group")
        ledger.hide(("survival", "risk_difference"), "small_group")
    texts = _texts(summary_section(_ctx(_results(hr=0.6, p=0.004, events=120), _plan(), "public", small)))
    assert any(t.startswith("Primary analysis, fixed before the analysis: the unadjusted Cox model; its result is "
                            "not published") for t in texts)
    assert not any(t.startswith("Verdict") for t in texts)


def test_employment_result_follows_with_multiplicity_noted():
    results = _results(hr=0.6, p=0.004, events=120)
    out = {"treatment": 0.62, "control": 0.5, "difference": 0.12, "ci_low": 0.02, "ci_high": 0.22, "p_value": 0.02,
           "p_adjusted": 0.06, "multiplicity": "holm", "n_observed": N}
    results["binary_outcomes"] = {"employed_12m": out, "qualification": {**out, "p_adjusted": 0.04}}
    ctx = _ctx(results, _plan(), audience="evaluator")
    texts = _texts(summary_section(ctx))
    employed = ctx.fmt.var("employed_12m")
    line = next(t for t in texts if t.startswith(employed))
    assert line == (f"{employed}: 62.0% among the supported against 50.0% in the control group, 12.0 points more "
                    "(95% CI: 2.0 to 22.0 points more); the difference is not statistically significant (p = 0.060, "
                    "corrected (holm) for 2 outcomes compared): no effect shown.")
    assert any("the difference is statistically significant (p = 0.040" in t for t in texts)


# ----------------------------------------------------------------------------- cost per rupture avoided

def test_cost_per_rupture_avoided_numbers():
    r = cost_effectiveness(850, "EUR", 365, -0.11, -0.20, -0.02)
    assert math.isclose(r.ruptures_avoided_per_100, 11.0)
    assert math.isclose(r.estimate, 850 / 0.11) and math.isclose(r.ci_low, 4250) and math.isclose(r.ci_high, 42500)
    assert r.to_dict() == {"cost_per_participant": 850, "currency": "EUR", "horizon_days": 365,
                           "ruptures_avoided_per_100": pytest.approx(11.0),
                           "cost_per_rupture_avoided": {"estimate": pytest.approx(7727.2727), "ci_low": 4250.0,
                                                        "ci_high": 42500.0}}
    assert list(r.tidy().columns) == ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"]
    crossing = cost_effectiveness(850, "EUR", 365, -0.13, -0.276, 0.016)
    assert crossing.ci_high is None and math.isclose(crossing.ci_low, 850 / 0.276)
    harm = cost_effectiveness(850, "EUR", 365, 0.05, -0.01, 0.11)
    assert harm.estimate is None and harm.ci_high is None and math.isclose(harm.ci_low, 85000)
    assert math.isclose(harm.ruptures_avoided_per_100, -5.0)


def test_summary_states_the_cost_per_rupture_avoided():
    texts = _texts(summary_section(_ctx(_results(hr=0.6, p=0.004, events=120), _plan())))
    assert texts[-1] == ("Cost per rupture avoided: 7,727 EUR (95% CI: 4,250 EUR – 42,500 EUR), for a support costing "
                         "850 EUR per young person; 11.0 ruptures avoided per 100 young people supported at 12 months.")
    open_ci = _texts(summary_section(_ctx(_results(hr=0.6, p=0.004, events=120, rd=(-0.13, -0.276, 0.016)), _plan())))
    assert "at least 3,080 EUR, with no upper bound" in open_ci[-1]
    none = _texts(summary_section(_ctx(_results(hr=1.6, p=0.01, events=120, rd=(0.1, 0.02, 0.18)), _plan())))
    assert none[-1].startswith("Cost per rupture avoided: not defined")
    results = _results(hr=0.6, p=0.004, events=120)
    results["survival"]["risk_difference"]["difference"] = None
    assert _texts(summary_section(_ctx(results, _plan())))[-1].startswith("Cost per rupture avoided: not published")
    assert not any(t.startswith("Cost") for t in _texts(summary_section(
        _ctx(_results(hr=0.6, p=0.004, events=120, cost=None), _plan()))))


@pytest.mark.parametrize("key, value, message", [
    ("cost_per_participant", 0, "<plan>: 'cost_per_participant' in [report] must be > 0, got 0"),
    ("cost_per_participant", "850", "<plan>: key 'cost_per_participant' in [report] must be float or int, got '850'"),
])
def test_cost_per_participant_is_checked(key, value, message):
    with pytest.raises(PlanError) as err:
        plan_from_dict({"title": "t", "survival": {"horizon_days": 1}, "report": {key: value}})
    assert str(err.value) == message


def test_planned_hazard_ratio_is_checked():
    with pytest.raises(PlanError) as err:
        plan_from_dict({"title": "t", "survival": {"horizon_days": 1}, "integrity": {"planned_hazard_ratio": 1}})
    assert str(err.value) == "<plan>: 'planned_hazard_ratio' in [integrity] must be > 0 and different from 1, got 1"


def test_new_report_texts_load_per_language():
    plan = plan_from_dict({"title": "t", "language": "fr", "survival": {"horizon_days": 1},
                           "report": {"intervention": {"fr": "Un suivi.", "en": "A follow-up."}, "period": "2024",
                                      "recommendations": "Généraliser.", "cost_per_participant": 850}})
    assert (plan.report.intervention, plan.report.period, plan.report.currency) == ("Un suivi.", "2024", "EUR")
    assert plan.in_language("en").report.intervention == "A follow-up."


# ----------------------------------------------------------------------------- sections from the plan's texts

@pytest.mark.parametrize("module, key", [(intervention, "intervention"), (recommendations, "recommendations"),
                                         (lessons, "lessons")])
def test_a_text_section_is_present_with_its_text_and_absent_without(module, key):
    results = _results(hr=0.6, p=0.004, events=120)
    assert module.section(_ctx(results, _plan(**{key: ""}))) is None
    missing = module.section(_ctx(results, _plan(**{key: ""}), audience="evaluator"))
    assert [b.kind for b in missing.blocks] == ["placeholder"]
    assert missing.blocks[0].text.startswith(f"Missing text: the analysis plan gives no [report] {key}.")
    given = module.section(_ctx(results, _plan(**{key: "First.\n\nSecond."})))
    assert _texts(given)[:2] == ["First.", "Second."]


def test_the_intervention_gives_its_period_and_follow_up():
    results = _results(hr=0.6, p=0.004, events=120)
    results["data_quality"] = {"median_followup_days": {"treatment": 330.0, "control": None}}
    texts = _texts(intervention.section(_ctx(results, _plan(intervention="Support.", period="2023-2025"),
                                             audience="evaluator")))
    assert texts == ["Support.", "Period: 2023-2025.",
                     "Each contract is followed for 365 days (about 12 months) after it starts; median follow-up: "
                     "330 days among the supported, not reached among the controls."]


def test_glossary_and_sensitivity_sections():
    ctx = _ctx(_results(hr=0.6, p=0.004, events=120), _plan("fr"))
    terms = [row[0] for row in glossary.section(ctx).blocks[0].rows]
    assert {"Rapport des risques (HR)", "Intervalle de confiance (IC)", "RMST", "Risques concurrents",
            "Intention de traiter (ITT)", "Secret statistique"} <= set(terms)
    assert "« <11 »" in " ".join(row[1] for row in glossary.section(ctx).blocks[0].rows)
    section = sensitivity.section(ctx)
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert [row[1] for row in table.rows] == ["0,60", "−11,0"]
    assert table.note.startswith("Comment lire ce tableau")
    assert _texts(section) == ["Lecture : les 2 estimations publiées de l'effet sur les ruptures vont toutes dans "
                               "le même sens que l'analyse principale ; le résultat ne dépend pas du choix de la "
                               "méthode."]


@pytest.mark.parametrize("rating, reading", [
    ("low", "1 characteristic(s) differ by more than 0.25 standard deviation between the groups. Attrition being "
            "low, the lottery makes the groups comparable on average"),
    ("high", "1 characteristic(s) differ by more than 0.25 standard deviation between the analysed groups. "
             "Attrition not being low, equivalence of the groups is not established"),
])
def test_a_large_baseline_difference_is_not_called_a_failure(monkeypatch, rating, reading):
    """WWC: under low attrition a randomised trial needs no baseline equivalence; the gap is chance."""
    from matplotlib.figure import Figure as MplFigure

    import evalexp.report.figures as figures
    from evalexp.report.sections import balance
    monkeypatch.setattr(figures, "love_plot", lambda frame, fmt: MplFigure())
    results = _results(hr=0.6, p=0.004, events=120)
    results["balance"] = {"covariates": [{"covariate": "age", "level": None, "kind": "continuous", "rating": "fails",
                                          "std_difference": 0.3, "treatment": {"mean": 22.0, "n": 500},
                                          "control": {"mean": 21.0, "n": 500}}]}
    results["attrition"] = {"boundary": "cautious", "outcomes": {"y": {"kind": "binary", "rating": rating}}}
    section = balance.section(_ctx(results, _plan(), "evaluator"))
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert table.rows[0][-1] == "large difference"
    assert any(t.startswith(reading) for t in _texts(section))
    assert Formatter("fr").label("fails") == "écart important"


def test_methods_explain_the_cost_per_rupture_avoided_when_it_is_computed():
    from evalexp.report.sections import methods
    with_cost = _texts(methods.section(_ctx(_results(hr=0.6, p=0.004, events=120), _plan())))
    prefix = "Cost per rupture avoided: the support's cost per young person divided by"
    assert any(t.startswith(prefix) for t in with_cost)
    without = _texts(methods.section(_ctx(_results(hr=0.6, p=0.004, events=120, cost=None), _plan())))
    assert not any(t.startswith("Cost per rupture avoided") for t in without)


def test_french_point_is_singular_below_two_and_english_only_at_one():
    fr, en = Formatter("fr", 11), Formatter("en", 11)
    assert points_difference(fr, -0.016) == "1,6 point de moins"
    assert points_difference(fr, 0.02) == "2,0 points de plus"
    assert points_difference(en, 0.01, digits=0) == "1 point more"
    assert points_difference(en, -0.016) == "1.6 points fewer"
