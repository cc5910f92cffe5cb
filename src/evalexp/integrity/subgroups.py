"""Effects of the support on ruptures within the subgroups named in the plan, with interaction tests.

For each column of ``plan.integrity.subgroups`` the participants are split into levels:

* a numeric column with more than :data:`MAX_LEVELS` distinct values is cut in two
  bands: ``age`` at 21 years (``< 21`` / ``>= 21``; the AGIR population is 16-25, 21 is
  the usual split of French youth-employment statistics), any other at its median
  (``< m`` / ``>= m``);
* any other column is categorical, one level per value (numbers written without a
  trailing ``.0``). Participants with the column missing are left out of that subgroup.

Per level: participants and ruptures per arm; the hazard ratio of rupture, treatment vs
control, from a Cox model fitted within the level (Efron ties, Wald CI; stratified by
``plan.survival.strata`` as the primary model; R ``coxph(Surv(time, status) ~ treated,
subset = level)``), not estimable (null) when an arm of the level has no rupture; the risk difference
``(1 − S₁(h)) − (1 − S₀(h))``
at ``plan.survival.horizon_days`` (Kaplan-Meier, Greenwood, Wald CI).

Interaction test, per subgroup column: Wald chi-square of the ``treated × level``
coefficients of ``coxph(Surv ~ treated * factor(level))`` (same strata), ``L − 1``
degrees of freedom; levels where an arm has no rupture are
left out of that model (their interaction is infinite). A level indicator constant within
every stratum (a subgroup column nested in the strata, e.g. the strata column itself) is
absorbed by the stratification and left out of the model, as R leaves its coefficient
``NA``; its interaction with ``treated`` stays. A significant interaction is
evidence of effect heterogeneity, not a licence to report the subgroup effect as causal
beyond what the pre-specified plan says.

Clustering: with ``plan.survival.cluster``, a model uses the cluster-robust sandwich
(R ``coxph(..., cluster = )``) only when the participants it is fitted on span at least
:data:`evalexp.survival.cox.FEW_CLUSTERS` (20) clusters; with fewer, the sandwich is unreliable (rank at most G − 1,
over-rejection; Cameron & Miller 2015, J. Human Resources 50(2)) and the model-based
variance is used. Each estimate and test says which (``robust``).

Missing stratum or cluster labels form one stratum / cluster of their own, as in the
primary survival analysis (:mod:`evalexp.survival.survival_analysis`).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from ..alerts import NOT_ESTIMABLE, AnalysisWarning
from ..cohort import Cohort
from ..errors import AnalysisError
from ..grouping import group_labels
from ..levels import collation_key
from ..plan import Plan
from ..results import Result, json_number, tidy_frame
from ..survival._cholesky import GeneralizedCholesky
from ..survival.cox import FEW_CLUSTERS, cox_ph
from ..survival.risk import risk_difference
from .outcomes import WaldEstimate

#: A numeric column with more distinct values than this is cut in bands.
MAX_LEVELS = 10
#: The age band limit (years) of the column named ``age``.
AGE_CUT = 21


def subgroup_levels(values: pd.Series, name: str) -> tuple[pd.Series, str]:
    """The level label of each participant (NaN when missing) and how the levels were defined."""
    present = values.dropna()
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric and present.nunique() > MAX_LEVELS:
        cut = AGE_CUT if name == "age" else float(present.median())
        rule = f"cut at {cut:g}" + (" years" if name == "age" else " (the median)")
        halves = np.where(values < cut, f"< {cut:g}", f">= {cut:g}")
        return pd.Series(halves, index=values.index).where(values.notna()), rule
    labels = values.map(lambda v: f"{v:g}" if isinstance(v, (float, np.floating)) else str(v))
    return labels.where(values.notna()), "one level per value"


def _sort_key(label: str) -> tuple:
    number = label.lstrip("<>= ")
    try:
        return (0, float(number), label.startswith(">"))
    except ValueError:
        return (1, collation_key(label))


@dataclass(frozen=True)
class SubgroupLevel:
    """Effect of the support within one level of one subgroup column.

    Attributes
    ----------
    variable, level : str
    n, events : dict
        Participants and ruptures per arm.
    log_hr : WaldEstimate or None
        Cox log hazard ratio (None when not estimable).
    robust : bool
        Cluster-robust SE of the hazard ratio.
    risk_treatment, risk_control : float
        Kaplan-Meier risk of rupture by the horizon.
    risk_difference : WaldEstimate
    """

    variable: str
    level: str
    n: dict[str, int]
    events: dict[str, int]
    log_hr: WaldEstimate | None
    robust: bool
    risk_treatment: float
    risk_control: float
    risk_difference: WaldEstimate

    def to_dict(self) -> dict[str, Any]:
        hr: dict[str, Any] | None = None
        if self.log_hr is not None:
            h = self.log_hr
            hr = {"log_hr": json_number(h.estimate), "se": json_number(h.se), "hr": json_number(np.exp(h.estimate)),
                  "ci_low": json_number(np.exp(h.ci_low)), "ci_high": json_number(np.exp(h.ci_high)),
                  "p_value": json_number(h.p_value), "robust": self.robust}
        rd = self.risk_difference
        return {"n": dict(self.n), "events": dict(self.events), "cox": hr,
                "risk_difference": {"treatment": json_number(self.risk_treatment),
                                    "control": json_number(self.risk_control),
                                    "difference": json_number(rd.estimate), "se": json_number(rd.se),
                                    "ci_low": json_number(rd.ci_low), "ci_high": json_number(rd.ci_high),
                                    "p_value": json_number(rd.p_value)}}


@dataclass(frozen=True)
class InteractionTest:
    """Wald test of the ``treated × level`` terms of one subgroup column's Cox model."""

    variable: str
    definition: str
    statistic: float
    df: int
    levels_tested: tuple[str, ...]
    robust: bool = False

    @property
    def p_value(self) -> float:
        return float(stats.chi2.sf(self.statistic, self.df)) if self.df > 0 else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {"test": "wald", "statistic": json_number(self.statistic), "df": self.df,
                "p_value": json_number(self.p_value), "levels_tested": list(self.levels_tested),
                "robust": self.robust}


@dataclass(frozen=True, eq=False)
class SubgroupEffects(Result):
    """Per-subgroup effects on ruptures and interaction tests; :meth:`forest` gives plot data."""

    levels: tuple[SubgroupLevel, ...]
    tests: tuple[InteractionTest, ...]
    day: int
    alpha: float

    title: ClassVar[str] = "Subgroup effects on ruptures"

    @property
    def warnings(self) -> tuple[AnalysisWarning, ...]:
        """``not_estimable`` per subgroup column whose levels have ruptures in both arms but no
        finite Cox hazard ratio (monotone likelihood within strata, or a model that failed)."""
        out = []
        for test in self.tests:
            lost = [lv.level for lv in self.levels if lv.variable == test.variable and lv.log_hr is None
                    and min(lv.events.values()) > 0]
            if lost:
                out.append(AnalysisWarning(NOT_ESTIMABLE, (
                    f"subgroup Cox models by {test.variable}: no finite hazard ratio in the levels {lost} "
                    "(monotone likelihood within strata or no convergence); their numbers are null")))
        return tuple(out)

    def conventions(self) -> str:
        return (f"Hazard ratio from a Cox model within each level (Efron ties, Wald {1 - self.alpha:.0%} CI); "
                f"risk difference by day {self.day} from Kaplan-Meier curves (Greenwood); interaction: "
                f"Wald test of treated x subgroup in a Cox model. Cluster-robust variance only with at least "
                f"{FEW_CLUSTERS} clusters. Subgroup effects are exploratory.")

    def forest(self) -> pd.DataFrame:
        """Forest-plot data: variable, level, n, estimate (hazard ratio), ci_low, ci_high, interaction_p."""
        p = {t.variable: t.p_value for t in self.tests}
        rows = [{"variable": lv.variable, "level": lv.level, "n": lv.n["treatment"] + lv.n["control"],
                 "estimate": np.exp(lv.log_hr.estimate) if lv.log_hr else np.nan,
                 "ci_low": np.exp(lv.log_hr.ci_low) if lv.log_hr else np.nan,
                 "ci_high": np.exp(lv.log_hr.ci_high) if lv.log_hr else np.nan,
                 "interaction_p": p[lv.variable]} for lv in self.levels]
        return pd.DataFrame(rows, columns=["variable", "level", "n", "estimate", "ci_low", "ci_high",
                                           "interaction_p"])

    def plot(self, ax=None):
        """Forest plot of the hazard ratios by subgroup (:func:`evalexp.plotting.plot_forest`).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: the current pyplot Axes).

        Returns
        -------
        matplotlib Axes
        """
        from ..plotting import plot_forest

        return plot_forest(self, ax)

    def tidy(self) -> pd.DataFrame:
        rows = []
        for lv in self.levels:
            if lv.log_hr is not None:
                rows.append(lv.log_hr.tidy_row(f"{lv.variable}={lv.level}: log hazard ratio"))
            rows.append(lv.risk_difference.tidy_row(f"{lv.variable}={lv.level}: risk difference"))
        for test in self.tests:
            rows.append({"term": f"{test.variable}: interaction (Wald, df {test.df})",
                         "statistic": test.statistic, "p_value": test.p_value})
        return tidy_frame(rows)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"horizon_days": self.day, "variables": {}}
        for test in self.tests:
            out["variables"][test.variable] = {
                "definition": test.definition, "interaction": test.to_dict(),
                "levels": {lv.level: lv.to_dict() for lv in self.levels if lv.variable == test.variable}}
        return out


def _labels(frame: pd.DataFrame, column: str | None) -> np.ndarray | None:
    """Stratum or cluster labels; a missing label is a level of its own (as in the primary analysis)."""
    if not column:
        return None
    return group_labels(frame[column])


def _cox(frame: pd.DataFrame, X: pd.DataFrame, plan: Plan):
    strata = _labels(frame, plan.survival.strata)
    cluster = _labels(frame, plan.survival.cluster)
    if cluster is not None and pd.Series(cluster).nunique() < FEW_CLUSTERS:
        cluster = None
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            return cox_ph(frame["time_days"], frame["event"], X, strata=strata, cluster=cluster,
                          ties=plan.survival.ties, alpha=plan.inference.alpha)
        except (AnalysisError, RuntimeWarning):
            return None


def _level_effect(frame: pd.DataFrame, variable: str, level: str, plan: Plan) -> SubgroupLevel:
    alpha, day = plan.inference.alpha, plan.survival.horizon_days
    by_arm = {arm: frame[frame["treated"] == flag] for arm, flag in (("treatment", 1), ("control", 0))}
    n = {arm: len(part) for arm, part in by_arm.items()}
    events = {arm: int(part["event"].sum()) for arm, part in by_arm.items()}
    log_hr, robust = None, False
    if min(events.values()) > 0:
        fit = _cox(frame, frame[["treated"]].astype(float), plan)
        if fit is not None:
            log_hr = WaldEstimate(float(fit.params_["treated"]), float(fit.se_["treated"]), alpha)
            robust = fit.robust
    if min(n.values()) > 0:
        rd = risk_difference(frame["time_days"], frame["event"], frame["treated"], day, alpha=alpha)
        risks, diff = (rd.treatment, rd.control), WaldEstimate(rd.difference, rd.se, alpha)
    else:
        risks, diff = (np.nan, np.nan), WaldEstimate(np.nan, np.nan, alpha)
    return SubgroupLevel(variable, level, n, events, log_hr, robust, *risks, diff)


def _interaction(frame: pd.DataFrame, labels: pd.Series, levels: list[str], variable: str,
                 definition: str, plan: Plan) -> InteractionTest:
    estimable = [lv for lv in levels
                 if (frame.loc[labels == lv].groupby("treated")["event"].sum().reindex([0, 1], fill_value=0) > 0).all()]
    keep = labels.isin(estimable).to_numpy()
    if len(estimable) < 2:
        return InteractionTest(variable, definition, np.nan, 0, tuple(estimable))
    frame, labels = frame[keep], labels[keep]
    treated = frame["treated"].astype(float)
    strata = _labels(frame, plan.survival.strata)
    indicators = {lv: (labels == lv).astype(float) for lv in estimable[1:]}
    X = {"treated": treated}
    for lv, level in indicators.items():
        if strata is None or (level.groupby(strata).nunique() > 1).any():
            X[f"level[{lv}]"] = level
    for lv, level in indicators.items():
        X[f"treated:level[{lv}]"] = treated * level
    fit = _cox(frame, pd.DataFrame(X), plan)
    if fit is None:
        return InteractionTest(variable, definition, np.nan, 0, tuple(estimable))
    idx = [fit.terms.index(t) for t in fit.terms if t.startswith("treated:")]
    b = fit.params_.to_numpy()[idx]
    V = fit.var_[np.ix_(idx, idx)]
    statistic = float(b @ GeneralizedCholesky(V).solve(b))
    return InteractionTest(variable, definition, statistic, len(idx), tuple(estimable), fit.robust)


def subgroup_effects(cohort: Cohort, plan: Plan) -> SubgroupEffects:
    """Effects on ruptures within each subgroup of ``plan.integrity.subgroups``.

    Parameters
    ----------
    cohort : Cohort
        Needs ``time_days``, ``event``, ``treated`` and the subgroup columns (and the
        plan's strata and cluster columns when named).
    plan : Plan

    Returns
    -------
    SubgroupEffects

    Raises
    ------
    AnalysisError
        A subgroup column is not in the cohort.
    """
    data = cohort.data
    levels: list[SubgroupLevel] = []
    tests: list[InteractionTest] = []
    for variable in plan.integrity.subgroups:
        if variable not in data:
            raise AnalysisError(f"subgroup column '{variable}' is not a column of the cohort")
        labels, definition = subgroup_levels(data[variable], variable)
        present = labels.notna()
        frame, labels = data[present], labels[present]
        names = sorted(labels.unique(), key=_sort_key)
        levels += [_level_effect(frame[labels == lv], variable, lv, plan) for lv in names]
        tests.append(_interaction(frame, labels, names, variable, definition, plan))
    return SubgroupEffects(tuple(levels), tuple(tests), plan.survival.horizon_days, plan.inference.alpha)
