"""Experiment integrity and employment outcomes (issue 5).

Design side:

- :mod:`.randomize` — complete randomisation within strata with an audit record;
- :mod:`.consort` — CONSORT 2010 flow per arm;
- :mod:`.balance` — baseline balance, WWC standardised differences;
- :mod:`.attrition` — overall and differential attrition (WWC), Lee bounds;
- :mod:`.power` — events, sample size and minimum detectable effects.

Effects side:

- :mod:`.outcomes` — binary follow-up outcomes (HC2, Lin, odds ratio, multiplicity);
- :mod:`.compliance` — intention to treat and complier average causal effects;
- :mod:`.subgroups` — effects by subgroup, interaction tests, forest-plot data;
- :mod:`.fidelity` — fidelity of the tripartite-meeting support method (descriptive).
"""
from .attrition import AttritionResult, attrition
from .balance import BalanceTable, baseline_balance
from .compliance import ComplianceResult, complier_effects
from .consort import ConsortFlow, consort_flow
from .fidelity import FidelityResult, fidelity
from .outcomes import BinaryOutcomes, binary_outcomes
from .power import PowerResult, power_for_cohort
from .randomize import Assignment, randomize, verify_assignment
from .subgroups import SubgroupEffects, subgroup_effects

__all__ = [
    "Assignment", "AttritionResult", "BalanceTable", "BinaryOutcomes", "ComplianceResult", "ConsortFlow",
    "FidelityResult", "PowerResult", "SubgroupEffects", "attrition", "baseline_balance", "binary_outcomes",
    "complier_effects", "consort_flow", "fidelity", "power_for_cohort", "randomize", "subgroup_effects",
    "verify_assignment",
]
