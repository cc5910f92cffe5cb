"""The estimators of an aggregated cohort: counts per (arm, day, event [, stratum, cluster, cause,
covariates, binary outcomes]).

:func:`analyze_counts` gives every result that those counts determine, computed by the memory
engine's own estimators with frequency weights (a cell of ``n`` participants counts as ``n``
identical rows; see :func:`evalexp.survival._utils.as_weight_array`), so each number equals the
memory engine's on the same cohort (to rounding, 1e-9 in ``tests/engine``):

- Kaplan-Meier per arm, log-rank (stratified), Cox unadjusted and adjusted for categorical
  covariates (Efron ties, strata, cluster-robust), cox.zph, RMST, risk difference
  (:func:`evalexp.survival.survival_analysis` conventions, docs/CONTRACT.md section 4);
- per cause: Aalen-Johansen incidence, Gray's test, cause-specific Cox;
- binary outcomes: difference in proportions with the Neyman SE, Wald CI and p.

What the counts cannot give is left out and said so in ``results.json["engine"]["skipped"]``:
randomisation inference (needs the participants' arms to permute), the covariate-adjusted
(Ye-Shao-Yi) analysis and a covariate with more than :data:`MAX_LEVELS` distinct values (a
continuous covariate: the adjusted Cox model is then not computed), the Fine-Gray model, the
small-sample siblings, the integrity sections (balance, attrition, compliance, subgroups,
fidelity, power, CONSORT) and heterogeneity.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .. import __version__, alerts
from ..alerts import AnalysisWarning, run_quietly
from ..competing.cif import cumulative_incidence
from ..competing.competing_risks import CauseAnalysis, CompetingRisksAnalysis
from ..competing.gray import gray_test
from ..integrity.outcomes import WaldEstimate
from ..plan import ARMS, Plan
from ..results import Result, json_number
from ..survival.cox import FEW_CLUSTERS, cox_ph
from ..survival.design import design_matrix
from ..survival.km import kaplan_meier
from ..survival.logrank import logrank_test
from ..survival.risk import risk_difference
from ..survival.rmst import rmst_difference
from ..survival.survival_analysis import SurvivalAnalysis, _fragility, _labels, _no_rupture
from ..survival.zph import cox_zph
from .sql import COUNT

#: A covariate with more distinct values than this is continuous for the out-of-core engines:
#: it is left out of the GROUP BY (it would multiply the cells) and the adjusted Cox model is skipped.
MAX_LEVELS = 50
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class CohortCounts:
    """An aggregated cohort (:func:`evalexp.engine.sql.aggregate_query`'s result).

    Attributes
    ----------
    counts : pandas.DataFrame
        One row per cell: ``arm``, ``time_days``, ``event``, the plan's ``stratum``, ``cluster``,
        ``cause`` keys, covariates and (unless in ``outcomes``) binary outcomes, and the count ``n``.
    source : str
        The file.
    plan : Plan
    continuous : tuple of str
        Covariates of the plan left out of the GROUP BY (more than :data:`MAX_LEVELS` values).
    engine : str
        ``duckdb`` or ``spark``.
    """

    counts: pd.DataFrame
    source: str
    plan: Plan
    continuous: tuple[str, ...] = ()
    engine: str = "duckdb"
    #: Per binary outcome, its own (``arm``, value, ``n``) counts when the aggregate kept the outcomes
    #: apart (:func:`evalexp.engine.sql.split_aggregate`); else the outcomes are keys of ``counts``.
    outcomes: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def n(self) -> dict[str, int]:
        """Participants per arm."""
        sums = self.counts.groupby("arm", observed=True)[COUNT].sum()
        return {arm: int(sums.get(arm, 0)) for arm in ARMS}

    @property
    def events(self) -> dict[str, int]:
        """Ruptures per arm."""
        sums = (self.counts[COUNT] * self.counts["event"]).groupby(self.counts["arm"], observed=True).sum()
        return {arm: int(sums.get(arm, 0)) for arm in ARMS}


@dataclass(frozen=True, eq=False)
class CountsAnalysis(Result):
    """``results.json`` of the out-of-core engines: the parts the counts determine."""

    plan: Plan
    n: dict[str, int]
    events: dict[str, int]
    survival: SurvivalAnalysis
    competing: CompetingRisksAnalysis | None
    outcomes: dict[str, dict[str, Any]] | None
    engine: str
    cells: int
    skipped: tuple[str, ...]
    #: ``results.json["provenance"]`` (:func:`evalexp.provenance.provenance`), when run from a file.
    provenance: dict[str, Any] | None = None
    title: ClassVar[str] = "evalexp analysis (aggregated counts)"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION, "title": self.plan.title, "software": {"evalexp": __version__},
            "alpha": self.plan.inference.alpha, "n": dict(self.n), "events": dict(self.events),
            "primary": self.plan.survival.primary, "survival": self.survival.to_dict(),
        }
        if self.competing is not None:
            out["competing_risks"] = self.competing.to_dict()
        if self.outcomes is not None:
            out["binary_outcomes"] = self.outcomes
        found = [*self.survival.warnings, *(self.competing.warnings if self.competing is not None else ())]
        out["warnings"] = [w.to_dict() for w in found]
        out["engine"] = {"name": self.engine, "cells": self.cells, "skipped": list(self.skipped)}
        if self.provenance is not None:
            out["provenance"] = self.provenance
        return out

    def tidy(self) -> pd.DataFrame:
        frames = [self.survival.tidy().assign(part="survival")]
        if self.competing is not None:
            frames.append(self.competing.tidy().assign(part="competing_risks"))
        return pd.concat(frames, ignore_index=True)

    def heading(self) -> str:
        return f"{self.title}: {self.plan.title}"

    def summary(self) -> str:
        head = (f"{self.heading()}\n{'=' * len(self.heading())}\n"
                f"{self.engine} engine, {self.cells} cells; "
                f"n: treatment {self.n['treatment']}, control {self.n['control']}; "
                f"ruptures: treatment {self.events['treatment']}, control {self.events['control']}")
        return "\n\n".join([head, self.survival.summary(), "Not computed:\n" + "\n".join(
            f"- {s}" for s in self.skipped)])

    def _repr_html_(self) -> str:
        return f"<div><strong>{escape(self.heading())}</strong>{self.survival._repr_html_()}</div>"


def _survival(cc: CohortCounts, skipped: list[str]) -> SurvivalAnalysis:
    """The primary survival analysis of :func:`evalexp.survival.survival_analysis.analyze_survival` on counts."""
    plan, data = cc.plan, cc.counts.reset_index(drop=True)
    sv, alpha = plan.survival, plan.inference.alpha
    notes: list[str] = []
    found: list[AnalysisWarning] = []
    time = data["time_days"].to_numpy(dtype=float)
    event = data["event"].to_numpy(dtype=float)
    treated = (data["arm"] == "treatment").to_numpy(dtype=np.int64)
    w = data[COUNT].to_numpy(dtype=float)
    # the keys under the plan's column names, for _labels' notes (no copy of the other columns)
    keys = pd.DataFrame({column: data[key] for key, column in (("stratum", sv.strata), ("cluster", sv.cluster))
                         if column})
    strata = _labels(keys, sv.strata, "stratum", notes, w)
    cluster = _labels(keys, sv.cluster, "cluster", notes, w)
    km = {arm: kaplan_meier(time[treated == flag], event[treated == flag], alpha=alpha, weights=w[treated == flag])
          for arm, flag in (("treatment", 1), ("control", 0))}
    if (event * w).sum() == 0:
        unadjusted = None
        _no_rupture(notes, found)
    else:
        unadjusted, caught = run_quietly("unadjusted Cox model", lambda: cox_ph(
            time, event, pd.DataFrame({"treated": treated.astype(float)}), strata=strata, cluster=cluster,
            ties=sv.ties, alpha=alpha, weights=w))
        found += caught
    if unadjusted is not None and unadjusted.robust and unadjusted.n_clusters < FEW_CLUSTERS:
        notes.append(f"cluster-robust standard errors rest on only {unadjusted.n_clusters} clusters "
                     f"('{sv.cluster}'); with fewer than {FEW_CLUSTERS} they tend to be too small")
        found.append(AnalysisWarning(alerts.FEW_CLUSTERS, notes[-1]))
    adjusted, dropped = None, 0
    if sv.covariates and cc.continuous:
        skipped.append(f"adjusted Cox model: covariates with more than {MAX_LEVELS} distinct values "
                       f"({', '.join(cc.continuous)}) are continuous, which counts cannot carry; use the "
                       f"memory engine")
    elif sv.covariates and unadjusted is not None:
        X = design_matrix(pd.DataFrame({"treated": treated, **{c: data[c] for c in sv.covariates}}),
                          ["treated", *sv.covariates], plan.reference)
        rows = X.index.to_numpy()
        dropped = int(w.sum() - w[rows].sum())
        if dropped:
            notes.append(f"adjusted Cox model: {dropped} rows with a missing covariate dropped (complete cases)")
        adjusted, caught = run_quietly("adjusted Cox model", lambda: cox_ph(
            time[rows], event[rows], X, strata=None if strata is None else strata[rows],
            cluster=None if cluster is None else cluster[rows], ties=sv.ties, alpha=alpha, weights=w[rows]))
        if adjusted is not None and adjusted.estimable("treated"):
            caught = [c for c in caught if c.code != alerts.MONOTONE_LIKELIHOOD] + _fragility(adjusted)
        found += caught
    ph_test = None
    if unadjusted is not None and unadjusted.estimable("treated"):
        ph_test, caught = run_quietly("proportional-hazards test", lambda: cox_zph(unadjusted, alpha=alpha))
        found += caught
    return SurvivalAnalysis(
        km=km, logrank=logrank_test(time, event, treated, strata=strata, weights=w),
        cox_unadjusted=unadjusted, cox_adjusted=adjusted, ph_test=ph_test,
        rmst=rmst_difference(time, event, treated, sv.horizon_days, alpha=alpha, weights=w),
        risk_difference=risk_difference(time, event, treated, sv.horizon_days, alpha=alpha, weights=w),
        randomization=[], landmarks_days=tuple(int(d) for d in sv.landmarks_days),
        covariates=tuple(sv.covariates) if adjusted is not None else (), robust=cluster is not None,
        adjusted_dropped=dropped, notes=tuple(notes), warnings=tuple(found))


def _competing(cc: CohortCounts) -> CompetingRisksAnalysis:
    """Per cause: :func:`evalexp.competing.competing_risks.analyze_cause` without the Fine-Gray model, on counts."""
    plan, data = cc.plan, cc.counts.reset_index(drop=True)
    sv, alpha = plan.survival, plan.inference.alpha
    cause = data["cause"].astype(object)
    labels = sorted(set(cause.dropna()))
    codes = {label: code for code, label in enumerate(labels, start=1)}
    status = cause.map(codes).fillna(0).to_numpy(dtype=np.int64)
    time = data["time_days"].to_numpy(dtype=float)
    treated = (data["arm"] == "treatment").to_numpy(dtype=np.int64)
    w = data[COUNT].to_numpy(dtype=float)
    strata = pd.factorize(data["stratum"], use_na_sentinel=False)[0] if sv.strata else None
    cluster = pd.factorize(data["cluster"], use_na_sentinel=False)[0] if sv.cluster else None
    by_cause = {}
    for label in labels:
        code = codes[label]
        arms = {"treatment": treated == 1, "control": treated == 0}
        cif = {arm: cumulative_incidence(time[rows], status[rows], code, alpha=alpha, weights=w[rows])
               for arm, rows in arms.items()}
        events = {arm: int(w[rows & (status == code)].sum()) for arm, rows in arms.items()}
        found: list[AnalysisWarning] = []
        csc = None
        missing = [arm for arm in ARMS if events[arm] == 0]
        note = f"no rupture of this cause in the {' and '.join(missing)} arm" if missing else ""
        if not missing:
            of_cause = (status == code).astype(int)
            fit, found = run_quietly(f"cause '{label}', cause-specific Cox model", lambda: cox_ph(
                time, of_cause, pd.DataFrame({"treated": treated.astype(float)}),  # noqa: B023 (called at once)
                strata=strata, cluster=cluster, ties=sv.ties, alpha=alpha, weights=w))
            csc = fit.ratio("treated") if fit is not None and fit.estimable("treated") else None
            note = f"Fine-Gray model: not computed by the {cc.engine} engine"
        by_cause[label] = CauseAnalysis(
            cause=label, cif=cif, gray=gray_test(time, status, treated, cause=code, strata=strata, weights=w),
            cause_specific_cox=csc, fine_gray=None, landmarks=tuple(sv.landmarks_days), events=events,
            robust=cluster is not None, note=note, warnings=tuple(found))
    return CompetingRisksAnalysis(by_cause=by_cause, alpha=alpha)


def _binary(cc: CohortCounts) -> dict[str, dict[str, Any]]:
    """Per outcome: proportions among the observed, difference with the Neyman SE
    ``sqrt(s1^2/n1 + s0^2/n0)`` (``s^2 = p (1 - p) n / (n - 1)``), Wald CI and p (docs/CONTRACT.md section 4)."""
    alpha = cc.plan.inference.alpha
    out = {}
    for name in cc.plan.outcomes.binary:
        data = cc.outcomes.get(name, cc.counts)
        seen = data[name].notna()
        total = data.loc[seen].groupby("arm", observed=True)[COUNT].sum()
        ones = data.loc[seen & (data[name] == 1)].groupby("arm", observed=True)[COUNT].sum()
        n = {arm: int(total.get(arm, 0)) for arm in ARMS}
        p = {arm: ones.get(arm, 0) / n[arm] if n[arm] else np.nan for arm in ARMS}
        if min(n.values()) >= 2:
            var = {arm: p[arm] * (1 - p[arm]) * n[arm] / (n[arm] - 1) for arm in ARMS}
            se = float(np.sqrt(sum(var[arm] / n[arm] for arm in ARMS)))
        else:
            se = np.nan
        estimate = WaldEstimate(float(p["treatment"] - p["control"]), se, alpha)
        out[name] = {"treatment": json_number(p["treatment"]), "control": json_number(p["control"]),
                     "difference": json_number(estimate.estimate), "se": json_number(estimate.se),
                     "ci_low": json_number(estimate.ci_low), "ci_high": json_number(estimate.ci_high),
                     "p_value": json_number(estimate.p_value), "n_observed": n}
    return out


def analyze_counts(cc: CohortCounts) -> CountsAnalysis:
    """Every result that the counts of ``cc`` determine (see the module docstring); a cohort without
    rupture too (hazard ratios null, the log-rank's p 1)."""
    plan = cc.plan
    skipped: list[str] = []
    survival = _survival(cc, skipped)
    if plan.inference.statistics:
        skipped.append("randomization inference: permuting the arms needs the participants, not counts; "
                       "use the memory engine")
    if plan.survival.covariates:
        skipped.append("covariate-adjusted (Ye, Shao & Yi) analysis: not computed from counts")
    if plan.survival.causes:
        skipped.append("Fine-Gray models: not computed from counts")
    skipped.append("small-sample siblings, integrity sections (CONSORT, balance, attrition, compliance, "
                   "subgroups, fidelity, power), heterogeneity and cost: not computed from counts")
    return CountsAnalysis(plan=plan, n=cc.n, events=cc.events, survival=survival,
                          competing=_competing(cc) if plan.survival.causes else None,
                          outcomes=_binary(cc) if plan.outcomes.binary else None,
                          engine=cc.engine, cells=len(cc.counts), skipped=tuple(skipped))
