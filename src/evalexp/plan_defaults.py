"""The table of the analysis plan's defaults, by section: the one place they are written is the
plan's dataclasses (:mod:`evalexp.plan`, each optional key a field with its default), which the
plan parser reads for an absent key; this module lays them out as a table for the documentation
(tests/core/test_plan_defaults.py checks the plan module's and the contract's listings against it).

Three defaults depend on other keys and are rules, not values (:data:`DERIVED`).
"""
from __future__ import annotations

import dataclasses
from typing import Any

from .plan import (
    DataPlan,
    HeterogeneityPlan,
    InferencePlan,
    IntegrityPlan,
    OutcomesPlan,
    Plan,
    ReportPlan,
    SurvivalPlan,
)

#: The plan's sections and the dataclass holding each (``""``: the top-level keys).
SECTIONS: dict[str, type] = {"": Plan, "data": DataPlan, "survival": SurvivalPlan, "outcomes": OutcomesPlan,
                             "inference": InferencePlan, "integrity": IntegrityPlan, "report": ReportPlan,
                             "heterogeneity": HeterogeneityPlan}
#: The top-level keys a plan file may set with a default (the other fields of Plan are built, not read).
TOP_LEVEL = ("language",)
#: Defaults that are rules on other keys (the parser applies them).
DERIVED = {
    ("survival", "randomization"): "permuted_blocks when strata are given, else simple",
    ("survival", "primary"): "cox_adjusted when covariates are given, else cox_unadjusted",
    ("outcomes", "adjust"): "empty: the outcome models then adjust for [survival] covariates",
    ("integrity", "balance"): "empty: the balance table then uses [survival] covariates",
}


def plan_defaults() -> dict[str, dict[str, Any]]:
    """``{section: {key: default}}`` of every optional plan key with a fixed default.

    Examples
    --------
    >>> plan_defaults()["inference"]["permutations"]
    10000
    """
    table: dict[str, dict[str, Any]] = {}
    for section, cls in SECTIONS.items():
        table[section] = {f.name: f.default for f in dataclasses.fields(cls)
                          if f.default is not dataclasses.MISSING and (section or f.name in TOP_LEVEL)
                          and (section, f.name) not in DERIVED}
    return table
