"""The public data sets of the survival tests and a helper to read R vectors.

The reference numbers come from ``tests/reference/survival/make_reference.R`` (R 4.2,
survival 3.5) and are read from ``reference.json``; the data sets are R's own, exported
to ``tests/reference/data/*.csv`` by the same script. Each analysis set below is derived
exactly as in the R script.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE = Path(__file__).resolve().parents[1] / "reference"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "data" / f"{name}.csv")


def load_dataset(name: str) -> pd.DataFrame:
    """Analysis data with columns ``time``, ``event``, ``treated`` (+ the raw columns)."""
    if name == "veteran":
        df = _read("veteran")
        df["event"] = df["status"]
        df["treated"] = (df["trt"] == 2).astype(int)
    elif name == "colon":
        df = _read("colon")
        df = df[(df["etype"] == 2) & (df["rx"] != "Lev")].reset_index(drop=True)
        df["event"] = df["status"]
        df["treated"] = (df["rx"] == "Lev+5FU").astype(int)
    elif name == "rats":
        df = _read("rats")
        df["event"] = df["status"]
        df["treated"] = df["rx"]
    elif name == "pbc":
        df = _read("pbc").iloc[:312].reset_index(drop=True)
        df["event"] = (df["status"] == 2).astype(int)
        df["treated"] = (df["trt"] == 2).astype(int)
    elif name == "ovarian":
        df = _read("ovarian")
        df["time"] = df["futime"]
        df["event"] = df["fustat"]
        df["treated"] = (df["rx"] == 2).astype(int)
    else:
        raise KeyError(name)
    return df


def r_array(values) -> np.ndarray:
    """An R vector from the JSON (``null`` -> NaN)."""
    return np.array([np.nan if v is None else v for v in np.atleast_1d(values)], dtype=float)


def radix_design(data: pd.DataFrame, terms: list[str]) -> pd.DataFrame:
    """:func:`~evalexp.survival.design.design_matrix` with each categorical term's levels in
    the byte ("radix") order of ``tests/reference/monotone/make_reference.R`` (which sets
    ``factor(x, levels = sort(unique(x), method = "radix"))``), instead of evalexp's default
    order (R's ``factor()`` with ICU collation, :mod:`evalexp.levels`): the first level in that
    order is made the reference and the dummies are put in that order."""
    from evalexp.survival.design import design_matrix

    categorical = [t for t in terms if not pd.api.types.is_numeric_dtype(data[t])]
    reference = {t: min(data[t].dropna().astype(str).unique()) for t in categorical}
    X = design_matrix(data, terms, reference)

    def position(column: str) -> tuple[int, str]:
        term = column.split("[", 1)[0]
        return terms.index(term), column[len(term) + 1:-1]

    return X[sorted(X.columns, key=position)]
