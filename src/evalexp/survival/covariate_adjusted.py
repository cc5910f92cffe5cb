"""Covariate-adjusted (stratified) log-rank test and marginal log hazard ratio (Ye, Shao & Yi 2024).

Ye T, Shao J, Yi Y (2024). Covariate-adjusted log-rank test: guaranteed efficiency gain and
universal applicability. *Biometrika* 111(2):691-705; R ``RobinCar2::robin_surv`` (its
``h_lr_score_cov`` / ``h_lr_score_strat_cov``), which this module reproduces.

Notation (n subjects, ``pi`` the treated proportion, stratum s, its event times t_k with
``n1``, ``n0`` at risk per arm, ``d`` events, ``d1`` treated events; everything with
Breslow-type at-risk sums):

- score ``U(theta) = (1/n) sum_{s,k} (d1 - d p)``, ``p = e^theta n1 / (e^theta n1 + n0)``;
  its variance ``sigma2(theta) = (1/n) sum d p (1 - p) c``, with the ties factor
  ``c = (N - d) / (N - 1)``, ``N = e^theta n1 + n0``, for the test (d > 1) and ``c = 1`` for
  the estimate. Without covariates ``U(theta) = 0`` is the Breslow Cox score equation and
  ``n U(0)^2 / sigma2(0)`` is R ``survdiff``'s chi-square.
- derived outcome of subject i of arm a in stratum s, at ``theta``:
  ``O_i = sum_k w_a(t_k) [dN_i(t_k) - Y_i(t_k) e^{theta a} d / (e^theta n1 + n0)]`` with
  ``w_1 = n0 / (e^theta n1 + n0)``, ``w_0 = e^theta n1 / (e^theta n1 + n0)``.
- within each arm a, ``O`` is regressed on the covariates X with stratum-specific
  intercepts: ``beta_a``. With ``xbar_s`` the stratum mean of X over both arms, the adjusted
  score is ``U_c(theta) = U(theta) - (1/n) [sum_{a_i = 1} (x_i - xbar_s) beta_1 -
  sum_{a_i = 0} (x_i - xbar_s) beta_0]``, its variance
  ``sigma2_c = sigma2 - pi (1 - pi) b' Sigma_X b``, ``b = beta_0 + beta_1``, ``Sigma_X`` the
  within-stratum covariance of X (n_s - 1 denominators, weighted by n_s / n).
- test: ``z = sqrt(n) U_c(0) / sqrt(sigma2_c(0))`` (outcomes and beta at theta = 0, ties
  factor on); estimate: beta at the unadjusted root ``theta_u`` (``U(theta_u) = 0``), then
  ``theta_c`` solves ``U_c(theta_c) = 0``; ``Var(theta_c) = sigma2_c / (n sigma2(theta_c)^2)``
  with ``sigma2 = sigma2(theta_c)`` (RobinCar2's ``hr_se_plugin_adjusted = TRUE``).

Small-sample sibling (:class:`SmallSampleHazard`, issue 14). The robust variance above
ignores that ``beta_0`` and ``beta_1`` are estimated: with six covariates at 150 participants
the adjusted test rejected 6.8 % of null trials and the interval covered 93.2 %; the sibling
below 4.5 % and 95.9 % (2,000 trials, ``benchmarks/calibration_results.md``). The sibling multiplies both variances
(``sigma2_c(0)`` of the test and ``Var(theta_c)``) by ``n / (n - k)``, ``k`` the parameters of
the two within-arm fits (slopes and stratum intercepts of each arm; 2 (p + S) at full rank), as
HC1 does for least squares, and refers the test and the interval to Student's t with
``n - k`` degrees of freedom (method ``"ye-shao-yi-hc1-t"``). With fewer ruptures than ``k``
the covariates cannot be adjusted for at all (60 participants, nine ruptures and 30
parameters covered 88 % with the correction): the sibling is then the unadjusted analysis of
the same marginal hazard ratio (method ``"unadjusted-firth"``), the stratified log-rank test
(normal reference) and Firth's estimate with its profile interval (:mod:`.firth`, Breslow
ties, the same strata), the unadjusted Cox model's own small-sample version. It is that too
when an arm has no rupture, or when every rupture of one arm happens while nobody of the other
arm is at risk in its stratum (6 of 4,000 simulated 60-participant trials): the log hazard ratios (adjusted and not)
are then not estimable (monotone likelihood, NaN), while the log-rank tests at ``theta = 0`` and the augmented
differences stand; and when the adjusted equation has no finite root (the covariate shift
beyond the range of the score: 10 of 1,500 simulated 60-participant trials with six
covariates), the adjusted log HR alone is NaN, with a warning.

Both equations are solved by Newton's method to ``|step| < 1e-12`` (``dU/dtheta = -sigma2``
without the ties factor, exactly). Under simple randomisation and under permuted blocks within
the analysis strata the same formulas hold (the paper's Theorems 1-2: the stratified adjusted
test is valid under any covariate-adaptive randomisation that balances within those strata);
the scheme is recorded (permuted blocks without analysis strata are blocks over the whole
trial, the one-stratum case).

:func:`covariate_adjusted` adds the augmented RMST and risk differences of :mod:`.augmented`
and returns the :class:`CovariateAdjusted` result (docs/CONTRACT.md section 8,
``survival.covariate_adjusted``).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisError
from ..results import Result, json_number, tidy_frame
from ..wald import WaldEstimate
from ._utils import as_arm_array, as_event_array, as_float_array, wald
from .augmented import AugmentedContrast, augmented_contrasts
from .augmented_small import SmallSampleContrast, small_sample_contrast
from .cells import Cells, build_cells
from .covariate_design import covariate_design
from .firth import firth_cox
from .projection import ArmProjection, Grouped
from .risk_small import risk_difference_small_sample
from .rmst_perm import rmst_permutation

#: Randomisation schemes of the plan's ``[survival] randomization``.
SCHEMES = ("permuted_blocks", "simple")
#: Convergence of the Newton iterations on the log hazard ratio.
TOLERANCE = 1e-12
MAX_ITERATIONS = 100


@dataclass(frozen=True)
class _Risk:
    """At-risk and event counts at the (stratum, event time) pairs with events (Breslow sums)."""

    n1: np.ndarray
    n0: np.ndarray
    d: np.ndarray
    d1: np.ndarray

    def score(self, theta: float, ties: bool) -> tuple[float, float]:
        """``n U(theta)`` and ``n sigma2(theta)`` (with the ties factor when ``ties``)."""
        e1 = np.exp(theta) * self.n1
        total = e1 + self.n0
        p = e1 / total
        var = self.d * p * (1.0 - p)
        if ties:
            several = self.d > 1
            var = np.where(several, var * (total - self.d) / np.where(several, total - 1.0, 1.0), var)
        return float(np.sum(self.d1 - self.d * p)), float(np.sum(var))

    def solve(self, target: float) -> float:
        """The root of ``n U(theta) = target`` by Newton's method (``dU/dtheta = -sigma2``), a step
        being halved while it does not reduce ``|n U - target|``."""
        theta = 0.0
        u, v = self.score(theta, ties=False)
        for _ in range(MAX_ITERATIONS):
            step = float(np.clip((u - target) / v, -5.0, 5.0)) if v > 0 else float("nan")
            if not np.isfinite(step):
                break
            for _ in range(30):
                u_new, v_new = self.score(theta + step, ties=False)
                if abs(u_new - target) <= abs(u - target) or abs(step) < TOLERANCE:
                    break
                step /= 2.0
            theta, u, v = theta + step, u_new, v_new
            if abs(step) < TOLERANCE:
                return theta
        raise AnalysisError("the log hazard ratio did not converge (no finite root of its estimating equation)")


@dataclass(frozen=True)
class _Data:
    """Per-subject codes (arm, stratum, group of the derived outcome) and the risk sets."""

    arm: np.ndarray        # 0/1 int
    stratum: np.ndarray    # codes 0..S-1
    risk: _Risk
    n1_all: np.ndarray     # (S, K) treated at risk at every pooled event time
    n0_all: np.ndarray
    d_all: np.ndarray
    n_strata: int
    group: np.ndarray      # (stratum, interval, event, arm) group of each subject
    group_cell: np.ndarray  # (stratum, arm) cell of each group
    group_counts: np.ndarray  # subjects per group
    cells: Cells


def arm_groups(cells: Cells, arm: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The subjects' groups ``cells.cell * 2 + arm`` (cell of :mod:`.cells` and arm), and per group its
    (stratum, arm) cell ``2 s + a`` and its number of subjects (read off the cell counts)."""
    treated = cells.treated.ravel()
    counts = np.empty(2 * treated.size)
    counts[0::2] = cells.counts.ravel() - treated
    counts[1::2] = treated
    ids = np.arange(counts.size)
    group = cells.cell * 2
    group += arm
    return group, ids // (4 * cells.counts.shape[1]) * 2 + ids % 2, counts


def _prepare(time, event, treated, strata) -> _Data:
    # build_cells checks the times, the 0/1 events and the 0/1 arm (one value per row)
    cells = build_cells(time, event, treated, strata)
    arm = np.asarray(treated).ravel().astype(np.int64)
    if cells.arm_sizes.sum() in (0, arm.size):
        raise ValueError("treated must have subjects in both arms")
    stratum = cells.cell // (2 * cells.counts.shape[1])
    treated_counts = cells.treated.sum(axis=-1)
    n1_all = np.cumsum(treated_counts[:, ::-1], axis=1)[:, ::-1][:, 1:].astype(float)
    n_all = cells.at_risk()
    d_all = cells.deaths()
    d1_all = cells.treated[:, 1:, 1].astype(float)
    keep = np.nonzero(d_all)
    risk = _Risk(n1=n1_all[keep], n0=(n_all - n1_all)[keep], d=d_all[keep], d1=d1_all[keep])
    group, group_cell, group_counts = arm_groups(cells, arm)
    return _Data(arm=arm, stratum=stratum, risk=risk, n1_all=n1_all,
                 n0_all=n_all - n1_all, d_all=d_all, n_strata=cells.n_strata, group=group,
                 group_cell=group_cell, group_counts=group_counts, cells=cells)


def derived_outcomes(data: _Data, theta: float) -> np.ndarray:
    """RobinCar2's derived outcome ``O`` at ``theta`` (module docstring), per subject group.

    ``O_i`` depends on subject i only through its stratum, the number k of the stratum's event
    times up to its time, its event indicator and its arm: the value for group
    ``(s * (K + 1) + k) * 4 + 2 e + a`` (:attr:`_Data.group`).
    """
    e1 = np.exp(theta) * data.n1_all
    total = e1 + data.n0_all
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(total > 0, data.d_all / total, 0.0)
        w1 = np.where(total > 0, data.n0_all / total, 0.0)
        w0 = np.where(total > 0, e1 / total, 0.0)
    zero = np.zeros((data.d_all.shape[0], 1))
    out = np.empty((data.d_all.shape[0], data.d_all.shape[1] + 1, 2, 2))
    for a, w, scale in ((0, w0, 1.0), (1, w1, np.exp(theta))):
        # column k: sums over the stratum's first k event times (those <= the subject's time)
        compensator = scale * np.hstack([zero, np.cumsum(w * hazard, axis=1)])
        jump = np.hstack([zero, w])
        out[:, :, 0, a] = -compensator
        out[:, :, 1, a] = jump - compensator
    return out.ravel()


def _adjustment(outcome: np.ndarray, grouped: Grouped, sigma_x: np.ndarray) -> tuple[float, float]:
    """``n`` times the score shift and ``n`` times the variance reduction (module docstring);
    ``sigma_x`` is :meth:`.projection.ArmProjection.stratum_covariance`."""
    projection = grouped.projection
    beta0, beta1 = grouped.slopes(outcome)
    imbalance = projection.imbalance()          # sum over each (stratum, arm) cell of x - xbar_s
    shift = float(np.sum(imbalance[1::2] @ beta1) - np.sum(imbalance[0::2] @ beta0))
    b = beta0 + beta1
    pi = float(projection.arm.mean())
    return shift, pi * (1.0 - pi) * float(b @ sigma_x @ b) * projection.arm.size


@dataclass(frozen=True)
class SmallSampleHazard:
    """The ``small_sample`` sibling of the adjusted log-rank test and log hazard ratio.

    Attributes
    ----------
    method : {"ye-shao-yi-hc1-t", "unadjusted-firth"}
        The corrected adjusted analysis, or the unadjusted one when ``ruptures < parameters``
        (module docstring).
    log_hr, se, ci_low, ci_high, p_value : float
        The log hazard ratio, its standard error, confidence interval (log scale) and p-value:
        ``se`` times ``sqrt(n / (n - k))`` with t(n - k) for the corrected analysis; Firth's
        estimate, profile penalised-likelihood interval and penalised likelihood-ratio p
        (:mod:`.firth`, Breslow ties, the same strata) for the unadjusted one.
    z, z_p_value : float
        The log-rank statistic and its two-sided p-value: the adjusted ``z`` divided by
        ``sqrt(n / (n - k))`` on t(n - k), or the unadjusted stratified ``z`` on the normal.
    df : float or None
        ``n - k``; None for the unadjusted analysis.
    parameters, ruptures : int
        ``k`` and the number of ruptures.
    """

    method: str
    log_hr: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    z: float
    z_p_value: float
    df: float | None
    parameters: int
    ruptures: int

    def to_dict(self) -> dict[str, Any]:
        """The ``log_hr.small_sample`` object: ``method``, the estimate's fields, ``df`` and ``parameters``
        (not ``ruptures``: among complete cases, against the published total, a count of people)."""
        return {"method": self.method, "estimate": json_number(self.log_hr), "se": json_number(self.se),
                "ci_low": json_number(self.ci_low), "ci_high": json_number(self.ci_high),
                **unbounded(self.ci_low, self.ci_high),
                "p_value": json_number(self.p_value), "df": self.df, "parameters": self.parameters}


def unbounded(low: float, high: float) -> dict[str, bool]:
    """``ci_low_unbounded`` / ``ci_high_unbounded`` flags of infinite limits (null in JSON), when there are any."""
    return {**({"ci_low_unbounded": True} if low == -np.inf else {}),
            **({"ci_high_unbounded": True} if high == np.inf else {})}


def small_sample_hazard(fit: HazardRatioFit, time, event, treated, *, strata=None,
                        alpha: float = 0.05) -> SmallSampleHazard:
    """The small-sample sibling of ``fit`` (module docstring), on the same complete cases.

    Parameters
    ----------
    fit : HazardRatioFit
        :func:`fit_hazard_ratio` on ``time``, ``event``, ``treated`` and ``strata``.
    time, event, treated, strata : array-like
        The data of ``fit`` (Firth's fit needs them when there are too few ruptures).
    alpha : float
    """
    k, n = fit.parameters, fit.n
    if not fit.ruptures:
        # no information at all (:mod:`.firth`): no estimate, the whole line, p = 1
        return SmallSampleHazard("unadjusted-firth", np.nan, np.nan, -np.inf, np.inf, 1.0, fit.z_unadjusted, 1.0,
                                 None, k, 0)
    if fit.adjustable and np.isfinite(fit.log_hr):
        inflation = np.sqrt(n / (n - k))
        t = stats.t(n - k)
        wald = WaldEstimate(fit.log_hr, fit.se * inflation, alpha, df=n - k)
        z = fit.z / inflation
        return SmallSampleHazard("ye-shao-yi-hc1-t", wald.estimate, wald.se, wald.ci_low, wald.ci_high, wald.p_value,
                                 float(z), float(2.0 * t.sf(abs(z))) if np.isfinite(z) else float("nan"),
                                 float(n - k), k, fit.ruptures)
    firth = firth_cox(time, event, pd.DataFrame({"treated": np.asarray(treated, dtype=float)}), strata=strata,
                      alpha=alpha)
    low, high, p = firth.interval("treated")
    return SmallSampleHazard("unadjusted-firth", float(firth.params_["treated"]), float(firth.se_["treated"]),
                             float(low), float(high), float(p), fit.z_unadjusted,
                             float(2.0 * stats.norm.sf(abs(fit.z_unadjusted))), None, k, fit.ruptures)


@dataclass(frozen=True)
class HazardRatioFit:
    """The adjusted estimate and test, with the unadjusted (stratified) ones they improve on.

    Attributes
    ----------
    log_hr, se : float
        ``theta_c`` and its robust standard error (``theta_u`` and the Breslow-Cox SE
        without covariates).
    z, z_p_value : float
        Adjusted (stratified) log-rank z and its two-sided normal p-value.
    log_hr_unadjusted, se_unadjusted : float
        ``theta_u`` and ``1 / sqrt(n sigma2(theta_u))``: R ``coxph(ties = "breslow")`` with the
        same strata (and ``robin_surv`` without covariates).
    z_unadjusted : float
        ``sqrt(n) U(0) / sqrt(sigma2(0))``; its square is R ``survdiff``'s chi-square.
    n, n_strata : int
    parameters : int
        ``k``: the parameters of the two within-arm fits (0 without covariates).
    ruptures : int
    """

    log_hr: float
    se: float
    z: float
    z_p_value: float
    log_hr_unadjusted: float
    se_unadjusted: float
    z_unadjusted: float
    n: int
    n_strata: int
    parameters: int
    ruptures: int

    @property
    def adjustable(self) -> bool:
        """Whether there are covariates and at least as many ruptures as the ``k`` parameters of the
        within-arm fits (with ``k < n``): below, the small-sample siblings are the unadjusted analyses."""
        return 0 < self.parameters <= self.ruptures and self.parameters < self.n


def fit_hazard_ratio(time, event, treated, x: np.ndarray | None = None, *, strata=None) -> HazardRatioFit:
    """Ye-Shao-Yi covariate-adjusted log-rank test and log hazard ratio (module docstring).

    Parameters
    ----------
    time, event, treated : array-like
        Follow-up time, 0/1 event, 0/1 arm (1 = treatment), complete cases.
    x : ndarray (n, p), optional
        Covariate design (numeric columns and dummies, no intercept); None or p = 0 gives the
        unadjusted (stratified) log-rank test and Breslow Cox estimate.
    strata : array-like, optional
        Analysis strata labels (the randomisation blocks).

    Returns
    -------
    HazardRatioFit
        Equal to ``RobinCar2::robin_surv(Surv(time, event) ~ x [+ strata(s)], treatment = arm ~ ...,
        contrast = "hazardratio")``'s ``estimate``, ``se``, ``test_stat``, ``p_value``.
    """
    data = _prepare(time, event, treated, strata)
    n = data.arm.size
    x = np.zeros((n, 0)) if x is None else np.asarray(x, dtype=float).reshape(n, -1)
    if not np.all(np.isfinite(x)):
        raise ValueError("covariates have missing or infinite values")
    return _fit(data, ArmProjection(x, data.arm, data.stratum, data.n_strata).grouped(
        data.group, data.group_cell, data.group_counts))


def _fit(data: _Data, grouped: Grouped) -> HazardRatioFit:
    n = data.arm.size
    risk = data.risk
    u0, v0 = risk.score(0.0, ties=True)
    z_unadjusted = u0 / np.sqrt(v0) if v0 > 0 else 0.0   # no rupture: no information, as the log-rank's
    # an arm without rupture: the score never reaches 0 (monotone likelihood), no log HR; the tests
    # at theta = 0 stand
    estimable = 0 < risk.d1.sum() < risk.d.sum()
    theta_u = np.nan
    if estimable:
        try:
            theta_u = risk.solve(0.0)
        except AnalysisError:
            # both arms have ruptures, but every rupture of one arm happens when nobody of the other
            # arm is at risk in its stratum: the stratified likelihood is monotone; the tests stand
            warnings.warn("monotone likelihood: every rupture of one arm happens when nobody of the other arm "
                          "is at risk in its stratum, so the stratified hazard ratio (adjusted or not) is not "
                          "estimable; its log-rank tests, augmented differences and small-sample version are",
                          RuntimeWarning, stacklevel=2)
            estimable = False
    se_unadjusted = 1.0 / np.sqrt(risk.score(theta_u, ties=False)[1]) if estimable else np.nan
    if grouped.projection.x.shape[1] == 0:
        log_hr, se, z = theta_u, se_unadjusted, z_unadjusted
    else:
        sigma_x = grouped.projection.stratum_covariance()
        shift0, reduction0 = _adjustment(derived_outcomes(data, 0.0), grouped, sigma_x)
        # in very small samples the estimated reductions can exceed the variances: the adjusted
        # variance is then not estimable and the statistics are NaN (null in results.json)
        z = (u0 - shift0) / np.sqrt(v0 - reduction0) if v0 > reduction0 else (0.0 if v0 == 0 else np.nan)
        log_hr = se = np.nan
        if estimable:
            shift, reduction = _adjustment(derived_outcomes(data, theta_u), grouped, sigma_x)
            try:
                log_hr = risk.solve(shift)
            except AnalysisError:
                # the covariate shift lies beyond the range of the score (few ruptures, many covariates)
                warnings.warn("the covariate-adjusted log hazard ratio did not converge: its estimating equation "
                              "has no finite root (the covariate shift exceeds the score's range); its log-rank "
                              "tests and augmented differences stand", RuntimeWarning, stacklevel=2)
            else:
                info = risk.score(log_hr, ties=False)[1]
                se = float(np.sqrt((info - reduction) / info ** 2)) if info > reduction else np.nan
    projection = grouped.projection
    k = projection.parameters(0) + projection.parameters(1) + 2 if projection.x.shape[1] else 0
    return HazardRatioFit(log_hr=float(log_hr), se=float(se), z=float(z),
                          z_p_value=float(2.0 * stats.norm.sf(abs(z))), log_hr_unadjusted=float(theta_u),
                          se_unadjusted=float(se_unadjusted), z_unadjusted=float(z_unadjusted), n=n,
                          n_strata=data.n_strata, parameters=k, ruptures=int(round(float(risk.d.sum()))))


@dataclass(frozen=True, eq=False)
class CovariateAdjusted(Result):
    """Covariate-adjusted robust analysis: log-rank test, marginal log HR, augmented RMST and risk.

    Attributes
    ----------
    covariates : tuple of str
    strata : str or None
        The strata column (the analysis is stratified by it, and its levels enter the
        augmentation's covariates).
    randomization : {"permuted_blocks", "simple"}
    hazard : HazardRatioFit
    small_sample : SmallSampleHazard
        Its small-sample sibling (module docstring).
    rmst, risk_difference : AugmentedContrast
    rmst_small_sample, risk_small_sample : SmallSampleContrast or None
        Their small-sample siblings (:mod:`.augmented_small`); None when the RMST's needs
        re-randomisations and none were asked for.
    n, n_dropped : int
        Complete cases used, rows dropped for a missing covariate.
    alpha : float
    """

    covariates: tuple[str, ...]
    strata: str | None
    randomization: str
    hazard: HazardRatioFit
    small_sample: SmallSampleHazard
    rmst: AugmentedContrast
    risk_difference: AugmentedContrast
    n: int
    n_dropped: int
    alpha: float = 0.05
    rmst_small_sample: SmallSampleContrast | None = None
    risk_small_sample: SmallSampleContrast | None = None
    title: ClassVar[str] = "Covariate-adjusted robust inference (Ye, Shao & Yi 2024)"

    @property
    def log_hr_wald(self) -> tuple[float, float, float, float]:
        """Wald statistic, p-value and CI (log scale) of the adjusted log hazard ratio."""
        return wald(self.hazard.log_hr, self.hazard.se, self.alpha)

    @property
    def equivalent_participants(self) -> float:
        """``n ((SE_unadjusted / SE_adjusted)^2 - 1)``: the extra participants an unadjusted analysis
        would need for the adjusted log HR's precision (SEs of the same stratified estimator)."""
        return self.n * ((self.hazard.se_unadjusted / self.hazard.se) ** 2 - 1.0)

    def tidy(self) -> pd.DataFrame:
        stat, p, low, high = self.log_hr_wald
        small = self.small_sample
        rows = [{"term": "log_hr (adjusted)", "estimate": self.hazard.log_hr, "std_error": self.hazard.se,
                 "statistic": stat, "p_value": p, "ci_low": low, "ci_high": high},
                {"term": "logrank z (adjusted)", "statistic": self.hazard.z, "p_value": self.hazard.z_p_value},
                {"term": f"log_hr (small sample: {small.method})", "estimate": small.log_hr, "std_error": small.se,
                 "p_value": small.p_value, "ci_low": small.ci_low, "ci_high": small.ci_high},
                {"term": f"logrank z (small sample: {small.method})", "statistic": small.z,
                 "p_value": small.z_p_value}]
        frame = tidy_frame(rows)
        extra = [part.tidy().iloc[[2]].assign(term=f"{part.measure} difference (augmented, day {part.day})")
                 for part in (self.rmst, self.risk_difference)]
        small_rows = [sibling.tidy_row(f"{part.measure} difference (augmented, day {part.day})")
                      for part, sibling in ((self.rmst, self.rmst_small_sample),
                                            (self.risk_difference, self.risk_small_sample)) if sibling is not None]
        return pd.concat([frame, *extra, *([tidy_frame(small_rows)] if small_rows else [])], ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """docs/CONTRACT.md section 8's ``survival.covariate_adjusted`` (plus ``hr``, ``unadjusted``,
        ``precision_gain``, ``randomization``, ``n``, ``n_dropped``)."""
        h, small = self.hazard, self.small_sample
        adjusted = WaldEstimate(h.log_hr, h.se, self.alpha)
        unadjusted = WaldEstimate(h.log_hr_unadjusted, h.se_unadjusted, self.alpha)
        return {
            "method": "ye-shao-yi", "covariates": list(self.covariates), "strata": self.strata,
            "randomization": self.randomization, "n": self.n, "n_dropped": self.n_dropped,
            "logrank": {"statistic": json_number(h.z), "p_value": json_number(h.z_p_value),
                        "small_sample": {"method": small.method, "statistic": json_number(small.z),
                                         "p_value": json_number(small.z_p_value), "df": small.df}},
            "log_hr": {**adjusted.to_dict(), "small_sample": small.to_dict()},
            "hr": {"estimate": json_number(adjusted.ratio), "ci_low": json_number(adjusted.ratio_ci_low),
                   "ci_high": json_number(adjusted.ratio_ci_high),
                   "small_sample": {"method": small.method, "estimate": json_number(np.exp(small.log_hr)),
                                    "ci_low": json_number(np.exp(small.ci_low)),
                                    "ci_high": json_number(np.exp(small.ci_high)),
                                    **unbounded(0.0, small.ci_high),
                                    "p_value": json_number(small.p_value)}},
            "unadjusted": {"log_hr": json_number(unadjusted.estimate), "se": json_number(unadjusted.se),
                           "hr": json_number(unadjusted.ratio), "ci_low": json_number(unadjusted.ratio_ci_low),
                           "ci_high": json_number(unadjusted.ratio_ci_high),
                           "logrank_statistic": json_number(h.z_unadjusted)},
            "precision_gain": {"variance_ratio": json_number((h.se_unadjusted / h.se) ** 2),
                               "equivalent_participants": (json_number(round(self.equivalent_participants))
                                                           if np.isfinite(self.equivalent_participants) else None)},
            "rmst": {**self.rmst.to_dict(), **self._sibling(self.rmst_small_sample)},
            "risk_difference": {**self.risk_difference.to_dict(), **self._sibling(self.risk_small_sample)},
        }

    @staticmethod
    def _sibling(small: SmallSampleContrast | None) -> dict[str, Any]:
        return {} if small is None else {"small_sample": small.to_dict()}

    def conventions(self) -> str:
        strata = f", stratified by '{self.strata}'" if self.strata else ""
        return (f"Ye-Shao-Yi covariate-adjusted log-rank test and marginal log HR (R RobinCar2::robin_surv, "
                f"Breslow risk sets{strata}; {self.randomization.replace('_', ' ')} randomisation); "
                f"robust SE, Wald CI on the log scale; small-sample sibling: {self._small_conventions()}.\n"
                f"{self.rmst.conventions()}\n"
                f"{self.risk_difference.conventions()}")


    def _small_conventions(self) -> str:
        small = self.small_sample
        if small.method == "unadjusted-firth":
            return (f"the unadjusted stratified analysis ({small.ruptures} ruptures, fewer than the "
                    f"{small.parameters} parameters of the adjustment): Firth's estimate and profile interval, "
                    f"log-rank test")
        return (f"variances times n / (n - k), k = {small.parameters} parameters of the within-arm fits, "
                f"Student t with {small.df:g} df")


def covariate_adjusted(time, event, treated, covariates: pd.DataFrame, *, strata=None, strata_name: str | None = None,
                       randomization: str = "simple", horizon_days: int, alpha: float = 0.05,
                       permutations: int = 0, seed: int = 20101001) -> CovariateAdjusted:
    """The plan's covariate-adjusted robust analysis (complete cases on the covariates).

    Parameters
    ----------
    time, event, treated : array-like
        One value per row of ``covariates``.
    covariates : pandas.DataFrame
        The plan's covariates, numeric or categorical (dummies, first sorted level the
        reference, :func:`.design.design_matrix`, built by :func:`.covariate_design.covariate_design`);
        rows with a missing value are dropped.
    strata : array-like, optional
        Stratum labels (no missing label), ``strata_name`` their column.
    randomization : {"permuted_blocks", "simple"}
    horizon_days : int
        Day of the augmented RMST (tau) and risk difference.
    alpha : float
    permutations, seed : int
        Re-randomisations of the RMST difference's small-sample sibling when there are fewer
        ruptures than parameters (:mod:`.augmented_small`); 0: that sibling is not computed.
    """
    if randomization not in SCHEMES:
        raise ValueError(f"randomization must be one of {SCHEMES}, not {randomization!r}")
    design = covariate_design(covariates, list(covariates.columns))
    absent = [c for c in covariates.columns
              if c not in design.names and not any(name.startswith(f"{c}[") for name in design.names)]
    if absent:
        raise AnalysisError(f"covariates with a single value among the complete cases cannot be adjusted for: {absent}")
    time = as_float_array(time, "time")
    event = as_event_array(event, covariates.shape[0])
    arm = as_arm_array(treated, covariates.shape[0]).astype(np.int64)
    labels = None if strata is None else np.asarray(strata).ravel()
    if design.rows is not None:
        time, event, arm = time[design.rows], event[design.rows], arm[design.rows]
        labels = None if labels is None else labels[design.rows]
    ruptures = np.bincount(arm, weights=event, minlength=2)
    if not ruptures.sum():
        warnings.warn("no rupture among the complete cases: the covariate-adjusted hazard ratio is not estimable "
                      "and its tests have no information (p = 1); the small-sample versions bound the effect",
                      RuntimeWarning, stacklevel=2)
    for name, flag in (("treatment", 1), ("control", 0)):
        if ruptures.sum() and not ruptures[flag]:
            warnings.warn(f"monotone likelihood: no rupture in the {name} arm among the complete cases: the "
                          f"covariate-adjusted hazard ratio is not estimable (its log-rank test, augmented "
                          f"differences and small-sample version are)", RuntimeWarning, stacklevel=2)
    data = _prepare(time, event, arm, labels)
    projection = ArmProjection(design.x, data.arm, data.stratum, data.n_strata)
    grouped = projection.grouped(data.group, data.group_cell, data.group_counts)
    hazard = _fit(data, grouped)
    small = small_sample_hazard(hazard, time, event, arm, strata=labels, alpha=alpha)
    # the augmentation has the same stratum intercepts (the strata's dummies among the
    # covariates), as ANHECOVA needs under permuted blocks within strata
    parts = augmented_contrasts(data.cells, grouped, horizon_days, alpha=alpha)
    few = not hazard.adjustable
    unadjusted = {"rmst": rmst_permutation(time, event, arm, horizon_days, strata=labels, permutations=permutations,
                                           seed=seed, alpha=alpha) if few and permutations >= 1 else None,
                  "risk": risk_difference_small_sample(time, event, arm, horizon_days, alpha=alpha) if few else None}
    siblings = {measure: small_sample_contrast(parts[measure], n=hazard.n, parameters=hazard.parameters,
                                               adjustable=hazard.adjustable, unadjusted=unadjusted[measure])
                for measure in parts}
    return CovariateAdjusted(covariates=tuple(covariates.columns), strata=strata_name, randomization=randomization,
                             hazard=hazard, small_sample=small, rmst=parts["rmst"], risk_difference=parts["risk"],
                             n=int(design.x.shape[0]),
                             n_dropped=design.n_dropped, alpha=alpha, rmst_small_sample=siblings["rmst"],
                             risk_small_sample=siblings["risk"])
