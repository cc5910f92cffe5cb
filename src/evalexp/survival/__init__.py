"""Survival analysis of the primary outcome (time to contract rupture).

Modules, one idea each:

- :mod:`.km` — Kaplan-Meier curves (Greenwood, log-log CI, median);
- :mod:`.logrank` — Mantel-Haenszel log-rank test, stratified;
- :mod:`.cox` — Cox model (Efron/Breslow, strata, cluster-robust sandwich);
- :mod:`.zph` — proportional-hazards test (R survival 3.x cox.zph);
- :mod:`.rmst` — restricted mean survival time and its difference;
- :mod:`.risk` — risk difference at a day;
- :mod:`.design` — design matrices (dummies, complete cases);
- :mod:`.cells` — cell counts and the statistics computed from them;
- :mod:`.resample` — exact draws of the re-randomisation distribution of cell counts;
- :mod:`.permutation` — randomisation inference;
- :mod:`.randomization_ci` — confidence intervals by inverting the randomisation test;
- :mod:`.covariate_adjusted` — Ye-Shao-Yi covariate-adjusted log-rank test and marginal log HR;
- :mod:`.augmented` — covariate-augmented RMST and risk differences (Tian et al. 2012);
- :mod:`.projection` — the within-arm regressions on covariates both adjustments use;
- :mod:`.survival_analysis` — the plan's whole survival analysis of a cohort.
"""
from .covariate_adjusted import CovariateAdjusted, covariate_adjusted, fit_hazard_ratio
from .cox import CoxResult, cox_ph
from .design import design_matrix
from .km import KaplanMeier, kaplan_meier
from .logrank import LogRankTest, logrank_test
from .permutation import RandomizationTest, randomization_inference
from .randomization_ci import RandomizationIntervals, randomization_intervals
from .risk import RiskDifference, risk_difference
from .rmst import RMST, rmst_difference
from .survival_analysis import SurvivalAnalysis, analyze_survival
from .zph import PHTest, cox_zph

__all__ = ["CovariateAdjusted", "CoxResult", "KaplanMeier", "LogRankTest", "PHTest", "RMST", "RandomizationIntervals",
           "RandomizationTest", "RiskDifference", "SurvivalAnalysis", "analyze_survival", "covariate_adjusted",
           "cox_ph", "cox_zph", "design_matrix", "fit_hazard_ratio", "kaplan_meier", "logrank_test",
           "randomization_inference", "randomization_intervals", "risk_difference", "rmst_difference"]
