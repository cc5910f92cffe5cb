"""Baseline characteristics by arm: the report's Table 1 (CONSORT 2010 item 15).

Every baseline variable the plan names is described in each randomised arm, whatever its role:
``[survival] covariates`` and ``strata``, ``[integrity] balance`` and ``subgroups`` (in that
order, each once). The site or cluster column (``[survival] cluster``, ``[heterogeneity] by``) is
left out: the sites section describes the sites under its own disclosure rule.

- a *continuous* variable (as :mod:`evalexp.integrity.balance` classifies it): the number of
  known values, their mean and standard deviation (``ddof = 1``) per arm. These are the balance
  computation (:func:`evalexp.integrity.balance.balance_rows`): for a balance covariate the
  balance table's own row is reused, not recomputed. No median or quartile is given: each is one
  participant's value, which a public report does not print.
- a *binary* or *categorical* variable: the number of participants in each level per arm. The
  levels are labelled as the subgroup analysis labels them
  (:func:`evalexp.integrity.subgroups.subgroup_levels`: ``"0"``/``"1"``, ``"bac"``), so that the
  baseline table, the balance table and the subgroup table name the same cells.
- a binary or categorical variable whose levels group the sites of the across-site analysis
  (``[heterogeneity] by``: every site within one level, e.g. one stratum per site) is flagged
  ``groups_sites``: its counts are sums of site counts, which the disclosure layer protects.
- every variable: the number of missing values per arm. Shares are among the known values
  (``count / (n - missing)``); the report computes them from the published counts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..cohort import Cohort
from ..errors import AnalysisError
from ..plan import ARMS, Plan
from ..results import Result, json_number, tidy_frame
from .balance import BalanceTable, balance_rows
from .subgroups import subgroup_levels


def baseline_variables(plan: Plan) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The plan's baseline variables in Table 1 order, each with its roles (``covariate``,
    ``strata``, ``balance``, ``subgroup``); the site and cluster columns left out."""
    roles: dict[str, list[str]] = {}
    named = ([(c, "covariate") for c in plan.survival.covariates]
             + [(plan.survival.strata, "strata")] * bool(plan.survival.strata)
             + [(c, "balance") for c in plan.integrity.balance]
             + [(c, "subgroup") for c in plan.integrity.subgroups])
    sites = {plan.survival.cluster, plan.heterogeneity.by} - {None, ""}
    for column, role in named:
        if column and column not in sites:
            roles.setdefault(column, [])
            if role not in roles[column]:
                roles[column].append(role)
    return tuple((column, tuple(r)) for column, r in roles.items())


@dataclass(frozen=True, eq=False)
class BaselineTable(Result):
    """Baseline characteristics by arm (the ``baseline`` key of ``results.json``).

    Attributes
    ----------
    variables : tuple of dict
        One per variable, in Table 1 order: ``variable``, ``kind`` (continuous, binary or
        categorical), ``roles``, ``missing`` (per arm) and either ``known``, ``mean``, ``sd`` (per
        arm; continuous) or ``levels`` (level -> per-arm count) and ``groups_sites`` (binary and
        categorical).
    """

    variables: tuple[dict[str, Any], ...]

    title = "Baseline characteristics by arm"

    def conventions(self) -> str:
        return ("Continuous variables: mean and standard deviation (ddof = 1) of the known values; binary and "
                "categorical variables: participants per level (shares among the known values); missing values "
                "counted per arm. No median or quartile (each is one participant's value).")

    def tidy(self) -> pd.DataFrame:
        """One row per arm and variable (continuous: its mean) or level (its share of the known values)."""
        rows: list[dict[str, Any]] = []
        for var in self.variables:
            for arm in ARMS:
                if var["kind"] == "continuous":
                    rows.append({"term": f"{var['variable']} {arm}", "estimate": var["mean"][arm]})
                    continue
                known = sum(level[arm] for level in var["levels"].values())
                for level, counts in var["levels"].items():
                    share = counts[arm] / known if known else None
                    rows.append({"term": f"{var['variable']}[{level}] {arm}", "estimate": share})
        return tidy_frame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {"variables": [dict(var) for var in self.variables]}


def _continuous(name: str, roles: tuple[str, ...], row: pd.Series, n: dict[str, int]) -> dict[str, Any]:
    known = {a: int(row[f"n_{a}"]) for a in ARMS}
    return {"variable": name, "kind": "continuous", "roles": list(roles),
            "missing": {a: n[a] - known[a] for a in ARMS}, "known": known,
            "mean": {a: json_number(row[f"mean_{a}"]) for a in ARMS},
            "sd": {a: json_number(row[f"sd_{a}"]) for a in ARMS}}


def _groups_sites(values: pd.Series, sites: pd.Series | None) -> bool:
    """Whether every site lies within one level of ``values`` (a stratum per site, a region of
    sites): its level counts are then sums of site counts."""
    return sites is not None and bool((values.groupby(sites).nunique() <= 1).all())


def _counts(name: str, kind: str, roles: tuple[str, ...], values: pd.Series, arm: pd.Series,
            sites: pd.Series | None) -> dict[str, Any]:
    labels, _ = subgroup_levels(values, name)
    known = labels.notna()
    table = pd.crosstab(labels[known], arm[known]).reindex(columns=list(ARMS), fill_value=0)
    levels = {str(level): {a: int(table.loc[level, a]) for a in ARMS} for level in table.index}
    missing = {a: int(((arm == a) & ~known).sum()) for a in ARMS}
    return {"variable": name, "kind": kind, "roles": list(roles), "missing": missing, "levels": levels,
            "groups_sites": _groups_sites(values, sites)}


def baseline_table(cohort: Cohort, plan: Plan, balance: BalanceTable | None = None) -> BaselineTable:
    """Table 1 of the plan's baseline variables (:func:`baseline_variables`) by arm.

    Parameters
    ----------
    cohort : Cohort
    plan : Plan
    balance : BalanceTable, optional
        The analysis's balance table: its rows of continuous covariates are reused.

    Raises
    ------
    AnalysisError
        A variable named by the plan is not a column of the cohort.
    """
    data = cohort.data
    n = {a: int((data["arm"] == a).sum()) for a in ARMS}
    by = plan.heterogeneity.by
    sites = data[by] if by and by in data.columns else None
    reused = {} if balance is None else {row["covariate"]: row for _, row in balance.table.iterrows()
                                         if row["kind"] == "continuous"}
    variables = []
    for name, roles in baseline_variables(plan):
        if name not in data.columns:
            raise AnalysisError(f"baseline variable '{name}' is not a column of the cohort")
        row = reused.get(name)
        if row is None:  # the balance computation classifies the variable (and summarises a continuous one)
            row = balance_rows(data, [name]).iloc[0]
        if row["kind"] == "continuous":
            variables.append(_continuous(name, roles, row, n))
        else:
            variables.append(_counts(name, row["kind"], roles, data[name], data["arm"], sites))
    return BaselineTable(tuple(variables))
