"""[data] date_format: the usual spellings, translated once to strptime at plan load."""
import datetime as dt

import pandas as pd
import pytest
from _foundation import KEY

from evalexp.errors import DateParseError, PlanError
from evalexp.load import load_cohort
from evalexp.plan import plan_from_dict
from evalexp.plan_loading import DATE_SPELLINGS

HEADER = "participant_id;arm;contract_start;contract_end_planned;followup_end;rupture_date;meeting"
#: Real dates of two contracts: start, planned end, end of follow-up, rupture, a meeting.
DAYS = [(dt.datetime(2010, 1, 5, 8, 30, 15), dt.datetime(2011, 1, 4), dt.datetime(2012, 3, 31), None,
         dt.datetime(2010, 2, 14)),
        (dt.datetime(2010, 12, 10, 17, 5), dt.datetime(2011, 12, 9), dt.datetime(2012, 3, 31),
         dt.datetime(2011, 3, 1), dt.datetime(2011, 1, 2))]


def _plan(date_format):
    return plan_from_dict({"title": "t", "survival": {"horizon_days": 30}, "data": {"date_format": date_format}},
                          source="plan.toml")


def _cohort(write_csv, date_format, strftime):
    rows = [";".join(["P1", "treatment"] + ["" if d is None else d.strftime(strftime) for d in DAYS[0]]),
            ";".join(["P2", "control"] + ["" if d is None else d.strftime(strftime) for d in DAYS[1]])]
    return load_cohort(write_csv([HEADER, *rows]), _plan(date_format), key=KEY).data


@pytest.mark.parametrize("spelling, strftime", [
    ("DD/MM/YYYY", "%d/%m/%Y"), ("JJ/MM/AAAA", "%d/%m/%Y"), ("YYYY-MM-DD", "%Y-%m-%d"), ("AAAA-MM-JJ", "%Y-%m-%d"),
    ("DD-MM-YYYY", "%d-%m-%Y"), ("JJ-MM-AAAA", "%d-%m-%Y"), ("DD.MM.YYYY", "%d.%m.%Y"), ("JJ.MM.AAAA", "%d.%m.%Y"),
    ("MM/DD/YYYY", "%m/%d/%Y"), ("DD/MM/YY", "%d/%m/%y"), ("JJ/MM/AA", "%d/%m/%y"), ("dd/mm/yyyy", "%d/%m/%Y"),
    ("DD/MM/YYYY HH:MM", "%d/%m/%Y %H:%M"), ("JJ/MM/AAAA HH:MM:SS", "%d/%m/%Y %H:%M:%S"),
    ("DD.MM.YYYY HH:MM:SS", "%d.%m.%Y %H:%M:%S"), ("%d/%m/%Y", "%d/%m/%Y"), ("%d/%m/%Y", "%d/%m/%Y %H:%M"),
    ("DD/MM/YYYY HH:MM", "%d/%m/%Y"),
])
def test_each_spelling_reads_real_dates(spelling, strftime, write_csv):
    """Every spelling reads the days written in its format (a time on one side only is dropped);
    the meeting column, not a canonical date, is recognised as dates by the format too."""
    data = _cohort(write_csv, spelling, strftime)
    for column, days in zip(["contract_start", "contract_end_planned", "followup_end", "rupture_date", "meeting"],
                            zip(*DAYS)):
        expected = [pd.Timestamp(d.date()) if d is not None else pd.NaT for d in days]
        assert data[column].tolist() == expected, column


def test_spellings_translate_to_strptime_once_at_plan_load():
    assert _plan("JJ/MM/AAAA").data.date_format == "%d/%m/%Y"
    assert _plan(" dd.mm.yyyy hh:mm ").data.date_format == "%d.%m.%Y %H:%M"
    assert _plan("MM/DD/YYYY").data.date_format == "%m/%d/%Y"
    assert _plan("auto").data.date_format == "auto"
    assert _plan("%Y%m%d").data.date_format == "%Y%m%d"


def test_month_first_spelling_refuses_a_day_first_date(write_csv):
    with pytest.raises(DateParseError) as info:
        _cohort(write_csv, "MM/DD/YYYY", "%d/%m/%Y")
    assert "column 'followup_end': unparseable date '31/03/2012' (expected '%m/%d/%Y' or YYYY-MM-DD) in 2 rows: " \
           "line 2, line 3" in str(info.value)


def test_unknown_spelling_is_refused_listing_the_accepted_ones():
    with pytest.raises(PlanError) as info:
        _plan("DD/MM/AAAA")
    assert str(info.value) == (
        "plan.toml: 'date_format' in [data] = 'DD/MM/AAAA' is not a known spelling; accepted: "
        f"{', '.join(DATE_SPELLINGS)}, each optionally followed by ' HH:MM' or ' HH:MM:SS'; or \"auto\", or a "
        "strptime format such as \"%d/%m/%Y\"")
    assert "DD/MM/YYYY, JJ/MM/AAAA, YYYY-MM-DD" in str(info.value)


@pytest.mark.parametrize("bad", ["%d/%m", "%H:%M", "%d/%m/%Y %Q", "DD/MM/YYYY HH"])
def test_a_format_that_does_not_read_a_whole_date_is_refused(bad):
    with pytest.raises(PlanError, match=r"^plan\.toml: 'date_format' in \[data\] = "):
        _plan(bad)


def test_strptime_format_without_a_whole_date_names_the_key():
    with pytest.raises(PlanError) as info:
        _plan("%d/%m")
    assert str(info.value) == (
        "plan.toml: 'date_format' in [data] = '%d/%m' does not read a whole date (day, month and year) back: write "
        f"a strptime format such as '%d/%m/%Y', or a spelling ({', '.join(DATE_SPELLINGS)})")
