"""Heterogeneity of the effect across sites (docs/CONTRACT.md §8, plan ``[heterogeneity] by = "site"``).

Two stages and a one-stage check:

1. **Per site** (:func:`site_effect`): participants and ruptures per arm; the treatment log
   hazard ratio from a Cox model with the arm only (Efron ties, no strata; R
   ``coxph(Surv(time, event) ~ treated, subset = site)``); the Kaplan-Meier rupture risk of
   each arm by the plan's horizon and their difference (Greenwood SE, Wald CI). A site enters
   the meta-analysis when each arm has at least one rupture and the Cox likelihood is not
   monotone (a finite hazard ratio); the others are listed with null estimates and the reason.
   Participants whose site is missing are left out (counted in ``n_missing``).
2. **Random-effects meta-analysis** of the per-site log hazard ratios
   (:func:`~evalexp.heterogeneity.meta.random_effects_meta`: REML, Knapp-Hartung, prediction
   interval, BLUPs; R ``metafor::rma(yi, sei = se, method = "REML", test = "knha")``), when at
   least two sites enter.
3. **Interaction test** (:func:`site_interaction_test`): a one-stage Cox model of all
   participants of the entering sites with ``treated``, site dummies and ``treated x site``
   terms, stratified by the plan's randomisation strata when it names them, and the Wald
   chi-square of the ``k - 1`` interaction terms. The site main effects enter as dummies
   (proportional baseline hazards across sites): with the site as strata instead, the
   partial likelihood would factorise by site and the Wald statistic would equal Cochran's Q
   of stage 2 exactly, no check at all. A dummy in the span of the strata (a site nested in a
   stratum, e.g. AGIR's blocks by Mission locale, where the test then equals Q again) is
   left out, as R leaves it ``NA``. Model-based variance (with the site as the cluster, a
   sandwich would have one cluster per interaction term). R
   ``coxph(Surv(time, event) ~ treated * factor(site) [+ strata(stratum)])``. Not computed
   (null, with the reason as its ``definition``) when the model is too large
   (:data:`MAX_INTERACTION_WORK`).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..errors import AnalysisError
from ..grouping import group_labels
from ..integrity.outcomes import WaldEstimate
from ..integrity.subgroups import InteractionTest
from ..plan import Plan
from ..results import Result, json_number, tidy_frame
from ..survival.cox import cox_ph
from ..survival.risk import risk_difference
from .meta import RandomEffectsMeta, random_effects_meta

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Why a site is not in the meta-analysis.
NO_EVENT = "no rupture in an arm"
MONOTONE = "monotone likelihood (infinite hazard ratio)"
EMPTY_ARM = "an arm has no participant"
#: The one-stage model's Cox fit costs about n p^2 per iteration (p = 2k - 1 columns, dense):
#: above this work the interaction test is not computed (about 10 s on a 2-core machine;
#: 200 sites and 20,000 participants, 8e8, took 49 s).
MAX_INTERACTION_WORK = 2e8


@dataclass(frozen=True)
class SiteEffect:
    """One site's participants, ruptures, hazard ratio and risks.

    Attributes
    ----------
    site : str
    n, events : dict
        Per arm.
    log_hr : WaldEstimate or None
        Cox log hazard ratio, treatment vs control (None when the site is excluded).
    excluded : str or None
        Why the site is not in the meta-analysis.
    risk_treatment, risk_control : float
        Kaplan-Meier risk of rupture by the horizon (NaN when an arm is empty).
    risk_difference : WaldEstimate
    """

    site: str
    n: dict[str, int]
    events: dict[str, int]
    log_hr: WaldEstimate | None
    excluded: str | None
    risk_treatment: float
    risk_control: float
    risk_difference: WaldEstimate


def site_log_hr(frame: pd.DataFrame, ties: str = "efron", alpha: float = 0.05) -> WaldEstimate | None:
    """The arm-only Cox log hazard ratio of one site (``time_days``, ``event``, ``treated``);
    None when it is not finite (no rupture in an arm, or a monotone likelihood)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            fit = cox_ph(frame["time_days"], frame["event"], frame["treated"].to_numpy(dtype=float),
                         ties=ties, alpha=alpha)
        except (AnalysisError, RuntimeWarning):
            return None
    return WaldEstimate(float(fit.params_["x"]), float(fit.se_["x"]), alpha)


def site_effect(frame: pd.DataFrame, site: str, *, day: int, ties: str = "efron", alpha: float = 0.05) -> SiteEffect:
    """Per-site results (see the module docstring, stage 1) from ``time_days``, ``event``, ``treated``."""
    by_arm = {arm: frame[frame["treated"] == flag] for arm, flag in (("treatment", 1), ("control", 0))}
    n = {arm: len(part) for arm, part in by_arm.items()}
    events = {arm: int(part["event"].sum()) for arm, part in by_arm.items()}
    log_hr, excluded = None, None
    if min(n.values()) == 0:
        excluded = EMPTY_ARM
    elif min(events.values()) == 0:
        excluded = NO_EVENT
    else:
        log_hr = site_log_hr(frame, ties, alpha)
        excluded = None if log_hr is not None else MONOTONE
    if min(n.values()) > 0:
        rd = risk_difference(frame["time_days"], frame["event"], frame["treated"], day, alpha=alpha)
        risks, diff = (rd.treatment, rd.control), WaldEstimate(rd.difference, rd.se, alpha)
    else:
        risks, diff = (np.nan, np.nan), WaldEstimate(np.nan, np.nan, alpha)
    return SiteEffect(site, n, events, log_hr, excluded, *risks, diff)


def _absorbed(columns: dict[str, np.ndarray], strata: np.ndarray | None) -> set[str]:
    """The columns (in order) that lie in the span of the strata and the columns before them, as
    R ``coxph`` leaves them ``NA``: each is centred within strata and kept only if it raises the
    rank of the centred columns kept so far (a site nested in a stratum, or sites that together
    make up a stratum)."""
    if strata is None:
        return set()
    codes = pd.factorize(strata)[0]
    kept: list[np.ndarray] = []
    absorbed = set()
    for name, values in columns.items():
        centred = values - (np.bincount(codes, weights=values) / np.bincount(codes))[codes]
        candidate = np.column_stack([*kept, centred])
        if np.linalg.matrix_rank(candidate, tol=1e-9 * np.sqrt(len(values))) > len(kept):
            kept.append(centred)
        else:
            absorbed.add(name)
    return absorbed


def site_interaction_test(frame: pd.DataFrame, by: str, sites: list[str], strata: str | None = None, *,
                          ties: str = "efron", alpha: float = 0.05) -> InteractionTest:
    """Wald test of the ``treated x site`` terms of a one-stage Cox model (module docstring, 3).

    Parameters
    ----------
    frame : DataFrame
        ``time_days``, ``event``, ``treated``, the ``by`` column (and ``strata``).
    sites : list of str
        The sites tested (those in the meta-analysis), the first the reference.
    strata : str, optional
        The plan's randomisation strata column (a missing label is a stratum of its own).
    """
    definition = "site dummies" + (f", strata = {strata}" if strata else "")
    if len(sites) < 2:
        return InteractionTest(by, definition, np.nan, 0, tuple(sites))
    frame = frame[frame[by].isin(sites)]
    if len(frame) * (2 * len(sites) - 1) ** 2 > MAX_INTERACTION_WORK:
        return InteractionTest(by, f"not computed: {len(sites)} sites and {len(frame)} participants exceed the "
                                   "size limit of the one-stage model", np.nan, 0, tuple(sites))
    site = frame[by].to_numpy()
    treated = frame["treated"].to_numpy(dtype=float)
    layers = None
    if strata:
        layers = group_labels(frame[strata])
    dummies = {f"{by}[{s}]": (site == s).astype(float) for s in sites[1:]}
    absorbed = _absorbed(dummies, layers)
    interactions = {f"treated:{by}[{s}]": treated * (site == s) for s in sites[1:]}
    X = pd.DataFrame({"treated": treated, **{k: v for k, v in dummies.items() if k not in absorbed}, **interactions})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            fit = cox_ph(frame["time_days"], frame["event"], X, strata=layers, ties=ties, alpha=alpha)
        except (AnalysisError, RuntimeWarning):
            return InteractionTest(by, definition, np.nan, 0, tuple(sites))
    idx = [fit.terms.index(name) for name in interactions]
    b = fit.params_.to_numpy()[idx]
    V = fit.var_[np.ix_(idx, idx)]
    return InteractionTest(by, definition, float(b @ np.linalg.solve(V, b)), len(idx), tuple(sites))


@dataclass(frozen=True, eq=False)
class HeterogeneityResult(Result):
    """The effect of the support across sites: per-site results, meta-analysis, interaction test.

    Attributes
    ----------
    by : str
        The site column.
    sites : tuple of SiteEffect
        Every site with participants, in sorted order.
    meta : RandomEffectsMeta or None
        None when fewer than two sites enter.
    interaction : InteractionTest
    day : int
        Horizon of the rupture risks.
    n_missing : int
        Participants without a site label, left out.
    alpha : float
    """

    by: str
    sites: tuple[SiteEffect, ...]
    meta: RandomEffectsMeta | None
    interaction: InteractionTest
    day: int
    n_missing: int
    alpha: float = 0.05
    title: ClassVar[str] = "Heterogeneity of the effect across sites"

    def _shrunken(self) -> dict[str, tuple[float, float]]:
        if self.meta is None:
            return {}
        return {s: (b, se) for s, b, se in zip(self.meta.labels, self.meta.blup, self.meta.blup_se)}

    def forest(self) -> pd.DataFrame:
        """Forest-plot data, one row per site: site, n, events (totals), log_hr, ci_low, ci_high
        (Wald, log scale), shrunken, shrunken_low, shrunken_high (BLUP interval), excluded."""
        shrunken = self._shrunken()
        crit = self.meta.crit if self.meta is not None else np.nan
        rows = []
        for s in self.sites:
            est = s.log_hr
            b, se = shrunken.get(s.site, (np.nan, np.nan))
            rows.append({"site": s.site, "n": sum(s.n.values()), "events": sum(s.events.values()),
                         "log_hr": est.estimate if est else np.nan, "ci_low": est.ci_low if est else np.nan,
                         "ci_high": est.ci_high if est else np.nan, "shrunken": b,
                         "shrunken_low": b - crit * se, "shrunken_high": b + crit * se, "excluded": s.excluded})
        return pd.DataFrame(rows, columns=["site", "n", "events", "log_hr", "ci_low", "ci_high", "shrunken",
                                           "shrunken_low", "shrunken_high", "excluded"])

    def plot(self, ax: Axes | None = None) -> Axes:
        """Forest plot on ``ax`` (a new figure when None): each site's hazard ratio with its Wald
        CI, its shrunken (BLUP) estimate, the pooled diamond and the prediction interval.
        Every site is drawn: this is the evaluator's view (the public report,
        :mod:`evalexp.report.sections.sites`, draws only the publishable sites)."""
        # matplotlib is imported when a figure is drawn, never by ``import evalexp``
        from matplotlib.figure import Figure

        from .plot import draw_forest

        if ax is None:
            ax = Figure(figsize=(7.0, 1.5 + 0.3 * len(self.sites)), layout="constrained").add_subplot()
        pooled = None
        if self.meta is not None:
            summary = self.meta.to_dict()
            pooled = {**summary["pooled"], **summary["prediction_interval"]}
        draw_forest(ax, self.forest(), pooled, labels=[s.site for s in self.sites])
        return ax

    def tidy(self) -> pd.DataFrame:
        """Per-site log hazard ratios and risk differences, the meta-analysis rows, the interaction test."""
        rows = []
        for s in self.sites:
            if s.log_hr is not None:
                rows.append(s.log_hr.tidy_row(f"{s.site}: log hazard ratio"))
            rows.append(s.risk_difference.tidy_row(f"{s.site}: risk difference"))
        frame = tidy_frame(rows)
        if self.meta is not None:
            frame = pd.concat([frame, self.meta.tidy()], ignore_index=True)
        test = self.interaction
        return pd.concat([frame, tidy_frame([{"term": f"interaction {test.definition} (Wald, df {test.df})",
                                              "statistic": test.statistic, "p_value": test.p_value}])],
                         ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """``results["heterogeneity"]`` (docs/CONTRACT.md §8), plus ``h2``, ``pooled.df``, per-site ``hr`` and
        CI, ``shrunken_se``, ``excluded``, risk-difference SE and CI, ``horizon_days``, ``n_missing``, and the
        interaction test's ``test``, ``definition``, ``levels_tested`` and ``robust`` (always false)."""
        shrunken = self._shrunken()
        sites = []
        for s in self.sites:
            h = s.log_hr
            b, se = shrunken.get(s.site, (None, None))
            rd = s.risk_difference
            sites.append({
                "site": s.site, "n": dict(s.n), "events": dict(s.events),
                "log_hr": json_number(h.estimate if h else None), "se": json_number(h.se if h else None),
                "hr": json_number(np.exp(h.estimate) if h else None),
                "ci_low": json_number(np.exp(h.ci_low) if h else None),
                "ci_high": json_number(np.exp(h.ci_high) if h else None),
                "shrunken_log_hr": json_number(b), "shrunken_se": json_number(se), "excluded": s.excluded,
                "risk_difference": json_number(rd.estimate), "risk_difference_se": json_number(rd.se),
                "risk_difference_ci_low": json_number(rd.ci_low), "risk_difference_ci_high": json_number(rd.ci_high),
                "rupture_risk": {"treatment": json_number(s.risk_treatment), "control": json_number(s.risk_control)}})
        empty = {"k": len([s for s in self.sites if s.excluded is None]), "method": "REML", "test": "knha",
                 **dict.fromkeys(("tau2", "i2", "h2", "q", "q_df", "q_p_value")),
                 "pooled": dict.fromkeys(("log_hr", "se", "hr", "ci_low", "ci_high", "p_value", "df")),
                 "prediction_interval": {"hr_low": None, "hr_high": None}}
        test = self.interaction
        return {"by": self.by, **(self.meta.to_dict() if self.meta is not None else empty),
                "horizon_days": self.day, "n_missing": self.n_missing, "sites": sites,
                "interaction_test": {**test.to_dict(), "definition": test.definition}}

    def conventions(self) -> str:
        return (f"Per site: Cox (arm only, Efron), KM risk by day {self.day}; sites without a rupture in an arm "
                "excluded. Meta-analysis: REML tau2, Knapp-Hartung t CI, prediction interval, BLUPs "
                "(R metafor). Interaction: Wald test of treated x site, site as strata.")


def heterogeneity(cohort: Cohort, plan: Plan) -> HeterogeneityResult:
    """The plan's heterogeneity analysis across the sites of ``plan.heterogeneity.by``.

    Parameters
    ----------
    cohort : Cohort
        Needs ``time_days``, ``event``, ``treated`` and the site column (and the plan's strata).
    plan : Plan
        ``[heterogeneity] by``, ``[survival] horizon_days``, ``ties``, ``strata``, ``[inference] alpha``.

    Returns
    -------
    HeterogeneityResult

    Raises
    ------
    AnalysisError
        The site column is not a column of the cohort.
    """
    by = plan.heterogeneity.by
    data = cohort.data
    if by is None or by not in data:
        raise AnalysisError(f"{cohort.source}: heterogeneity column '{by}' is not a column of the cohort")
    present = data[by].notna()
    # site codes read as numbers (1.0 when the column has gaps) are named as written: "1"
    labels = data.loc[present, by].map(lambda v: f"{v:g}" if isinstance(v, (float, np.floating)) else str(v))
    frame = data[present].assign(**{by: labels})
    sv, alpha = plan.survival, plan.inference.alpha
    effects = tuple(site_effect(part, str(name), day=sv.horizon_days, ties=sv.ties, alpha=alpha)
                    for name, part in frame.groupby(by, sort=True))
    entering = [s for s in effects if s.excluded is None]
    meta = None
    if len(entering) >= 2:
        meta = random_effects_meta([s.log_hr.estimate for s in entering if s.log_hr is not None],
                                   [s.log_hr.se ** 2 for s in entering if s.log_hr is not None],
                                   labels=[s.site for s in entering], alpha=alpha)
    test = site_interaction_test(frame, by, [s.site for s in entering], sv.strata, ties=sv.ties, alpha=alpha)
    return HeterogeneityResult(by=by, sites=effects, meta=meta, interaction=test, day=sv.horizon_days,
                               n_missing=int((~present).sum()), alpha=alpha)
