"""Checks of a cohort table (docs/CONTRACT.md section 1): refusals and warnings.

Every refusal raises its own :class:`~evalexp.errors.InputError` subclass with
the file, the column (``source name (canonical)`` when the plan renamed it)
and the first offending rows as ``line N`` (never a participant identifier):

=======================================  ============================
problem                                  exception
=======================================  ============================
required or plan-named column absent     MissingColumnError
missing ``participant_id``               InvalidValueError
duplicate ``participant_id``             DuplicateIdError
arm label not mapped (or missing)        UnmappedArmError
an arm with no participant               EmptyArmError
missing required date                    InvalidValueError
``contract_end_planned < contract_start`` InvalidValueError
``followup_end < contract_start``         FollowupBeforeStartError
``rupture_date < contract_start``         RuptureBeforeStartError
``support_received`` / plan outcome       InvalidValueError
not 0/1
=======================================  ============================

Unparseable and ambiguous dates are refused by :mod:`evalexp.load` while
converting (``DateParseError``, ``AmbiguousDateError``).

Non-fatal oddities become :class:`~evalexp.errors.DataWarning` (codes below);
their messages give source lines but no identifiers, as they stay with the cohort.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import (
    MAX_ROWS_SHOWN,
    DataWarning,
    DuplicateIdError,
    EmptyArmError,
    FollowupBeforeStartError,
    InputError,
    InvalidValueError,
    MissingColumnError,
    RuptureBeforeStartError,
    UnmappedArmError,
    listed_values,
)
from .plan import ARMS, Plan

REQUIRED_COLUMNS = ("participant_id", "arm", "contract_start", "contract_end_planned", "followup_end")
DATE_COLUMNS = ("contract_start", "contract_end_planned", "followup_end", "rupture_date", "assigned_on")
REQUIRED_DATES = ("contract_start", "contract_end_planned", "followup_end")
#: Canonical columns always kept as text.
TEXT_COLUMNS = ("participant_id", "arm", "rupture_initiative", "stratum", "site")


@dataclass(frozen=True)
class Table:
    """A table under canonical names, with what messages need to point at its rows.

    Attributes
    ----------
    data : pandas.DataFrame
        Columns under their canonical (mapped) names.
    lines : numpy.ndarray of int
        Source line of each row.
    ids : numpy.ndarray of str
        Raw participant identifiers (``"?"`` where missing), for the ``rows`` of the
        exceptions only (messages print the lines, not the identifiers).
    source : str
        The file.
    names : dict
        Canonical name -> source name, for the columns the plan renamed.
    """

    data: pd.DataFrame
    lines: np.ndarray
    ids: np.ndarray
    source: str
    names: dict[str, str]

    def label(self, column: str) -> str:
        """``Date rupture (rupture_date)`` if the plan renamed the column, else ``rupture_date``."""
        source_name = self.names.get(column, column)
        return column if source_name == column else f"{source_name} ({column})"

    def rows(self, mask: np.ndarray | pd.Series) -> tuple[list[tuple[int, str]], int]:
        """The first offending ``(line, id)`` pairs and their total number."""
        where = np.flatnonzero(np.asarray(mask))
        shown = where[:MAX_ROWS_SHOWN]
        return [(int(self.lines[i]), str(self.ids[i])) for i in shown], len(where)

    def refuse(self, error: type[InputError], column: str | None, problem: str, mask, hint: str = "") -> InputError:
        """An ``error`` naming the file, the column and the rows of ``mask`` (by line), then ``hint``."""
        rows, total = self.rows(mask)
        return error(self.source, self.label(column) if column else None, problem, rows, total, hint)

    def warning(self, code: str, column: str | None, problem: str, mask) -> DataWarning | None:
        """A :class:`DataWarning` for the rows of ``mask`` (lines only), or ``None`` if there are none."""
        where = np.flatnonzero(np.asarray(mask))
        if len(where) == 0:
            return None
        lines = ", ".join(str(int(line)) for line in self.lines[where[:MAX_ROWS_SHOWN]])
        more = f" and {len(where) - MAX_ROWS_SHOWN} more" if len(where) > MAX_ROWS_SHOWN else ""
        where_text = f"column '{self.label(column)}': " if column else ""
        message = (f"{self.source}: {where_text}{problem} in {len(where)} row{'s' if len(where) > 1 else ''} "
                   f"(line{'s' if len(where) > 1 else ''} {lines}{more})")
        return DataWarning(code=code, column=column, count=len(where), message=message)


def plan_columns(plan: Plan) -> dict[str, str]:
    """Columns the plan names, each with the reason it is needed (for messages)."""
    named: dict[str, str] = {}
    for column in plan.survival.covariates:
        named.setdefault(column, "a covariate of [survival]")
    for key in ("strata", "cluster", "causes"):
        column = getattr(plan.survival, key)
        if column:
            named.setdefault(column, f"'{key}' of [survival]")
    for column in plan.outcomes.binary:
        named.setdefault(column, "a binary outcome of [outcomes]")
    for column in plan.outcomes.adjust:
        named.setdefault(column, "an 'adjust' covariate of [outcomes]")
    for key in ("balance", "subgroups", "meetings"):
        for column in getattr(plan.integrity, key):
            named.setdefault(column, f"in '{key}' of [integrity]")
    return named


def check_columns(table: Table, plan: Plan) -> None:
    """Refuse a table without a required column or a column the plan names."""
    present = set(table.data.columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    why = {c: "required" for c in missing}
    for column, reason in plan_columns(plan).items():
        if column not in present and column not in why:
            missing.append(column)
            why[column] = reason
    if missing:
        # a column the plan's [columns] expects under a source name is named by both
        expected = {canonical: source for source, canonical in plan.columns.items()}

        def label(column: str) -> str:
            return f"{expected[column]} ({column})" if column in expected else table.label(column)

        first = missing[0]
        listed = "; ".join(f"'{label(c)}' ({why[c]})" for c in missing)
        available = ", ".join(f"'{c}'" for c in list(table.names.get(c, c) for c in table.data.columns)[:30])
        raise MissingColumnError(table.source, label(first),
                                 f"missing column{'s' if len(missing) > 1 else ''}: {listed}; "
                                 f"the file has {available}")


MISSING_ID = "missing participant identifier"


def duplicate_ids_problem(n_ids: int) -> str:
    """The problem text of :class:`DuplicateIdError` for ``n_ids`` repeated identifiers (both engines)."""
    return f"{n_ids} participant identifier{'s' if n_ids > 1 else ''} used more than once"


def check_ids(table: Table) -> None:
    """Refuse missing or duplicate participant identifiers."""
    ids = table.data["participant_id"]
    missing = ids.isna().to_numpy()
    if missing.any():
        raise table.refuse(InvalidValueError, "participant_id", MISSING_ID, missing)
    duplicated = ids.duplicated(keep=False).to_numpy()
    if duplicated.any():
        raise table.refuse(DuplicateIdError, "participant_id", duplicate_ids_problem(ids[duplicated].nunique()),
                           duplicated)


def _fold(label: str) -> str:
    return unicodedata.normalize("NFC", label).strip().casefold()


def arm_lookup(plan: Plan) -> dict[str, str]:
    """Folded source label -> canonical arm: ``treatment`` and ``control`` and the plan's ``[arms]``."""
    lookup = {arm: arm for arm in ARMS}
    for arm, labels in plan.arms.items():
        for label in labels:
            lookup[_fold(label)] = arm
    return lookup


def unmapped_arms_problem(labels: list[str], plan: Plan) -> str:
    """The problem text of :class:`UnmappedArmError` for the sorted unmapped ``labels`` (both engines)."""
    known = sorted(set(ARMS) | {label for labels_ in plan.arms.values() for label in labels_})
    return (f"arm label{'s' if len(labels) > 1 else ''} {listed_values(labels)} "
            f"not mapped by the plan's [arms] (known labels: {', '.join(known)})")


def empty_arm_problem(arm: str, labels: list[str]) -> str:
    """The problem text of :class:`EmptyArmError` given the sorted labels found (both engines)."""
    return f"no participant in the {arm} arm (labels found: {listed_values(labels, str)})"


def map_arms(table: Table, plan: Plan) -> pd.Series:
    """Canonical arms from the source labels.

    ``treatment`` and ``control`` are always accepted; the plan's ``[arms]``
    adds labels. Matching ignores case and surrounding spaces (Unicode NFC).
    Refuses unmapped or missing labels, and an arm left empty.
    """
    lookup = arm_lookup(plan)
    raw = table.data["arm"]
    codes, uniques = pd.factorize(raw)
    mapped_uniques = np.array([lookup.get(_fold(str(u))) for u in uniques] + [None], dtype=object)
    arms = pd.Series(mapped_uniques[codes], index=raw.index, dtype=object)
    bad = arms.isna().to_numpy()
    if bad.any():
        labels = sorted({"(empty)" if pd.isna(v) else str(v) for v in raw[bad]})
        raise table.refuse(UnmappedArmError, "arm", unmapped_arms_problem(labels, plan), bad)
    for arm in ARMS:
        if not (arms == arm).any():
            raise EmptyArmError(table.source, table.label("arm"),
                                empty_arm_problem(arm, sorted(map(str, raw.unique()))))
    return arms


def check_binary(table: Table, column: str) -> None:
    """Refuse values other than 0, 1 or missing."""
    values = table.data[column]
    if not pd.api.types.is_numeric_dtype(values):
        bad = values.notna().to_numpy() & ~values.astype(str).isin(["0", "1"]).to_numpy()
    else:
        bad = values.notna().to_numpy() & ~values.isin([0, 1]).to_numpy()
    if bad.any():
        shown = ", ".join(repr(v) if isinstance(v, str) else f"{v:g}" for v in pd.unique(values[bad])[:MAX_ROWS_SHOWN])
        raise table.refuse(InvalidValueError, column, f"values must be 0 or 1 (or empty), found {shown}", bad)


MISSING_DATE = "missing date"


@dataclass(frozen=True)
class OrderRule:
    """A refusal ``column < before`` (both dates; a missing ``column`` passes).

    The rules are data, read by both engines: :func:`check_dates` applies them with pandas,
    :mod:`evalexp.engine.duckdb_engine` renders them to SQL (the same errors, word for word).
    """

    column: str
    before: str
    error: type[InputError]
    problem: str


#: The date-order refusals, in the order they are checked.
DATE_ORDER_RULES = (
    OrderRule("contract_end_planned", "contract_start", InvalidValueError, "planned end before contract start"),
    OrderRule("followup_end", "contract_start", FollowupBeforeStartError, "end of follow-up before contract start"),
    OrderRule("rupture_date", "contract_start", RuptureBeforeStartError, "rupture before contract start"),
)


def check_dates(table: Table) -> None:
    """Refuse missing required dates (:data:`REQUIRED_DATES`) and the :data:`DATE_ORDER_RULES`."""
    data = table.data
    for column in REQUIRED_DATES:
        missing = data[column].isna().to_numpy()
        if missing.any():
            raise table.refuse(InvalidValueError, column, MISSING_DATE, missing)
    for rule in DATE_ORDER_RULES:
        if rule.column in data and (bad := (data[rule.column] < data[rule.before]).to_numpy()).any():
            raise table.refuse(rule.error, rule.column, rule.problem, bad)


def data_warnings(table: Table, plan: Plan) -> list[DataWarning]:
    """Non-fatal oddities, in a fixed order.

    Codes: ``rupture_after_planned_end`` (censored at the planned end),
    ``rupture_after_followup_end`` (censored at the end of follow-up),
    ``followup_before_planned_end`` (censored early: data extraction or loss to
    follow-up), ``rupture_without_cause`` (when the plan names ``causes``),
    ``cause_without_rupture``, ``missing_values`` (per outcome or covariate
    column the plan names, and ``support_received``).
    """
    data = table.data
    found: list[DataWarning | None] = []
    rupture = data["rupture_date"] if "rupture_date" in data else pd.Series(pd.NaT, index=data.index)
    planned, followup = data["contract_end_planned"], data["followup_end"]
    found.append(table.warning("rupture_after_planned_end", "rupture_date",
                               "rupture after the planned end of the contract (censored at the planned end)",
                               (rupture > planned).to_numpy()))
    found.append(table.warning("rupture_after_followup_end", "rupture_date",
                               "rupture after the end of follow-up (censored at the end of follow-up)",
                               ((rupture > followup) & (rupture <= planned)).to_numpy()))
    found.append(table.warning("followup_before_planned_end", "followup_end",
                               "follow-up ends before the planned end (censored early: data extraction or "
                               "loss to follow-up)", (followup < planned).to_numpy()))
    cause = plan.survival.causes
    if cause:
        found.append(table.warning("rupture_without_cause", cause, "rupture with no recorded cause",
                                   (rupture.notna() & data[cause].isna()).to_numpy()))
        found.append(table.warning("cause_without_rupture", cause, "cause recorded but no rupture date",
                                   (rupture.isna() & data[cause].notna()).to_numpy()))
    named = [c for c in plan_columns(plan) if c not in (plan.survival.causes,) and c not in plan.integrity.meetings]
    if "support_received" in data:
        named.append("support_received")
    for column in dict.fromkeys(named):
        found.append(table.warning("missing_values", column, "missing value", data[column].isna().to_numpy()))
    return [w for w in found if w is not None]
