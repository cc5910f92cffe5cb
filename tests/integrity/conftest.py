"""Shared fixture of the integrity tests: the bundled demo cohort as the analyses take it."""
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from evalexp.cohort import Cohort, derive_survival
from evalexp.plan import Plan, load_plan

DEMO = Path(__file__).parents[2] / "data" / "synthetic"


@dataclass(frozen=True)
class Demo:
    """The demo's raw rows (for expected counts), its cohort and its plan."""

    data: pd.DataFrame
    cohort: Cohort
    plan: Plan


@pytest.fixture(scope="session")
def demo() -> Demo:
    data = pd.read_csv(DEMO / "agir_demo.csv",
                       parse_dates=["contract_start", "contract_end_planned", "followup_end", "rupture_date"])
    return Demo(data=data, cohort=Cohort(derive_survival(data)), plan=load_plan(DEMO / "agir_demo.toml"))
