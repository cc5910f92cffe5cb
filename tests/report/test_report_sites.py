"""The report section on sites (evalexp.report.sites): what it says, and that a small site's
name and numbers appear nowhere in it (CONTRACT §7: pooled into "other sites" or withheld)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from evalexp.analysis import analyze
from evalexp.cohort import Cohort
from evalexp.disclosure import Publication, publish
from evalexp.disclosure import sites as site_rule
from evalexp.disclosure.ledger import Ledger
from evalexp.heterogeneity import heterogeneity, simulate_sites
from evalexp.load import load_cohort
from evalexp.plan import plan_from_dict
from evalexp.report.compose import compose
from evalexp.report.document import Document, Figure, Paragraph, Table
from evalexp.report.html import render_html
from evalexp.report.i18n import Formatter
from evalexp.report.sections import Context, sites

THRESHOLD = 11
ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"


def make_plan(language: str = "en"):
    return plan_from_dict({"title": "t", "language": language, "survival": {"horizon_days": 365},
                           "heterogeneity": {"by": "site"}, "report": {"suppression_threshold": THRESHOLD},
                           "value_labels": {"site": {"S01": "Nantes", "TINY": "Saint-Nazaire"}}})


def cohort_with_a_tiny_site() -> pd.DataFrame:
    """Five sites of 120 and one of 16 ('TINY') with ruptures in both arms (so it has a hazard ratio)."""
    big, _ = simulate_sites(k=5, n_per_site=120, tau2=0.2, seed=11)
    tiny, _ = simulate_sites(k=1, n_per_site=16, log_hr=-1.0, tau2=0.0, control_risk=0.5, seed=4)
    tiny["site"] = "TINY"
    assert (tiny.groupby("treated")["event"].sum() > 0).all()
    return pd.concat([big, tiny], ignore_index=True)


def publication(results: dict, audience: str = "public") -> tuple[Publication, Ledger]:
    """The publication of ``results`` (only the sites' rule applies to these results)."""
    ledger = Ledger(results, THRESHOLD)
    if audience == "public":
        site_rule.heterogeneity(ledger)
    pub = Publication(audience, THRESHOLD, ledger.data, tuple(ledger.decisions), km={}, km_ticks=np.array([]),
                      at_risk={}, max_time=0.0, cif=pd.DataFrame(), cif_stops={})
    return pub, ledger


def context(data: pd.DataFrame, language: str = "en", audience: str = "public") -> Context:
    plan = make_plan(language)
    block = heterogeneity(Cohort(data), plan).to_dict()
    fmt = Formatter(language, THRESHOLD, plan.labels, plan.value_labels)
    return Context(publication({"heterogeneity": block}, audience)[0], plan, fmt)


def html_of(section) -> str:
    doc = Document(language="en", title="t", subtitle="", cover=(), disclaimer_title="", disclaimer="",
                   contents_title="", sections=(section,))
    return render_html(doc)


def tables(section) -> list[Table]:
    return [b for b in section.blocks if isinstance(b, Table)]


def test_a_small_site_appears_nowhere_and_is_pooled_with_the_next_smallest():
    exact = context(cohort_with_a_tiny_site(), audience="evaluator").results["heterogeneity"]
    tiny = next(s for s in exact["sites"] if s["site"] == "TINY")
    assert tiny["log_hr"] is not None and tiny["shrunken_log_hr"] is not None  # it is in the meta-analysis
    ctx = context(cohort_with_a_tiny_site())
    block = exact
    section = sites.section(ctx)
    html = html_of(section)
    fmt = ctx.fmt
    assert "TINY" not in html and "Saint-Nazaire" not in html
    assert "Nantes" in html and ">S01<" not in html  # sites are named by the plan's value labels
    for text in (f"{fmt.number(tiny['hr'])} {fmt.ci(tiny['ci_low'], tiny['ci_high'])}",
                 fmt.ci(tiny["ci_low"], tiny["ci_high"]), fmt.number(np.exp(tiny["shrunken_log_hr"]), 2) + " [",
                 fmt.percent(tiny["events"]["treatment"] / tiny["n"]["treatment"])):
        assert text not in html
    counts = tables(section)[-1]
    labels = [row[0] for row in counts.rows]
    # TINY alone would be small: the smallest published site joins it, so "other sites" holds two
    assert labels[-2:] == ["Other sites (2)", "All sites"]
    numbers = np.array([[int(c) for c in row[1:5]] for row in counts.rows])
    assert (numbers >= THRESHOLD).all()
    assert (numbers[:-1].sum(axis=0) == numbers[-1]).all()  # rows add up to the published totals
    hidden = {s["site"] for s in block["sites"] if fmt.value("site", s["site"]) not in labels}
    assert len(hidden) == 2 and "TINY" in hidden
    other = [s for s in block["sites"] if s["site"] in hidden]
    assert list(numbers[-2]) == [sum(s[k][a] for s in other) for k in ("n", "events") for a in ("treatment", "control")]
    effects = tables(section)[0]
    assert [row[0] for row in effects.rows][:-2] == [lb for lb in labels[:-2]]


def test_publishable_results_withhold_every_number_of_the_pooled_sites_and_say_why():
    raw = context(cohort_with_a_tiny_site(), audience="evaluator").results["heterogeneity"]
    pub, _ledger = publication({"heterogeneity": raw})
    block = pub.results["heterogeneity"]
    pooled = {s["site"] for s in block["sites"] if s["n"] is None}
    assert "TINY" in pooled and len(pooled) == 2
    for site in block["sites"]:
        if site["site"] in pooled:
            assert all(site[key] is None for key in site_rule.WITHHELD if key in site)
    position = {s["site"]: i for i, s in enumerate(raw["sites"])}
    pooling = [d for d in pub.decisions if d.rule != "small_group"]
    rules = {(d.pointer.split("/")[3], d.rule) for d in pooling}
    assert rules == {(str(position[name]), "small_site" if name == "TINY" else "secondary_site") for name in pooled}
    withheld = sum(raw["sites"][position[name]].get(key) is not None for name in pooled for key in site_rule.WITHHELD)
    assert len(pooling) == withheld and {d.threshold for d in pub.decisions} == {THRESHOLD}
    # a published site keeps its counts; only its risks at the horizon may stand for a small count
    assert all(d.pointer.split("/")[4] in site_rule.RISKS for d in pub.decisions if d.rule == "small_group")
    originals = [s for s in raw["sites"] if s["site"] in pooled]
    summed = {key: {a: sum(s[key][a] for s in originals) for a in ("treatment", "control")} for key in ("n", "events")}
    assert block["other_sites"] == {"sites": 2, **summed}
    assert block["tau2"] == raw["tau2"] and block["pooled"] == raw["pooled"]  # pooled quantities are published
    assert raw["sites"][position["TINY"]]["n"] is not None  # the analysis results are left untouched


def test_the_paragraph_says_how_much_the_effect_varies_and_publishes_the_pooled_numbers():
    ctx = context(cohort_with_a_tiny_site())
    block = ctx.results["heterogeneity"]
    lead = [b.text for b in sites.section(ctx).blocks if isinstance(b, Paragraph) and b.kind == "lead"]
    assert len(lead) == 1
    fmt = ctx.fmt
    how = "little" if block["i2"] < 25 else "strongly" if block["i2"] > 75 else "moderately"
    assert f"the effect of the support varies {how}" in lead[0]
    pi = block["prediction_interval"]
    assert f"between {fmt.number(pi['hr_low'])} and {fmt.number(pi['hr_high'])}" in lead[0]
    assert f"τ²) is estimated at {fmt.number(block['tau2'], 3)}" in lead[0]
    assert fmt.p_equals(block["interaction_test"]["p_value"]) in lead[0]
    assert sum(isinstance(b, Figure) for b in sites.section(ctx).blocks) == 1


def test_french_text_and_excluded_sites_note():
    data = cohort_with_a_tiny_site()
    data.loc[(data["site"] == "TINY") & (data["treated"] == 1), "event"] = 0
    section = sites.section(context(data, "fr"))
    assert section.title == "L'effet selon les sites"
    texts = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    assert "1 site(s) sans rupture dans l'un des groupes n'entre(nt) pas dans la méta-analyse." in texts
    assert any(t.startswith("Sur les 5 sites qui comptent des ruptures dans les deux groupes") for t in texts)
    assert "TINY" not in html_of(section)


def test_when_every_site_is_small_only_pooled_results_are_published():
    data, _ = simulate_sites(k=4, n_per_site=30, seed=2)
    ctx = context(data)
    section = sites.section(ctx)
    html = html_of(section)
    assert not any(f"S0{i}" in html for i in range(1, 5))
    assert len(tables(section)) == 2  # effects (pooled rows only) and statistics: no per-site counts
    assert [row[0] for row in tables(section)[0].rows] == ["Mean (random effects)", "Prediction interval"]
    assert any(b.text.startswith("No site reaches 11 participants") for b in section.blocks if isinstance(b, Paragraph))


def test_site_groups_merges_until_the_pool_reaches_the_threshold_in_every_arm():
    def site(name, n_t, n_c, e_t, e_c):
        return {"site": name, "n": {"treatment": n_t, "control": n_c}, "events": {"treatment": e_t, "control": e_c}}

    listed = [site("A", 100, 100, 40, 40), site("B", 60, 60, 20, 20), site("C", 50, 50, 12, 30),
              site("D", 12, 12, 3, 6)]
    assert site_rule.site_groups(listed, THRESHOLD) == {"A": "A", "B": "B", "C": site_rule.OTHER, "D": site_rule.OTHER}
    # a site with few contracts left unbroken is small too (its share and size give them back)
    listed[1] = site("B", 60, 60, 55, 20)
    assert site_rule.site_groups(listed, THRESHOLD)["B"] == site_rule.OTHER


def test_no_section_without_the_analysis():
    ctx = context(cohort_with_a_tiny_site())
    assert sites.section(Context(publication({})[0], ctx.plan, ctx.fmt)) is None


def test_every_text_has_both_languages():
    assert set(sites.TEXTS["fr"]) == set(sites.TEXTS["en"])


def test_the_demo_report_places_the_section_after_subgroups_and_hides_its_small_sites():
    """The demo's four Missions locales each have fewer than 11 ruptures in an arm: none is named."""
    raw = tomllib.loads(DEMO_PLAN.read_text(encoding="utf-8"))
    raw["heterogeneity"] = {"by": "site"}
    raw["inference"]["permutations"] = 100
    plan = plan_from_dict(raw)
    cohort = load_cohort(DEMO, plan)
    doc = compose(publish(analyze(cohort, plan), plan.report.suppression_threshold), plan)
    keys = [s.key for s in doc.sections]
    assert keys.index("sites") == keys.index("subgroups") + 1
    html = render_html(doc)
    assert "effet selon les sites</h2>" in html
    assert not any(f"ML00{i}" in html for i in range(1, 5))


def test_an_interaction_test_not_computed_is_left_out_of_the_text_and_table():
    ctx = context(cohort_with_a_tiny_site())
    block = ctx.results["heterogeneity"]
    block["interaction_test"] = {**block["interaction_test"], "statistic": None, "df": 0, "p_value": None}
    section = sites.section(ctx)
    lead = next(b.text for b in section.blocks if isinstance(b, Paragraph) and b.kind == "lead")
    assert lead.endswith(("the support would reduce ruptures there too.", "no effect or an unfavourable one.",
                          "the support would increase ruptures there."))
    assert not any(row[0].startswith("Site × group interaction") for row in tables(section)[1].rows)
