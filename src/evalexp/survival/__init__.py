"""Survival analysis of the primary outcome (time to contract rupture).

Modules, one idea each:

- :mod:`.km` — Kaplan-Meier curves (Greenwood, log-log CI, median);
- :mod:`.cox` — Cox model (Efron/Breslow, strata, cluster-robust sandwich);
- :mod:`.design` — design matrices (dummies, complete cases);
- :mod:`.risk` — risk difference at a day.
"""
from .cox import CoxResult, cox_ph
from .design import design_matrix
from .km import KaplanMeier, kaplan_meier
from .risk import RiskDifference, risk_difference

__all__ = ["CoxResult", "KaplanMeier", "RiskDifference", "cox_ph", "design_matrix",
           "kaplan_meier", "risk_difference"]
