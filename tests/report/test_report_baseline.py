"""Table 1: baseline characteristics by arm (evalexp.integrity.baseline, evalexp.disclosure.baseline,
evalexp.report.sections.baseline).

- the numbers are the cohort's (pandas: mean, SD with ddof = 1, counts per level, missing values);
- in a public report one suppression pattern per variable is shared by Table 1, the balance table
  and the subgroup table, so that an attacker holding every published file (results.json, the
  report's tables, tables.xlsx, the percentages) cannot recover a withheld count;
- the table is in every format the report writes, in French and English, before the balance table.
"""
from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pypdfium2 as pdfium
import pytest
from checks import determined

from evalexp.analysis import analyze
from evalexp.disclosure import Publication
from evalexp.disclosure.baseline import baseline as baseline_rule
from evalexp.disclosure.baseline import close_mask
from evalexp.disclosure.ledger import Ledger
from evalexp.integrity.balance import baseline_balance
from evalexp.integrity.baseline import baseline_table, baseline_variables
from evalexp.load import load_cohort, load_frame
from evalexp.plan import load_plan, plan_from_dict
from evalexp.report import build_report
from evalexp.report.i18n import Formatter
from evalexp.report.sections import Context
from evalexp.report.sections import baseline as section_module

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"
T = 11
ARMS = ("treatment", "control")
SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


def _plan():
    plan = load_plan(DEMO_PLAN)
    return dataclasses.replace(plan, inference=dataclasses.replace(plan.inference, permutations=50,
                                                                   statistics=("logrank",)))


def _with_missing() -> pd.DataFrame:
    """The demo cohort with 3 supported and 12 control diplomas unknown (15 in all, a total the
    data-quality annex publishes), 4 control ages unknown, and a sector 'agriculture' of 12 supported
    and 3 control young people."""
    data = pd.read_csv(DEMO_CSV)
    treated, control = data.index[data["arm"] == "treatment"], data.index[data["arm"] == "control"]
    data.loc[treated[:3], "diploma"] = np.nan
    data.loc[control[:12], "diploma"] = np.nan
    data.loc[control[20:24], "age"] = np.nan
    data.loc[treated[30:42], "sector"] = "agriculture"
    data.loc[control[30:33], "sector"] = "agriculture"
    return data


# --------------------------------------------------------------------------- the numbers

def test_table_one_numbers_are_the_cohorts():
    plan = _plan()
    data = _with_missing()
    cohort = load_frame(data, plan)
    table = baseline_table(cohort, plan, baseline_balance(cohort, plan)).to_dict()
    assert [(v["variable"], v["roles"]) for v in table["variables"]] == [
        ("age", ["covariate"]), ("female", ["covariate", "subgroup"]), ("diploma", ["covariate", "subgroup"]),
        ("stratum", ["strata"]), ("sector", ["subgroup"])]
    frame = cohort.data
    by = {v["variable"]: v for v in table["variables"]}
    for arm in ARMS:
        rows = frame[frame["arm"] == arm]
        age = rows["age"].dropna()
        assert by["age"]["known"][arm] == len(age)
        assert by["age"]["missing"][arm] == rows["age"].isna().sum()
        assert by["age"]["mean"][arm] == pytest.approx(age.mean(), rel=1e-12)
        assert by["age"]["sd"][arm] == pytest.approx(age.std(ddof=1), rel=1e-12)
        for name in ("diploma", "sector", "stratum"):
            counts = rows[name].value_counts()
            assert {lv: c[arm] for lv, c in by[name]["levels"].items() if c[arm]} == counts.to_dict()
            assert by[name]["missing"][arm] == rows[name].isna().sum()
        assert by["female"]["levels"]["1"][arm] == (rows["female"] == 1).sum()
        assert by["female"]["levels"]["0"][arm] == (rows["female"] == 0).sum()
    assert by["diploma"]["missing"] == {"treatment": 3, "control": 12}
    assert by["age"]["missing"] == {"treatment": 0, "control": 4}
    # levels in R's factor() order (case- and accent-insensitive), as the subgroup table and the models
    assert list(by["diploma"]["levels"]) == sorted(by["diploma"]["levels"], key=str.casefold)
    assert list(by["diploma"]["levels"]).index("bac") < list(by["diploma"]["levels"]).index("CAP-BEP")


def test_continuous_covariates_reuse_the_balance_rows():
    """The balance table's mean and SD are taken as they are, not recomputed."""
    plan = _plan()
    cohort = load_cohort(DEMO_CSV, plan)
    balance = baseline_balance(cohort, plan)
    row = balance.table[balance.table["covariate"] == "age"].iloc[0]
    age = baseline_table(cohort, plan, balance).variables[0]
    assert age["mean"] == {a: row[f"mean_{a}"] for a in ARMS}
    assert age["sd"] == {a: row[f"sd_{a}"] for a in ARMS}


def test_site_and_cluster_columns_are_left_to_the_sites_section():
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365, "covariates": ["age"], "strata": "stratum",
                                                      "cluster": "site"},
                           "integrity": {"subgroups": ["site", "sector", "age"]}, "heterogeneity": {"by": "site"}})
    assert baseline_variables(plan) == (("age", ("covariate", "subgroup")), ("stratum", ("strata",)),
                                        ("sector", ("subgroup",)))


def test_close_mask_hides_the_smallest_visible_cell_of_a_line_with_one_hidden_cell():
    values = np.array([[5.0, 30.0], [20.0, 25.0], [40.0, 12.0]])
    lines = [np.zeros((3, 2), bool) for _ in range(2)]
    lines[0][:, 0] = True
    lines[1][:, 1] = True
    mask = close_mask(values, values < T, lines)
    assert mask.tolist() == [[True, False], [True, False], [False, False]]


# --------------------------------------------------------------------------- the shared pattern

def _ledger(results):
    return Ledger({"n": {"treatment": 75, "control": 75}, "events": {"treatment": 20, "control": 30}, **results}, T)


def _balance_row(covariate, level, kind, share_t, share_c, known=(75, 75)):
    return {"covariate": covariate, "level": level, "kind": kind, "measure": "cox_index",
            "treatment": {"n": known[0], "mean": share_t, "sd": None},
            "control": {"n": known[1], "mean": share_c, "sd": None}, "std_difference": 0.1, "rating": "x",
            "adjusted": True}


def test_a_cell_hidden_by_the_subgroup_table_is_hidden_in_table_one_and_the_balance_table():
    """Sector 'a' 30/30, 'b' 35/25, 'c' 10/20: on its columns alone (Table 1's and the balance
    table's published totals) only c and a of the supported arm need hiding; the subgroup table,
    which protects the levels' totals too, hides every cell (c, then c's row, then each column's
    smallest, then their rows). One pattern: every cell hidden in the three tables."""
    levels = {"a": {"treatment": 30, "control": 30}, "b": {"treatment": 35, "control": 25},
              "c": {"treatment": 10, "control": 20}}
    results = {
        "baseline": {"variables": [{"variable": "sector", "kind": "categorical", "roles": ["subgroup", "balance"],
                                    "missing": {"treatment": 0, "control": 0}, "levels": levels}]},
        "balance": {"covariates": [_balance_row("sector", lv, "categorical", c["treatment"] / 75,
                                                c["control"] / 75) for lv, c in levels.items()]},
        "subgroups": {"variables": {"sector": {"levels": {
            lv: {"n": dict(c), "events": {a: c[a] // 2 for a in ARMS}, "cox": {"hr": 0.9}}
            for lv, c in levels.items()}, "interaction": {"p_value": 0.5}}}},
    }
    ledger = _ledger(results)
    from evalexp.disclosure import results as rules
    rules.balance(ledger)
    rules.subgroups(ledger)
    baseline_rule(ledger)
    table1 = ledger.data["baseline"]["variables"][0]["levels"]
    sub = ledger.data["subgroups"]["variables"]["sector"]["levels"]
    shares = {row["level"]: row for row in ledger.data["balance"]["covariates"]}
    for lv in levels:
        for a in ARMS:
            hidden = {table1[lv][a] is None, sub[lv]["n"][a] is None, shares[lv][a]["mean"] is None}
            assert len(hidden) == 1, (lv, a)       # the three tables agree on every cell
    assert all(table1[lv][a] is None for lv in levels for a in ARMS)
    assert ledger.rule("baseline", "variables", 0, "levels", "c", "treatment") == "primary"


def test_missing_values_hide_the_denominator_and_every_share_of_the_arm():
    """3 unknown diplomas among the supported: the missing count is hidden (primary), and so is the
    number of known values in the balance table and every share of that arm (a share k/K, even
    printed, gives K back); the control arm's 12 unknown are hidden too, the data-quality annex
    publishing the total of 15."""
    levels = {"bac": {"treatment": 40, "control": 33}, "none": {"treatment": 32, "control": 30}}
    missing = {"treatment": 3, "control": 12}
    results = {
        "baseline": {"variables": [{"variable": "diploma", "kind": "categorical", "roles": ["covariate"],
                                    "missing": missing, "levels": levels}]},
        "balance": {"covariates": [_balance_row("diploma", lv, "categorical", c["treatment"] / 72,
                                                c["control"] / 63, known=(72, 63)) for lv, c in levels.items()]},
        "data_quality": {"missing": {"diploma": 15}},
    }
    ledger = _ledger(results)
    from evalexp.disclosure import results as rules
    rules.balance(ledger)
    rules.data_quality(ledger)
    baseline_rule(ledger)
    var = ledger.data["baseline"]["variables"][0]
    assert var["missing"] == {"treatment": None, "control": None}
    assert ledger.rule("baseline", "variables", 0, "missing", "treatment") == "primary"
    assert ledger.rule("baseline", "variables", 0, "missing", "control") == "secondary"
    # the column of each arm (levels + missing = 75) has two hidden cells at least
    for a in ARMS:
        assert sum(var["levels"][lv][a] is None for lv in levels) >= 1
    for row in ledger.data["balance"]["covariates"]:
        assert row["treatment"]["n"] is None and row["control"]["n"] is None
        assert row["treatment"]["mean"] is None and row["control"]["mean"] is None
    ctx = Context(Publication("public", T, ledger.data, tuple(ledger.decisions), {}, np.array([]), {}, 0.0,
                              pd.DataFrame({"group": [], "arm": [], "time": [], "cif": []}), {}, {}),
                  _plan(), Formatter("en", T))
    table = section_module.section(ctx).blocks[1]
    shown = {row[0]: row[1:] for row in table.rows}
    assert shown["Diploma: not known"] == ("<11", "s")
    for row in table.rows[1:3]:
        assert all(cell in ("<11", "s") or cell.endswith("(s)") for cell in row[1:])


def test_a_continuous_variable_with_a_few_missing_values_hides_its_mean_and_sd():
    """4 unknown ages among the controls: the mean of 71 values would give the sum back, and its
    denominator is withheld; the balance table's control mean and SD go with it."""
    var = {"variable": "age", "kind": "continuous", "roles": ["covariate"],
           "missing": {"treatment": 0, "control": 4}, "known": {"treatment": 75, "control": 71},
           "mean": {"treatment": 21.0, "control": 21.2}, "sd": {"treatment": 3.0, "control": 2.9}}
    row = _balance_row("age", None, "continuous", 21.0, 21.2, known=(75, 71))
    row["treatment"]["sd"], row["control"]["sd"] = 3.0, 2.9
    ledger = _ledger({"baseline": {"variables": [var]}, "balance": {"covariates": [row]}})
    from evalexp.disclosure import results as rules
    rules.balance(ledger)
    baseline_rule(ledger)
    out = ledger.data["baseline"]["variables"][0]
    assert out["missing"] == {"treatment": 0, "control": None}
    assert out["known"] == {"treatment": 75, "control": None}
    assert out["mean"] == {"treatment": 21.0, "control": None} and out["sd"]["control"] is None
    bal = ledger.data["balance"]["covariates"][0]
    assert bal["control"] == {"n": None, "mean": None, "sd": None} and bal["std_difference"] is None
    assert bal["treatment"] == {"n": 75, "mean": 21.0, "sd": 3.0}


# --------------------------------------------------------------------------- the attack

class Folder:
    """What an outside reader holds: the files of a report folder."""

    def __init__(self, path: Path):
        self.path = path
        self.results = json.loads((path / "results.json").read_text(encoding="utf-8"))
        self.html = (path / "report.html").read_text(encoding="utf-8")
        pdf = pdfium.PdfDocument((path / "report.pdf").read_bytes())
        self.pdf = " ".join(page.get_textpage().get_text_range() for page in pdf)
        with zipfile.ZipFile(path / "report.docx") as docx:
            self.docx = docx.read("word/document.xml").decode("utf-8")
        self.xlsx = openpyxl.load_workbook(io.BytesIO((path / "tables.xlsx").read_bytes()))

    def table_one(self, first_label: str) -> list[list[str]]:
        """The rows of Table 1's sheet (from its first body row on), cells as text."""
        for sheet in self.xlsx.worksheets:
            rows = [[("" if c is None else str(c)).translate(SPACES) for c in r]
                    for r in sheet.iter_rows(values_only=True)]
            starts = [i for i, r in enumerate(rows) if r and r[0] == first_label]
            if starts:
                body = []
                for r in rows[starts[0]:]:
                    if not r[0] or len(r) < 3 or not r[1]:
                        break
                    body.append(r[:3])
                return body
        raise AssertionError("no Table 1 sheet in tables.xlsx")


@pytest.fixture(scope="module")
def missing_public(tmp_path_factory):
    plan = _plan()
    cohort = load_frame(_with_missing(), plan)
    analysis = analyze(cohort, plan)
    out = tmp_path_factory.mktemp("baseline_missing") / "report"
    build_report(cohort, plan, out, progress=False, analysis=analysis, audience="public")
    evaluator = tmp_path_factory.mktemp("baseline_missing_eval") / "report"
    build_report(cohort, plan, evaluator, progress=False, analysis=analysis, audience="evaluator")
    return analysis, Folder(out), Folder(evaluator)


@pytest.fixture(scope="module")
def demo_public(tmp_path_factory):
    plan = _plan()
    cohort = load_cohort(DEMO_CSV, plan)
    analysis = analyze(cohort, plan)
    out = tmp_path_factory.mktemp("baseline_demo") / "report"
    build_report(cohort, plan, out, progress=False, analysis=analysis, audience="public")
    english = tmp_path_factory.mktemp("baseline_demo_en") / "report"
    build_report(cohort, dataclasses.replace(plan.in_language("en")), english, progress=False, analysis=analysis,
                 audience="public")
    return analysis, Folder(out), Folder(english)


def _published_cells(results: dict, name: str, levels: list[str], missing_row: bool) -> np.ndarray:
    """What every published place gives of a variable's cells (levels, then missing, x arms):
    Table 1's counts, the balance table's shares times its numbers known, the subgroup table's
    sizes, the numbers known of Table 1 and of the balance table (n - known = missing)."""
    shape = (len(levels) + missing_row, 2)
    known = np.full(shape, np.nan)
    var = next(v for v in results["baseline"]["variables"] if v["variable"] == name)
    n = results["n"]
    for k, a in enumerate(ARMS):
        for r, lv in enumerate(levels):
            if var["levels"][lv][a] is not None:
                known[r, k] = var["levels"][lv][a]
            sub = ((results.get("subgroups") or {}).get("variables", {}).get(name) or {}).get("levels", {})
            if lv in sub and sub[lv]["n"][a] is not None:
                known[r, k] = sub[lv]["n"][a]
        for row in (results.get("balance") or {}).get("covariates", []):
            if row["covariate"] != name or row[a]["mean"] is None or row[a]["n"] is None:
                continue
            count = round(row[a]["mean"] * row[a]["n"])
            if row["level"] is None:
                known[levels.index("1"), k], known[levels.index("0"), k] = count, row[a]["n"] - count
            else:
                known[levels.index(str(row["level"])), k] = count
            if missing_row:
                known[-1, k] = n[a] - row[a]["n"]
        if missing_row and var["missing"][a] is not None:
            known[-1, k] = var["missing"][a]
    return known


def _attack(analysis, folder: Folder) -> list[str]:
    """Every way the attacker recovers a withheld count of a Table 1 variable: a cell below the
    threshold shown anywhere, a hidden cell determined by the published totals (arm sizes, the
    data-quality annex's missing totals, fully published rows), a share whose denominator is
    withheld (rational reconstruction of k/K), a mean whose denominator is withheld."""
    results, exact = folder.results, analysis.to_dict()
    found = []
    for var in exact["baseline"]["variables"]:
        name = var["variable"]
        missing_row = any(var["missing"][a] > 0 for a in ARMS)
        pub_var = next(v for v in results["baseline"]["variables"] if v["variable"] == name)
        if var["kind"] == "continuous":
            for a in ARMS:
                if pub_var["known"][a] is None and pub_var["mean"][a] is not None:
                    found.append(f"{name} {a}: mean over a withheld number known")
            continue
        levels = list(var["levels"])
        truth = np.array([[var["levels"][lv][a] for a in ARMS] for lv in levels]
                         + ([[var["missing"][a] for a in ARMS]] if missing_row else []), dtype=float)
        known = _published_cells(results, name, levels, missing_row)
        shown = ~np.isnan(known)
        assert (known[shown] == truth[shown]).all(), name       # the published values are the true ones
        small = truth < T
        if missing_row:
            small[-1] = (truth[-1] > 0) & (truth[-1] < T)
        found += [f"{name} {cell}: small value shown" for cell in map(tuple, np.argwhere(small & shown))]
        lines = []
        for k in range(2):
            line = np.zeros(truth.shape, bool)
            line[:, k] = True
            lines.append(line)
        dq = (results.get("data_quality") or {}).get("missing", {}).get(name)
        if missing_row and dq is not None:
            line = np.zeros(truth.shape, bool)
            line[-1] = True
            lines.append(line)
        found += [f"{name} {cell}: determined by totals" for cell in determined(~shown, lines)]
        for row in (results.get("balance") or {}).get("covariates", []):
            for a in ARMS:
                if row["covariate"] == name and row[a]["mean"] is not None and row[a]["n"] is None:
                    denominator = Fraction(row[a]["mean"]).limit_denominator(results["n"][a]).denominator
                    found.append(f"{name} {a}: share with a withheld denominator ({denominator})")
    return found


def _xlsx_attack(folder: Folder, first_label: str) -> list[str]:
    """Percentages printed beside a count give the arm's number known (count / share): a share may
    be printed only where that number is published; no cell shows a number below the threshold."""
    found = []
    body = folder.table_one(first_label)[1:]
    marks = (f"<{T}", "s")
    for missing in (r for r in body if r[0].endswith(("non renseigné", "not known"))):
        variable = missing[0].split(":")[0].strip()
        for k in (1, 2):
            if missing[k].strip() in marks:   # the arm's number known is withheld: no share of it printed
                found += [f"{r[0]}: {r[k]}" for r in body if r is not missing and r[0].split(":")[0].strip() == variable
                          and not (r[k].strip() in marks or r[k].strip().endswith("(s)"))]
    for row in body:
        for cell in row[1:]:
            match = re.fullmatch(r"([\d ]+) \(([\d ,.]+) ?%\)", cell.strip())
            if cell.strip() in (f"<{T}", "s") or cell.strip().endswith("(s)"):
                continue
            if match and int(match.group(1).replace(" ", "")) < T:
                found.append(f"{row[0]}: {cell}")
    return found


def test_the_attacker_recovers_the_small_cells_from_the_evaluator_folder(missing_public):
    """The attacks are real: on the evaluator's folder they find the small cells."""
    analysis, _, evaluator = missing_public
    found = _attack(analysis, evaluator)
    assert any(f.startswith("diploma") and "small value shown" in f for f in found)
    assert any(f.startswith("sector") and "small value shown" in f for f in found)


@pytest.mark.parametrize("fixture", ["missing_public", "demo_public"])
def test_no_withheld_baseline_count_can_be_recovered_from_the_public_folder(fixture, request):
    analysis, public = request.getfixturevalue(fixture)[:2]
    assert _attack(analysis, public) == []
    assert _xlsx_attack(public, "Effectif du groupe") == []


def test_the_public_folder_withholds_what_the_cohort_makes_small(missing_public):
    _, public, _ = missing_public
    by = {v["variable"]: v for v in public.results["baseline"]["variables"]}
    assert by["diploma"]["missing"] == {"treatment": None, "control": None}
    assert by["age"]["missing"] == {"treatment": 0, "control": None}
    assert by["age"]["mean"]["control"] is None and by["age"]["mean"]["treatment"] is not None
    assert by["sector"]["levels"]["agriculture"]["control"] is None
    pointers = {d["pointer"]: d["rule"] for d in json.loads((public.path / "disclosure.json").read_text())["decisions"]}
    i = list(by).index("diploma")
    assert pointers[f"/baseline/variables/{i}/missing/treatment"] == "primary"
    assert set(public.results["suppressed"]) >= {p for p in pointers if p.startswith("/baseline/")}
    rows = {r[0]: r[1:] for r in public.table_one("Effectif du groupe")}
    assert rows["Diplôme : non renseigné"] == ["<11", "s"]
    assert rows["Âge : non renseigné"] == ["0", "<11"]


# --------------------------------------------------------------------------- every format, both languages

@pytest.mark.parametrize("language, title, first, row", [
    ("fr", "Les participants au moment du tirage au sort", "Effectif du groupe", "Sexe : Femme"),
    ("en", "The participants at randomisation", "Group size", "Sex: Woman"),
])
def test_table_one_is_in_every_format_before_the_balance_table(demo_public, language, title, first, row):
    _, fr, en = demo_public
    folder = fr if language == "fr" else en
    html = folder.html.translate(SPACES)
    assert title in html and html.index(title) < html.index('id="balance"')
    assert "Comment lire ce tableau : pour une caractéristique en catégories" in html if language == "fr" else \
        "How to read this table: for a characteristic in categories" in html
    pdf = folder.pdf.translate(SPACES).replace("\r\n", " ").replace("\n", " ")
    assert title in pdf and row in pdf
    docx = folder.docx.translate(SPACES)
    assert title in docx and row in docx
    body = folder.table_one(first)
    women = next(r for r in body if r[0] == row)
    assert women[1] == ("35 (46,7 %)" if language == "fr" else "35 (46.7%)")
    assert body[0][1:] == ["75", "75"]
    assert re.search(r"Ta(?:bleau|ble) 2 [–-] ", html[html.index(title):])   # numbered like the other tables


# --------------------------------------------------------------------------- strata that group the sites

def test_a_stratum_per_site_is_flagged_as_grouping_the_sites():
    """The demo has one stratum per Mission locale: with [heterogeneity] by = "site" the strata group
    the sites; the sectors (several per site) do not."""
    plan = dataclasses.replace(_plan(), heterogeneity=dataclasses.replace(_plan().heterogeneity, by="site"))
    cohort = load_cohort(DEMO_CSV, plan)
    by = {v["variable"]: v for v in baseline_table(cohort, plan).variables}
    assert by["stratum"]["groups_sites"] is True
    assert by["sector"]["groups_sites"] is False and by["diploma"]["groups_sites"] is False
    assert baseline_table(cohort, _plan()).variables[3]["groups_sites"] is False   # no across-site analysis


def test_counts_that_group_pooled_sites_are_withheld():
    """Strata S1 (site A) and S2 (sites B, C): with B pooled into "other sites" (whose total is
    published), S2's count minus a published site C would give B back; every count of the strata is
    withheld (site_partition), and published when no site is pooled."""
    levels = {"S1": {"treatment": 40, "control": 40}, "S2": {"treatment": 35, "control": 35}}

    def run(other_sites):
        var = {"variable": "stratum", "kind": "categorical", "roles": ["strata"],
               "missing": {"treatment": 0, "control": 0}, "levels": levels, "groups_sites": True}
        ledger = _ledger({"baseline": {"variables": [var]}, "heterogeneity": {"other_sites": other_sites}})
        baseline_rule(ledger)
        return ledger

    pooled = run({"sites": 1, "n": {"treatment": 12, "control": 14}, "events": {"treatment": 3, "control": 4}})
    assert all(pooled.data["baseline"]["variables"][0]["levels"][lv][a] is None for lv in levels for a in ARMS)
    assert pooled.rule("baseline", "variables", 0, "levels", "S2", "control") == "site_partition"
    assert run(None).data["baseline"]["variables"][0]["levels"] == levels
