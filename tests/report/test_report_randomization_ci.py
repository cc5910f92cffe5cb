"""The randomisation-based intervals in the report (issue 14): beside the randomisation p-values; the methods."""
import dataclasses
from pathlib import Path

import pytest

from evalexp.analysis import analyze
from evalexp.disclosure import publish
from evalexp.load import load_cohort
from evalexp.plan import load_plan
from evalexp.report.document import Paragraph, Table
from evalexp.report.i18n import Formatter
from evalexp.report.sections import Context
from evalexp.report.sections.methods import section as methods_section
from evalexp.report.sections.primary import section as primary_section

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ctx():
    plan = load_plan(ROOT / "data" / "synthetic" / "agir_demo.toml")
    cohort = load_cohort(ROOT / "data" / "synthetic" / "agir_demo.csv", plan)
    plan = dataclasses.replace(plan, inference=dataclasses.replace(plan.inference, permutations=200))
    pub = publish(analyze(cohort, plan), 11)
    return Context(pub, plan, Formatter("en", 11, plan.labels, plan.value_labels))


def test_the_effects_table_shows_both_intervals_after_the_randomisation_p_values(ctx):
    fmt, ci = ctx.fmt, ctx.results["survival"]["randomization_inference"]["ci"]
    table = next(b for b in primary_section(ctx).blocks if isinstance(b, Table) and
                 any(row[0] == "Hazard ratio, interval by inverting the randomisation test" for row in b.rows))
    labels = [row[0] for row in table.rows]
    rows = {row[0]: row[1:] for row in table.rows}
    hr, rd = ci["hazard_ratio"], ci["risk_difference"]
    assert rows["Hazard ratio, interval by inverting the randomisation test"] == (
        fmt.number(hr["hr"]), fmt.ci(hr["ci_low"], hr["ci_high"]), fmt.pvalue(hr["p_value"]))
    assert rows["Risk difference at 365 days (points), interval by inverting the randomisation test"] == (
        fmt.points(rd["difference"]), fmt.ci(rd["ci_low"], rd["ci_high"], 1, scale=100), fmt.pvalue(rd["p_value"]))
    last_ri = max(i for i, label in enumerate(labels) if label.startswith("Randomisation inference ("))
    assert labels[last_ri + 1].startswith("Hazard ratio, interval by inverting")


def test_the_methods_say_how_the_intervals_are_obtained(ctx):
    texts = [b.text for b in methods_section(ctx).blocks if isinstance(b, Paragraph)]
    assert ("Randomisation-based confidence intervals: the effects that the randomisation test does not reject "
            "at level 0.05, on the same 200 re-randomisations (Wang and Rosenberger 2020); for the hazard "
            "ratio, the studentised Cox score test with an offset (Efron ties), for the risk difference at "
            "365 days, the studentised, shifted Kaplan-Meier difference.") in texts
