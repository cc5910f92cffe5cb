"""The four renderings of one Document (HTML, PDF, DOCX, XLSX) on the demo report: the same
numbered tables and figures, navigation (bookmarks, linked contents, Word headings), vector
figures, numbers as numbers, French typography, reader words and both languages."""
import ctypes
import dataclasses
import io
import re
import zipfile
from html import unescape
from pathlib import Path

import docx
import openpyxl
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from evalexp.analysis import analyze
from evalexp.cli import main
from evalexp.disclosure import publish
from evalexp.load import load_cohort
from evalexp.plan import load_plan
from evalexp.report import build_report
from evalexp.report.compose import compose
from evalexp.report.docx import render_docx
from evalexp.report.html import render_html
from evalexp.report.i18n import typeset_fr
from evalexp.report.pdf import render_pdf
from evalexp.report.xlsx import parse_number, render_xlsx, sheet_name

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"


def _plan():
    plan = load_plan(DEMO_PLAN)
    return dataclasses.replace(plan, inference=dataclasses.replace(plan.inference, permutations=200))


@pytest.fixture(scope="module")
def demo():
    plan = _plan()
    cohort = load_cohort(DEMO_CSV, plan)
    return cohort, plan, analyze(cohort, plan, progress=False)


@pytest.fixture(scope="module")
def doc_fr(demo):
    _cohort, plan, analysis = demo
    return compose(publish(analysis, 11), plan)


@pytest.fixture(scope="module")
def doc_en(demo):
    _cohort, plan, analysis = demo
    return compose(publish(analysis, 11), plan.in_language("en"))


@pytest.fixture(scope="module")
def pdf_fr(doc_fr):
    return render_pdf(doc_fr)


@pytest.fixture(scope="module")
def docx_fr(doc_fr):
    return docx.Document(io.BytesIO(render_docx(doc_fr)))


@pytest.fixture(scope="module")
def xlsx_fr(doc_fr):
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(doc_fr)))


def _html_text(html: str) -> str:
    body = html[html.index("<body>"):]
    return unescape(re.sub(r"<[^>]+>", " ", re.sub(r'src="[^"]*"', "", body)))


def _docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


# --------------------------------------------------------------------------- numbering

def test_tables_and_figures_are_numbered_once_in_reading_order(doc_fr):
    tables, figures = doc_fr.all_tables(), doc_fr.all_figures()
    assert [t.number for t in tables] == list(range(1, len(tables) + 1))
    assert [f.number for f in figures] == list(range(1, len(figures) + 1))
    assert len(figures) >= 5 and len(tables) >= 10
    assert all(t.caption for t in tables)  # a table without a caption takes its section's title
    assert doc_fr.caption(tables[2]).startswith("Tableau 3 – ")
    assert doc_fr.caption(figures[0]).startswith("Figure 1 – ")


def test_every_renderer_shows_the_same_numbered_captions(doc_fr, pdf_fr, docx_fr, xlsx_fr):
    captions = [doc_fr.caption(b) for b in (*doc_fr.all_tables(), *doc_fr.all_figures())]
    html = _html_text(render_html(doc_fr))
    pdf = pdfium.PdfDocument(pdf_fr)
    outline = [b.get_title() for b in pdf.get_toc()]
    docx_captions = [p.text for p in docx_fr.paragraphs if p.style.name == "Caption"]
    sheets = [xlsx_fr[name]["A1"].value for name in xlsx_fr.sheetnames[1:]]
    for caption in captions:
        assert caption in html
        assert caption in outline
        assert caption in docx_captions
    assert sheets == [doc_fr.caption(t) for t in doc_fr.all_tables()]


# --------------------------------------------------------------------------- PDF

def _spaces(text: str) -> str:
    """Text with every kind of space (narrow, no-break, line break) as one space."""
    return re.sub(r"[\s\u202f\u00a0]+", " ", text)


def _link_pages(pdf, page_index: int) -> list[int]:
    page = pdf[page_index]
    position, link, targets = ctypes.c_int(0), pdfium_c.FPDF_LINK(), []
    while pdfium_c.FPDFLink_Enumerate(page.raw, ctypes.byref(position), ctypes.byref(link)):
        dest = pdfium_c.FPDFLink_GetDest(pdf.raw, link)
        targets.append(pdfium_c.FPDFDest_GetDestPageIndex(pdf.raw, dest))
    return targets


def test_pdf_bookmarks_every_section_with_its_tables_and_figures_below(doc_fr, pdf_fr):
    pdf = pdfium.PdfDocument(pdf_fr)
    marks = list(pdf.get_toc())
    sections = [(m.get_title(), m.get_dest().get_index()) for m in marks if m.level == 0]
    assert [t for t, _ in sections] == [f"{i}. {s.title}" for i, s in enumerate(doc_fr.sections, start=1)]
    for title, page in sections:  # each bookmark opens the page that starts with its heading
        assert _spaces(title) in _spaces(pdf[page].get_textpage().get_text_range())
    assert sum(m.level == 1 for m in marks) == len(doc_fr.all_tables()) + len(doc_fr.all_figures())


def test_pdf_contents_lines_link_to_their_sections(doc_fr, pdf_fr):
    pdf = pdfium.PdfDocument(pdf_fr)
    section_pages = [m.get_dest().get_index() for m in pdf.get_toc() if m.level == 0]
    targets = _link_pages(pdf, 0)
    # each contents line links its title and its page number to the section's first page
    assert sorted(set(targets)) == section_pages
    assert len(targets) == 2 * len(doc_fr.sections)
    contents = pdf[0].get_textpage().get_text_range()
    for number, page in enumerate(section_pages, start=1):
        assert re.search(rf"{number}\. .*?{page + 1}\s*$", contents, re.M | re.S)


def test_pdf_figures_are_vector_drawings_not_images(pdf_fr):
    assert b"/Subtype /Image" not in pdf_fr
    pdf = pdfium.PdfDocument(pdf_fr)
    kinds = {obj.type for page in pdf for obj in page.get_objects()}
    assert pdfium_c.FPDF_PAGEOBJ_IMAGE not in kinds and pdfium_c.FPDF_PAGEOBJ_PATH in kinds


def test_pdf_keeps_page_numbers(doc_fr, pdf_fr):
    pdf = pdfium.PdfDocument(pdf_fr)
    for index in range(len(pdf)):  # the footer: the title, then the page number
        assert f"{doc_fr.title} {index + 1}" in _spaces(pdf[index].get_textpage().get_text_range())


# --------------------------------------------------------------------------- DOCX

def test_docx_sections_are_word_headings_with_a_contents_field_and_page_numbers(doc_fr, docx_fr):
    headings = [p.text for p in docx_fr.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{i}. {s.title}" for i, s in enumerate(doc_fr.sections, start=1)]
    body = docx_fr.element.body.xml
    assert re.search(r'<w:instrText[^>]*> TOC \\o "1-1" \\h \\z \\u </w:instrText>', body)
    assert len(re.findall(r"<w:instrText[^>]*> SEQ (Tableau|Figure) \\\* ARABIC </w:instrText>", body)) == \
        len(doc_fr.all_tables()) + len(doc_fr.all_figures())
    # until Word updates the contents field, it shows the section titles
    start = next(i for i, p in enumerate(docx_fr.paragraphs) if 'TOC \\o' in p._p.xml)
    assert [p.text for p in docx_fr.paragraphs[start:start + len(headings)]] == headings
    footer = docx_fr.sections[0].footer._element.xml
    assert "> PAGE </w:instrText>" in footer
    assert "updateFields" in docx_fr.settings.element.xml


def test_docx_holds_every_table_and_figure(doc_fr, docx_fr):
    assert len(docx_fr.tables) == len(doc_fr.all_tables())
    assert len(docx_fr.inline_shapes) == len(doc_fr.all_figures())
    for table, block in zip(docx_fr.tables, doc_fr.all_tables()):
        cells = [[cell.text for cell in row.cells] for row in table.rows]
        assert cells == [list(block.header), *map(list, block.rows)]


def test_docx_text_holds_nothing_the_html_does_not(doc_fr, docx_fr):
    """The Word file renders the Document the disclosure layer fed, as the HTML does: every word
    and number it shows is in the HTML (the TOC field's how-to-update line aside)."""
    html_words = set(re.findall(r"[\w<>%−+,.]+", _html_text(render_html(doc_fr))))
    extra = set(re.findall(r"[\w<>%−+,.]+", _docx_text(docx_fr))) - html_words
    assert not extra, extra


# --------------------------------------------------------------------------- XLSX

def test_xlsx_has_one_sheet_per_table_with_short_unique_names(doc_fr, xlsx_fr):
    names = xlsx_fr.sheetnames
    assert len(names) == 1 + len(doc_fr.all_tables())
    assert len(set(names)) == len(names) and all(len(n) <= 31 for n in names)
    assert not any(set(n) & set("[]:*?/\\") for n in names)


def test_xlsx_numbers_are_numbers_and_marks_stay_marks(doc_fr, xlsx_fr):
    quality_index = next(i for i, t in enumerate(doc_fr.all_tables()) if t.rows[0][0] == "Effectif")
    quality = xlsx_fr[xlsx_fr.sheetnames[quality_index + 1]]  # the first sheet is the index
    rows = list(quality.iter_rows(min_row=3, values_only=True))
    assert rows[1] == ("Effectif", 75, 75)
    numbers = [v for sheet in xlsx_fr.worksheets for row in sheet.iter_rows(values_only=True) for v in row
               if isinstance(v, (int, float))]
    texts = [v for sheet in xlsx_fr.worksheets for row in sheet.iter_rows(values_only=True) for v in row
             if isinstance(v, str)]
    assert len(numbers) > 50
    assert "<11" in texts and "s" in texts  # the report's suppression marks, as text
    assert not [t for t in texts if parse_number(t, "fr") is not None]


def test_xlsx_holds_nothing_the_html_does_not(doc_fr, xlsx_fr):
    """Every text cell of the workbook is text of the HTML report, and every number is a number
    the HTML shows: the workbook renders the same disclosure-controlled Document."""
    html = _html_text(render_html(doc_fr))
    shown = {c for t in doc_fr.all_tables() for row in t.rows for c in row}
    numbers = {round(parse_number(c, "fr")[0], 9) for c in shown if parse_number(c, "fr") is not None}
    index_words = {"Feuille", "Tableau", xlsx_fr.sheetnames[0], *xlsx_fr.sheetnames, "Comment lire ce tableau"}
    for sheet in xlsx_fr.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert value in html or value in index_words, value
                elif value is not None:
                    assert round(value, 9) in numbers, value


def test_xlsx_sheet_has_caption_header_rows_and_how_to_read_note(doc_fr, xlsx_fr):
    table = doc_fr.all_tables()[0]
    section = next(s for s in doc_fr.sections if table in s.blocks)
    note = section.blocks[section.blocks.index(table) + 1]
    assert note.kind == "note" and note.text.startswith("«\u202f<11\u202f»")
    values = [row for row in xlsx_fr[xlsx_fr.sheetnames[1]].iter_rows(values_only=True)]
    assert values[0][0] == doc_fr.caption(table)
    assert values[2] == table.header
    assert table.note.startswith("Comment lire ce tableau\u202f: ")   # the table's own reading note, then the legend
    assert [row[0] for row in values[-3:]] == ["Comment lire ce tableau", table.note, note.text]


@pytest.mark.parametrize("text, language, expected", [
    ("12,5\u202f%", "fr", (0.125, "0.0%")),
    ("1\u202f234", "fr", (1234, "#,##0")),
    ("−0,009", "fr", (-0.009, "#,##0.000")),
    ("+4,2", "fr", (4.2, "#,##0.0")),
    ("1,234.5", "en", (1234.5, "#,##0.0")),
    ("12.5%", "en", (0.125, "0.0%")),
    ("<11", "fr", None), ("s", "fr", None), ("[0,29\u202f; 1,04]", "fr", None), ("<\u202f0,001", "fr", None),
    ("1. Début du contrat", "fr", None), ("12.5", "fr", None),
])
def test_parse_number_reads_the_report_formats(text, language, expected):
    parsed = parse_number(text, language)
    if expected is None:
        assert parsed is None
    else:
        assert parsed[1] == expected[1] and parsed[0] == pytest.approx(expected[0])


def test_sheet_names_are_cut_and_made_unique():
    taken = {"Tableaux du rapport"}
    first = sheet_name(3, "Attrition par indicateur : taux par groupe", taken)
    assert first == "T3 Attrition par indicateur tau" and len(first) == 31
    taken_more = taken | {"T4 Attrition par indicateur tau"}
    assert sheet_name(4, "Attrition par indicateur : taux par groupe", taken_more) == "T4"


# --------------------------------------------------------------------------- typography and words

def test_french_text_follows_french_typography(doc_fr):
    text = _html_text(render_html(doc_fr))
    assert not re.search(r"[^\W\d_]'[^\W\d_]", text)  # typographic apostrophe
    assert not re.search(r"[ \u00a0][;:!?](\s|$)", text)  # narrow no-break space before ; : ! ?
    assert not re.search(r"\d[ \u00a0]?%", text)
    assert "«\u202f" in text and "\u202f»" in text
    assert re.search(r"\b\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|"
                     r"décembre) \d{4}\b", text)


def test_no_code_identifier_in_the_main_text(doc_fr, doc_en, demo):
    cohort, _plan, _ = demo
    columns = [c for c in cohort.data.columns if "_" in c]
    for doc in (doc_fr, doc_en):
        for section in doc.sections:
            if section.key == "quality":  # the data-quality annex names the file's columns
                continue
            texts = [section.title]
            for block in section.blocks:
                texts += [getattr(block, "text", ""), getattr(block, "caption", ""), getattr(block, "note", "")]
                texts += [c for row in (getattr(block, "header", ()), *getattr(block, "rows", ())) for c in row]
            identifiers = r"\b(logrank|cox_score|efron|breslow|holm)\b" if doc.language == "en" else \
                r"\b(logrank|cox_score|efron|breslow|holm|stratum)\b"  # "stratum" is an English word
            found = [t for t in texts if re.search(identifiers, t) or any(re.search(rf"\b{c}\b", t) for c in columns)]
            assert not found, (section.key, found)


def test_english_report_shows_no_french_label_where_an_english_one_is_given(doc_en):
    import tomllib
    raw = tomllib.loads(DEMO_PLAN.read_text(encoding="utf-8"))
    french = [raw["title"]["fr"], *(t["fr"] for t in raw["labels"].values() if t["fr"] != t["en"]),
              *(t["fr"] for t in raw["report"].values() if isinstance(t, dict)),
              *(t["fr"] for table in raw["value_labels"].values() for t in table.values() if t["fr"] != t["en"])]
    french += [typeset_fr(text) for text in french]  # as a French report would write them
    outputs = {"html": _html_text(render_html(doc_en)),
               "pdf": "\n".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(render_pdf(doc_en))),
               "docx": _docx_text(docx.Document(io.BytesIO(render_docx(doc_en))))}
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(doc_en)))
    outputs["xlsx"] = "\n".join(str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r if v)
    for name, text in outputs.items():
        found = [label for label in french if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text.replace("\r\n", " "))]
        assert not found, (name, found)
    assert "Employed at 6 months" in outputs["html"] and "AGIR — synthetic demonstration cohort" in outputs["html"]


# --------------------------------------------------------------------------- mark and build

def test_a_marked_document_carries_its_mark_in_every_format(doc_fr):
    marked = dataclasses.replace(doc_fr, banner="Ne pas diffuser")
    assert "Ne pas diffuser" in pdfium.PdfDocument(render_pdf(marked))[3].get_textpage().get_text_range()
    assert 'class="banner"' in render_html(marked)
    word = docx.Document(io.BytesIO(render_docx(marked)))
    assert word.sections[0].header.paragraphs[0].text == "Ne pas diffuser"
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(marked)))
    assert all(sheet["A1"].value == "Ne pas diffuser" for sheet in book.worksheets)
    assert "banner" not in render_html(doc_fr).split("<body>")[1].split("<main>")[0]


def test_report_command_writes_docx_and_xlsx_in_the_language_asked(tmp_path):
    out = tmp_path / "report"
    plan = tmp_path / "plan.toml"
    plan.write_text(DEMO_PLAN.read_text(encoding="utf-8").replace("permutations = 10000", "permutations = 50"),
                    encoding="utf-8")
    assert main(["report", str(DEMO_CSV), "--plan", str(plan), "--out", str(out), "--quiet", "--lang", "en"]) == 0
    assert {"report.docx", "tables.xlsx"} <= {p.name for p in out.iterdir()}
    assert zipfile.ZipFile(out / "report.docx").testzip() is None
    assert '<html lang="en">' in (out / "report.html").read_text(encoding="utf-8")
    word = docx.Document(out / "report.docx")
    assert word.paragraphs[1].text == "AGIR — synthetic demonstration cohort"
    assert openpyxl.load_workbook(out / "tables.xlsx").sheetnames[0] == "Tables of the report"


def test_build_report_resolves_a_replaced_language(demo, tmp_path):
    cohort, plan, analysis = demo
    out = build_report(cohort, dataclasses.replace(plan, language="en"), tmp_path / "r", progress=False,
                       analysis=analysis)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Employed at 6 months" in html and "En emploi à 6 mois" not in html
