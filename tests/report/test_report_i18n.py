"""Language and number formats of the report (French administrative and English conventions)."""
import datetime as dt

import pytest

from evalexp.report.i18n import NNBSP, STRINGS, Formatter


def test_french_and_english_have_the_same_labels():
    assert set(STRINGS["fr"]) == set(STRINGS["en"])


def test_french_percent_has_decimal_comma_and_narrow_no_break_space():
    assert Formatter("fr").percent(0.1234) == f"12,3{NNBSP}%"


def test_english_percent_is_conventional():
    assert Formatter("en").percent(0.1234) == "12.3%"


def test_french_thousands_separator_is_narrow_no_break_space():
    assert Formatter("fr").number(1234567.891, 2) == f"1{NNBSP}234{NNBSP}567,89"


def test_english_thousands_separator_is_comma():
    assert Formatter("en").integer(1234567) == "1,234,567"


def test_negative_numbers_use_the_minus_sign():
    assert Formatter("en").number(-0.5, 1) == "−0.5"


def test_french_dates_are_written_in_words():
    assert Formatter("fr").date(dt.date(2011, 3, 7)) == "7 mars 2011"
    assert Formatter("fr").date(dt.date(2026, 12, 1)) == "1er décembre 2026"


def test_english_dates_are_iso():
    assert Formatter("en").date(dt.date(2011, 3, 7)) == "2011-03-07"


def test_confidence_interval_separator_follows_the_language():
    assert Formatter("fr").ci(0.4, 0.9) == "[0,40 ; 0,90]"
    assert Formatter("en").ci(0.4, 0.9) == "[0.40, 0.90]"


def test_small_p_values_are_bounded():
    assert Formatter("fr").pvalue(1e-6) == f"<{NNBSP}0,001"
    assert Formatter("en").pvalue(0.0456) == "0.046"


def test_missing_numbers_show_a_dash():
    assert Formatter("fr").number(None) == "–"
    assert Formatter("fr").percent(float("nan")) == "–"


def test_hidden_count_shows_the_threshold():
    assert Formatter("fr", threshold=11).count(7, hidden=True) == "<11"
    assert Formatter("fr", threshold=5).hidden == "<5"


def test_points_are_signed():
    assert Formatter("fr").points(0.071) == "+7,1"
    assert Formatter("fr").points(-0.12) == "−12,0"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        Formatter("de")


def test_p_in_running_text_reads_naturally():
    assert Formatter("en").p_equals(0.0123) == "p = 0.012"
    assert Formatter("en").p_equals(1e-5) == "p < 0.001"
    assert Formatter("fr").p_equals(1e-5) == f"p <{NNBSP}0,001"
