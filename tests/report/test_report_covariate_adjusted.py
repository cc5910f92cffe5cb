"""The covariate-adjusted hazard ratio in the report: beside the Cox models, its gain, first when primary."""
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
from evalexp.report.sections.summary import section as summary_section

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo():
    plan = load_plan(ROOT / "data" / "synthetic" / "agir_demo.toml")
    cohort = load_cohort(ROOT / "data" / "synthetic" / "agir_demo.csv", plan)
    plan = dataclasses.replace(plan, inference=dataclasses.replace(plan.inference, permutations=10))
    analysis = analyze(cohort, plan)
    return analysis, cohort, plan


def _ctx(demo, primary):
    analysis, _cohort, plan = demo
    plan = dataclasses.replace(plan, survival=dataclasses.replace(plan.survival, primary=primary))
    pub = publish(analysis, 11)
    pub.results["primary"] = primary
    return Context(pub, plan, Formatter("en", 11, plan.labels, plan.value_labels))


def _texts(section):
    return [b.text for b in section.blocks if isinstance(b, Paragraph)]


def test_primary_section_shows_the_adjusted_hr_and_the_precision_gain(demo):
    ctx = _ctx(demo, "cox_adjusted")
    ca = ctx.results["survival"]["covariate_adjusted"]
    section = primary_section(ctx)
    rows = {row[0]: row[1:] for b in section.blocks if isinstance(b, Table) for row in b.rows}
    fmt = ctx.fmt
    hr = rows["Covariate-adjusted marginal hazard ratio (Ye, Shao & Yi 2024), robust"]
    assert hr == (fmt.number(ca["hr"]["estimate"]), fmt.ci(ca["hr"]["ci_low"], ca["hr"]["ci_high"]),
                  fmt.pvalue(ca["log_hr"]["p_value"]))
    gain = ca["precision_gain"]["equivalent_participants"]
    assert gain == round(ca["n"] * ((ca["unadjusted"]["se"] / ca["log_hr"]["se"]) ** 2 - 1))
    assert any(f"equivalent to {fmt.integer(gain)} more participants" in t and
               f"against {fmt.number(ca['unadjusted']['hr'])}" in t for t in _texts(section))


def test_summary_states_the_adjusted_hr_when_it_is_primary(demo):
    ctx = _ctx(demo, "covariate_adjusted")
    hr = ctx.fmt.number(ctx.results["survival"]["covariate_adjusted"]["hr"]["estimate"])
    texts = _texts(summary_section(ctx))
    # the primary analysis, named, right after the cohort and its risks at the horizon
    assert texts[2].startswith("Primary analysis, fixed before the analysis: the covariate-adjusted hazard ratio "
                               f"(Ye, Shao and Yi 2024), hazard ratio of rupture {hr} ")
    other = _texts(summary_section(_ctx(demo, "cox_adjusted")))
    assert not any("covariate-adjusted hazard ratio" in t for t in other)


def test_methods_name_the_randomisation_scheme(demo):
    texts = _texts(methods_section(_ctx(demo, "cox_adjusted")))
    assert any("Ye, Shao & Yi 2024" in t and "permuted-block (within strata) randomisation" in t for t in texts)
