"""The primary survival analysis of a cohort, as the plan pre-specifies it (docs/CONTRACT.md section 4).

:func:`analyze_survival` reads ``time_days``, ``event`` and ``treated`` of
``cohort.data`` and the plan's ``[survival]`` and ``[inference]`` sections, and
returns a :class:`SurvivalAnalysis` whose :meth:`~SurvivalAnalysis.to_dict` is the
contract's ``survival`` block:

- ``km``: Kaplan-Meier per arm at the landmark days (log-log CI, number at risk);
- ``logrank``: Mantel-Haenszel, stratified by ``strata`` when the plan names it;
- ``cox``: ``unadjusted`` (treated) and ``adjusted`` (treated + covariates, complete
  cases), Efron ties by default, stratified by ``strata``, cluster-robust with ``cluster``;
- ``ph_test``: cox.zph global test of the unadjusted model, flag ``rejected`` at alpha;
- ``rmst`` and ``risk_difference`` at ``horizon_days``;
- ``randomization_inference``: the log-rank one when requested (else the first
  statistic); all of them in ``randomization_inference_all``;
- ``covariate_adjusted``: Ye-Shao-Yi adjusted log-rank and marginal log HR, augmented RMST
  and risk differences (docs/CONTRACT.md section 8), when the plan names covariates.

A cohort without any rupture is analysed too: the hazard ratios are null (warning
``not_estimable``), every rupture test has p = 1 and the small-sample intervals bound the effect
(docs/CONTRACT.md, "A cohort without any rupture").

Extra keys: ``rmst.small_sample`` (studentised permutation, :mod:`.rmst_perm`) and
``risk_difference.small_sample`` (Newcombe on effective sizes, :mod:`.risk_small`),
``randomization_inference.ci`` (hazard-ratio and risk-difference intervals by inverting the
randomisation test, :mod:`.randomization_ci`),
``cox.*.few_clusters`` (Kauermann-Carroll bias-corrected sandwich and t(G - 1), :mod:`.cox_clusters`,
cluster-robust models), ``cox.*.small_sample`` (Firth's, :mod:`.firth`: the unadjusted model's
when the small-sample versions are shown or ``[survival] firth``, the adjusted model's with
``[survival] firth``; otherwise the model-based variance times n / (n - p) with t(n - p),
:meth:`.cox.CoxResult.small_sample_ratio`; for the adjusted model, the unadjusted model's Firth
analysis, method ``"unadjusted-firth"``, when it is not estimable or has fewer than
:data:`RUPTURES_PER_COEFFICIENT` ruptures per coefficient: with 13 coefficients on about nine
ruptures, 60-participant trials, its treatment coefficient diverged in 1,663 of 4,000 simulated
trials and its interval covered 90.4 % where it did not; Firth's unadjusted interval covered the
conditional hazard ratio in 96.0 % and 94.9 % of them, no effect and HR 0.6), the
``method`` of the contract's Cox, RMST and risk-difference intervals, ``small_sample`` (which
version the report shows, :mod:`evalexp.small_sample`),
``km_median`` (median and CI per arm), ``cox.*.n`` / ``n_dropped``,
``notes`` (complete-case drops, missing strata/cluster labels, few clusters, an arm
whose follow-up ends before ``horizon_days``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .. import alerts
from ..alerts import AnalysisWarning, run_quietly
from ..cohort import Cohort
from ..errors import AnalysisError
from ..grouping import group_labels
from ..plan import ARMS, Plan
from ..results import Result, json_number
from ..small_sample import small_sample_choice
from .covariate_adjusted import CovariateAdjusted, covariate_adjusted
from .cox import FEW_CLUSTERS, CoxResult, cox_ph
from .cox_clusters import few_clusters_ratio
from .design import design_matrix
from .firth import firth_cox, no_rupture_small_sample
from .km import KaplanMeier, kaplan_meier
from .logrank import LogRankTest, logrank_test
from .permutation import RandomizationTest, randomization_inference
from .randomization_ci import MAX_CELLS, RandomizationIntervals, randomization_intervals
from .risk import RiskDifference, risk_difference
from .risk_small import SmallSampleRiskDifference, risk_difference_small_sample
from .rmst import RMST, rmst_difference
from .rmst_perm import RMSTPermutation, rmst_permutation
from .zph import PHTest, cox_zph

#: Below this many ruptures per coefficient the adjusted Cox model's small-sample sibling is the
#: unadjusted Firth analysis (module docstring).
RUPTURES_PER_COEFFICIENT = 2
#: Fields of the unadjusted Firth sibling that the adjusted model's fallback sibling repeats.
FALLBACK_FIELDS = ("log_hr", "se", "hr", "ci_low", "ci_high", "ci_high_unbounded", "p_value")
#: The contract's ratio numbers when the hazard ratio is not estimable.
NOT_ESTIMABLE = dict.fromkeys(("log_hr", "se", "hr", "ci_low", "ci_high", "p_value"))


@dataclass(frozen=True, eq=False)
class SurvivalAnalysis(Result):
    """All survival results of a cohort.

    Attributes
    ----------
    km : dict
        ``{"treatment": KaplanMeier, "control": KaplanMeier}``.
    logrank : LogRankTest
    cox_unadjusted : CoxResult or None
        None when an arm (or the cohort) has no rupture: the likelihood is then monotone (flat) and the hazard
        ratio not estimable (R ``coxph`` warns that the coefficient "may be infinite");
        ``to_dict()`` gives the contract's ratio object with null numbers and a note.
    cox_adjusted : CoxResult or None
        None when the plan has no covariates, or when an arm has no rupture.
    ph_test : PHTest or None
        None when the Cox model is not estimable.
    rmst : RMST
    risk_difference : RiskDifference
    randomization : list of RandomizationTest
    landmarks_days : tuple of int
    covariates : tuple of str
    robust : bool
        Whether the plan asks for cluster-robust standard errors.
    notes : tuple of str
        What was dropped or recoded (complete cases, missing labels).
    covariate_adjusted : CovariateAdjusted or None
        None without covariates (or when it could not be computed: a warning says why).
    warnings : tuple of AnalysisWarning
        Monotone likelihood, few events per parameter, few clusters, covariates left
        out (:mod:`evalexp.alerts`); each model also lists its ``diverged`` terms.
    firth : dict
        ``{"unadjusted": ...}`` when the small-sample versions are shown or ``[survival] firth =
        true``, ``"adjusted"`` too with the latter: the treatment's Firth penalised-likelihood
        estimate of each Cox model (:meth:`evalexp.survival.firth.FirthCox.small_sample`;
        :func:`evalexp.survival.firth.no_rupture_small_sample` without any rupture), put beside
        the model's §4 numbers as its ``small_sample`` sibling (CONTRACT.md, version 2).
    """

    km: dict[str, KaplanMeier]
    logrank: LogRankTest
    cox_unadjusted: CoxResult | None
    cox_adjusted: CoxResult | None
    ph_test: PHTest | None
    rmst: RMST
    risk_difference: RiskDifference
    randomization: list[RandomizationTest]
    landmarks_days: tuple[int, ...]
    covariates: tuple[str, ...]
    robust: bool = False
    adjusted_dropped: int = 0
    notes: tuple[str, ...] = ()
    covariate_adjusted: CovariateAdjusted | None = None
    warnings: tuple[AnalysisWarning, ...] = ()
    firth: dict[str, dict[str, Any]] = field(default_factory=dict)
    title: ClassVar[str] = "Survival analysis of contract ruptures"
    rmst_small_sample: RMSTPermutation | None = None
    risk_small_sample: SmallSampleRiskDifference | None = None
    small_sample: dict[str, Any] | None = None
    randomization_ci: RandomizationIntervals | None = None

    def plot(self, ax=None, *, ci: bool = True):
        """Kaplan-Meier curves by arm with log-log confidence bands (:func:`evalexp.plotting.plot_km`).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: the current pyplot Axes).
        ci : bool
            Draw the confidence bands.

        Returns
        -------
        matplotlib Axes
        """
        from ..plotting import plot_km

        return plot_km(self, ax, ci=ci)

    def tidy(self) -> pd.DataFrame:
        """Hazard ratios (log scale), RMST and risk differences, tests — one row each."""
        frames = []
        for name, fit in (("cox_unadjusted", self.cox_unadjusted), ("cox_adjusted", self.cox_adjusted)):
            if fit is not None:
                frames.append(fit.tidy().iloc[[0]].assign(term=f"{name}: treated"))
        frames += [self.rmst.tidy().iloc[[2]].assign(term=f"rmst difference (tau {self.rmst.tau_days})"),
                   self.risk_difference.tidy().iloc[[2]].assign(
                       term=f"risk difference (day {self.risk_difference.day})"),
                   self.logrank.tidy().assign(term="logrank")]
        frames += [part.tidy() for part in (self.rmst_small_sample, self.risk_small_sample) if part is not None]
        if self.ph_test is not None:
            frames.append(self.ph_test.tidy().iloc[[-1]].assign(term="ph_test (global)"))
        frames += [r.tidy().assign(term=f"randomization: {r.statistic}") for r in self.randomization]
        if self.randomization_ci is not None:
            frames.append(self.randomization_ci.tidy().assign(term=lambda f: "randomization: " + f["term"]))
        if self.covariate_adjusted is not None:
            frames.append(self.covariate_adjusted.tidy().assign(
                term=lambda f: "covariate_adjusted: " + f["term"]))
        return pd.concat(frames, ignore_index=True)

    def _adjusted_by_unadjusted(self) -> bool:
        """Whether the adjusted model's small-sample sibling is the unadjusted Firth analysis.

        When the small-sample versions are computed and the adjusted model (model-based
        variance, no Firth asked for it) is not fitted, its treatment coefficient is not
        estimable, or it has fewer than :data:`RUPTURES_PER_COEFFICIENT` ruptures per
        coefficient: the covariates cannot then be adjusted for (module docstring).
        """
        if not self.covariates or self.robust or "unadjusted" not in self.firth or "adjusted" in self.firth:
            return False
        fit = self.cox_adjusted
        if fit is None or not fit.estimable("treated"):
            return True
        return fit.data_.weight is None and fit.n_events < RUPTURES_PER_COEFFICIENT * fit.n_coefficients

    def _randomization_primary(self) -> RandomizationTest:
        for r in self.randomization:
            if r.statistic == "logrank":
                return r
        return self.randomization[0]

    def to_dict(self) -> dict[str, Any]:
        """The contract's ``survival`` block (plus the extra keys listed in the module docstring)."""
        if self.cox_unadjusted is None:
            cox: dict[str, Any] = {"unadjusted": {**NOT_ESTIMABLE, "robust": self.robust, "estimable": False}}
        else:
            cox = {"unadjusted": {**self.cox_unadjusted.ratio("treated"),
                                  "n": self.cox_unadjusted.n, "events": self.cox_unadjusted.n_events,
                                  "diverged": list(self.cox_unadjusted.diverged)}}
            if not self.cox_unadjusted.estimable("treated"):
                cox["unadjusted"]["estimable"] = False
        if self.cox_adjusted is not None:
            cox["adjusted"] = {**self.cox_adjusted.ratio("treated"), "covariates": list(self.covariates),
                               "n": self.cox_adjusted.n, "events": self.cox_adjusted.n_events,
                               "n_dropped": self.adjusted_dropped,
                               "diverged": list(self.cox_adjusted.diverged),
                               "aliased": list(self.cox_adjusted.aliased)}
            if not self.cox_adjusted.estimable("treated"):
                cox["adjusted"]["estimable"] = False
        elif self.covariates:
            cox["adjusted"] = {**NOT_ESTIMABLE, "robust": self.robust, "estimable": False,
                               "covariates": list(self.covariates)}
        for model, firth in self.firth.items():
            cox[model]["small_sample"] = firth
        fallback = self._adjusted_by_unadjusted()
        for key, fit in (("unadjusted", self.cox_unadjusted), ("adjusted", self.cox_adjusted)):
            # the df-corrected sibling of the model-based fits, unless Firth's was asked for
            if fit is not None and not fit.robust and fit.data_.weight is None and key not in self.firth \
                    and fit.estimable("treated") and not (key == "adjusted" and fallback):
                cox[key]["small_sample"] = fit.small_sample_ratio("treated")
        if fallback:
            firth = self.firth["unadjusted"]
            cox["adjusted"]["small_sample"] = {
                "method": "unadjusted-firth", **{key: firth[key] for key in FALLBACK_FIELDS if key in firth},
                "parameters": None if self.cox_adjusted is None else self.cox_adjusted.n_coefficients}
        out: dict[str, Any] = {
            "km": {arm: self.km[arm].points(self.landmarks_days) for arm in ARMS},
            "km_median": {arm: {"median": json_number(self.km[arm].median_),
                                "ci_low": json_number(self.km[arm].median_ci_low_),
                                "ci_high": json_number(self.km[arm].median_ci_high_)} for arm in ARMS},
            "logrank": self.logrank.to_dict(),
            "cox": cox,
            "ph_test": ({"statistic": None, "p_value": None, "rejected": False} if self.ph_test is None
                        else self.ph_test.to_dict()),
            "rmst": self.rmst.to_dict(),
            "risk_difference": self.risk_difference.to_dict(),
        }
        # which variance / CI each number uses, and the small-sample siblings (CONTRACT version 2)
        out["rmst"]["method"] = out["risk_difference"]["method"] = "greenwood-wald"
        for block in cox.values():
            block.setdefault("method", "wald-cluster-robust" if self.robust else "wald")
        for key, fit in (("unadjusted", self.cox_unadjusted), ("adjusted", self.cox_adjusted)):
            # the bias corrections need each participant's row: not computed from counts (frequency weights)
            if fit is not None and fit.robust and fit.n_clusters is not None and fit.n_clusters >= 2 \
                    and fit.data_.weight is None:
                cox[key]["few_clusters"] = few_clusters_ratio(fit)
        if self.rmst_small_sample is not None:
            out["rmst"]["small_sample"] = self.rmst_small_sample.to_dict()
        if self.risk_small_sample is not None:
            out["risk_difference"]["small_sample"] = self.risk_small_sample.to_dict()
        if self.small_sample is not None:
            out["small_sample"] = dict(self.small_sample)
        if self.randomization:
            out["randomization_inference"] = self._randomization_primary().to_dict()
            out["randomization_inference_all"] = [r.to_dict() for r in self.randomization]
            if self.randomization_ci is not None:
                out["randomization_inference"]["ci"] = self.randomization_ci.to_dict()
        if self.covariate_adjusted is not None:
            out["covariate_adjusted"] = self.covariate_adjusted.to_dict()
        out["notes"] = list(self.notes)
        return out

    def conventions(self) -> str:
        parts = (self.km["treatment"], self.logrank, self.cox_unadjusted, self.ph_test, self.rmst,
                 self.risk_difference, *self.randomization[:1], self.randomization_ci)
        return "\n".join(part.conventions() for part in parts if part is not None)


def _labels(data: pd.DataFrame, column: str | None, role: str, notes: list[str],
            weights: np.ndarray | None = None) -> np.ndarray | None:
    """Stratum or cluster labels of a plan column (:func:`evalexp.grouping.group_labels`: the
    missing labels one level of their own), with a note counting the missing ones (rows counted
    by their frequency ``weights`` when given: an aggregated cohort)."""
    if column is None:
        return None
    if column not in data.columns:
        raise AnalysisError(f"the plan's {role} column '{column}' is not in the cohort")
    isna = data[column].isna()
    missing = int(isna.sum() if weights is None else weights[isna.to_numpy()].sum())
    if missing:
        notes.append(f"{missing} rows with no {role} label ('{column}') form their own {role}")
    return group_labels(data[column])


def _fragility(fit: CoxResult) -> list[AnalysisWarning]:
    """Why the adjusted treatment estimate is fragile: too few events per coefficient
    (:data:`evalexp.alerts.EVENTS_PER_PARAMETER`), or infinite covariate coefficients.

    The messages hold no count of participants or ruptures (a public ``results.json``
    suppresses small counts; a message must not give them back)."""
    out = []
    k = fit.n_coefficients
    if fit.n_events < alerts.EVENTS_PER_PARAMETER * k:
        out.append(AnalysisWarning(alerts.FEW_EVENTS_PER_PARAMETER, (
            f"adjusted Cox model: fewer than {alerts.EVENTS_PER_PARAMETER} ruptures per coefficient ({k} "
            "coefficients): the adjusted hazard ratio is fragile (Peduzzi et al. 1995); the unadjusted one "
            "does not depend on the covariates")))
    if fit.diverged:
        out.append(AnalysisWarning(alerts.MONOTONE_LIKELIHOOD, (
            f"adjusted Cox model: the treatment estimate is reported, as R coxph does, but the infinite "
            f"coefficient of {', '.join(fit.diverged)} makes the adjusted hazard ratio fragile")))
    return out


def _no_rupture(notes: list[str], found: list[AnalysisWarning]) -> None:
    """The note and warning of a cohort without any rupture (memory and counts engines alike)."""
    notes.append("no rupture in the cohort: the hazard ratio is not estimable (the likelihood carries no "
                 "information), the tests have p = 1 and the small-sample intervals say how far the data "
                 "bound the effect")
    found.append(AnalysisWarning(alerts.NOT_ESTIMABLE, "Cox models: no rupture in the cohort, the hazard "
                                 "ratios are null; the tests have no information (p = 1)"))


def analyze_survival(cohort: Cohort, plan: Plan, *, progress: bool = False) -> SurvivalAnalysis:
    """Run the plan's primary survival analysis on a cohort.

    Parameters
    ----------
    cohort : Cohort
        Its ``data`` holds ``time_days``, ``event``, ``treated`` and the plan's
        strata, cluster and covariate columns.
    plan : Plan
    progress : bool
        Progress bar on stderr for a long randomisation inference.
    """
    data = cohort.data
    sv, inf = plan.survival, plan.inference
    alpha = inf.alpha
    notes: list[str] = []
    time = data["time_days"].to_numpy(dtype=float)
    event = data["event"].to_numpy(dtype=float)
    treated = data["treated"].to_numpy(dtype=np.int64)
    for arm, flag in (("treatment", 1), ("control", 0)):
        if not (treated == flag).any():
            raise AnalysisError(f"no participant in the {arm} arm: no comparison is possible")
    strata = _labels(data, sv.strata, "stratum", notes)
    cluster = _labels(data, sv.cluster, "cluster", notes)
    km = {arm: kaplan_meier(time[treated == flag], event[treated == flag], alpha=alpha)
          for arm, flag in (("treatment", 1), ("control", 0))}
    for arm in ARMS:
        last = float(km[arm].time[-1])
        if last < sv.horizon_days:
            notes.append(f"{arm} arm followed up to day {last:g} only: its curve is carried flat to day "
                         f"{sv.horizon_days} for the RMST and the risk difference (survRM2 would refuse)")
    found: list[AnalysisWarning] = []
    without = [arm for arm, flag in (("treatment", 1), ("control", 0)) if event[treated == flag].sum() == 0]
    if len(without) == 2:
        _no_rupture(notes, found)
        unadjusted = None
    elif without:
        notes.append(f"no rupture in the {without[0]} arm: the hazard ratio is not estimable (monotone "
                     f"likelihood), so the Cox models and the proportional-hazards test are null")
        found.append(AnalysisWarning(alerts.MONOTONE_LIKELIHOOD, f"Cox models: no rupture in the {without[0]} "
                                     "arm, the treatment coefficient is infinite; the hazard ratios are null"))
        unadjusted = None
    else:
        unadjusted, caught = run_quietly("unadjusted Cox model", lambda: cox_ph(
            time, event, pd.DataFrame({"treated": treated.astype(float)}), strata=strata, cluster=cluster,
            ties=sv.ties, alpha=alpha))
        found += caught
    if unadjusted is not None and unadjusted.robust and unadjusted.n_clusters < FEW_CLUSTERS:
        notes.append(f"cluster-robust standard errors rest on only {unadjusted.n_clusters} clusters "
                     f"('{sv.cluster}'); with fewer than {FEW_CLUSTERS} they tend to be too small")
        found.append(AnalysisWarning(alerts.FEW_CLUSTERS, notes[-1]))
    adjusted, dropped, robust_adjusted = None, 0, None
    missing = [c for c in sv.covariates if c not in data.columns]
    if missing:
        raise AnalysisError(f"covariates of the plan not in the cohort: {missing}")
    if sv.covariates and unadjusted is not None:
        # positional index, so the kept rows are positions even if cohort.data's index repeats
        X = design_matrix(data.assign(treated=treated).reset_index(drop=True), ["treated", *sv.covariates],
                          plan.reference)
        rows = X.index.to_numpy()
        # a categorical covariate with one level gets no dummy: the model cannot adjust for it
        absent = [c for c in sv.covariates if c not in X.columns and not X.columns.str.startswith(f"{c}[").any()]
        if absent:
            found.append(AnalysisWarning(alerts.COVARIATE_ALIASED, (
                f"adjusted Cox model: covariates with a single value among the complete cases cannot be "
                f"adjusted for and are left out: {absent}")))
        dropped = int(X.attrs["n_dropped"])
        if dropped:
            notes.append(f"adjusted Cox model: {dropped} rows with a missing covariate dropped (complete cases)")
        adjusted, caught = run_quietly("adjusted Cox model", lambda: cox_ph(
            time[rows], event[rows], X, strata=None if strata is None else strata[rows],
            cluster=None if cluster is None else cluster[rows], ties=sv.ties, alpha=alpha))
        if adjusted is not None and adjusted.estimable("treated"):
            # _fragility names the infinite terms and says what they mean for the treatment estimate
            caught = [w for w in caught if w.code != alerts.MONOTONE_LIKELIHOOD] + _fragility(adjusted)
        found += caught
    choice = small_sample_choice(inf.small_sample, int(time.size),
                                 None if unadjusted is None else unadjusted.n_clusters)
    if sv.covariates:
        # also with an arm without rupture: its tests and augmented differences stand
        robust_adjusted, caught = run_quietly("covariate-adjusted analysis (Ye, Shao & Yi)", lambda: covariate_adjusted(
            time, event, treated, data[list(sv.covariates)], strata=strata, strata_name=sv.strata,
            randomization=sv.randomization, horizon_days=sv.horizon_days, alpha=alpha,
            permutations=inf.permutations if choice["shown"] else 0, seed=inf.seed))
        found += caught
    firth = {}
    # Firth's interval is the unadjusted model's small-sample sibling (one coefficient: calibrated at 60
    # participants, finite with an arm without rupture); for the adjusted model only when the plan asks
    # (with six covariates it under-covers as the Wald interval does, and its profile takes seconds)
    models = {}
    if sv.firth or choice["shown"]:
        models["unadjusted"] = (np.arange(time.size), pd.DataFrame({"treated": treated.astype(float)}))
    if sv.firth and adjusted is not None:
        models["adjusted"] = (rows, X)
    if not event.any() and "unadjusted" in models:
        firth["unadjusted"] = no_rupture_small_sample()
        models = {}
    for model, (kept, design) in models.items():
        # run_quietly calls the function at once, with this iteration's model
        fit, caught = run_quietly(f"{model} Cox model, Firth", lambda: firth_cox(
            time[kept], event[kept], design, strata=None if strata is None else strata[kept],  # noqa: B023
            alpha=alpha).small_sample("treated"))
        found += caught
        if fit is not None:
            firth[model] = fit
    ph_test = None
    if unadjusted is not None and unadjusted.estimable("treated"):
        ph_test, caught = run_quietly("proportional-hazards test", lambda: cox_zph(unadjusted, alpha=alpha))
        found += caught
    randomization = randomization_inference(
        time, event, treated, strata=strata, statistics=inf.statistics, permutations=inf.permutations,
        seed=inf.seed, ties=sv.ties, tau=sv.horizon_days, progress=progress) if inf.statistics else []
    intervals_fit = inf.permutations * int(event.sum()) <= MAX_CELLS
    if randomization and not intervals_fit:
        notes.append(f"randomisation-based confidence intervals not computed: {inf.permutations} permutations x "
                     f"{int(event.sum())} events exceeds {MAX_CELLS:,} (memory); the randomisation p-values "
                     "are reported")
    return SurvivalAnalysis(
        km=km,
        logrank=logrank_test(time, event, treated, strata=strata),
        cox_unadjusted=unadjusted,
        cox_adjusted=adjusted,
        ph_test=ph_test,
        rmst=rmst_difference(time, event, treated, sv.horizon_days, alpha=alpha),
        risk_difference=risk_difference(time, event, treated, sv.horizon_days, alpha=alpha),
        randomization=randomization,
        landmarks_days=tuple(int(d) for d in sv.landmarks_days),
        covariates=tuple(sv.covariates),
        robust=cluster is not None,
        adjusted_dropped=dropped,
        notes=tuple(notes),
        covariate_adjusted=robust_adjusted,
        warnings=tuple(found),
        firth=firth,
        # the studentised permutation costs a re-randomisation per permutation: computed where the
        # report shows the small-sample versions (pilot sizes, few clusters, or "always")
        rmst_small_sample=rmst_permutation(time, event, treated, sv.horizon_days, strata=strata,
                                           permutations=inf.permutations, seed=inf.seed, alpha=alpha)
        if inf.permutations >= 1 and choice["shown"] else None,
        risk_small_sample=risk_difference_small_sample(time, event, treated, sv.horizon_days, alpha=alpha),
        small_sample=choice,
        randomization_ci=randomization_intervals(time, event, treated, sv.horizon_days, strata=strata,
                                                 permutations=inf.permutations, seed=inf.seed, ties=sv.ties,
                                                 alpha=alpha)
        if randomization and intervals_fit else None,
    )
