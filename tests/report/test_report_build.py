"""build_report end to end on the demo cohort: outputs, sections, languages, disclosure, atomicity."""
import dataclasses
import hashlib
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pypdfium2 as pdfium
import pytest
from checks import leaves

from evalexp.analysis import analyze
from evalexp.cli import main
from evalexp.disclosure import publish
from evalexp.load import load_cohort, load_frame
from evalexp.plan import load_plan
from evalexp.report import build_report
from evalexp.report.i18n import typeset_fr
from evalexp.simulate import simulate

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"
PERMUTATIONS = 200

FR_SECTIONS = ["summary", "intervention", "experiment", "baseline", "balance", "attrition", "primary", "competing",
               "outcomes", "wwc", "compliance", "sensitivity", "subgroups", "fidelity", "power", "methods", "glossary",
               "quality"]


def _plan(**changes):
    plan = load_plan(DEMO_PLAN)
    return dataclasses.replace(plan, inference=dataclasses.replace(plan.inference, permutations=PERMUTATIONS),
                               **changes)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang, self.sections, self.urls, self.h2 = None, [], [], []
        self._h2 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "section":
            self.sections.append(attrs["id"])
        self.urls += [v for k, v in attrs.items() if k in ("src", "href", "srcset", "action") and v]
        self._h2 = tag == "h2"

    def handle_data(self, data):
        if self._h2:
            self.h2.append(data)
            self._h2 = False


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _pdf_text(path: Path) -> str:
    pdf = pdfium.PdfDocument(path.read_bytes())
    return "\n".join(page.get_textpage().get_text_range() for page in pdf)


@pytest.fixture(scope="module")
def demo():
    plan = _plan()
    cohort = load_cohort(DEMO_CSV, plan)
    return cohort, plan, analyze(cohort, plan)


@pytest.fixture(scope="module")
def report_fr(demo, tmp_path_factory):
    cohort, plan, analysis = demo
    out = tmp_path_factory.mktemp("fr") / "report"
    build_report(cohort, plan, out, cohort_path=DEMO_CSV, plan_path=DEMO_PLAN,
                 command_line=["evalexp", "report", "x"], progress=False, analysis=analysis)
    return out


@pytest.fixture(scope="module")
def report_en(demo, tmp_path_factory):
    cohort, plan, analysis = demo
    plan_en = dataclasses.replace(plan, language="en")
    out = tmp_path_factory.mktemp("en") / "report"
    build_report(cohort, plan_en, out, progress=False, analysis=analysis)
    return out


def test_report_directory_holds_every_output(report_fr):
    names = {str(p.relative_to(report_fr)) for p in report_fr.rglob("*") if p.is_file()}
    assert {"report.html", "report.pdf", "results.json", "disclosure.json", "manifest.json"} <= names
    figures = {n for n in names if n.startswith("figures/")}
    stems = {Path(n).stem for n in figures}
    # the outcomes figure shows the two employment outcomes whose cells all reach 11; no subgroup
    # hazard ratio is published, so no forest plot of sizes alone
    assert {"consort", "balance", "km", "cif", "outcomes"} <= stems
    assert "subgroups" not in stems
    assert figures == {f"figures/{s}.{ext}" for s in stems for ext in ("png", "svg")}


def test_sections_follow_the_funder_order(report_fr):
    assert _parse(report_fr / "report.html").sections == FR_SECTIONS


def test_html_language_and_headings_follow_the_plan(report_fr, report_en):
    fr, en = _parse(report_fr / "report.html"), _parse(report_en / "report.html")
    assert (fr.lang, en.lang) == ("fr", "en")
    assert "7. Résultat principal\u202f: les ruptures de contrat" in fr.h2
    assert "7. Primary result: contract ruptures" in en.h2


def test_html_has_no_external_url(report_fr):
    page = _parse(report_fr / "report.html")
    assert all(url.startswith(("#", "data:")) for url in page.urls)
    html = (report_fr / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"url\(\s*['\"]?(https?:|//)", html)
    assert not re.search(r"@import", html)


def test_french_report_uses_french_number_formats(report_fr):
    text = (report_fr / "report.html").read_text(encoding="utf-8")
    assert re.search(r"\d+,\d\u202f%", text)
    assert re.search(r"\b\d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
                     r"novembre|décembre) \d{4}\b", text)
    assert not re.search(r"\d+\.\d\u202f?%", text)


def test_no_participant_identifier_in_any_output(demo, report_fr, report_en):
    cohort, _, _ = demo
    pseudonyms = set(cohort.data["participant_id"].astype(str))
    raw = set(pd.read_csv(DEMO_CSV, usecols=["participant_id"])["participant_id"].astype(str))
    identifiers = pseudonyms | raw
    for out in (report_fr, report_en):
        texts = [p.read_text(encoding="utf-8") for p in out.rglob("*") if p.suffix in (".html", ".json", ".svg")]
        texts.append(_pdf_text(out / "report.pdf"))
        for text in texts:
            assert not [i for i in identifiers if i in text]


def test_evaluator_results_json_is_what_evalexp_analyze_writes_marked_not_for_publication(demo, tmp_path):
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(DEMO_PLAN.read_text(encoding="utf-8").replace(
        "permutations = 10000", f"permutations = {PERMUTATIONS}"), encoding="utf-8")
    assert main(["analyze", str(DEMO_CSV), "--plan", str(plan_file), "--json", str(tmp_path / "r.json"),
                 "--quiet"]) == 0
    cohort, plan, analysis = demo
    build_report(cohort, plan, tmp_path / "eval", progress=False, analysis=analysis, audience="evaluator")
    published = json.loads((tmp_path / "eval" / "results.json").read_text(encoding="utf-8"))
    written = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    # The provenance differs by the run's plan file (fewer permutations here) and command line only.
    provenance, analyzed = published.pop("provenance"), written.pop("provenance")
    assert provenance["input"] == analyzed["input"] and provenance["software"] == analyzed["software"]
    assert analyzed["command_line"][:2] == ["evalexp", "analyze"] and provenance["command_line"] is None
    assert published == {**written, "audience": "evaluator", "not_for_publication": True}


def test_public_results_json_has_nulls_where_the_report_withholds(report_fr):
    published = json.loads((report_fr / "results.json").read_text(encoding="utf-8"))
    assert published["audience"] == "public" and published["suppressed"]
    assert published["consort"]["lost_to_followup"]["treatment"] is None
    assert "/consort/lost_to_followup/treatment" in published["suppressed"]
    log = json.loads((report_fr / "disclosure.json").read_text(encoding="utf-8"))
    assert {d["pointer"] for d in log["decisions"] if d["rule"] not in ("rounded", "precision")} == \
        set(published["suppressed"])
    assert all(d["threshold"] == 11 for d in log["decisions"])


def test_manifest_identifies_inputs_and_software(report_fr):
    record = json.loads((report_fr / "manifest.json").read_text(encoding="utf-8"))
    assert record["input"]["sha256"] == hashlib.sha256(DEMO_CSV.read_bytes()).hexdigest()
    assert record["plan"]["sha256"] == hashlib.sha256(DEMO_PLAN.read_bytes()).hexdigest()
    assert record["seed"] == 20101001 and record["command_line"] == ["evalexp", "report", "x"]
    assert record["dependencies"]["reportlab"] and record["created_utc"].endswith("+00:00")
    assert record["outputs"]["report.pdf"] == hashlib.sha256((report_fr / "report.pdf").read_bytes()).hexdigest()


def test_pdf_pages_are_all_non_blank(report_fr):
    pdf = pdfium.PdfDocument((report_fr / "report.pdf").read_bytes())
    assert len(pdf) >= 1 + len(FR_SECTIONS)
    for page in pdf:
        pixels = np.asarray(page.render(scale=0.4).to_pil().convert("L"))
        assert (pixels < 200).mean() > 0.002


def test_summary_states_the_effect_in_points_and_no_minimum_detectable_effect_after_a_significant_one(
        report_fr, demo):
    """The demo's primary analysis (adjusted Cox, p = 0.043) is significant: the summary says so and
    prints no minimum-detectable-effect sentence, which only fits a null result."""
    text = _pdf_text(report_fr / "report.pdf")
    rd = demo[2].to_dict()["survival"]["risk_difference"]
    assert re.search(r"À 12 mois, [\d,]+ % des jeunes accompagnés avaient rompu leur contrat", text)
    assert f"{abs(100 * rd['difference']):.1f}".replace(".", ",") + " points de moins" in text
    assert "statistiquement significatif" in " ".join(text.split())
    assert "ne pouvait détecter" not in text


def test_summary_answers_the_employment_question_where_the_cells_allow(report_fr, demo):
    """Employment at 6 months has 9 supported young people not employed (fewer than 11): withheld
    and said so. At 12 months and for the qualification every cell reaches 11: published, with
    shares in whole percent since fewer than 11 answers are missing in an arm."""
    _, plan, _ = demo
    text = " ".join(_pdf_text(report_fr / "report.pdf").split())
    assert f"{plan.labels['employed_6m']} : résultat non publié" in text
    for name in ("employed_12m", "qualification"):
        assert re.search(rf"{plan.labels[name]} : \d+ % chez les accompagnés contre \d+ % chez les témoins", text)


def test_sections_not_requested_are_left_out(tmp_path):
    plan = _plan(survival=dataclasses.replace(_plan().survival, causes=None),
                 outcomes=dataclasses.replace(_plan().outcomes, binary=()),
                 integrity=dataclasses.replace(_plan().integrity, subgroups=(), meetings=()))
    cohort = load_cohort(DEMO_CSV, plan)
    build_report(cohort, plan, tmp_path / "r", progress=False)
    sections = _parse(tmp_path / "r" / "report.html").sections
    assert not {"competing", "outcomes", "subgroups", "fidelity"} & set(sections)
    assert not (tmp_path / "r" / "figures" / "cif.png").exists()


def test_lessons_come_from_the_plan_and_no_placeholder_is_published(report_fr, demo, tmp_path):
    """The demo plan gives no lessons: the public report has no such section and no placeholder
    (CONTRACT §7); with a text, the section shows it."""
    html = unescape((report_fr / "report.html").read_text(encoding="utf-8"))
    assert "lessons" not in _parse(report_fr / "report.html").sections
    assert "À compléter" not in html and "Texte manquant" not in html and 'class="placeholder"' not in html
    cohort, plan, analysis = demo
    plan = dataclasses.replace(plan, report=dataclasses.replace(plan.report, lessons="Généraliser avec prudence."))
    build_report(cohort, plan, tmp_path / "r", progress=False, analysis=analysis)
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "Généraliser avec prudence." in html and "À compléter" not in html


def test_failure_leaves_the_previous_report_untouched(report_fr, demo, monkeypatch, tmp_path):
    import shutil

    import evalexp.report.build as build
    out = tmp_path / "report"
    shutil.copytree(report_fr, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(doc):
        raise RuntimeError("PDF engine failed")
    monkeypatch.setattr(build, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        build_report(demo[0], demo[1], out, progress=False, analysis=demo[2])
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_progress_is_shown_on_stderr(demo, tmp_path, capsys):
    build_report(demo[0], demo[1], tmp_path / "r", progress=True, analysis=demo[2])
    err = capsys.readouterr().err
    # five steps: analysis, figures and document, HTML, PDF, manifest and files
    assert "[1/5]" in err and "[5/5] manifest and files" in err and "done in" in err


def test_cli_report_builds_the_report(tmp_path):
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(DEMO_PLAN.read_text(encoding="utf-8").replace(
        "permutations = 10000", f"permutations = {PERMUTATIONS}"), encoding="utf-8")
    assert main(["report", str(DEMO_CSV), "--plan", str(plan_file), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    record = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert (tmp_path / "out" / "report.pdf").stat().st_size > 0
    assert record["command_line"][0] == "evalexp"        # then sys.argv[1:], here pytest's own
    assert record["input"]["path"] == DEMO_CSV.name      # base name only: no folder, user or host name


# --------------------------------------------------------------------------- disclosure on a tiny cohort

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """40 participants: every arm has fewer than 11 ruptures; curves and at-risk counts are cut."""
    plan = _plan(outcomes=dataclasses.replace(_plan().outcomes, binary=()),
                 integrity=dataclasses.replace(_plan().integrity, subgroups=(), meetings=()))
    cohort = load_frame(simulate(40, seed=5).data, plan)
    out = tmp_path_factory.mktemp("tiny") / "report"
    build_report(cohort, plan, out, progress=False)
    return cohort, out


def test_tiny_cohort_counts_below_threshold_are_hidden(tiny):
    cohort, out = tiny
    events = cohort.events
    assert max(events.values()) < 11
    html = (out / "report.html").read_text(encoding="utf-8")
    quality = html[html.index('<section id="quality">'):]
    rows = re.findall(r"<tr><th scope=\"row\">([^<]*)</th>((?:<td[^>]*>[^<]*</td>)+)</tr>", quality)
    cells = {unescape(label): [unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", tds)] for label, tds in rows}
    assert cells["Ruptures"] == ["<11", "<11"]
    # the other ends of follow-up add up with the ruptures to the arm: none is left alone visible
    others = [cells[typeset_fr(k)] for k in ("Suivis jusqu'à la fin prévue du contrat",
                                            "Suivis jusqu'à l'extraction des données", "Perdus de vue")]
    assert all(sum(c[j] in ("<11", "s") for c in others) >= 1 for j in range(2))


def test_tiny_cohort_summary_withholds_the_shares(tiny):
    _, out = tiny
    text = _pdf_text(out / "report.pdf")
    assert typeset_fr("n'est pas publiée") in text
    assert "avaient rompu leur contrat contre" not in text


def test_tiny_cohort_has_no_curve_and_says_why(tiny):
    """Fewer than 11 ruptures per arm: no curve step could hold 11 of them, so no curve is drawn."""
    _cohort, out = tiny
    assert not (out / "figures" / "km.svg").exists() and not (out / "figures" / "cif.svg").exists()
    text = unescape((out / "report.html").read_text(encoding="utf-8"))
    assert "Les estimations de ce chapitre ne sont pas publiées" in text
    assert "<11" in text


def test_observed_counts_are_hidden_with_their_missing_complement(demo, report_fr):
    cohort, plan, _ = demo
    html = (report_fr / "report.html").read_text(encoding="utf-8")
    label = re.escape(plan.labels.get("employed_6m", "employed_6m"))
    row = re.search(rf"Analysés\u202f: {label}</th><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>", html).groups()
    data = cohort.data
    for cell, arm in zip(row, ("treatment", "control")):
        missing = int(data.loc[data["arm"] == arm, "employed_6m"].isna().sum())
        observed = int((data["arm"] == arm).sum()) - missing
        expected = "&lt;11" if observed < 11 else "s" if missing < 11 else str(observed)
        assert cell == expected


def test_an_identifier_reaching_an_output_stops_the_build(demo, monkeypatch, tmp_path):
    import evalexp.report.build as build
    from evalexp.errors import EvalexpError
    cohort, plan, analysis = demo
    leaked = cohort.data["participant_id"].iloc[3]
    monkeypatch.setattr(build, "render_html", lambda doc: f"<html><p>{leaked}</p></html>")
    with pytest.raises(EvalexpError, match=r"report.html: would contain 1 participant identifier"):
        build_report(cohort, plan, tmp_path / "r", progress=False, analysis=analysis)
    assert not (tmp_path / "r").exists()


def _primary_notes(document):
    primary = next(s for s in document.sections if s.key == "primary")
    return [b.text for b in primary.blocks if getattr(b, "kind", None) == "note"]


def test_primary_result_warns_when_few_clusters_carry_the_robust_errors():
    from evalexp.report.compose import compose

    plan = _plan(survival=dataclasses.replace(load_plan(DEMO_PLAN).survival, cluster="site"))
    cohort = load_cohort(DEMO_CSV, plan)
    notes = _primary_notes(compose(publish(analyze(cohort, plan), 11), plan))
    assert typeset_fr("Attention : les erreurs types robustes reposent sur 4 grappes seulement ; en dessous "
                      "de 20 grappes, elles sont souvent trop petites et les intervalles trop étroits.") in notes


def test_primary_result_has_no_cluster_warning_without_a_cluster(demo):
    from evalexp.report.compose import compose

    _cohort, plan, analysis = demo
    assert not any("grappes" in note for note in _primary_notes(compose(publish(analysis, 11), plan)))


def test_kaplan_meier_shares_are_withheld_when_an_arm_has_fewer_than_11_ruptures():
    """No rupture in the supported arm (hazard ratio ~0): '0,0 %' would reveal the count that the
    summary hides as '<11', so the 12-month shares, their difference and the hazard ratio are withheld."""
    from evalexp.report.compose import compose

    plan = _plan()
    cohort = load_frame(simulate(150, seed=3, hazard_ratio=1e-9).data, plan)
    assert cohort.events["treatment"] == 0 and cohort.events["control"] >= 11
    document = compose(publish(analyze(cohort, plan), 11), plan)
    summary = " ".join(b.text for b in document.sections[0].blocks)
    assert typeset_fr("la part des contrats rompus dans chaque groupe n'est pas publiée") in summary
    assert typeset_fr("son résultat n'est pas publié") in summary
    primary = next(s for s in document.sections if s.key == "primary")
    landmarks = next(b for b in primary.blocks if getattr(b, "header", None) and len(b.rows[0]) == 3)
    assert all(row[1].startswith("s (") for row in landmarks.rows[:-1])  # every landmark, not the median
    assert not any(row[1].startswith("s (<11)") for row in landmarks.rows[:2])  # 75 at risk are not '<11'


@pytest.mark.parametrize("arm", [0, 1])
def test_the_public_results_do_not_say_which_arm_had_no_rupture(arm):
    # a zero is disclosive (docs/disclosure.md): no flag or label may differ from a trial with a rupture in each arm
    plan = _plan()
    data = load_cohort(DEMO_CSV, plan).data.copy()
    none = load_frame(data.drop(columns=["end", "event", "time_days", "treated"])
                      .assign(rupture_date=data["rupture_date"].where(data["treated"] != arm)), plan)
    few = data["treated"] != arm
    few.loc[data.index[(data["treated"] == arm) & (data["event"] == 1)][:1]] = True    # one rupture
    one = load_frame(data.drop(columns=["end", "event", "time_days", "treated"])
                     .assign(rupture_date=data["rupture_date"].where(few)), plan)
    # flags and labels: a sibling's method says when it fell back to an unadjusted analysis
    flags = [dict(leaves(publish(analyze(c, plan), 11, "public").results["survival"],
                         lambda v: isinstance(v, (bool, str)))) for c in (none, one)]
    differing = {k for k in flags[0].keys() | flags[1].keys() if flags[0].get(k) != flags[1].get(k)}
    assert not differing, differing


def test_no_rupture_in_one_arm_is_explained_not_shown_as_dashes():
    from evalexp.report.compose import compose

    plan = _plan()
    data = load_cohort(DEMO_CSV, plan).data.copy()
    data.loc[data["treated"] == 1, ["event"]] = 0
    cohort = load_frame(data.drop(columns=["end", "event", "time_days", "treated"])
                        .assign(rupture_date=data["rupture_date"].where(data["treated"] == 0)), plan)
    # the evaluator's report explains it; the public one withholds the comparison (0 ruptures < 11)
    document = compose(publish(analyze(cohort, plan), 11, "evaluator"), plan)
    texts = [b.text for s in document.sections if s.key in ("summary", "primary")
             for b in s.blocks if hasattr(b, "text")]
    expected = typeset_fr(
        "Aucune rupture n'a été observée dans l'un des groupes : le rapport des risques instantanés "
        "n'est pas estimable (vraisemblance monotone) et le test de proportionnalité ne s'applique "
        "pas ; les autres indicateurs restent valides (inférence par randomisation : p = 0,005).")
    # no re-randomisation of the 200 reaches the observed log-rank: p = 1 / 201
    assert texts.count(expected) == 1
    # the primary analysis (adjusted Cox) shows its small-sample sibling, the unadjusted Firth model, and says so
    fallback = typeset_fr(
        "Le modèle de Cox ajusté ne peut pas être estimé ici (moins de deux ruptures par coefficient, ou aucune "
        "dans un groupe) : le rapport des risques donné pour le modèle ajusté est celui du modèle non ajusté, "
        "estimé par la vraisemblance pénalisée de Firth.")
    assert texts.count(fallback) == 2
    assert not any("(p = –)" in t or "est de –" in t for t in texts)
    # the randomisation interval of the hazard ratio is one-sided: from 0 to a finite upper limit
    rows = [row for s in document.sections if s.key == "primary" for b in s.blocks for row in getattr(b, "rows", ())]
    (ri_row,) = [row for row in rows if row[0].startswith("Rapport des risques, intervalle par inversion")]
    assert ri_row[1:] == ("–", "[0,00\u202f; 0,09]", "0,005")
    # 150 participants: the table shows Firth's finite estimate for the unadjusted model, and says so
    assert typeset_fr("Pour le modèle de Cox non ajusté, le tableau donne l'estimation pénalisée de Firth, finie "
                      "même sans rupture dans un groupe, avec son intervalle de vraisemblance profilée.") in texts
