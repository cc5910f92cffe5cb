"""The report's per-outcome WWC table and t-based intervals (evalexp.report.sections.wwc), from a publication."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from evalexp.cohort import Cohort, derive_survival
from evalexp.disclosure import Publication
from evalexp.disclosure import results as rules
from evalexp.disclosure.ledger import Ledger
from evalexp.integrity.outcomes import binary_outcomes
from evalexp.integrity.wwc import with_wwc
from evalexp.plan import load_plan
from evalexp.report.compose import Context
from evalexp.report.document import Paragraph, Table
from evalexp.report.i18n import Formatter
from evalexp.report.sections import wwc as report_wwc

THRESHOLD = 11
DEMO = Path(__file__).parents[2] / "data" / "synthetic"


@pytest.fixture(scope="module")
def demo():
    data = pd.read_csv(DEMO / "agir_demo.csv",
                       parse_dates=["contract_start", "contract_end_planned", "followup_end", "rupture_date"])
    return SimpleNamespace(cohort=Cohort(derive_survival(data)), plan=load_plan(DEMO / "agir_demo.toml"))


def _context(demo, language="en", small_sample="auto", threshold=THRESHOLD):
    plan = dataclasses.replace(demo.plan, language=language,
                               inference=dataclasses.replace(demo.plan.inference, small_sample=small_sample))
    block = with_wwc(binary_outcomes(demo.cohort, plan), demo.cohort, plan).to_dict()
    ledger = Ledger({"n": demo.cohort.n, "events": demo.cohort.events, "binary_outcomes": block}, threshold)
    rules.wwc(ledger, rules.binary_outcomes(ledger))
    pub = Publication("public", threshold, ledger.data, tuple(ledger.decisions), km={}, km_ticks=np.array([]),
                      at_risk={}, max_time=0.0, cif=pd.DataFrame(), cif_stops={})
    return Context(pub, plan, Formatter(language, threshold, plan.labels, plan.value_labels)), block


def test_one_row_per_outcome_with_rating_and_reasons_in_words(demo):
    ctx, block = _context(demo)
    section = report_wwc.section(ctx)
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert len(table.rows) == len(demo.plan.outcomes.binary)
    assert table.header[-1] == "Rating"
    first = table.rows[0]
    wwc = block[demo.plan.outcomes.binary[0]]["wwc"]
    assert first[4] == wwc["attrition"]["rating"]
    assert first[6] == {"meets": "Meets WWC standards", "meets_with_reservations": "Meets WWC standards with "
                        "reservations", "does_not_meet": "Does not meet WWC standards"}[wwc["rating"]]
    # the reasons, one note per outcome under the table (a column was too narrow to read in the PDF)
    notes = [b.text for b in section.blocks if isinstance(b, Paragraph) and b.kind == "note"]
    reasons = next(t for t in notes if t.startswith(first[0] + " — Reasons: "))
    assert reasons.split(": ", 1)[1].startswith("low attrition" if wwc["attrition"]["rating"] == "low"
                                                  else "high attrition")
    assert "_" not in reasons  # codes never printed


def test_french_table_and_t_intervals_shown_below_500(demo):
    # threshold 5: the demo's 10 to 14 missing per arm are published, so are the t intervals (at 11 they
    # are withheld with the other dict-valued statistics of an outcome whose numbers observed are withheld)
    ctx, _ = _context(demo, "fr", threshold=5)
    section = report_wwc.section(ctx)
    tables = [b for b in section.blocks if isinstance(b, Table)]
    assert tables[0].header[0] == "Indicateur"
    assert len(tables) == 2 and tables[1].header[3] == "Degrés de liberté"
    ctx, _ = _context(demo, "en", small_sample="never", threshold=5)
    assert len([b for b in report_wwc.section(ctx).blocks if isinstance(b, Table)]) == 1


def test_annex_names_the_departures(demo):
    ctx, _ = _context(demo)
    text = report_wwc.annex(ctx).text
    assert "Handbook v5.0" in text and "departs" in text and "level by level" in text
