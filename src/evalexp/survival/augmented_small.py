"""Small-sample siblings of the augmented RMST and risk differences (issue 14).

The augmented differences (:mod:`.augmented`) regress each arm's influence function on the
covariates and the strata's dummies: ``k = 2 (p + S)`` parameters in all, the same ``k`` as the
Ye-Shao-Yi hazard ratio's within-arm fits (:mod:`.covariate_adjusted`). With six covariates
their Wald intervals kept their promise at 150 participants (about 45 ruptures, k = 32:
RMST 5.2 % type-I error, 94.8 % / 95.0 % coverage; risk 5.1 %, 94.8 % / 94.6 %), not at 60
(about nine ruptures, k = 30: RMST 93.0 % coverage under a hazard ratio of 0.6; 2,000 trials
each, ``benchmarks/calibration_results.md``): with fewer ruptures than parameters the slopes
are fitted on noise. The sibling (``covariate_adjusted.rmst.small_sample`` and
``covariate_adjusted.risk_difference.small_sample``) is therefore:

- with at least ``k`` ruptures, the augmented estimate and standard error referred to Student's
  t with ``n - k`` degrees of freedom (method ``"augmented-t"``; the variance already has its
  degrees-of-freedom factor per arm, :mod:`.augmented`);
- with fewer, the unadjusted small-sample analysis of the same difference on the same complete
  cases, as the hazard ratio's sibling falls back to Firth's: the studentised permutation test
  and interval of the RMST difference (:mod:`.rmst_perm`, method
  ``"unadjusted-studentized-permutation"``) and Newcombe's interval of the risk difference on
  effective sample sizes (:mod:`.risk_small`, method ``"unadjusted-newcombe-effective-n"``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..results import json_number
from ..wald import WaldEstimate
from .augmented import AugmentedContrast
from .risk_small import SmallSampleRiskDifference
from .rmst_perm import RMSTPermutation

#: Method of the sibling with enough ruptures.
AUGMENTED_T = "augmented-t"


@dataclass(frozen=True)
class SmallSampleContrast:
    """The small-sample sibling of an augmented difference.

    Attributes
    ----------
    method : str
        ``"augmented-t"`` or ``"unadjusted-"`` and the unadjusted sibling's method.
    difference, se, ci_low, ci_high, p_value : float
        ``se`` is NaN for Newcombe's interval (it has none).
    df : float or None
        ``n - k`` for ``"augmented-t"``.
    parameters : int
        ``k``.
    """

    method: str
    difference: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    df: float | None
    parameters: int

    def to_dict(self) -> dict[str, Any]:
        """The ``small_sample`` object: ``method``, ``difference, se, ci_low, ci_high, p_value``, ``df``,
        ``parameters``."""
        return {"method": self.method, "difference": json_number(self.difference), "se": json_number(self.se),
                "ci_low": json_number(self.ci_low), "ci_high": json_number(self.ci_high),
                "p_value": json_number(self.p_value), "df": self.df, "parameters": self.parameters}

    def tidy_row(self, term: str) -> dict[str, Any]:
        return {"term": f"{term} (small sample: {self.method})", "estimate": self.difference,
                "std_error": self.se, "p_value": self.p_value, "ci_low": self.ci_low, "ci_high": self.ci_high}


def small_sample_contrast(contrast: AugmentedContrast, *, n: int, parameters: int, adjustable: bool,
                          unadjusted: RMSTPermutation | SmallSampleRiskDifference | None
                          ) -> SmallSampleContrast | None:
    """The sibling of ``contrast`` (module docstring).

    Parameters
    ----------
    contrast : AugmentedContrast
    n, parameters : int
        Complete cases and ``k``.
    adjustable : bool
        At least ``k`` ruptures (:attr:`.covariate_adjusted.HazardRatioFit.adjustable`).
    unadjusted : RMSTPermutation or SmallSampleRiskDifference or None
        The unadjusted small-sample analysis of the same complete cases, used with fewer than
        ``k`` ruptures; None when it was not computed (no re-randomisation asked for): there is
        then no sibling.
    """
    if adjustable:
        wald = WaldEstimate(contrast.difference, contrast.se, contrast.alpha, df=float(n - parameters))
        return SmallSampleContrast(AUGMENTED_T, wald.estimate, wald.se, wald.ci_low, wald.ci_high, wald.p_value,
                                   float(n - parameters), parameters)
    if unadjusted is None:
        return None
    se = unadjusted.se if isinstance(unadjusted, RMSTPermutation) else float("nan")
    return SmallSampleContrast(f"unadjusted-{unadjusted.method}", unadjusted.difference, se, unadjusted.ci_low,
                               unadjusted.ci_high, unadjusted.p_value, None, parameters)
