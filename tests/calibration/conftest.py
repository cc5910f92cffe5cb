"""The demo cohort and its plan, loaded once for the calibration tests."""
from pathlib import Path

import pytest

from evalexp.load import load_cohort
from evalexp.plan import load_plan

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"


@pytest.fixture(scope="session")
def demo_plan():
    return load_plan(DEMO_PLAN)


@pytest.fixture(scope="session")
def demo_cohort(demo_plan):
    return load_cohort(DEMO, demo_plan)
