"""Disclosure rules of the report sections: nothing hidden in one place can be read back from another.

Each test runs the disclosure rules (:mod:`evalexp.disclosure.results`) on a hand-written piece of
``results.json`` (CONTRACT.md section 4 and the integrity blocks), composes the section from the
publication, and reads the formatted table cells.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalexp.disclosure import Publication
from evalexp.disclosure import results as rules
from evalexp.disclosure.ledger import Ledger
from evalexp.plan import load_plan
from evalexp.report.document import Figure, Paragraph, Table
from evalexp.report.i18n import Formatter
from evalexp.report.sections import Context
from evalexp.report.sections.attrition import section as attrition_section
from evalexp.report.sections.balance import section as balance_section
from evalexp.report.sections.compliance import section as compliance_section
from evalexp.report.sections.experiment import section as experiment_section
from evalexp.report.sections.fidelity import section as fidelity_section
from evalexp.report.sections.outcomes import section as outcomes_section
from evalexp.report.sections.subgroups import section as subgroups_section

ROOT = Path(__file__).resolve().parents[2]
N = {"treatment": 75, "control": 75}
EVENTS = {"treatment": 20, "control": 30}


def _ctx(results, *apply):
    """The context of a section composed from ``results`` after the rules ``apply`` (each called
    with the ledger) have run."""
    ledger = Ledger({"n": N, "events": EVENTS, **results}, 11)
    for rule in apply:
        rule(ledger)
    pub = Publication("public", 11, ledger.data, tuple(ledger.decisions), {}, np.array([]), {}, 0.0,
                      pd.DataFrame({"group": [], "arm": [], "time": [], "cif": []}), {}, {})
    plan = load_plan(ROOT / "data" / "synthetic" / "agir_demo.toml")
    return Context(pub=pub, plan=plan, fmt=Formatter("en", 11, plan.labels, plan.value_labels))


def _rows(section):
    tables = [b for b in section.blocks if isinstance(b, Table)]
    return {row[0]: row[1:] for table in tables for row in table.rows}


def _outcome(n_observed, treatment=0.6, control=0.55):
    return {"treatment": treatment, "control": control, "difference": treatment - control, "se": 0.08,
            "ci_low": -0.1, "ci_high": 0.2, "p_value": 0.5, "p_adjusted": 0.5, "n_observed": n_observed}


def _outcomes(ledger):
    rules.binary_outcomes(ledger)


def test_share_is_rounded_when_its_denominator_is_hidden():
    """65 of 75 observed: 10 missing, so 65 is hidden (and 40 with it, the annex publishing the total
    missing); 44/65 = 67.7 % would give 65 back, so the shares are published in whole percent."""
    section = outcomes_section(_ctx({"binary_outcomes": {"y": _outcome({"treatment": 40, "control": 65},
                                                                       control=44 / 65)}}, _outcomes))
    treatment, control, difference, *_ = _rows(section)["y"]
    assert (treatment, control) == ("60% (N s)", "68% (N s)")
    assert difference == "−8 [−10, 20]"  # whole points: 0.1 point would pin 65 and 40 down
    assert any(isinstance(b, Paragraph) and "rounded to the whole percentage point" in b.text for b in section.blocks)


def test_outcome_with_every_count_publishable_is_shown_with_its_figure():
    section = outcomes_section(_ctx({"binary_outcomes": {"y": _outcome({"treatment": 50, "control": 52})}},
                                    _outcomes))
    treatment, control, difference, *_ = _rows(section)["y"]
    assert treatment == "60.0% (N 50)" and control == "55.0% (N 52)"
    assert difference.startswith("+5.0")
    assert any(isinstance(block, Figure) for block in section.blocks)


def test_missing_counts_published_in_total_protect_each_other():
    """Missing 14 and 10: the annex publishes 24 missing, so 14 (hence 61 observed) is hidden too."""
    section = outcomes_section(_ctx({"binary_outcomes": {"y": _outcome({"treatment": 61, "control": 65})}},
                                    _outcomes))
    treatment, control, *_ = _rows(section)["y"]
    assert treatment == "60% (N s)" and control == "55% (N s)"


def test_outcome_with_a_small_cell_is_withheld_whole():
    """7 of 50 employed in the treatment arm: no share, no difference, no p."""
    ctx = _ctx({"binary_outcomes": {"y": _outcome({"treatment": 50, "control": 52}, treatment=7 / 50)}}, _outcomes)
    treatment, _control, difference, p, _ = _rows(outcomes_section(ctx))["y"]
    assert (treatment, difference, p) == ("s (N 50)", "s", "–")
    assert ctx.results["binary_outcomes"]["y"]["p_value"] is None


def _compliance(take_up):
    est = {"estimate": -0.13, "ci_low": -0.27, "ci_high": 0.01, "p_value": 0.08}
    cace = {"estimate": -0.15, "ci_low": -0.32, "ci_high": 0.02, "p_value": 0.085}
    return {"first_stage": {"treatment": take_up / 75, "control": 0.0, "estimate": take_up / 75,
                            "n": N},
            "binary_outcomes": {}, "rupture_risk": {"day": 365, "itt": est, "cace": cace}}


def test_cace_is_hidden_with_the_take_up_it_reveals():
    """ITT / CACE = first stage = 65/75 would give back the 10 non-recipients."""
    survival = {"survival": {"risk_difference": {"difference": -0.13}}}
    rows = _rows(compliance_section(_ctx({"compliance": _compliance(65), **survival},
                                         lambda led: rules.compliance(led, {}))))
    itt, cace = (next(v for k, v in rows.items() if k.startswith(prefix)) for prefix in ("Effect of", "Effect on"))
    assert itt[0] == "−13.0" and cace == ("s", "s", "–")
    rows = _rows(compliance_section(_ctx({"compliance": _compliance(50), **survival},
                                         lambda led: rules.compliance(led, {}))))
    cace = next(v for k, v in rows.items() if k.startswith("Effect on"))
    assert cace[0] == "−15.0"  # 50 and 25 both publishable; no take-up in control is structural


def _meeting(due, held):
    return {"label": "m", "due": due, "held": held, "on_time": held, "share_held": held / due,
            "share_on_time": held / due}


def test_meeting_due_to_every_recipient_is_hidden_with_the_non_recipients():
    """65 recipients of 75 (10 did not receive the support): the first meeting's 65 due are hidden."""
    fidelity = {"n": 65, "meetings": {"m1": _meeting(65, 40), "m2": _meeting(58, 40)},
                "all_on_time": {"due": 47, "on_time": 29, "share": 29 / 47},
                "ruptures_by_meetings": {"rows": [{"meetings_held": k, "n": n, "ruptures": r, "share": r / n}
                                                  for k, n, r in ((1, 20, 5), (2, 20, 6), (3, 25, 2))]}}
    consort = {"horizon_days": 365, "assigned": N, "lost_to_followup": {"treatment": 20, "control": 20},
               "censored_at_extraction": {"treatment": 20, "control": 20}, "analysed": {"rupture": N},
               "support": {"received": {"treatment": 65, "control": 0},
                           "not_received": {"treatment": 10, "control": 75},
                           "unknown": {"treatment": 0, "control": 0}}}
    ctx = _ctx({"fidelity": fidelity, "consort": consort}, lambda led: rules.consort(led, {}), rules.fidelity)
    table, by_meetings = [b for b in fidelity_section(ctx).blocks if isinstance(b, Table)]
    first, second = table.rows[0], table.rows[1]
    assert first[1:] == ("s", "s", "s", "s", "s")
    assert second[1:3] == ("58", "40")
    # 20 + 20 + 25 = 65 recipients, 75 - 65 = 10 non-recipients: the smallest group is hidden
    assert [row[1] for row in by_meetings.rows] == ["s", "20", "25"]
    assert ctx.results["fidelity"]["n"] is None


def test_standardised_difference_is_withheld_when_a_share_is_hidden():
    row = {"covariate": "female", "level": None, "kind": "binary", "rating": "satisfies",
           "std_difference": 0.073}
    balance = {"covariates": [{**row, "treatment": {"mean": 9 / 75, "n": 75}, "control": {"mean": 7 / 75, "n": 75}},
                              {**row, "covariate": "qpv", "treatment": {"mean": 0.4, "n": 75},
                               "control": {"mean": 0.42, "n": 75}}]}
    rows = _rows(balance_section(_ctx({"balance": balance}, rules.balance)))
    labels = list(rows)
    assert rows[labels[0]][:3] == ("<11", "<11", "s")
    assert rows[labels[1]][2] == "0.073"


@pytest.mark.parametrize("lost, expected", [((5, 40), ("<11", "s")), ((30, 40), ("30", "40"))])
def test_consort_diagram_hides_what_its_table_hides(monkeypatch, lost, expected):
    import evalexp.report.figures as figures

    seen = {}

    def fake_consort(total, flow, fmt, *, horizon):
        seen.update({arm: flow[arm]["lost"] for arm in ("treatment", "control")})
        from matplotlib.figure import Figure as MplFigure
        return MplFigure()

    monkeypatch.setattr(figures, "consort_figure", fake_consort)
    consort = {"horizon_days": 365, "assigned": N, "support": None,
               "lost_to_followup": dict(zip(("treatment", "control"), lost)),
               "censored_at_extraction": {"treatment": 20, "control": 20},
               "analysed": {"rupture": N}}
    rows = _rows(experiment_section(_ctx({"consort": consort}, lambda led: rules.consort(led, {}))))
    assert (seen["treatment"], seen["control"]) == expected
    assert next(v for k, v in rows.items() if k.startswith("Follow-up ended")) == expected


def test_attrition_rates_protect_each_other_against_the_published_total():
    """14 and 10 missing of 75: the annex publishes 24 missing, so 14/75 = 18.7 % is hidden too, and
    the overall and differential rates, which give the counts back."""
    entry = {"kind": "binary", "n": N, "attrited": {"treatment": 14, "control": 10},
             "rate": {"treatment": 14 / 75, "control": 10 / 75}, "overall": 24 / 150, "differential": 4 / 75,
             "rating": "low", "lee_bounds": {"lower": -0.03, "upper": 0.03, "trim_share": 0.06}}
    attrition = {"boundary": "cautious", "outcomes": {"y": entry}}
    ctx = _ctx({"attrition": attrition}, rules.attrition)
    rows = _rows(attrition_section(ctx))
    assert rows["y"][:4] == ("s", "s", "s", "s")
    assert rows["y"][5] == "s"      # Lee bounds: their width gives the trimmed share back
    assert rows["y"][4] == "low"    # the WWC rating (a category) is published


def test_subgroup_ruptures_are_hidden_when_few_contracts_are_left_unbroken(monkeypatch):
    """20 contracts, 12 ruptures: 12 and 20 would give 8 unbroken; 12 is hidden, and its row partner too."""
    from matplotlib.figure import Figure as MplFigure

    import evalexp.report.figures as figures

    monkeypatch.setattr(figures, "forest_plot", lambda forest, fmt: MplFigure())
    level = {"n": {"treatment": 20, "control": 55}, "events": {"treatment": 12, "control": 20},
             "cox": {"hr": 0.8, "ci_low": 0.4, "ci_high": 1.6}}
    other = {"n": {"treatment": 55, "control": 20}, "events": {"treatment": 15, "control": 11},
             "cox": {"hr": 0.8, "ci_low": 0.4, "ci_high": 1.6}}
    block = {"variables": {"female": {"levels": {"0": level, "1": other}, "interaction": {"p_value": 0.5}}}}
    ctx = _ctx({"subgroups": block}, rules.subgroups)
    table = next(b for b in subgroups_section(ctx).blocks if isinstance(b, Table))
    assert [row[1:3] for row in table.rows] == [("20 / s", "55 / s"), ("55 / s", "20 / s")]
    assert [row[3] for row in table.rows] == ["s", "s"]   # no hazard ratio from a level with hidden cells
