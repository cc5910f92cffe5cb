"""Disclosure rules of Table 1 (``results["baseline"]``), one pattern shared with the balance and
subgroup tables.

A baseline variable's counts (participants per level and arm, and missing values per arm) may
appear in three places of a public report: Table 1 itself, the balance table (each level's share
of the known values, and the number of known values per arm) and the subgroup table (each level's
size per arm). Suppressing each table on its own would let a reader combine them: a cell hidden
in one but shown in another undoes the protection of its neighbours. So one mask per variable is
computed and applied to all three (:func:`baseline`):

1. start from every cell already hidden for the variable (balance shares, subgroup sizes), the
   counts below the threshold (``primary``) and the missing counts that the missing-value rule
   hides (``complement``: 1 to threshold - 1 missing, or fewer than the threshold known).
   When the variable's levels group the sites of the across-site analysis (``groups_sites``) and
   some site is pooled into "other sites", every level count starts hidden (``site_partition``):
   a level's count is a sum of site counts, and the pool's total is published;
2. close it under the totals that are published: each arm's size (the levels and the missing
   values of an arm add up to it) and the total missing of the data-quality annex when it is
   published; while such a line has exactly one hidden cell, its smallest visible cell is hidden
   (``secondary``);
3. withhold in all three tables every cell of the final mask; where an arm's number of known
   values is withheld, every share of that arm is withheld too (``derived``: a share k/K,
   printed or exact, gives K back), and so are a continuous variable's mean and SD; a subgroup
   level that loses a size has its statistics withheld (``small_group``) and its ruptures
   re-protected.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..plan import ARMS
from .counts import hide_table, small, small_missing
from .ledger import Ledger

Path = tuple[str | int, ...]


def close_mask(values: np.ndarray, mask: np.ndarray, lines: list[np.ndarray]) -> np.ndarray:
    """Secondary suppression over explicit published lines: while a line (a boolean mask of the
    cells whose total is published) has exactly one hidden cell and a visible one, its smallest
    visible cell (first in reading order on ties) is hidden. Returns a new mask."""
    mask = mask.copy()
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = mask & line
            visible = line & ~mask
            if hidden.sum() == 1 and visible.any():
                candidates = np.where(visible, values, np.inf)
                mask[np.unravel_index(int(np.argmin(candidates)), values.shape)] = True
                changed = True
    return mask


def _balance_rows(ledger: Ledger, name: str) -> list[tuple[int, Any]]:
    """``(index, level)`` of the balance table's rows of variable ``name``."""
    rows = (ledger.source("balance") or {}).get("covariates") or []
    return [(j, row["level"]) for j, row in enumerate(rows) if row["covariate"] == name]


def _hide_balance_arm(ledger: Ledger, j: int, arm: str, key: str, rule: str) -> None:
    if not ledger.withheld("balance", "covariates", j, arm, key):
        ledger.hide(("balance", "covariates", j, arm, key), rule)
    ledger.hide(("balance", "covariates", j, "std_difference"), "derived")


def _missing_rule(missing: int, whole: int, threshold: int) -> str | None:
    """The rule that hides a count of missing values on its own (``None``: publishable)."""
    if not small_missing(missing, whole, threshold):
        return None
    return "primary" if 0 < missing < threshold else "complement"


def _continuous(ledger: Ledger, i: int, var: dict[str, Any]) -> None:
    t, n = ledger.threshold, ledger.source("n")
    base: Path = ("baseline", "variables", i)
    rows = _balance_rows(ledger, var["variable"])
    hidden = {}
    for a in ARMS:
        rule = _missing_rule(var["missing"][a], n[a], t) or \
            ("secondary" if any(ledger.withheld("balance", "covariates", j, a, "n") for j, _ in rows) else None)
        hidden[a] = rule
    if _total_missing_published(ledger, var["variable"]) and sum(r is not None for r in hidden.values()) == 1:
        hidden = {a: r or "secondary" for a, r in hidden.items()}
    for a in ARMS:
        small_known = small(var["known"][a], t)
        missing_rule = hidden[a]
        if missing_rule is not None:
            ledger.hide(base + ("missing", a), missing_rule)
            ledger.hide(base + ("known", a), "complement")
        if hidden[a] is not None or small_known or \
                any(ledger.withheld("balance", "covariates", j, a, "mean") for j, _ in rows):
            for key in ("mean", "sd"):
                ledger.hide(base + (key, a), "small_group" if small_known else "derived")
            for j, _ in rows:
                _hide_balance_arm(ledger, j, a, "mean", "small_group" if small_known else "derived")
                _hide_balance_arm(ledger, j, a, "sd", "small_group" if small_known else "derived")
        if hidden[a] is not None:
            for j, _ in rows:
                _hide_balance_arm(ledger, j, a, "n", "complement")


def _total_missing_published(ledger: Ledger, column: str) -> bool:
    """Whether the data-quality annex publishes the column's total of missing values (a line)."""
    value = ledger.get("data_quality", "missing", column)
    return value is not None and value > 0


def _counts(ledger: Ledger, i: int, var: dict[str, Any]) -> None:
    t, n = ledger.threshold, ledger.source("n")
    name = var["variable"]
    base: Path = ("baseline", "variables", i)
    levels = list(var["levels"])
    with_missing = any(var["missing"][a] > 0 for a in ARMS)
    paths = [[base + ("levels", lv, a) for a in ARMS] for lv in levels]
    values = [[var["levels"][lv][a] for a in ARMS] for lv in levels]
    if with_missing:
        paths.append([base + ("missing", a) for a in ARMS])
        values.append([var["missing"][a] for a in ARMS])
    counts = np.array(values, dtype=float)
    force = np.zeros(counts.shape, bool)
    force[:len(levels)] = counts[:len(levels)] < t
    # levels that group the sites: a level's count is a sum of site counts, and the pool of "other
    # sites" is published; all withheld as soon as a site is pooled
    sites_pooled = bool(var.get("groups_sites")) and ledger.get("heterogeneity", "other_sites") is not None
    if sites_pooled:
        force[:len(levels)] = True
    if with_missing:
        force[-1] = [_missing_rule(var["missing"][a], n[a], t) is not None for a in ARMS]
    # cells the balance and subgroup tables already hide
    balance_rows = _balance_rows(ledger, name)
    for j, level in balance_rows:
        for k, a in enumerate(ARMS):
            if ledger.withheld("balance", "covariates", j, a, "n") and with_missing:
                force[-1, k] = True
            if ledger.withheld("balance", "covariates", j, a, "mean"):
                rows = range(len(levels)) if level is None else [levels.index(str(level))]
                force[list(rows), k] = True
    sub = ledger.source("subgroups", "variables", name, "levels") or {}
    for r, lv in enumerate(levels):
        for k, a in enumerate(ARMS):
            if lv in sub and ledger.withheld("subgroups", "variables", name, "levels", lv, "n", a):
                force[r, k] = True
    lines = [np.zeros(counts.shape, bool) for _ in ARMS]
    for k, line in enumerate(lines):
        line[:, k] = True
    if with_missing and _total_missing_published(ledger, name):
        row = np.zeros(counts.shape, bool)
        row[-1] = True
        lines.append(row)
    mask = close_mask(counts, force, lines)
    for r, row_paths in enumerate(paths):
        for k, path in enumerate(row_paths):
            if mask[r, k]:
                is_missing = with_missing and r == len(paths) - 1
                rule = (_missing_rule(int(counts[r, k]), n[ARMS[k]], t) if is_missing else
                        "primary" if counts[r, k] < t else "site_partition" if sites_pooled else None) \
                    or "secondary"
                ledger.hide(path, rule)
    _apply_to_balance(ledger, balance_rows, levels, mask, with_missing)
    _apply_to_subgroups(ledger, name, levels, mask)


def _apply_to_balance(ledger: Ledger, rows: list[tuple[int, Any]], levels: list[str], mask: np.ndarray,
                      with_missing: bool) -> None:
    """Withhold in the balance table what the shared mask hides: a level's share, every share of an
    arm whose number of known values is hidden, and that number."""
    for k, a in enumerate(ARMS):
        known_hidden = with_missing and bool(mask[-1, k])
        for j, level in rows:
            cells = mask[:len(levels), k] if level is None else mask[[levels.index(str(level))], k]
            if known_hidden:
                _hide_balance_arm(ledger, j, a, "n", "complement")
                _hide_balance_arm(ledger, j, a, "mean", "derived")
            elif cells.any():
                _hide_balance_arm(ledger, j, a, "mean", "secondary")


def _apply_to_subgroups(ledger: Ledger, name: str, levels: list[str], mask: np.ndarray) -> None:
    """Withhold in the subgroup table the sizes the shared mask hides, the statistics of their
    levels, and re-protect the levels' ruptures (the sizes' pattern changed)."""
    block = ledger.source("subgroups", "variables", name, "levels")
    if not block:
        return
    base: Path = ("subgroups", "variables", name, "levels")
    changed = False
    for r, lv in enumerate(levels):
        for k, a in enumerate(ARMS):
            if lv in block and mask[r, k] and not ledger.withheld(*base, lv, "n", a):
                ledger.hide(base + (lv, "n", a), "secondary")
                changed = True
    if not changed:
        return
    names = list(block)
    n = np.array([[block[lv]["n"][a] for a in ARMS] for lv in names])
    events = np.array([[block[lv]["events"][a] for a in ARMS] for lv in names])
    n_hidden = np.array([[ledger.withheld(*base, lv, "n", a) for a in ARMS] for lv in names])
    e_hidden = np.array([[ledger.withheld(*base, lv, "events", a) for a in ARMS] for lv in names])
    hide_table(ledger, [[base + (lv, "events", a) for a in ARMS] for lv in names], events, row_totals=True,
               column_totals=True, force=e_hidden | n_hidden | (n - events < ledger.threshold))
    for r, lv in enumerate(names):
        if n_hidden[r].any():
            for key in block[lv]:
                if key not in ("n", "events"):
                    ledger.hide(base + (lv, key), "small_group")


def baseline(ledger: Ledger) -> None:
    """Table 1: per variable, one suppression pattern shared with the balance and subgroup tables
    (module docstring). Runs after :func:`evalexp.disclosure.results.balance`,
    :func:`~evalexp.disclosure.results.subgroups`, :func:`~evalexp.disclosure.results.data_quality` and
    :func:`evalexp.disclosure.sites.heterogeneity`, whose decisions it reads and extends."""
    block = ledger.source("baseline")
    if not block:
        return
    for i, var in enumerate(block.get("variables") or []):
        if var["kind"] == "continuous":
            _continuous(ledger, i, var)
        else:
            _counts(ledger, i, var)
