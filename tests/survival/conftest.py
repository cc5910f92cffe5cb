"""Fixture of the survival tests: the R reference values.

They come from ``tests/reference/survival/make_reference.R`` (R 4.2, survival 3.5) and are
read from ``reference.json``; see :mod:`refdata` for the data sets.
"""
from __future__ import annotations

import json

import pytest

from .refdata import REFERENCE


@pytest.fixture(scope="session")
def reference() -> dict:
    """All R reference values, keyed by data set."""
    return json.loads((REFERENCE / "survival" / "reference.json").read_text())
