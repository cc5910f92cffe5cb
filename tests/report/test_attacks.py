"""The adversarial suite: an outside analyst holding the public report folder, and nothing else,
tries to recover suppressed counts and individual event times, and fails.

Each attack is first run against the evaluator's folder of the same cohort, where it succeeds
(so the attack is real and the test can fail), then against the public folder, where it must not.
The cohorts are made small and skewed on purpose (:func:`_skewed`): a rupture cause with 2 and 4
ruptures, a subgroup level of 6, a site of 3, an attrition of 5 in one arm, an outcome observed
for 5 participants out of 300; and a trial with an arm of 8 (:func:`_arm_of_eight`).
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pypdfium2 as pdfium
import pytest
from checks import determined, leaves
from scipy.stats import norm

from evalexp.analysis import analyze
from evalexp.cli import main
from evalexp.disclosure import publish
from evalexp.errors import EvalexpError
from evalexp.load import load_cohort, load_frame
from evalexp.plan import load_plan
from evalexp.report import build_report
from evalexp.simulate import simulate

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"
T = 11
ARMS = ("treatment", "control")
Z = norm.ppf(0.975)
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


# --------------------------------------------------------------------------- cohorts and folders

def _plan(**integrity):
    plan = load_plan(DEMO_PLAN)
    return dataclasses.replace(
        plan, inference=dataclasses.replace(plan.inference, permutations=50, statistics=("logrank",)),
        outcomes=dataclasses.replace(plan.outcomes, binary=("employed_6m", "employed_12m")),
        integrity=dataclasses.replace(plan.integrity, **integrity))


def _skewed() -> pd.DataFrame:
    """300 participants; a cause 'mutual' with 2 ruptures in the supported arm and 4 in the control
    arm; a sector of 6 participants; a site of 3; 5 supported young people without employed_6m
    (no one else); employed_12m observed for 5 participants only."""
    data = simulate(300, seed=11, hazard_ratio=1.0).data.copy()
    end = data[["contract_end_planned", "followup_end"]].min(axis=1)
    rupture = data["rupture_date"].notna() & (data["rupture_date"] <= end)
    data["rupture_initiative"] = np.where(data["rupture_date"].notna(), "employer", None)
    rng = np.random.default_rng(0)
    ruptured = data.index[rupture]
    data.loc[rng.choice(ruptured, size=len(ruptured) // 2, replace=False), "rupture_initiative"] = "apprentice"
    for arm, k in (("treatment", 2), ("control", 4)):
        rows = data.index[rupture & (data["arm"] == arm)]
        data.loc[rows[:k], "rupture_initiative"] = "mutual"
    for arm, k in (("treatment", 3), ("control", 3)):
        data.loc[data.index[data["arm"] == arm][-k:], "sector"] = "agriculture"
    for arm, k in (("treatment", 2), ("control", 1)):
        data.loc[data.index[data["arm"] == arm][10:10 + k], "site"] = "ML099"
    data["employed_6m"] = data["employed_6m"].fillna(1.0)
    data.loc[data.index[data["arm"] == "treatment"][20:25], "employed_6m"] = np.nan
    data["employed_12m"] = np.where(data.index < 5, 1.0, np.nan)
    return data


def _arm_of_eight() -> pd.DataFrame:
    """8 supported young people against 75 controls."""
    data = simulate(150, seed=4).data
    treated = data.index[data["arm"] == "treatment"]
    return data.drop(treated[8:]).reset_index(drop=True)


class Folder:
    """What an outside reader holds: the files of a report folder."""

    def __init__(self, path: Path):
        self.path = path
        html = (path / "report.html").read_text(encoding="utf-8")
        body = re.sub(r"<img[^>]*>|<style>.*?</style>", " ", html, flags=re.S)
        self.html = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
        pdf = pdfium.PdfDocument((path / "report.pdf").read_bytes())
        self.pages = [page.get_textpage().get_text_range() for page in pdf]
        self.pdf = " ".join(" ".join(self.pages).split())
        self.results = json.loads((path / "results.json").read_text(encoding="utf-8"))
        self.disclosure = json.loads((path / "disclosure.json").read_text(encoding="utf-8"))
        self.manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))

    def svg(self, name: str) -> ET.Element:
        return ET.parse(self.path / "figures" / f"{name}.svg").getroot()

    def text(self) -> str:
        return self.html + " " + self.pdf


def _build(tmp_path_factory, data, plan, audience, name):
    cohort = load_frame(data, plan) if isinstance(data, pd.DataFrame) else data
    analysis = analyze(cohort, plan)
    out = tmp_path_factory.mktemp(name) / "report"
    build_report(cohort, plan, out, progress=False, analysis=analysis, audience=audience)
    return cohort, analysis, Folder(out)


SKEWED_PLAN = dict(subgroups=("female", "sector", "site"))


@pytest.fixture(scope="module")
def skewed(tmp_path_factory):
    plan = _plan(**SKEWED_PLAN)
    data = _skewed()
    cohort, analysis, public = _build(tmp_path_factory, data, plan, "public", "skewed")
    evaluator = tmp_path_factory.mktemp("skewed_eval") / "report"
    build_report(cohort, plan, evaluator, progress=False, analysis=analysis, audience="evaluator")
    return cohort, analysis, public, Folder(evaluator)


@pytest.fixture(scope="module")
def arm8(tmp_path_factory):
    return _build(tmp_path_factory, _arm_of_eight(), _plan(subgroups=("female",)), "public", "arm8")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    plan = load_plan(DEMO_PLAN)
    plan = dataclasses.replace(plan, inference=dataclasses.replace(plan.inference, permutations=200))
    return _build(tmp_path_factory, load_cohort(DEMO_CSV, plan), plan, "public", "demo")


def test_the_skewed_cohort_is_what_the_attacks_assume(skewed):
    _cohort, _analysis, _, evaluator = skewed
    exact = evaluator.results
    assert exact["competing_risks"]["mutual"]["events"] == {"treatment": 2, "control": 4}
    levels = exact["subgroups"]["variables"]
    assert levels["sector"]["levels"]["agriculture"]["n"] == {"treatment": 3, "control": 3}
    assert sum(levels["site"]["levels"]["ML099"]["n"].values()) == 3
    assert exact["attrition"]["outcomes"]["employed_6m"]["attrited"] == {"treatment": 5, "control": 0}
    assert exact["data_quality"]["missing"]["employed_12m"] == 295


# --------------------------------------------------------------------------- attack: curves in the SVG

def _svg_curve_days(root: ET.Element, ticks: np.ndarray) -> dict[str, list[np.ndarray]]:
    """Vertices (in days) of every path drawn in an arm's colour outside the legend, per arm.

    The attacker maps SVG x to days from the x-tick marks (``<use>`` in ``xtick_*`` groups), whose
    values the figure shows (0, 90, 180, ...)."""
    xs = [float(use.get("x")) for group in root.iter(f"{SVG}g") if (group.get("id") or "").startswith("xtick_")
          for use in group.iter(f"{SVG}use") if use.get("x") is not None][:len(ticks)]
    slope, intercept = np.polyfit(xs, ticks, 1)
    legend = {id(e) for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("legend")
              for e in g.iter()}
    colours = {"treatment": "#0072b2", "control": "#d55e00"}
    out: dict[str, list[np.ndarray]] = {arm: [] for arm in ARMS}
    for path in root.iter(f"{SVG}path"):
        style = (path.get("style") or "").lower()
        if id(path) in legend or not path.get("d"):
            continue
        for arm, colour in colours.items():
            if colour in style:
                numbers = np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))])
                out[arm].append(numbers[0::2] * slope + intercept)
    return out


def test_km_svg_path_coordinates_give_no_event_time(skewed):
    _cohort, analysis, public, evaluator = skewed
    exact = {arm: analysis.survival.km[arm].table for arm in ARMS}
    event_days = {arm: set(t.loc[t["n_event"] > 0, "time"].astype(float)) for arm, t in exact.items()}
    pub = publish(analysis, T)
    # the attack works on the evaluator's figure: exact step corners sit at the rupture days
    ev = publish(analysis, T, "evaluator")
    drawn = _svg_curve_days(evaluator.svg("km"), ev.km_ticks)
    found = {round(d) for arm in ARMS for part in drawn[arm] for d in part} & \
        {round(d) for arm in ARMS for d in event_days[arm]}
    assert len(found) > 20
    # on the public figure, every vertex is a grid day (a multiple of 30) or a landmark: no rupture day
    drawn = _svg_curve_days(public.svg("km"), pub.km_ticks)
    landmarks = np.array(analysis.plan.survival.landmarks_days, dtype=float)
    for arm in ARMS:
        days = np.concatenate(drawn[arm])
        on_grid = np.isclose(days, 30 * np.round(days / 30), atol=0.6)
        on_landmark = np.isclose(days[:, None], landmarks[None, :], atol=0.6).any(axis=1)
        assert len(days) and (on_grid | on_landmark).all()
        off_grid = {round(d) for d in event_days[arm] if d % 30}
        assert not off_grid & {round(d) for d in days}


def test_km_svg_has_no_text_and_each_drawn_change_holds_threshold_ruptures(skewed):
    _cohort, analysis, public, _ = skewed
    root = public.svg("km")
    assert not list(root.iter(f"{SVG}text"))   # labels are drawn as glyph outlines only
    pub = publish(analysis, T)
    for arm, curve in pub.km.items():
        table = analysis.survival.km[arm].table
        days = curve.points["time"].to_numpy()
        for start, stop in itertools.pairwise(days):
            events = table.loc[(table["time"] > start) & (table["time"] <= stop), "n_event"].sum()
            assert events >= T


@pytest.mark.parametrize("fixture", ["skewed", "demo"])
def test_landmarks_and_curve_together_change_by_threshold_ruptures(fixture, request):
    """An attacker puts the published landmark estimates of results.json beside the curve's points:
    between any two published days of an arm, at least the threshold of ruptures happened."""
    built = request.getfixturevalue(fixture)
    analysis, public = built[1], built[2]
    pub = publish(analysis, T)
    for arm in ARMS:
        table = analysis.survival.km[arm].table
        days = set(pub.km[arm].points["time"][1:]) | {p["day"] for p in public.results["survival"]["km"][arm]
                                                      if p["survival"] is not None}
        days = [0.0, *sorted(days)]
        for start, stop in itertools.pairwise(days):
            assert table.loc[(table["time"] > start) & (table["time"] <= stop), "n_event"].sum() >= T


def test_cif_curves_change_by_threshold_ruptures_of_every_group(skewed):
    cohort, analysis, _public, _ = skewed
    pub = publish(analysis, T)
    assert pub.groups["mutual"] == "other"           # 2 and 4 ruptures: merged, not drawn alone
    assert set(pub.cif["group"]) >= {"employer", "other"}
    data = cohort.data
    for (group, arm), part in pub.cif.groupby(["group", "arm"]):
        causes = [c for c, g in pub.groups.items() if g == group]
        times = data.loc[(data["arm"] == arm) & (data["event"] == 1) & data["rupture_initiative"].isin(causes),
                         "time_days"].to_numpy()
        days = part["time"].to_numpy()
        for start, stop in itertools.pairwise(days):
            assert ((times > start) & (times <= stop)).sum() >= T


def _svg_band_days(root: ET.Element, ticks: np.ndarray) -> dict[str, list[np.ndarray]]:
    """Vertices (in days) of every confidence band (a translucent filled path in an arm's colour), per arm."""
    xs = [float(use.get("x")) for group in root.iter(f"{SVG}g") if (group.get("id") or "").startswith("xtick_")
          for use in group.iter(f"{SVG}use") if use.get("x") is not None][:len(ticks)]
    slope, intercept = np.polyfit(xs, ticks, 1)
    # matplotlib writes a band's outline once in <defs> and draws it with a <use> carrying its style
    paths = {path.get("id"): path.get("d") for path in root.iter(f"{SVG}path") if path.get("id")}
    out: dict[str, list[np.ndarray]] = {arm: [] for arm in ARMS}
    for use in root.iter(f"{SVG}use"):
        style = (use.get("style") or "").lower()
        d = paths.get((use.get(f"{XLINK}href") or "").lstrip("#"))
        for arm, colour in (("treatment", "#0072b2"), ("control", "#d55e00")):
            if f"fill: {colour}" in style and "fill-opacity" in style and d:
                numbers = np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)])
                out[arm].append((numbers[0::2] + float(use.get("x") or 0)) * slope + intercept)
    return out


def test_km_svg_confidence_bands_have_vertices_only_at_published_days(skewed):
    """The bands are the Kaplan-Meier interval at the published days only: no band corner sits at a
    rupture or censoring day (the evaluator's exact bands do)."""
    _cohort, analysis, public, evaluator = skewed
    table = {arm: analysis.survival.km[arm].table for arm in ARMS}
    pub = publish(analysis, T)
    drawn = _svg_band_days(public.svg("km"), pub.km_ticks)
    for arm in ARMS:
        assert len(drawn[arm]) == 1
        allowed = np.r_[pub.km[arm].points["time"].to_numpy(dtype=float), pub.km[arm].stop]
        days = np.concatenate(drawn[arm])
        assert np.isclose(days[:, None], allowed[None, :], atol=0.6).any(axis=1).all()
        landmarks = set(analysis.plan.survival.landmarks_days) | {analysis.plan.survival.horizon_days}
        individual = {round(d) for d in table[arm]["time"] if d % 30 and round(d) not in landmarks}
        assert not individual & {round(d) for d in days}
    ev = publish(analysis, T, "evaluator")
    exact = _svg_band_days(evaluator.svg("km"), ev.km_ticks)
    found = {round(d) for arm in ARMS for d in np.concatenate(exact[arm])} & \
        {round(d) for arm in ARMS for d in table[arm].loc[table[arm]["n_event"] > 0, "time"]}
    assert len(found) > 20


def test_cif_intervals_are_published_at_the_published_days_only(skewed):
    """Each single-cause group carries cuminc's interval at its published days; a merged group none."""
    _cohort, analysis, _public, _ = skewed
    pub = publish(analysis, T)
    for (group, arm), part in pub.cif.groupby(["group", "arm"]):
        if group in ("other", "all"):
            assert part[["ci_low", "ci_high"]].isna().all().all()
            continue
        steps = analysis.competing.by_cause[group].cif[arm].at(part["time"].to_numpy())
        assert part["ci_low"].to_numpy() == pytest.approx(steps["ci_low"].to_numpy())
        assert part["ci_high"].to_numpy() == pytest.approx(steps["ci_high"].to_numpy())
        assert (part["ci_low"] <= part["cif"]).all() and (part["cif"] <= part["ci_high"]).all()


def test_no_forest_plot_of_sizes_alone_when_every_subgroup_estimate_is_withheld(demo):
    """The demo's public report withholds every subgroup hazard ratio: the forest plot, which would show
    nothing but sizes, is left out (no SVG, no PNG) and the section says why."""
    _, _, public = demo
    levels = [lv for entry in public.results["subgroups"]["variables"].values() for lv in entry["levels"].values()]
    assert levels and all((lv.get("cox") or {}).get("hr") is None for lv in levels)
    assert not list((public.path / "figures").glob("subgroups.*"))
    assert "Aucun rapport des risques par sous-groupe n’est publié" in public.html


@pytest.mark.parametrize("fixture", ["skewed"])
def test_forest_plot_svg_prints_no_size_that_the_tables_withhold(fixture, request):
    """The attacker reads every text of the subgroup forest plot (the SVG keeps each label as a comment
    beside its glyphs): the sizes printed are exactly the published totals of the levels whose two
    arms are published, and no withheld level shows a number."""
    _, analysis, public = request.getfixturevalue(fixture)[:3]
    texts = re.findall(r"<!-- (.*?) -->", (public.path / "figures" / "subgroups.svg").read_text(encoding="utf-8"))
    printed = [m.group(1) for t in texts for m in [re.search(r"(?:Effectif|N) (\S+)$", t)] if m]
    published, withheld = [], 0
    truth = analysis.to_dict()["subgroups"]["variables"]
    for variable, entry in public.results["subgroups"]["variables"].items():
        for level, lv in entry["levels"].items():
            if any(lv["n"][a] is None for a in ARMS):
                withheld += 1
                exact = sum(truth[variable]["levels"][level]["n"].values())
                assert not any(t.endswith(f" {exact}") and exact < T for t in printed)
            else:
                published.append(str(lv["n"]["treatment"] + lv["n"]["control"]))
    numbers = [p for p in printed if p.isdigit()]
    assert sorted(numbers) == sorted(published)
    assert len(printed) - len(numbers) == withheld        # the others are the mark
    assert all(not p.isdigit() for p in printed if p not in published)


# --------------------------------------------------------------------------- attack: differencing tables

def _margins(shape: tuple[int, int], rows: list[int], columns: list[int]) -> list[np.ndarray]:
    lines = []
    for i in rows:
        line = np.zeros(shape, bool)
        line[i, :] = True
        lines.append(line)
    for j in columns:
        line = np.zeros(shape, bool)
        line[:, j] = True
        lines.append(line)
    return lines


@pytest.mark.parametrize("fixture", ["skewed", "demo"])
def test_subgroup_totals_cannot_be_differenced_into_hidden_cells(fixture, request):
    _, analysis, public = request.getfixturevalue(fixture)[:3]
    truth = analysis.to_dict()["subgroups"]["variables"]
    for variable, entry in public.results["subgroups"]["variables"].items():
        levels = list(entry["levels"])
        for key in ("n", "events"):
            table = np.array([[entry["levels"][lv][key][a] is None for a in ARMS] for lv in levels])
            exact = np.array([[truth[variable]["levels"][lv][key][a] for a in ARMS] for lv in levels])
            # published totals: each arm's (n and ruptures of the trial), and each level's where the
            # forest plot prints it (both arms published)
            full_rows = [i for i in range(len(levels)) if not table[i].any()]
            lines = _margins(table.shape, full_rows, [0, 1])
            assert not determined(table, lines), (variable, key)
            assert not (table ^ True)[exact < T].any(), (variable, key)   # no small cell shown


def test_a_subgroup_of_six_and_a_site_of_three_are_withheld(skewed):
    _, _, public, _ = skewed
    small = public.results["subgroups"]["variables"]["sector"]["levels"]["agriculture"]
    assert small["n"] == {"treatment": None, "control": None} and (small.get("cox") or {}).get("hr") is None
    site = public.results["subgroups"]["variables"]["site"]["levels"]["ML099"]
    assert site["n"]["treatment"] is None and site["n"]["control"] is None
    assert (site.get("cox") or {}).get("hr") is None


@pytest.mark.parametrize("fixture", ["skewed", "demo"])
def test_cause_counts_cannot_be_differenced_from_the_other_group_and_the_totals(fixture, request):
    _, analysis, public = request.getfixturevalue(fixture)[:3]
    block = public.results["competing_risks"]
    causes = sorted(block)
    hidden = np.array([[block[c]["events"][a] is None for a in ARMS] for c in causes])
    truth = analysis.to_dict()["competing_risks"]
    exact = np.array([[truth[c]["events"][a] for a in ARMS] for c in causes])
    lines = _margins(hidden.shape, [], [0, 1])      # ruptures per arm are published
    other = public.results.get("competing_risks_other")
    if other:
        members = np.array([c in other["causes"] for c in causes])
        for j in range(2):
            line = np.zeros(hidden.shape, bool)
            line[members, j] = True
            lines.append(line)
    assert hidden[causes.index("mutual")].all()
    assert not determined(hidden, lines)
    assert not (~hidden)[exact < T].any()


@pytest.mark.parametrize("fixture", ["skewed", "demo"])
def test_data_quality_table_cannot_be_differenced(fixture, request):
    _, analysis, public = request.getfixturevalue(fixture)[:3]
    counts = public.results["data_quality"]["counts"]
    keys = ["events", "planned_end", "extraction", "lost"]
    hidden = np.array([[counts[a][k] is None for a in ARMS] for k in keys])
    exact = np.array([[analysis.to_dict()["data_quality"]["counts"][a][k] for a in ARMS] for k in keys])
    rows = [i for i, k in enumerate(keys) if counts["total"][k] is not None]
    assert not determined(hidden, _margins(hidden.shape, rows, [0, 1]))
    assert not (~hidden)[exact < T].any()


# --------------------------------------------------------------------------- attack: inverting statistics

def _invert_cox(entry: dict, n: dict) -> tuple[int, int] | None:
    """Ruptures per arm from a hazard ratio and its CI: Var(log HR) ~ 1/d1 + 1/d0 for one binary
    covariate, and HR ~ (d1/n1) / (d0/n0); the best integer pair up to 40."""
    if entry.get("hr") is None or entry.get("ci_low") is None:
        return None
    se = (math.log(entry["ci_high"]) - math.log(entry["ci_low"])) / (2 * Z)
    pairs = [(d1, d0) for d1 in range(1, 41) for d0 in range(1, 41)]
    return min(pairs, key=lambda p: abs(math.sqrt(1 / p[0] + 1 / p[1]) - se)
               + abs(math.log(p[0] / n["treatment"] / (p[1] / n["control"])) - math.log(entry["hr"])))


def test_cause_specific_hazard_ratio_cannot_be_inverted_into_counts(skewed):
    _, _, public, evaluator = skewed
    exact = evaluator.results["competing_risks"]["mutual"]
    assert _invert_cox(exact["cause_specific_cox"], evaluator.results["n"]) == (2, 4)   # the attack works
    mutual = public.results["competing_risks"]["mutual"]
    assert _invert_cox(mutual["cause_specific_cox"], public.results["n"]) is None
    assert mutual["fine_gray"]["shr"] is None and mutual["gray_test"]["statistic"] is None
    assert all(p["cif"] is None for arm in ARMS for p in mutual["cif"][arm])
    # the causes table has no row of its own for the merged cause: it is named in the "other" row only
    table = public.html.split("Ruptures par initiative et par groupe")[1].split("« <11 »")[0]
    assert re.search(r"Autres initiatives \(regroupées\) : [^\d]*Commun accord \d+ \d+", table)
    assert table.count("Commun accord") == 1


def _attrited_from_lee(entry: dict, n: dict) -> int | None:
    """The attrited count of the trimmed arm's partner from the Lee trimming share: p = (q_high - q_low)
    / q_high with q the observed shares; with no attrition in one arm, p = attrited / n."""
    lee = entry.get("lee_bounds") or {}
    if lee.get("trim_share") is None and lee.get("lower") is None:
        return None
    share = lee["trim_share"]
    return round(share * n["treatment"])


def test_lee_bounds_and_rates_do_not_reveal_an_attrition_of_five(skewed):
    _, _, public, evaluator = skewed
    exact = evaluator.results["attrition"]["outcomes"]["employed_6m"]
    assert _attrited_from_lee(exact, exact["n"]) == 5                       # the attack works
    entry = public.results["attrition"]["outcomes"]["employed_6m"]
    assert _attrited_from_lee(entry, entry["n"]) is None
    assert entry["rate"] == {"treatment": None, "control": None} and entry["overall"] is None
    assert entry["overall_row_percent"] is None and entry["differential"] is None
    assert public.results["binary_outcomes"]["employed_6m"]["n_observed"]["treatment"] is None


def _missing_candidates(out: dict, n: dict) -> set[tuple[int, int]]:
    """Every (missing treatment, missing control) consistent with the published shares, difference,
    CI and p of an outcome at their published precision (HC2 SE, normal CI)."""
    def places(x):
        return len(repr(x).split(".")[1]) if "." in repr(x) else 0
    ds, dd, dp = places(out["treatment"]), max(places(out["difference"]), places(out["ci_low"])), places(out["p_value"])
    cands = {a: [(m, k) for m in range(2, n[a] + 1) for k in range(m + 1) if round(k / m, ds) == out[a]]
             for a in ARMS}
    found = set()
    for m1, k1 in cands["treatment"]:
        for m0, k0 in cands["control"]:
            p1, p0 = k1 / m1, k0 / m0
            if round(p1 - p0, dd) != out["difference"]:
                continue
            se = math.sqrt(p1 * (1 - p1) / (m1 - 1) + p0 * (1 - p0) / (m0 - 1))
            if round(p1 - p0 - Z * se, dd) != out["ci_low"] or round(p1 - p0 + Z * se, dd) != out["ci_high"]:
                continue
            if se > 0 and round(2 * norm.sf(abs(p1 - p0) / se), dp) != out["p_value"]:
                continue
            found.add((n["treatment"] - m1, n["control"] - m0))
    return found


def test_rounded_employment_results_do_not_pin_down_the_missing_answers(demo):
    """The demo's employment at 12 months and qualification are published (every cell reaches 11)
    though 14 and 10 answers are missing: at 0.1 point the enumeration finds (14, 10) alone; at the
    published precision it leaves many candidates in each arm."""
    _cohort, analysis, public = demo
    exact = analysis.to_dict()["binary_outcomes"]["employed_12m"]
    sharp = {key: round(exact[key], 3) for key in (*ARMS, "difference", "ci_low", "ci_high", "p_value")}
    assert {m for m, _ in _missing_candidates(sharp, public.results["n"])} == {14}     # the attack works
    for name in ("employed_12m", "qualification"):
        out = public.results["binary_outcomes"][name]
        assert out["n_observed"] == {"treatment": None, "control": None}
        found = _missing_candidates(out, public.results["n"])
        for j in range(2):
            values = {pair[j] for pair in found}
            assert len(values) >= 5 and max(values) - min(values) >= T


# --------------------------------------------------------------------------- attack: reading the text and JSON

SMALL_IN_TEXT = (r"(\d+) ruptures", r"(\d+) accompagnés", r"(\d+) témoins", r"(\d+) jeunes",
                 r"accompagné \((\d+)\)", r"témoin \((\d+)\)", r"Effectif (\d+)", r"N = (\d+)")


def _small_numbers_in_text(text: str) -> list[str]:
    return [m for pattern in SMALL_IN_TEXT for m in re.findall(pattern, text) if int(m) < T]


def test_no_sentence_or_cell_carries_a_small_count(skewed, arm8):
    _, _, public, evaluator = skewed
    assert _small_numbers_in_text(evaluator.text())   # the evaluator's report does show some
    assert not _small_numbers_in_text(public.text())
    assert not _small_numbers_in_text(arm8[2].text())


COUNT_KEYS = {"n", "events", "attrited", "due", "held", "on_time", "ruptures", "count", "planned_end", "n_dropped",
              "extraction", "lost", "received", "not_received", "lost_to_followup", "censored_at_extraction",
              "assigned", "analysed", "n_observed", "missing", "at_risk"}


def _at(node, path):
    for key in path:
        node = None if node is None else node[int(key)] if isinstance(node, list) else node[str(key)]
    return node


@pytest.mark.parametrize("fixture", ["skewed", "arm8", "demo"])
def test_public_results_json_holds_no_count_from_1_to_threshold(fixture, request):
    built = request.getfixturevalue(fixture)
    analysis, public = built[1], built[2]
    exact = analysis.to_dict()
    leaks = [path for path, value in leaves(exact, lambda v: isinstance(v, int) and not isinstance(v, bool))
             if 0 < value < T and COUNT_KEYS & set(map(str, path[-3:])) and path[0] != "power"
             and _at(public.results, path) is not None]
    assert not leaks


def test_suppressed_pointers_are_null_and_logged_with_their_rule(skewed):
    _, _, public, _ = skewed
    results = public.results
    assert results["audience"] == "public" and results["suppressed"]
    for pointer in results["suppressed"]:
        keys = [k.replace("~1", "/").replace("~0", "~") for k in pointer[1:].split("/")]
        assert _at(results, keys) is None
    log = public.disclosure
    assert log["audience"] == "public" and log["threshold"] == T
    assert {d["pointer"] for d in log["decisions"] if d["rule"] not in ("rounded", "precision")} == \
        set(results["suppressed"])
    assert {d["rule"] for d in log["decisions"]} <= set(log["rules"])
    assert log["curves"]["censoring_marks"] is False


def test_data_quality_annex_does_not_print_missing_next_to_the_total(skewed):
    """employed_12m is missing for 295 of 300: 'missing 295' would say 5 answered."""
    _, _, public, _ = skewed
    quality = public.results["data_quality"]
    assert quality["missing"]["employed_12m"] is None
    assert all(w["count"] is None for w in quality["warnings"] if w.get("column") == "employed_12m")
    assert "295" not in public.html.split("qualité des données")[-1]


def test_an_arm_of_eight_is_not_printed_and_nothing_is_compared(arm8):
    _cohort, analysis, public = arm8
    assert analysis.n["treatment"] == 8
    results = public.results
    assert results["n"]["treatment"] is None and results["consort"]["assigned"]["treatment"] is None
    assert results["survival"]["cox"]["unadjusted"]["hr"] is None and results["survival"]["logrank"]["p_value"] is None
    assert not (public.path / "figures" / "km.svg").exists()
    assert re.search(r"Analyse principale, fixée avant l’analyse : [^;]+ ; son résultat n’est pas publié", public.html)
    assert not re.search(r"\b8 (accompagnés|jeunes)", public.text())


def test_no_output_holds_an_absolute_path(skewed):
    _, _, public, _ = skewed
    for name in ("results.json", "disclosure.json", "report.html"):
        text = (public.path / name).read_text(encoding="utf-8")
        assert str(ROOT) not in text and "/tmp/" not in text


# --------------------------------------------------------------------------- audiences and threshold

def test_evaluator_folder_is_complete_and_marked_not_for_publication(skewed):
    _, analysis, _, evaluator = skewed
    assert evaluator.results == {**analysis.to_dict(), "audience": "evaluator", "not_for_publication": True}
    assert evaluator.manifest["audience"] == "evaluator"
    assert evaluator.manifest["disclosure"].startswith("NOT FOR PUBLICATION")
    assert evaluator.disclosure["audience"] == "evaluator" and evaluator.disclosure["decisions"] == []
    assert "NE PAS PUBLIER" in evaluator.html
    assert all("NE PAS PUBLIER" in page for page in evaluator.pages)


def test_public_folder_carries_no_evaluator_mark(skewed):
    _, _, public, _ = skewed
    assert "NE PAS PUBLIER" not in public.html and "not_for_publication" not in public.results
    assert public.manifest["audience"] == "public"


def test_a_threshold_below_five_is_refused(skewed, tmp_path):
    cohort, analysis, _, _ = skewed
    with pytest.raises(EvalexpError) as error:
        publish(analysis, 4)
    assert str(error.value) == ("suppression_threshold = 4: a public report needs a whole number of at least 5 "
                                "(counts below it are withheld)")
    plan = _plan(**SKEWED_PLAN)
    plan = dataclasses.replace(plan, report=dataclasses.replace(plan.report, suppression_threshold=1))
    with pytest.raises(EvalexpError, match=r"^suppression_threshold = 1: "):
        build_report(cohort, plan, tmp_path / "out", progress=False, analysis=analysis)
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_threshold_of_one_and_writes_nothing(tmp_path, capsys):
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(DEMO_PLAN.read_text(encoding="utf-8").replace(
        "suppression_threshold = 11", "suppression_threshold = 1").replace("permutations = 10000", "permutations = 20"),
        encoding="utf-8")
    assert main(["report", str(DEMO_CSV), "--plan", str(plan_file), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "suppression_threshold" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_audience_evaluator_marks_the_folder(tmp_path):
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(DEMO_PLAN.read_text(encoding="utf-8").replace("permutations = 10000", "permutations = 20"),
                         encoding="utf-8")
    assert main(["report", str(DEMO_CSV), "--plan", str(plan_file), "--out", str(tmp_path / "out"), "--quiet",
                 "--audience", "evaluator"]) == 0
    assert json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["not_for_publication"] is True


def test_demo_public_report_answers_both_questions(demo):
    """Ruptures (risk difference, hazard ratio) and employment (12 months, qualification) are
    published; only what small cells force is withheld, and each withholding is said in a sentence."""
    _, _, public = demo
    summary = public.html.split("2. L'expérimentation")[0]
    assert re.search(r"À 12 mois, [\d,]+ % des jeunes accompagnés avaient rompu leur contrat contre [\d,]+ %",
                     summary)
    assert re.search(r"Analyse principale, fixée avant l’analyse : le modèle de Cox ajusté sur les covariables, "
                     r"rapport des risques de rupture [\d,]+", summary)
    assert re.search(r"Coût par rupture évitée : [\d  ]+ EUR", summary)
    assert re.search(r"En emploi à 12 mois : \d+ % chez les accompagnés contre \d+ % chez les témoins", summary)
    assert re.search(r"Qualification obtenue : \d+ % chez les accompagnés", summary)
    assert "En emploi à 6 mois : résultat non publié, car il permettrait de retrouver un effectif" in summary
    assert (public.path / "figures" / "outcomes.svg").exists()
    assert public.results["binary_outcomes"]["employed_12m"]["difference"] is not None
