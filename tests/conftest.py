"""Fixtures shared by every test folder."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def contract_checker() -> Path:
    """``shared/tools/check_results.py``, the contract's own checker.

    It stands in the ``shared/`` folder beside the repository (developers and CI); the
    ``EVALEXP_SHARED`` environment variable may point at that folder instead.
    """
    candidates = [Path(os.environ["EVALEXP_SHARED"])] if os.environ.get("EVALEXP_SHARED") else []
    candidates += [parent / "shared" for parent in ROOT.parents]
    for folder in candidates:
        checker = folder / "tools" / "check_results.py"
        if checker.is_file():
            return checker
    pytest.fail("shared/tools/check_results.py not found beside the repository; set EVALEXP_SHARED")
