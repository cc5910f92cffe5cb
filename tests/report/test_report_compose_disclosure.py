"""Disclosure rules of the report sections: nothing hidden in one place can be read back from another.

Each test feeds a section a hand-written piece of ``results.json`` (CONTRACT.md section 4 and the
integrity blocks) and reads the formatted table cells.
"""
from pathlib import Path

import pytest

from evalexp.plan import load_plan
from evalexp.report.compose import (Context, balance_section, compliance_section, experiment_section,
                                    fidelity_section, outcomes_section, subgroups_section)
from evalexp.report.document import Table
from evalexp.report.i18n import Formatter

ROOT = Path(__file__).resolve().parents[2]
N = {"treatment": 75, "control": 75}


def _ctx(results):
    plan = load_plan(ROOT / "data" / "synthetic" / "agir_demo.toml")
    fmt = Formatter("en", 11, plan.labels, plan.value_labels)
    return Context(analysis=None, results={"n": N, **results}, cohort=None, plan=plan, fmt=fmt)


def _rows(section):
    tables = [b for b in section.blocks if isinstance(b, Table)]
    return {row[0]: row[1:] for table in tables for row in table.rows}


def _outcome(n_observed, treatment=0.6, control=0.55):
    return {"treatment": treatment, "control": control, "difference": treatment - control, "se": 0.08,
            "ci_low": -0.1, "ci_high": 0.2, "p_value": 0.5, "p_adjusted": 0.5, "n_observed": n_observed}


def test_share_is_hidden_when_its_denominator_is():
    """65 of 75 observed: 10 missing, so 65 is hidden, and 44/65 = 67.7 % would give 65 back."""
    section = outcomes_section(_ctx({"binary_outcomes": {"y": _outcome({"treatment": 40, "control": 65},
                                                                       control=44 / 65)}}))
    treatment, control, difference, *_ = _rows(section)["y"]
    assert control == "s (N s)"
    assert difference == "s"
    assert not any(block.__class__.__name__ == "Figure" for block in section.blocks)


def test_outcome_with_every_count_publishable_is_shown_with_its_figure():
    section = outcomes_section(_ctx({"binary_outcomes": {"y": _outcome({"treatment": 50, "control": 52})}}))
    treatment, control, difference, *_ = _rows(section)["y"]
    assert treatment == "60.0% (N 50)" and control == "55.0% (N 52)"
    assert difference.startswith("+5.0")
    assert any(block.__class__.__name__ == "Figure" for block in section.blocks)


def test_missing_counts_published_in_total_protect_each_other():
    """Missing 14 and 10: the annex publishes 24 missing, so 14 (hence 61 observed) is hidden too."""
    section = outcomes_section(_ctx({"binary_outcomes": {"y": _outcome({"treatment": 61, "control": 65})}}))
    treatment, control, *_ = _rows(section)["y"]
    assert treatment == "s (N s)" and control == "s (N s)"


def _compliance(take_up):
    est = {"estimate": -0.13, "ci_low": -0.27, "ci_high": 0.01, "p_value": 0.08}
    cace = {"estimate": -0.15, "ci_low": -0.32, "ci_high": 0.02, "p_value": 0.085}
    return {"first_stage": {"treatment": take_up / 75, "control": 0.0, "estimate": take_up / 75,
                            "n": N},
            "binary_outcomes": {}, "rupture_risk": {"day": 365, "itt": est, "cace": cace}}


def test_cace_is_hidden_with_the_take_up_it_reveals(monkeypatch):
    """ITT / CACE = first stage = 65/75 would give back the 10 non-recipients."""
    import evalexp.report.compose as compose

    monkeypatch.setattr(compose, "_horizon_risks", lambda ctx: ({}, False))
    rows = _rows(compliance_section(_ctx({"compliance": _compliance(65)})))
    itt, cace = (next(v for k, v in rows.items() if k.startswith(prefix)) for prefix in ("Effect of", "Effect on"))
    assert itt[0] == "−13.0" and cace == ("s", "s", "–")
    rows = _rows(compliance_section(_ctx({"compliance": _compliance(50)})))
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
    table = next(b for b in fidelity_section(_ctx({"fidelity": fidelity})).blocks if isinstance(b, Table))
    first, second = table.rows[0], table.rows[1]
    assert first[1:] == ("s", "s", "s", "s", "s")
    assert second[1:3] == ("58", "40")
    by_meetings = [b for b in fidelity_section(_ctx({"fidelity": fidelity})).blocks if isinstance(b, Table)][1]
    # 20 + 20 + 25 = 65 recipients: the smallest group is hidden so that the sum does not give 65
    assert [row[1] for row in by_meetings.rows] == ["s", "20", "25"]


def test_standardised_difference_is_withheld_when_a_share_is_hidden():
    row = {"covariate": "female", "level": None, "kind": "binary", "rating": "satisfies",
           "std_difference": 0.073}
    balance = {"covariates": [{**row, "treatment": {"mean": 9 / 75, "n": 75}, "control": {"mean": 7 / 75, "n": 75}},
                              {**row, "covariate": "qpv", "treatment": {"mean": 0.4, "n": 75},
                               "control": {"mean": 0.42, "n": 75}}]}
    rows = _rows(balance_section(_ctx({"balance": balance})))
    labels = list(rows)
    assert rows[labels[0]][:3] == ("<11", "<11", "s")
    assert rows[labels[1]][2] == "0.073"


@pytest.mark.parametrize("lost, expected", [((5, 40), ("<11", "s")), ((30, 40), ("30", "40"))])
def test_consort_diagram_hides_what_its_table_hides(monkeypatch, lost, expected):
    import evalexp.report.compose as compose

    seen = {}

    def fake_consort(total, flow, fmt, *, horizon, hidden):
        seen.update({arm: fmt.count(flow[arm]["lost"], hidden[arm]["lost"]) for arm in ("treatment", "control")})
        from matplotlib.figure import Figure
        return Figure()

    monkeypatch.setattr(compose.figures, "consort_figure", fake_consort)
    consort = {"horizon_days": 365, "assigned": N, "support": None,
               "lost_to_followup": dict(zip(("treatment", "control"), lost)),
               "censored_at_extraction": {"treatment": 20, "control": 20},
               "analysed": {"rupture": N}}
    rows = _rows(experiment_section(_ctx({"consort": consort})))
    assert (seen["treatment"], seen["control"]) == expected
    assert next(v for k, v in rows.items() if k.startswith("Follow-up ended")) == expected


def test_attrition_rates_protect_each_other_against_the_published_total():
    """14 and 10 missing of 75: the annex publishes 24 missing, so 14/75 = 18.7 % is hidden too."""
    from evalexp.report.compose import attrition_section

    entry = {"kind": "binary", "n": N, "attrited": {"treatment": 14, "control": 10},
             "rate": {"treatment": 14 / 75, "control": 10 / 75}, "overall": 24 / 150, "differential": 4 / 75,
             "rating": "low", "lee_bounds": None}
    attrition = {"boundary": "cautious", "outcomes": {"y": entry}}
    rows = _rows(attrition_section(_ctx({"attrition": attrition})))
    assert rows["y"][:4] == ("s", "<11", "s", "s")


def test_subgroup_ruptures_are_hidden_when_few_contracts_are_left_unbroken(monkeypatch):
    """20 contracts, 12 ruptures: 12 and 20 would give 8 unbroken; 12 is hidden, and its row partner too."""
    import evalexp.report.compose as compose
    from matplotlib.figure import Figure

    monkeypatch.setattr(compose.figures, "forest_plot", lambda forest, fmt: Figure())

    class Subgroups:
        def forest(self):
            return None

    level = {"n": {"treatment": 20, "control": 55}, "events": {"treatment": 12, "control": 20},
             "cox": {"hr": 0.8, "ci_low": 0.4, "ci_high": 1.6}}
    other = {"n": {"treatment": 55, "control": 20}, "events": {"treatment": 15, "control": 11},
             "cox": {"hr": 0.8, "ci_low": 0.4, "ci_high": 1.6}}
    block = {"variables": {"female": {"levels": {"0": level, "1": other}, "interaction": {"p_value": 0.5}}}}
    ctx = _ctx({"subgroups": block})
    ctx = Context(analysis=type("A", (), {"subgroups": Subgroups()})(), results=ctx.results, cohort=None,
                  plan=ctx.plan, fmt=ctx.fmt)
    table = next(b for b in subgroups_section(ctx).blocks if isinstance(b, Table))
    assert [row[1:3] for row in table.rows] == [("20 / s", "55 / s"), ("55 / s", "20 / s")]
