"""Rules on counts: primary, complement and secondary suppression of small tables.

Thin wrappers over :func:`evalexp.disclosure.tables.suppression_mask` that record
each decision in a :class:`~evalexp.disclosure.ledger.Ledger` under its rule.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .ledger import Ledger
from .tables import suppression_mask

Path = tuple[str | int, ...]


def small(count: int | None, threshold: int) -> bool:
    """Primary rule: a count below the threshold (zero included)."""
    return count is not None and count < threshold


def small_part(count: int, whole: int, threshold: int) -> bool:
    """A count of a published whole that must be hidden: itself or its complement below the
    threshold. A zero complement (the whole) and a zero part whose complement is large are
    published for missing-value counts only through :func:`small_missing`."""
    return count < threshold or whole - count < threshold


def small_missing(missing: int, whole: int, threshold: int) -> bool:
    """A count of missing values (or attrition) of a published whole: hidden when it is between 1
    and threshold - 1, or when the observed complement is below the threshold. No missing value
    (zero) concerns no one and is published."""
    return 0 < missing < threshold or whole - missing < threshold


def hide_table(ledger: Ledger, paths: Sequence[Sequence[Path]], counts: np.ndarray, *, row_totals: bool,
               column_totals: bool, force: np.ndarray | None = None,
               locked: np.ndarray | None = None) -> np.ndarray:
    """Primary and secondary suppression of a table of counts at ``paths`` (rows x columns).

    ``force`` marks cells hidden for another reason (their complement), counted as primary
    before the secondary pass. ``locked`` marks cells published elsewhere: secondary suppression
    picks them last (hiding here what another table shows would protect nothing). Returns the
    final mask.
    """
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    primary = counts < ledger.threshold
    if force is not None:
        primary = primary | np.atleast_2d(force)
    basis = np.where(primary, -1.0, counts)
    if locked is not None:
        basis = np.where(np.atleast_2d(locked) & ~primary, 1e18, basis)
    mask = suppression_mask(basis, ledger.threshold, row_totals=row_totals, column_totals=column_totals)
    for i, row in enumerate(paths):
        for j, path in enumerate(row):
            if mask[i, j]:
                rule = "primary" if counts[i, j] < ledger.threshold else \
                    "complement" if force is not None and np.atleast_2d(force)[i, j] else "secondary"
                ledger.hide(tuple(path), rule)
    return mask
