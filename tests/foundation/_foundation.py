"""Paths and small inputs shared by the foundation tests."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"
EXPORT = ROOT / "data" / "synthetic" / "agir_demo_export_fr.csv"
EXPORT_PLAN = ROOT / "data" / "synthetic" / "agir_demo_export_fr.toml"
KEY = b"foundation-tests"

HEADER = "participant_id,arm,contract_start,contract_end_planned,followup_end,rupture_date"
ROWS = [
    "P1,treatment,2010-01-05,2011-01-04,2012-03-31,",
    "P2,control,2010-02-10,2011-02-09,2012-03-31,2010-03-01",
    "P3,treatment,2010-03-15,2011-03-14,2012-03-31,2010-04-20",
    "P4,control,2010-04-20,2011-04-19,2012-03-31,",
]
