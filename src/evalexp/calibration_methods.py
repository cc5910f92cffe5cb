"""Which numbers of ``results.json`` ``evalexp calibrate`` scores, and how (CONTRACT.md section 10).

One row of :data:`METHODS` per test or confidence interval: where it sits in
``results.json`` (a JSON pointer; a segment ``key=value`` picks the element of a list
whose ``key`` equals ``value``), the estimand it targets (a key of the simulation's
truth, or ``None`` for a test without an estimate), and the fields holding its
estimate, confidence interval and p-value. A method whose pointer is absent from a
replicate's results is not scored there; a new method joins calibration with one row.

Scoring one replicate (:func:`score`):

- *rejection*: ``p_value <= alpha`` when the method has a p-value, else the CI
  excludes the null value (0, or 1 on the hazard-ratio scale);
- *coverage*: ``ci_low <= truth <= ci_high``, the truth put on the CI's scale
  (``exp`` of a log hazard ratio when the CI is on the hazard-ratio scale);
- *not computed*: the p-value (tests) or a CI bound (intervals) is null, unless the block says
  the bound is infinite (``ci_high_unbounded``: the randomisation interval of a hazard ratio
  with no rupture in the control arm; ``ci_low_unbounded`` too on the log scale, without any
  rupture).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

#: Estimands (keys of the simulation's truth) and how a report names them.
ESTIMANDS = {
    "conditional_log_hr": "conditional log HR",
    "marginal_log_hr": "marginal log HR",
    "rmst_difference": "RMST difference",
    "risk_difference": "risk difference",
}


@dataclass(frozen=True)
class MethodSpec:
    """Where a method's numbers are in ``results.json`` and what they estimate.

    Attributes
    ----------
    name : str
        The method's key in ``calibration.json``.
    pointer : str
        JSON pointer of its object in ``results.json``.
    estimand : str or None
        Key of :data:`ESTIMANDS`; None for a test without an estimate.
    estimate : str or None
        Field of the point estimate (on the estimand's scale).
    ci : tuple of str or None
        Fields of the CI bounds.
    ci_scale : {"identity", "exp"}
        ``"exp"``: the CI is on the hazard-ratio scale, the estimand a log hazard ratio.
    p_value : str or None
        Field of the two-sided p-value.
    """

    name: str
    pointer: str
    estimand: str | None
    estimate: str | None
    ci: tuple[str, str] | None
    ci_scale: str
    p_value: str | None


def _spec(name, pointer, estimand, estimate, ci, scale, p="p_value") -> MethodSpec:
    return MethodSpec(name, pointer, estimand, estimate, ci, scale, p)


CI = ("ci_low", "ci_high")
METHODS: tuple[MethodSpec, ...] = (
    _spec("cox_unadjusted", "/survival/cox/unadjusted", "marginal_log_hr", "log_hr", CI, "exp"),
    _spec("cox_unadjusted_small_sample", "/survival/cox/unadjusted/small_sample", "marginal_log_hr",
          "log_hr", CI, "exp"),
    _spec("cox_unadjusted_few_clusters", "/survival/cox/unadjusted/few_clusters", "marginal_log_hr", "log_hr",
          CI, "exp"),
    _spec("cox_adjusted", "/survival/cox/adjusted", "conditional_log_hr", "log_hr", CI, "exp"),
    _spec("cox_adjusted_few_clusters", "/survival/cox/adjusted/few_clusters", "conditional_log_hr", "log_hr",
          CI, "exp"),
    _spec("cox_adjusted_small_sample", "/survival/cox/adjusted/small_sample", "conditional_log_hr",
          "log_hr", CI, "exp"),
    _spec("logrank", "/survival/logrank", None, None, None, "identity"),
    _spec("randomization_logrank", "/survival/randomization_inference_all/statistic=logrank", None, None,
          None, "identity"),
    _spec("randomization_cox_score", "/survival/randomization_inference_all/statistic=cox_score", None,
          None, None, "identity"),
    _spec("randomization_rmst", "/survival/randomization_inference_all/statistic=rmst", None, None, None,
          "identity"),
    _spec("randomization_ci_hazard_ratio", "/survival/randomization_inference/ci/hazard_ratio", "marginal_log_hr",
          "log_hr", CI, "exp"),
    _spec("randomization_ci_risk_difference", "/survival/randomization_inference/ci/risk_difference",
          "risk_difference", "difference", CI, "identity"),
    _spec("rmst", "/survival/rmst", "rmst_difference", "difference", CI, "identity"),
    _spec("rmst_small_sample", "/survival/rmst/small_sample", "rmst_difference", "difference", CI,
          "identity"),
    _spec("risk_difference", "/survival/risk_difference", "risk_difference", "difference", CI, "identity"),
    _spec("risk_difference_small_sample", "/survival/risk_difference/small_sample", "risk_difference",
          "difference", CI, "identity"),
    _spec("covariate_adjusted_logrank", "/survival/covariate_adjusted/logrank", None, None, None, "identity"),
    _spec("covariate_adjusted_log_hr", "/survival/covariate_adjusted/log_hr", "marginal_log_hr", "estimate",
          CI, "identity"),
    _spec("covariate_adjusted_logrank_small_sample", "/survival/covariate_adjusted/logrank/small_sample", None,
          None, None, "identity"),
    _spec("covariate_adjusted_log_hr_small_sample", "/survival/covariate_adjusted/log_hr/small_sample",
          "marginal_log_hr", "estimate", CI, "identity"),
    _spec("covariate_adjusted_rmst", "/survival/covariate_adjusted/rmst", "rmst_difference", "difference",
          CI, "identity"),
    _spec("covariate_adjusted_risk_difference", "/survival/covariate_adjusted/risk_difference",
          "risk_difference", "difference", CI, "identity"),
    _spec("covariate_adjusted_rmst_small_sample", "/survival/covariate_adjusted/rmst/small_sample",
          "rmst_difference", "difference", CI, "identity"),
    _spec("covariate_adjusted_risk_difference_small_sample",
          "/survival/covariate_adjusted/risk_difference/small_sample", "risk_difference", "difference", CI,
          "identity"),
)


def resolve(results: dict[str, Any], pointer: str) -> Any:
    """The object at ``pointer`` in ``results``, or None when a segment is absent.

    A segment ``key=value`` picks the first element of a list whose ``key`` equals ``value``.
    """
    node: Any = results
    for segment in pointer.strip("/").split("/"):
        if isinstance(node, list) and "=" in segment:
            key, value = segment.split("=", 1)
            node = next((item for item in node if isinstance(item, dict) and item.get(key) == value), None)
        elif isinstance(node, dict):
            node = node.get(segment)
        else:
            return None
        if node is None:
            return None
    return node


def _number(block: dict[str, Any], field: str | None) -> float | None:
    value = None if field is None else block.get(field)
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


@dataclass(frozen=True)
class Score:
    """One method on one replicate: whether computed, rejected, covered; its estimate and label."""

    computed: bool
    rejected: bool | None
    covered: bool | None
    estimate: float | None
    label: str | None


def score(spec: MethodSpec, results: dict[str, Any], truth: dict[str, float], alpha: float) -> Score | None:
    """Score ``spec`` on one replicate's ``results``; None when its object is absent."""
    block = resolve(results, spec.pointer)
    if not isinstance(block, dict):
        return None
    label = block.get("method") if isinstance(block.get("method"), str) else None
    p = _number(block, spec.p_value)
    low, high = (None, None) if spec.ci is None else (_number(block, spec.ci[0]), _number(block, spec.ci[1]))
    if spec.ci is not None and low is None and block.get(f"{spec.ci[0]}_unbounded") is True:
        low = -math.inf
    if spec.ci is not None and high is None and block.get(f"{spec.ci[1]}_unbounded") is True:
        high = math.inf
    has_ci = spec.ci is not None and low is not None and high is not None
    if (spec.p_value is not None and p is None and not has_ci) or (spec.ci is not None and not has_ci):
        return Score(False, None, None, None, label)
    covered = None
    if low is not None and high is not None and spec.estimand is not None:
        target = truth[spec.estimand]
        target = math.exp(target) if spec.ci_scale == "exp" else target
        covered = bool(low <= target <= high)
    rejected = None
    if p is not None:
        rejected = bool(p <= alpha)
    elif low is not None and high is not None:
        null = 1.0 if spec.ci_scale == "exp" else 0.0
        rejected = bool(not low <= null <= high)
    return Score(True, rejected, covered, _number(block, spec.estimate), label)
