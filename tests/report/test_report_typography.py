"""French typography of the report's text and reader words for code identifiers (i18n)."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalexp.report.document import Document, Paragraph, Section, Table
from evalexp.report.i18n import NNBSP, Formatter, reader_words, typeset, typeset_fr


@pytest.mark.parametrize("text, expected", [
    ("Note: voir ceci", f"Note{NNBSP}: voir ceci"),
    ("IC à 95 % : [0,40 ; 0,90]", f"IC à 95{NNBSP}%{NNBSP}: [0,40{NNBSP}; 0,90]"),
    ("Diplôme\u00a0: bac", f"Diplôme{NNBSP}: bac"),
    ("Vraiment ? Oui !", f"Vraiment{NNBSP}? Oui{NNBSP}!"),
    ("« <11 »", f"«{NNBSP}<11{NNBSP}»"),
    ("«s»", f"«{NNBSP}s{NNBSP}»"),
    ("l'expérimentation d'un jeune", "l’expérimentation d’un jeune"),
    ("12.5 % et 0.25", f"12,5{NNBSP}% et 0,25"),
    ("1234.5 et 12345 %", f"1{NNBSP}234,5 et 12{NNBSP}345{NNBSP}%"),
    ("le 2026-12-04, le 01/03/2011", "le 4 décembre 2026, le 1er mars 2011"),
])
def test_french_typography(text, expected):
    assert typeset_fr(text) == expected


@pytest.mark.parametrize("text", [
    "https://example.org", "à 12:30", "cmprsk::cuminc", "evalexp 0.1.0", "Standards Handbook v4.1",
    "graine 20101001", "2026-13-45", "conf.type",
])
def test_french_typography_leaves_codes_times_versions_and_identifiers_alone(text):
    assert typeset_fr(text) == text


@given(st.text(alphabet=st.sampled_from(list("ab1;:!?%'.«» \u00a0\u202f-/20"))))
def test_french_typography_is_idempotent(text):
    once = typeset_fr(text)
    assert typeset_fr(once) == once


def test_english_text_is_left_as_written():
    assert typeset("Note: it's 12.5%", "en") == "Note: it's 12.5%"


def test_formatter_sentences_are_typeset_in_french():
    fmt = Formatter("fr")
    assert fmt.t("sec_primary") == f"Résultat principal{NNBSP}: les ruptures de contrat"
    assert "’" in fmt.t("sec_experiment") and "'" not in fmt.t("sec_experiment")
    assert Formatter("en").t("sec_primary") == "Primary result: contract ruptures"


def test_identifiers_placed_in_sentences_become_reader_words():
    fr, en = Formatter("fr", labels={"mission": "Mission locale"}), Formatter("en")
    assert fr.t("m_strata", strata="stratum") == f", stratifié sur «{NNBSP}strate de randomisation{NNBSP}»"
    assert fr.t("m_strata", strata="mission") == f", stratifié sur «{NNBSP}Mission locale{NNBSP}»"
    assert "score de Cox" in fr.t("ri", stat="cox_score", perm="200")
    assert "Efron ties" in en.t("m_cox", ties="efron", strata="", cluster="", covariates="age")
    assert en.t("m_outcomes", method="bh").endswith("multiplicity adjustment: Benjamini-Hochberg.")


def test_unlabelled_columns_are_named_in_words():
    fmt = Formatter("en", labels={"age": "Age"})
    assert fmt.var("age") == "Age"
    assert fmt.var("stratum") == "randomisation stratum"
    assert fmt.var("employed_24m") == "employed 24m"


def test_reader_words_replace_whole_identifiers_only():
    assert reader_words("p (holm), logrank, cox_score; logranking", "en") == "p (Holm), log-rank, Cox score; logranking"


def test_french_dates_in_the_cover():
    assert Formatter("fr").date(dt.date(2026, 12, 4)) == "4 décembre 2026"


def test_the_document_typesets_every_text_it_receives_once():
    table = Table(("Indicateur", "Valeur"), (("Test du logrank", "12.5 %"),), caption="Tests d'ensemble",
                  note="Note: x")
    doc = Document(language="fr", title="L'étude", subtitle="Rapport", cover=(("Date", "2026-12-04"),),
                   disclaimer_title="Avertissement", disclaimer="Voir: ci-dessous", contents_title="Sommaire",
                   sections=(Section("s", "Titre : un", (Paragraph("p (holm) = 0,01"), table)),))
    assert doc.title == "L’étude" and doc.cover == (("Date", "4 décembre 2026"),)
    section = doc.sections[0]
    assert section.title == f"Titre{NNBSP}: un"
    assert section.blocks[0].text == "p (Holm) = 0,01"
    assert section.blocks[1].rows == (("Test du log-rank", f"12,5{NNBSP}%"),)
    assert doc.caption(section.blocks[1]) == "Tableau 1 – Tests d’ensemble"
    assert Document(**{f: getattr(doc, f) for f in doc.__dataclass_fields__}) == doc
