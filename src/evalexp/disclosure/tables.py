"""Table rules of disclosure control: primary and secondary suppression, small categories,
and the check that no participant identifier reaches an output.

French statistical secrecy for data on individuals hides every count below a
threshold (11 by default, ``plan.report.suppression_threshold``), what is
derived from it, and enough neighbouring cells that a hidden one cannot be
recovered from the row and column totals. :mod:`evalexp.disclosure.counts`
applies these functions to ``results.json`` and records each decision;
``docs/disclosure.md`` lists every rule.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd


def primary_mask(counts: np.ndarray | pd.DataFrame, threshold: int) -> np.ndarray:
    """Cells below ``threshold`` (primary suppression), as a boolean array of the same shape."""
    values = np.asarray(counts, dtype=float)
    return values < threshold


def suppression_mask(counts: np.ndarray | pd.DataFrame, threshold: int, *, row_totals: bool = True,
                     column_totals: bool = True) -> np.ndarray:
    """Primary and secondary suppression of a two-way table of counts.

    Parameters
    ----------
    counts : array-like of shape (r, c)
        The body of a table (a 1-D array is one row).
    threshold : int
        Counts strictly below it are hidden.
    row_totals, column_totals : bool
        Whether the totals of each row (across columns) and of each column
        (down the rows) are published, here or elsewhere in the report; only
        published totals need protecting.

    Returns
    -------
    numpy.ndarray of bool, shape of ``counts``
        ``True`` where the cell must be hidden: :func:`primary_mask` cells are
        shown as ``"<threshold"``, the others (secondary) with a distinct mark.

    Notes
    -----
    While some protected line (row or column) has exactly one hidden cell and
    at least one visible cell, the smallest visible cell of that line (the
    first in reading order on ties) is hidden. A line with a single cell cannot
    be protected by a neighbour: its total equals the cell, and is hidden by
    rule 1 whenever the cell is.
    """
    values = np.atleast_2d(np.asarray(counts, dtype=float))
    mask = primary_mask(values, threshold)
    axes = [axis for axis, published in ((1, row_totals), (0, column_totals)) if published]
    changed = True
    while changed:
        changed = False
        for axis in axes:
            lines = mask if axis == 1 else mask.T
            vals = values if axis == 1 else values.T
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1 and (~lines[i]).any():
                    visible = np.where(~lines[i], vals[i], np.inf)
                    lines[i, int(np.argmin(visible))] = True
                    changed = True
    return mask.reshape(np.shape(counts)) if np.ndim(counts) == 1 else mask


def collapse_small_categories(counts: pd.DataFrame, threshold: int, other: str) -> dict[str, str]:
    """Merge categories until each group reaches ``threshold`` in every column.

    Parameters
    ----------
    counts : DataFrame
        One row per category, one column per arm.
    other : str
        Label of the merged group.

    Returns
    -------
    dict
        category -> group label (itself, or ``other``). The categories whose
        smallest count is below the threshold are merged into ``other``, the
        smallest first; while ``other`` is still below the threshold in some
        column, the next smallest category joins it (so a small category never
        stands alone in ``other``). When every category ends in ``other`` the
        group is all ruptures.
    """
    order = counts.min(axis=1).sort_values(kind="stable").index.tolist()
    merged: list[str] = []
    for category in order:
        group = counts.loc[merged].sum() if merged else None
        if counts.loc[category].min() >= threshold and (group is None or group.min() >= threshold):
            break
        merged.append(category)
    return {c: (other if c in merged else c) for c in counts.index}


def find_identifiers(text: str, identifiers: Iterable[str]) -> list[str]:
    """The identifiers that occur in ``text`` as whole tokens (runs of letters, digits, ``_``, ``-``).

    Linear in the text and the number of identifiers (a set intersection), so it
    runs on every report, even of a million participants.
    """
    tokens = set(re.findall(r"[\w-]+", text))
    return sorted(tokens.intersection(str(ident) for ident in identifiers))
