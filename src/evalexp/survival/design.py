"""Design matrices for the regression models: numeric columns as they are, categorical ones as dummies."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from ..levels import level_order


def design_matrix(data: pd.DataFrame, terms: Iterable[str], reference: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Numeric design matrix of ``terms``, complete cases only.

    Numeric columns are kept as they are (as float). Boolean columns become 0/1
    under their own name. String, object and categorical columns become treatment
    dummies named ``"column[level]"``, the reference being the level ``reference`` names
    for the column (the plan's ``[reference]``), else the first level in R's ``factor()``
    order (case and accents ignored: :func:`evalexp.levels.level_order`). Rows with a missing value in any of the
    terms are dropped; the number dropped is in ``result.attrs["n_dropped"]`` and
    the index of the kept rows is the input's (align other columns with it).

    Parameters
    ----------
    data : pandas.DataFrame
    terms : iterable of str
        Column names of ``data``.
    reference : mapping, optional
        Column -> its reference level (levels compared as text).

    Returns
    -------
    pandas.DataFrame
        One float column per numeric/boolean term and per non-reference level.
    """
    terms = list(terms)
    missing = [t for t in terms if t not in data.columns]
    if missing:
        raise KeyError(f"columns not in the data: {missing}")
    sub = data[terms]
    complete = sub.notna().all(axis=1).to_numpy()
    sub = sub.loc[complete]
    columns: dict[str, np.ndarray] = {}
    for term in terms:
        col = sub[term]
        if ptypes.is_bool_dtype(col) or (ptypes.is_numeric_dtype(col)
                                         and not isinstance(col.dtype, pd.CategoricalDtype)):
            columns[term] = col.to_numpy(dtype=float)
        else:
            if isinstance(col.dtype, pd.CategoricalDtype) and col.cat.ordered:
                levels = [lv for lv in col.cat.categories if (col == lv).any()]
            else:
                levels = level_order(pd.unique(col.astype(object)), (reference or {}).get(term))
            values = col.astype(object).to_numpy()
            for level in levels[1:]:
                columns[f"{term}[{level}]"] = (values == level).astype(float)
    out = pd.DataFrame(columns, index=sub.index)
    out.attrs["n_dropped"] = int((~complete).sum())
    return out
