"""The data sets of the competing-risks tests and their R reference values.

Reference values come from ``tests/reference/competing/make_reference.R`` (R 4.2,
survival 3.5, cmprsk 2.2) and are read from ``reference.json``. The data sets are the
CSV exports of R's ``survival::pbc`` and ``survival::mgus2`` in ``tests/reference/data``;
the columns below are derived exactly as the R script derives them.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE = Path(__file__).resolve().parent.parent / "reference"


@cache
def reference() -> dict:
    """All R reference values, keyed by data set, then ``cause_<k>``."""
    return json.loads((REFERENCE / "competing" / "reference.json").read_text())


def dataset(name: str) -> pd.DataFrame:
    """Columns time, status (0 censored, 1, 2 causes), group, strata, cluster."""
    if name == "pbc":   # first 312 rows (randomised); 1 transplant, 2 death; group = trt
        raw = pd.read_csv(REFERENCE / "data" / "pbc.csv").iloc[:312]
        return pd.DataFrame({"time": raw["time"], "status": raw["status"],
                             "group": raw["trt"].astype(int), "strata": raw["sex"],
                             "cluster": raw["id"] % 25})
    if name == "mgus2":  # 1 progression to PCM, 2 death without progression; group = male
        raw = pd.read_csv(REFERENCE / "data" / "mgus2.csv")
        return pd.DataFrame({"time": np.where(raw["pstat"] == 0, raw["futime"], raw["ptime"]),
                             "status": np.where(raw["pstat"] == 0, 2 * raw["death"], 1),
                             "group": (raw["sex"] == "M").astype(int),
                             "strata": (raw["age"] >= 70).astype(int),
                             "cluster": raw["id"] % 25})
    if name == "tiny":
        return pd.DataFrame({"time": [1, 2, 2, 2, 3, 4, 4, 5, 6, 7],
                             "status": [1, 1, 2, 0, 0, 1, 2, 1, 0, 2],
                             "group": [0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
                             "strata": [1, 1, 1, 1, 1, 2, 2, 2, 2, 2],
                             "cluster": [1, 2, 3, 1, 2, 3, 1, 2, 3, 1]})
    raise KeyError(name)


def r_numbers(values: list) -> np.ndarray:
    """R's JSON vector with ``"NA"`` as NaN."""
    return np.array([np.nan if v == "NA" else v for v in values], dtype=float)


def max_rel_err(actual, expected) -> float:
    """Largest |actual/expected - 1| (absolute error where expected is 0), NaN positions ignored."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    ok = ~np.isnan(expected)
    scale = np.where(expected[ok] != 0, np.abs(expected[ok]), 1.0)
    return float(np.max(np.abs(actual[ok] - expected[ok]) / scale, initial=0.0))
