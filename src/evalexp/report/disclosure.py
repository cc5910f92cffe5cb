"""Statistical disclosure control of the report's tables and figures.

French statistical secrecy for data on individuals hides every count below a
threshold (11 by default, ``plan.report.suppression_threshold``), what is
derived from it, and enough neighbouring cells that a hidden one cannot be
recovered from the row and column totals.

Rules applied by the report
---------------------------
1. *Primary suppression*: a count ``c`` with ``c < threshold`` (zero
   included) is shown as ``"<threshold"``.
2. *Secondary suppression* (:func:`suppression_mask`): in a table whose row and
   column totals are published, a row or column with exactly one hidden cell
   gets its smallest visible cell hidden too; repeated until nothing changes
   (a fixed point: every row and column then has zero or at least two hidden
   cells, so no hidden cell equals a total minus visible cells). These cells
   are not small: they are shown with a distinct mark (``"s"``, *secret*), so
   that ``"<11"`` always means fewer than 11.
3. *Derived figures*: a percentage is hidden with its numerator's or its
   denominator's cell (:func:`share_hidden`); a Kaplan-Meier or cumulative
   incidence curve is drawn only while the number at risk is at least the
   threshold (:func:`truncate_at_risk`), and a landmark estimate is published
   only when its number at risk is.
   A count that is part of a published whole (participants observed for an
   outcome, out of those randomised) is hidden with its complement (the
   missing ones). The only zero shown is a structural one: under intention to
   treat, everyone randomised is analysed for the primary outcome.
4. *Small categories*: a category (a rupture cause) whose count is below the
   threshold in some arm is merged with the next smallest ones into one
   group (:func:`collapse_small_categories`) before its curve is drawn.
5. No participant identifier is ever written: the report reads aggregated
   results only, and :func:`find_identifiers` checks every text output before
   it is written.

``results.json`` is the statistical output of the analysis (estimates, their
standard errors and the counts of the contract) and is written complete: it
is meant for the evaluator and for reproduction, not for publication; the
manifest says so.
"""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import pandas as pd


def primary_mask(counts: np.ndarray | pd.DataFrame, threshold: int) -> np.ndarray:
    """Cells below ``threshold`` (rule 1), as a boolean array of the same shape."""
    values = np.asarray(counts, dtype=float)
    return values < threshold


def suppression_mask(counts: np.ndarray | pd.DataFrame, threshold: int, *, row_totals: bool = True,
                     column_totals: bool = True) -> np.ndarray:
    """Primary and secondary suppression of a two-way table of counts (rules 1 and 2).

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


def share_hidden(numerator: int, denominator: int, threshold: int) -> bool:
    """Whether a percentage ``numerator / denominator`` must be hidden (rule 3).

    It is hidden when either count, or the complement ``denominator -
    numerator`` (which the percentage and the denominator reveal), is below
    the threshold.
    """
    return min(numerator, denominator, denominator - numerator) < threshold


def collapse_small_categories(counts: pd.DataFrame, threshold: int, other: str) -> dict[str, str]:
    """Merge categories until each group reaches ``threshold`` in every column (rule 4).

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


def truncate_at_risk(table: pd.DataFrame, threshold: int, *, at_risk: str = "n_risk") -> pd.DataFrame:
    """The rows of a step table drawn under rule 3: up to the last time with ``at_risk >= threshold``.

    Times are kept while the number at risk is at least ``threshold``; the curve
    stops at the first time it falls below (the rows after it are dropped).
    """
    ok = table[at_risk].to_numpy() >= threshold
    stop = len(ok) if ok.all() else int(np.argmin(ok))
    return table.iloc[:stop]


def find_identifiers(text: str, identifiers: Iterable[str]) -> list[str]:
    """The identifiers that occur in ``text`` as whole tokens (runs of letters, digits, ``_``, ``-``).

    Linear in the text and the number of identifiers (a set intersection), so it
    runs on every report, even of a million participants.
    """
    tokens = set(re.findall(r"[\w-]+", text))
    return sorted(tokens.intersection(str(ident) for ident in identifiers))
