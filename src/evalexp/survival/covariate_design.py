"""The covariates' design of the covariate-adjusted analysis as one NumPy array (issue 15).

:func:`covariate_design` returns what ``design_matrix(data, terms).to_numpy()`` returns — the
same columns in the same order, the same values and the same complete cases — without pandas
work per row and level: numeric and boolean columns are converted as they are; a categorical
column is factorised once (``pandas.factorize``, one hash pass, missing values coded -1) and
its dummies are read off the coding of its distinct values among the complete cases, a coding
that :func:`.design.design_matrix` itself produces. The level order (which level is the
reference) is therefore defined in one place, :mod:`.design`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pandas.api.extensions import ExtensionDtype

from .design import design_matrix


@dataclass(frozen=True)
class CovariateDesign:
    """Design of the complete cases.

    Attributes
    ----------
    x : ndarray (n_kept, p)
        Float, column-major (the layout of ``design_matrix(...).to_numpy()``).
    names : tuple of str
        Column names, as :func:`.design.design_matrix` names them.
    rows : ndarray of int or None
        Positions of the complete cases in the input; None when every row is complete.
    n_dropped : int
        Rows with a missing value in a term.
    """

    x: np.ndarray
    names: tuple[str, ...]
    rows: np.ndarray | None
    n_dropped: int


def _is_numeric(col: pd.Series) -> bool:
    """Converted as it is (design_matrix's numeric and boolean branches)."""
    return bool(ptypes.is_bool_dtype(col) or (ptypes.is_numeric_dtype(col)
                                              and not isinstance(col.dtype, pd.CategoricalDtype)))


def covariate_design(data: pd.DataFrame, terms: Iterable[str]) -> CovariateDesign:
    """Numeric design of ``terms`` on the complete cases, equal to :func:`.design.design_matrix`'s.

    Parameters
    ----------
    data : pandas.DataFrame
    terms : iterable of str
        Column names of ``data``.

    Returns
    -------
    CovariateDesign
    """
    terms = list(terms)
    missing = [t for t in terms if t not in data.columns]
    if missing:
        raise KeyError(f"columns not in the data: {missing}")
    complete = np.ones(len(data), dtype=bool)
    coded: dict[str, tuple[np.ndarray, pd.Index, np.dtype | ExtensionDtype]] = {}
    for term in terms:
        col = data[term]
        if _is_numeric(col):
            complete &= col.notna().to_numpy()
        else:
            codes, uniques = pd.factorize(col)
            complete &= codes >= 0
            coded[term] = (codes, uniques, col.dtype)
    n_kept = int(np.count_nonzero(complete))
    rows = np.flatnonzero(complete) if n_kept < complete.size else None
    # per column: its values, or a dummy's values over the distinct values and each row's code
    sources: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    for term in terms:
        if term not in coded:
            col = data[term]
            sources[term] = ((col if rows is None else col.iloc[rows]).to_numpy(dtype=float), None)
            continue
        codes, uniques, dtype = coded[term]
        # with every row kept, every distinct value is present (factorize lists only those seen)
        kept = codes if rows is None else codes[rows]
        present = np.arange(len(uniques)) if rows is None else np.flatnonzero(np.bincount(kept, minlength=len(uniques)))
        # the dummies of the distinct values (their dtype kept: categories and their order), in
        # design_matrix's level order
        coding = design_matrix(pd.DataFrame({term: pd.Series(uniques[present], dtype=dtype)}), [term])
        if present.size < len(uniques):                 # values seen only on incomplete rows
            position = np.zeros(len(uniques), dtype=np.int64)
            position[present] = np.arange(present.size)
            kept = position[kept]
        for name in coding.columns:
            sources[name] = (coding[name].to_numpy(), kept)
    x = np.empty((len(sources), n_kept)).T
    for j, (values, row_codes) in enumerate(sources.values()):
        if row_codes is None:
            x[:, j] = values
        else:
            np.take(values, row_codes, out=x[:, j], mode="clip")  # valid codes: "clip" spares a buffer
    return CovariateDesign(x=x, names=tuple(sources), rows=rows, n_dropped=complete.size - n_kept)
