"""Shared fixtures of the foundation tests: the demo cohort, its plans, a small CSV writer."""
import pytest
from _foundation import DEMO, DEMO_PLAN, KEY

from evalexp.load import load_cohort
from evalexp.plan import load_plan


@pytest.fixture(scope="session")
def demo_plan():
    return load_plan(DEMO_PLAN)


@pytest.fixture(scope="session")
def demo(demo_plan):
    """The canonical demo cohort loaded under the test key."""
    return load_cohort(DEMO, demo_plan, key=KEY)


@pytest.fixture
def write_csv(tmp_path):
    """Write lines (header first) to a CSV file and return its path."""
    def write(lines, name="cohort.csv", encoding="utf-8", newline="\n"):
        path = tmp_path / name
        path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
        return path
    return write
