"""The results objects of evalexp.competing: frozen, tidy with the stable columns, JSON-safe."""
from __future__ import annotations

import dataclasses
import json

import pytest

from evalexp.competing import cumulative_incidence, fine_gray, gray_test
from evalexp.results import TIDY_COLUMNS

from .refdata import dataset


def _results():
    d = dataset("pbc")
    return [cumulative_incidence(d["time"], d["status"], 2),
            gray_test(d["time"], d["status"], d["group"], cause=2),
            fine_gray(d["time"], d["status"], d["group"], cause=2)]


@pytest.mark.parametrize("result", _results(), ids=lambda r: type(r).__name__)
def test_tidy_has_the_stable_columns(result):
    assert list(result.tidy().columns) == TIDY_COLUMNS


@pytest.mark.parametrize("result", _results(), ids=lambda r: type(r).__name__)
def test_to_dict_is_strict_json(result):
    json.dumps(result.to_dict(), allow_nan=False)


@pytest.mark.parametrize("result", _results(), ids=lambda r: type(r).__name__)
def test_summary_and_html_show_title_and_conventions(result):
    assert result.summary().startswith(result.title)
    assert "R " in result.conventions() and result.conventions() in result._repr_html_()


@pytest.mark.parametrize("result", _results(), ids=lambda r: type(r).__name__)
def test_is_frozen(result):
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.cause = "other"
