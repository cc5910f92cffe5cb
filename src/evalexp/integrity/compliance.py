"""Compliance: intention-to-treat and complier average causal effects (CACE).

Assignment (``treated``) is the instrument for take-up (``support_received``, 0/1).
Participants whose take-up is missing are left out of every estimate here.

* **First stage**: take-up share by arm and its difference, Neyman (HC2) SE.
* With ``plan.survival.cluster``, every SE of the binary-outcome and first-stage
  estimates is the CR2 one clustered on it (R ``lm_robust`` / ``iv_robust(clusters =,
  se_type = "CR2")``); the rupture-risk estimates stay unclustered (as the contract's
  ``risk_difference``).
* **Binary outcomes** (``plan.outcomes.binary``), among participants with the outcome
  observed: ITT = difference in proportions (Neyman SE); CACE = the Wald / two-stage
  least-squares estimate ``ITT / first stage``, with the HC2 sandwich of 2SLS
  ``(X̂'X̂)⁻¹ X̂' diag(e_i² / (1 − h_ii)) X̂ (X̂'X̂)⁻¹``, ``X̂`` the first-stage fit of
  ``[1, D]``, ``e = y − Xβ`` the structural residuals, ``h_ii`` the leverages of
  ``[1, Z]`` (R ``estimatr::iv_robust(y ~ support_received | treated, se_type = "HC2")``);
  with ``plan.survival.cluster``, the CR2 sandwich clustered on it (``se_type = "CR2"``).
* **Rupture risk at the horizon** (``plan.survival.horizon_days``): ITT = Kaplan-Meier
  risk difference ``(1 − S₁(h)) − (1 − S₀(h))`` with Greenwood variances (as the
  contract's ``risk_difference``); CACE = ITT / first stage, delta-method variance::

      Var(CACE) = [Var(ITT) − 2 CACE Cov(ITT, FS) + CACE² Var(FS)] / FS²

  with arms independent, ``Var(p̂_a) = p̂_a (1 − p̂_a) / n_a`` (binomial take-up) and the
  within-arm covariance of the KM risk and the take-up share from the empirical
  influence of the KM risk (its derivative with respect to participant i's weight)
  ``ψ_i = S(h) [δ_i 1(T_i ≤ h) / (Y(T_i) − d(T_i)) − Σ_{t_j ≤ min(T_i, h)} d_j / (Y_j (Y_j − d_j))]``:
  ``Cov_a = Σ_{i∈a} ψ_i (D_i − p̂_a) / n_a``. Without censoring before ``h`` this is
  exactly the HC0 sandwich of 2SLS on the outcome ``1(T ≤ h)`` (R ``iv_robust(...,
  se_type = "HC0")``).

CIs are normal-approximation Wald intervals at level ``1 − alpha``.
Reference: Angrist, Imbens & Rubin (1996), JASA 91(434).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..errors import AnalysisError
from ..plan import Plan
from ..results import Result, json_number, tidy_frame
from .outcomes import WaldEstimate, binary_column, cluster_labels, cr2_difference, neyman_difference, robust_covariance


def iv_robust(y: np.ndarray, received: np.ndarray, assigned: np.ndarray,
              clusters: np.ndarray | None = None) -> tuple[float, float]:
    """Just-identified 2SLS of ``y`` on ``[1, received]`` instrumented by ``[1, assigned]``.

    Returns the coefficient of ``received`` and its HC2 standard error, or CR2 with
    ``clusters`` (the sandwich of :func:`~evalexp.integrity.outcomes.robust_covariance`
    on the first-stage fitted design ``X̂`` and the structural residuals ``y − Xβ``; R
    ``estimatr::iv_robust(se_type = "HC2" / "CR2")``).
    """
    Z = np.column_stack([np.ones(len(y)), assigned]).astype(float)
    X = np.column_stack([np.ones(len(y)), received]).astype(float)
    X_hat = Z @ np.linalg.solve(Z.T @ Z, Z.T @ X)
    beta = np.linalg.solve(Z.T @ X, Z.T @ y)
    cov = robust_covariance(X_hat, y - X @ beta, clusters)
    return float(beta[1]), float(np.sqrt(cov[1, 1]))


def km_risk_influence(time: np.ndarray, event: np.ndarray, day: int) -> tuple[float, float, np.ndarray]:
    """Kaplan-Meier risk ``1 − S(day)``, its Greenwood variance and per-participant influence.

    Returns
    -------
    risk : float
        ``1 − Π_{t_j ≤ day} (1 − d_j / Y_j)`` (R ``1 - summary(survfit(...), times = day)$surv``).
    variance : float
        Greenwood: ``S(day)² Σ_{t_j ≤ day} d_j / (Y_j (Y_j − d_j))``.
    influence : ndarray
        ``ψ_i``, the derivative of the risk with respect to participant ``i``'s weight
        (the exact empirical influence of the product-limit estimator), so that
        ``Σ_i ψ_i (x_i − x̄) / n`` estimates the covariance of the risk with the mean of
        ``x``; without censoring ``ψ_i = (1(T_i ≤ day) − risk) / n`` exactly.
    """
    time = np.asarray(time)
    event = np.asarray(event).astype(bool)
    times, inverse = np.unique(time, return_inverse=True)
    deaths = np.bincount(inverse, weights=event, minlength=len(times))
    leaving = np.bincount(inverse, minlength=len(times))
    at_risk = len(time) - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    window = (times <= day) & (deaths > 0)
    d, y = deaths[window], at_risk[window]
    survival = float(np.prod(1 - d / y))
    with np.errstate(divide="ignore"):
        greenwood = survival ** 2 * float(np.sum(d / (y * (y - d)))) if np.all(y > d) else np.nan
    surviving = at_risk - deaths
    ok = window & (surviving > 0)
    safe = np.where(ok, surviving, 1)
    compensator = np.cumsum(np.where(ok, deaths / (at_risk * safe), 0.0))[inverse]
    jump = np.where(event & ok[inverse], 1.0 / safe[inverse], 0.0)
    return 1 - survival, greenwood, survival * (jump - compensator)


@dataclass(frozen=True)
class ComplierEffect:
    """ITT, first stage and CACE for one outcome.

    Attributes
    ----------
    outcome : str
        The binary outcome's name, or ``"rupture_risk"``.
    itt, first_stage, cace : WaldEstimate
    n_treatment, n_control : int
        Participants used (outcome and take-up observed).
    """

    outcome: str
    itt: WaldEstimate
    first_stage: WaldEstimate
    cace: WaldEstimate
    n_treatment: int
    n_control: int

    def to_dict(self) -> dict[str, Any]:
        return {"itt": self.itt.to_dict(), "first_stage": self.first_stage.to_dict(),
                "cace": self.cace.to_dict(), "n": {"treatment": self.n_treatment, "control": self.n_control}}


@dataclass(frozen=True, eq=False)
class ComplianceResult(Result):
    """Take-up of the support and complier average causal effects.

    Attributes
    ----------
    take_up : dict
        Share who received the support, ``{"treatment": .., "control": ..}``.
    first_stage : WaldEstimate
        Difference in take-up shares (Neyman SE).
    n : dict
        Participants with take-up observed, by arm.
    binary : tuple of ComplierEffect
        One per binary outcome of the plan (2SLS, HC2 or CR2).
    rupture : ComplierEffect
        Rupture risk at ``day`` (KM, delta method).
    day : int
    alpha : float
    cluster : str or None
        Column of the CR2 clusters.
    """

    take_up: dict[str, float]
    first_stage: WaldEstimate
    n: dict[str, int]
    binary: tuple[ComplierEffect, ...]
    rupture: ComplierEffect
    day: int
    alpha: float
    cluster: str | None = None

    title: ClassVar[str] = "Compliance: intention-to-treat and complier effects"

    @property
    def se_type(self) -> str:
        """``"CR2"`` (clustered) or ``"HC2"``: the SE of the binary-outcome and first-stage estimates."""
        return "CR2" if self.cluster else "HC2"

    def conventions(self) -> str:
        return ("Instrument: random assignment; treatment received: support_received. CACE = ITT / "
                f"first stage. Binary outcomes: 2SLS with {self.se_type} SE (estimatr::iv_robust). Rupture risk at "
                f"day {self.day}: Kaplan-Meier ITT with Greenwood variance, delta-method SE for the CACE. "
                f"Normal CI at {1 - self.alpha:.0%}.")

    def tidy(self) -> pd.DataFrame:
        rows = [self.first_stage.tidy_row("first stage: take-up difference")]
        for effect in (*self.binary, self.rupture):
            name = effect.outcome if effect is not self.rupture else f"rupture risk at day {self.day}"
            rows.append(effect.itt.tidy_row(f"{name}: ITT"))
            rows.append(effect.cace.tidy_row(f"{name}: CACE"))
        return tidy_frame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": "arm", "treatment_received": "support_received",
            "first_stage": {"treatment": json_number(self.take_up["treatment"]),
                            "control": json_number(self.take_up["control"]),
                            **self.first_stage.to_dict(), "n": dict(self.n), "se_type": self.se_type},
            "binary_outcomes": {e.outcome: {**e.to_dict(), "se_type": self.se_type} for e in self.binary},
            "rupture_risk": {"day": self.day, **self.rupture.to_dict(),
                             "variance": "Greenwood (ITT); delta method with binomial take-up (CACE)"},
        }


def _ratio(itt: WaldEstimate, first: WaldEstimate, covariance: float, alpha: float) -> WaldEstimate:
    if first.estimate == 0:
        return WaldEstimate(np.nan, np.nan, alpha)
    cace = itt.estimate / first.estimate
    variance = (itt.se ** 2 - 2 * cace * covariance + cace ** 2 * first.se ** 2) / first.estimate ** 2
    return WaldEstimate(cace, float(np.sqrt(variance)), alpha)


def _rupture_effect(data: pd.DataFrame, day: int, alpha: float) -> ComplierEffect:
    risks, variances, covariances, shares, share_vars, counts = {}, {}, {}, {}, {}, {}
    for arm, flag in (("treatment", 1), ("control", 0)):
        part = data[data["treated"] == flag]
        received = part["support_received"].to_numpy(dtype=float)
        risk, variance, influence = km_risk_influence(part["time_days"].to_numpy(), part["event"].to_numpy(), day)
        n = len(part)
        share = received.mean()
        risks[arm], variances[arm], counts[arm] = risk, variance, n
        shares[arm], share_vars[arm] = share, share * (1 - share) / n
        covariances[arm] = float(np.sum(influence * (received - share)) / n)
    itt = WaldEstimate(risks["treatment"] - risks["control"],
                       float(np.sqrt(variances["treatment"] + variances["control"])), alpha)
    first = WaldEstimate(shares["treatment"] - shares["control"],
                         float(np.sqrt(share_vars["treatment"] + share_vars["control"])), alpha)
    cace = _ratio(itt, first, covariances["treatment"] + covariances["control"], alpha)
    return ComplierEffect("rupture_risk", itt, first, cace, counts["treatment"], counts["control"])


def _difference(y: np.ndarray, assigned: np.ndarray, alpha: float, clusters: np.ndarray | None) -> WaldEstimate:
    """Treatment − control difference in means: Neyman SE, or CR2 with clusters."""
    if clusters is None:
        return neyman_difference(y, assigned, alpha)
    return cr2_difference(y, assigned, clusters, alpha)


def _binary_effect(data: pd.DataFrame, name: str, alpha: float, clusters: np.ndarray | None) -> ComplierEffect:
    y = binary_column(data, name).to_numpy()
    seen = ~np.isnan(y)
    y = y[seen]
    assigned = data["treated"].to_numpy()[seen]
    received = data["support_received"].to_numpy(dtype=float)[seen]
    clusters = None if clusters is None else clusters[seen]
    itt = _difference(y, assigned, alpha, clusters)
    first = _difference(received, assigned, alpha, clusters)
    if first.estimate == 0 or not np.isfinite(first.estimate):
        cace = WaldEstimate(np.nan, np.nan, alpha)
    else:
        cace = WaldEstimate(*iv_robust(y, received, assigned, clusters), alpha)
    return ComplierEffect(name, itt, first, cace, int((assigned == 1).sum()), int((assigned == 0).sum()))


def complier_effects(cohort: Cohort, plan: Plan) -> ComplianceResult | None:
    """ITT and CACE of the support, for the plan's binary outcomes and the rupture risk.

    Parameters
    ----------
    cohort : Cohort
        Needs ``treated``, ``time_days``, ``event`` and ``support_received`` (0/1;
        missing values leave the participant out).
    plan : Plan
        ``plan.outcomes.binary``, ``plan.survival.horizon_days``, ``plan.inference.alpha``.

    Returns
    -------
    ComplianceResult or None
        None when the cohort has no ``support_received`` column.

    Raises
    ------
    AnalysisError
        ``support_received`` has values other than 0/1, or an arm has no participant
        with take-up recorded.
    """
    if "support_received" not in cohort.data:
        return None
    alpha = plan.inference.alpha
    received = pd.to_numeric(cohort.data["support_received"], errors="coerce")
    if (cohort.data["support_received"].notna() & ~received.isin([0, 1])).any():
        raise AnalysisError("support_received must be 0, 1 or empty")
    data = cohort.data.assign(support_received=received)[received.notna()]
    counts = {arm: int((data["treated"] == flag).sum()) for arm, flag in (("treatment", 1), ("control", 0))}
    if min(counts.values()) == 0:
        raise AnalysisError("support_received is recorded for no participant of one arm")
    take_up = {arm: float(data.loc[data["treated"] == flag, "support_received"].mean())
               for arm, flag in (("treatment", 1), ("control", 0))}
    clusters = cluster_labels(data, plan.survival.cluster) if plan.survival.cluster else None
    first = _difference(data["support_received"].to_numpy(dtype=float), data["treated"].to_numpy(), alpha, clusters)
    return ComplianceResult(
        take_up=take_up, first_stage=first, n=counts,
        binary=tuple(_binary_effect(data, name, alpha, clusters) for name in plan.outcomes.binary),
        rupture=_rupture_effect(data, plan.survival.horizon_days, alpha),
        day=plan.survival.horizon_days, alpha=alpha, cluster=plan.survival.cluster)
