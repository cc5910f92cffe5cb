"""HTML and PDF renderers of the document model: self-contained, paginated, non-blank."""
import base64
import re
from html.parser import HTMLParser

import numpy as np
import pypdfium2 as pdfium
from matplotlib.figure import Figure

from evalexp.report.document import Document, Paragraph, Section, Table, render_figure
from evalexp.report.html import render_html
from evalexp.report.pdf import render_pdf


def _document(language: str = "fr", sections: int = 3) -> Document:
    fig = Figure(figsize=(6, 3))
    fig.add_subplot().plot(np.arange(10), np.arange(10) ** 0.5)
    figure = render_figure(fig, "curve", "Une courbe")
    body = tuple(Section(f"s{i}", f"Section {i}", (
        Paragraph("Texte à 12,5\u202f% — avec une espace fine insécable."),
        Table(("Indicateur", "Accompagnés", "Témoins"), (("Ruptures", "12", "<11"),), caption="Tableau"),
        figure)) for i in range(sections))
    return Document(language=language, title="AGIR — test", subtitle="Rapport d'évaluation",
                    cover=(("Financeur", "FEJ"),), disclaimer_title="Avertissement", disclaimer="Texte.",
                    contents_title="Sommaire", sections=body, footer="evalexp")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.urls: list[str] = []
        self.section_ids: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "section":
            self.section_ids.append(attrs.get("id"))
        for key in ("src", "href", "srcset", "action", "poster", "data"):
            if attrs.get(key):
                self.urls.append(attrs[key])
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        self._in_style = tag == "style"

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)

    def handle_endtag(self, tag):
        self._in_style = False


def test_html_declares_its_language_and_sections():
    parser = _Collector()
    parser.feed(render_html(_document("en")))
    assert parser.lang == "en"
    assert parser.section_ids == ["s0", "s1", "s2"]


def test_html_references_nothing_outside_itself():
    parser = _Collector()
    parser.feed(render_html(_document()))
    assert parser.urls, "the parser saw no src/href at all"
    for url in parser.urls:
        assert url.startswith(("#", "data:")), url
    for css in parser.styles:
        assert not re.search(r"url\(|@import|https?:", css)


def test_html_embeds_the_figures_as_svg():
    html = render_html(_document(sections=1))
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(data).lstrip().startswith(b"<?xml")


def test_html_is_responsive_and_printable():
    html = render_html(_document())
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "max-width" in html and "@media print" in html


def test_pdf_has_a_cover_then_one_page_per_short_section_and_no_blank_page():
    pdf = pdfium.PdfDocument(render_pdf(_document(sections=3)))
    assert len(pdf) == 4
    for page in pdf:
        pixels = np.asarray(page.render(scale=0.5).to_pil().convert("L"))
        assert (pixels < 200).mean() > 0.002


def test_pdf_never_separates_a_french_number_from_its_percent_sign():
    from reportlab.platypus import Paragraph as RLParagraph

    from evalexp.report.pdf import _register_fonts, _styles, _text
    _register_fonts()
    para = RLParagraph(_text("aaaa bbbbb 12,5\u202f% cc"), _styles()["body"])
    para.wrap(70, 1000)
    assert [line[1] for line in para.blPara.lines] == [["aaaa", "bbbbb"], ["12,5\u00a0%", "cc"]]


def test_pdf_text_is_extractable_with_accents():
    pdf = pdfium.PdfDocument(render_pdf(_document(sections=1)))
    text = pdf[1].get_textpage().get_text_range()
    assert "Texte à 12,5" in text and "Accompagnés" in text and "<11" in text
