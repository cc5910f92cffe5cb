"""Binary follow-up outcomes (employment at 6 months, qualification, ...): effects of the support.

For each 0/1 outcome named in ``plan.outcomes.binary`` (missing = not observed):

* **Difference in proportions** among observed participants, treatment − control,
  with the Neyman standard error ``sqrt(s1²/n1 + s0²/n0)`` (sample variances, which
  equals the HC2 standard error of the OLS of the outcome on ``treated``), a
  normal-approximation CI and p (docs/CONTRACT.md §4). R: ``estimatr::difference_in_means``
  gives the same SE (its CI and p are t-based; ours are normal).
* **Lin (2013) covariate-adjusted estimate**: OLS of the outcome on ``treated``, the
  plan's adjustment covariates centred on the fitted sample, and their interactions
  with ``treated``; HC2 standard error, or Bell-McCaffrey CR2 clustered on
  ``plan.survival.cluster`` when the plan names one (R ``estimatr::lm_lin``).
  Categorical covariates enter as dummies (first level dropped,
  :func:`evalexp.survival.design.design_matrix`); rows with a missing covariate are
  dropped from that fit.
* **Odds ratio**: Woolf's log odds ratio ``log(ad/bc)`` with SE ``sqrt(1/a+1/b+1/c+1/d)``
  and Wald CI (identical to the unadjusted logistic regression, R ``glm(y ~ treated,
  binomial)``); when a cell is zero, 0.5 is added to every cell (Haldane-Anscombe).
* **Multiplicity** across the plan's binary outcomes, on the Neyman p-values: Holm and
  Benjamini-Hochberg (``statsmodels`` ``multipletests(method="holm")`` and ``"fdr_bh"``,
  not its Holm-Šidák default; R ``p.adjust(method = "holm" / "BH")``). The plan's
  ``outcomes.multiplicity`` is reported as ``p_adjusted``, the primary adjusted p.
* With a cluster column, the difference also gets a CR2 cluster-robust SE
  (R ``lm_robust(y ~ treated, clusters =, se_type = "CR2")``) under ``cluster_robust``;
  the contract's ``se`` stays the Neyman one.

Reference: Lin, W. (2013), Agnostic notes on regression adjustments to experimental data,
Ann. Appl. Stat. 7(1); Bell, R. M. & McCaffrey, D. F. (2002), Survey Methodology 28(2);
Pustejovsky, J. E. & Tipton, E. (2018), JBES 36(4).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from ..cohort import Cohort
from ..errors import AnalysisError
from ..grouping import group_labels
from ..plan import Plan
from ..results import Result, json_number, tidy_frame
from ..survival.design import design_matrix
from ..wald import WaldEstimate
from .small_sample import TEstimate, bell_mccaffrey_df

# --------------------------------------------------------------------------- robust OLS

def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    """Symmetric square root of a positive semi-definite matrix."""
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def robust_covariance(X: np.ndarray, resid: np.ndarray, clusters: np.ndarray | None = None) -> np.ndarray:
    """HC2, or with clusters CR2, sandwich covariance for the design ``X`` and residuals ``resid``.

    HC2: ``B X' diag(e_i² / (1 − h_ii)) X B`` with ``B = (X'X)^{-1}`` and ``h_ii`` the
    leverages. CR2 (Bell-McCaffrey): ``B Σ_g X_g' A_g e_g e_g' A_g X_g B`` with
    ``A_g = (I − X_g B X_g')^{-1/2}`` (symmetric square root; a pseudo-inverse when
    singular), no further small-sample factor — as R ``estimatr::lm_robust(se_type =
    "HC2" / "CR2")``. For two-stage least squares pass the first-stage fitted design and
    the structural residuals (as ``estimatr::iv_robust``). A rank-deficient ``X`` is
    handled with the pseudo-inverse.

    Parameters
    ----------
    X : (n, p) array
        Design matrix, intercept included.
    resid : (n,) array
    clusters : (n,) array, optional
        Cluster labels; None for HC2.
    """
    X = np.asarray(X, dtype=float)
    bread = np.linalg.pinv(X.T @ X)
    if clusters is None:
        leverage = np.einsum("ij,jk,ik->i", X, bread, X)
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = np.where(leverage < 1 - 1e-10, resid ** 2 / (1 - leverage), 0.0)
        meat = (X * weight[:, None]).T @ X
    else:
        # H_gg = X_g B X_g' has rank <= p: with R = B^{1/2}, R X_g'X_g R = V diag(λ) V' and
        # U = X_g R V λ^{-1/2}, H_gg = U diag(λ) U', so (I − H_gg)^{-1/2} = I + U diag(f) U' with
        # f = (1 − λ)^{-1/2} − 1 (−1 where λ = 1: pseudo-inverse). Only p × p matrices per
        # cluster: X_g' A_g e_g = X_g'e_g + X_g'X_g R V λ^{-1/2} f λ^{-1/2} V' R X_g'e_g.
        root = _sqrt_psd(bread)
        codes = pd.factorize(pd.Series(clusters), use_na_sentinel=False)[0]
        order = np.argsort(codes, kind="stable")
        edges = np.r_[0, np.flatnonzero(np.diff(codes[order])) + 1, len(order)]
        Xs, es = X[order], resid[order]
        cross = np.stack([Xs[a:b].T @ Xs[a:b] for a, b in pairwise(edges)])
        xe = np.add.reduceat(Xs * es[:, None], edges[:-1], axis=0)
        lam, V = np.linalg.eigh(root @ cross @ root)
        remaining = 1.0 - lam
        factor = np.where(remaining > 1e-12, 1.0 / np.sqrt(np.where(remaining > 1e-12, remaining, 1.0)), 0.0) - 1.0
        scale = np.where(lam > 1e-12, factor / np.where(lam > 1e-12, lam, 1.0), 0.0)
        projected = np.einsum("gji,jk,gk->gi", V, root, xe, optimize=True) * scale
        scores = xe + np.einsum("gij,jk,gkl,gl->gi", cross, root, V, projected, optimize=True)
        meat = scores.T @ scores
    return bread @ meat @ bread


def robust_ols(X: np.ndarray, y: np.ndarray, clusters: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients and their HC2 (CR2 with clusters) covariance, see :func:`robust_covariance`.

    Returns
    -------
    beta : (p,) array
    cov : (p, p) array
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    beta = np.linalg.pinv(X.T @ X) @ (X.T @ y)
    return beta, robust_covariance(X, y - X @ beta, clusters)


def cluster_labels(data: pd.DataFrame, column: str) -> np.ndarray:
    """Cluster labels of ``column`` (:func:`evalexp.grouping.group_labels`: the participants
    without a label form one cluster, ``"(missing)"``)."""
    if column not in data:
        raise AnalysisError(f"cluster column '{column}' is not a column of the cohort")
    return group_labels(data[column])


def cr2_difference(y: np.ndarray, treated: np.ndarray, clusters: np.ndarray, alpha: float) -> WaldEstimate:
    """Treatment − control difference in means with the CR2 SE of ``lm_robust(y ~ treated,
    clusters =, se_type = "CR2")``; undefined (NaN) when an arm has no observation."""
    if not ((treated == 1).any() and (treated == 0).any()):
        return WaldEstimate(np.nan, np.nan, alpha)
    beta, cov = robust_ols(np.column_stack([np.ones(len(y)), treated]), y, clusters)
    return WaldEstimate(float(beta[1]), float(np.sqrt(cov[1, 1])), alpha)


def lin_design(treated: np.ndarray, covariates: np.ndarray) -> np.ndarray:
    """``[1, T, Xc, T·Xc]`` with ``Xc`` the covariates centred on their sample means;
    constant columns are dropped. The coefficient of ``T`` (column 1) is Lin's estimate."""
    centred = covariates - covariates.mean(axis=0)
    centred = centred[:, np.ptp(covariates, axis=0) > 0] if centred.size else centred
    treated = treated.astype(float)
    return np.column_stack([np.ones_like(treated), treated, centred, centred * treated[:, None]])


# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class BinaryOutcome:
    """Estimates for one binary outcome (see the module docstring for the conventions).

    Attributes
    ----------
    outcome : str
    treatment, control : float
        Proportions among observed participants of each arm.
    n_treatment, n_control : int
        Participants with the outcome observed.
    difference : WaldEstimate
        Treatment − control, Neyman (HC2) SE.
    cluster_robust : WaldEstimate or None
        The same difference with the CR2 SE (only with a cluster column).
    lin : WaldEstimate or None
        Lin-adjusted difference (None without adjustment covariates).
    lin_n : int
        Rows in the Lin fit (outcome and covariates observed).
    log_odds_ratio : WaldEstimate
        Woolf log odds ratio.
    p_holm, p_bh, p_adjusted : float
        Holm, Benjamini-Hochberg and the plan's adjusted p of the difference.
    """

    outcome: str
    treatment: float
    control: float
    n_treatment: int
    n_control: int
    difference: WaldEstimate
    cluster_robust: WaldEstimate | None
    lin: WaldEstimate | None
    lin_n: int
    log_odds_ratio: WaldEstimate
    p_holm: float
    p_bh: float
    p_adjusted: float
    #: Covariates this outcome's analysis (Lin) adjusts for.
    adjusted: tuple[str, ...] = ()
    #: The difference with Bell-McCaffrey t inference (:mod:`evalexp.integrity.small_sample`).
    small_sample: TEstimate | None = None
    #: The WWC judgement on this outcome's analysed sample, an
    #: :class:`evalexp.integrity.wwc.OutcomeWWC` set by :func:`evalexp.integrity.wwc.with_wwc`.
    wwc: Any = None


@dataclass(frozen=True, eq=False)
class BinaryOutcomes(Result):
    """Effects on the plan's binary outcomes; ``to_dict()`` is the contract's ``binary_outcomes``."""

    outcomes: tuple[BinaryOutcome, ...]
    multiplicity: str
    covariates: tuple[str, ...]
    cluster: str | None
    alpha: float

    title: ClassVar[str] = "Binary outcomes"

    def __getitem__(self, name: str) -> BinaryOutcome:
        for item in self.outcomes:
            if item.outcome == name:
                return item
        raise KeyError(name)

    def conventions(self) -> str:
        lin = ("Lin (2013) adjusted on " + ", ".join(self.covariates)
               + (f", CR2 clustered on {self.cluster}" if self.cluster else ", HC2")
               if self.covariates else "no Lin adjustment (no covariates)")
        return (f"Difference in proportions among observed, Neyman (HC2) SE, normal CI at "
                f"{1 - self.alpha:.0%}; {lin}; Woolf odds ratio; p adjusted across outcomes by "
                f"Holm and Benjamini-Hochberg, primary: {self.multiplicity}.")

    def tidy(self) -> pd.DataFrame:
        rows = []
        for item in self.outcomes:
            rows.append(item.difference.tidy_row(f"{item.outcome}: difference"))
            if item.cluster_robust is not None:
                rows.append(item.cluster_robust.tidy_row(f"{item.outcome}: difference (CR2)"))
            if item.lin is not None:
                rows.append(item.lin.tidy_row(f"{item.outcome}: Lin adjusted"))
            rows.append(item.log_odds_ratio.tidy_row(f"{item.outcome}: log odds ratio"))
        return tidy_frame(rows)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in self.outcomes:
            d = item.difference
            entry: dict[str, Any] = {
                "treatment": json_number(item.treatment), "control": json_number(item.control),
                "difference": json_number(d.estimate), "se": json_number(d.se),
                "ci_low": json_number(d.ci_low), "ci_high": json_number(d.ci_high),
                "p_value": json_number(d.p_value),
                "n_observed": {"treatment": item.n_treatment, "control": item.n_control},
                "p_holm": json_number(item.p_holm), "p_bh": json_number(item.p_bh),
                "p_adjusted": json_number(item.p_adjusted), "multiplicity": self.multiplicity,
            }
            if item.cluster_robust is not None:
                entry["cluster_robust"] = {**item.cluster_robust.to_dict(), "se_type": "CR2",
                                           "cluster": self.cluster}
            if item.lin is not None:
                entry["lin"] = {**item.lin.to_dict(), "se_type": "CR2" if self.cluster else "HC2",
                                "covariates": list(self.covariates), "n": item.lin_n}
            entry["adjusted"] = list(item.adjusted)
            if item.small_sample is not None:
                entry["small_sample"] = item.small_sample.to_dict()
            if item.wwc is not None:
                entry["wwc"] = item.wwc.to_dict()
            lor = item.log_odds_ratio
            entry["odds_ratio"] = {"odds_ratio": json_number(lor.ratio),
                                   "log_odds_ratio": json_number(lor.estimate), "se": json_number(lor.se),
                                   "ci_low": json_number(lor.ratio_ci_low),
                                   "ci_high": json_number(lor.ratio_ci_high),
                                   "p_value": json_number(lor.p_value), "method": "woolf"}
            out[item.outcome] = entry
        return out


# --------------------------------------------------------------------------- estimation

def binary_column(data: pd.DataFrame, name: str) -> pd.Series:
    """The 0/1 outcome ``name`` as floats, NaN where not observed; refuses other values."""
    if name not in data:
        raise AnalysisError(f"binary outcome '{name}' is not a column of the cohort")
    values = pd.to_numeric(data[name], errors="coerce").where(data[name].notna())
    bad = data[name].notna() & ~values.isin([0, 1])
    if bad.any():
        raise AnalysisError(f"binary outcome '{name}' has values other than 0, 1 or empty "
                            f"in {int(bad.sum())} rows")
    return values.astype(float)


def _woolf(y: np.ndarray, treated: np.ndarray, alpha: float) -> WaldEstimate:
    if len(np.unique(treated)) < 2:
        return WaldEstimate(np.nan, np.nan, alpha)
    cells = np.array([np.sum((treated == 1) & (y == 1)), np.sum((treated == 1) & (y == 0)),
                      np.sum((treated == 0) & (y == 1)), np.sum((treated == 0) & (y == 0))], float)
    if (cells == 0).any():
        cells += 0.5
    a, b, c, d = cells
    return WaldEstimate(float(np.log(a * d / (b * c))), float(np.sqrt((1 / cells).sum())), alpha)


def neyman_difference(y: np.ndarray, treated: np.ndarray, alpha: float) -> WaldEstimate:
    """Difference in means treatment − control with the Neyman SE ``sqrt(s1²/n1 + s0²/n0)``."""
    y1, y0 = y[treated == 1], y[treated == 0]
    if min(len(y1), len(y0)) < 2:
        return WaldEstimate(float(np.mean(y1) - np.mean(y0)) if len(y1) and len(y0) else np.nan,
                            np.nan, alpha)
    se = np.sqrt(y1.var(ddof=1) / len(y1) + y0.var(ddof=1) / len(y0))
    return WaldEstimate(float(y1.mean() - y0.mean()), float(se), alpha)


def _t_difference(y: np.ndarray, treated: np.ndarray, clusters: np.ndarray | None, alpha: float) -> TEstimate:
    """The difference with its HC2 (CR2 with clusters) SE and Bell-McCaffrey t inference
    (:mod:`evalexp.integrity.small_sample`): ``hc2-bm`` or ``cr2-bm``."""
    method = "hc2-bm" if clusters is None else "cr2-bm"
    n_clusters = len(y) if clusters is None else len(pd.unique(pd.Series(clusters)))
    if not ((treated == 1).sum() > 1 and (treated == 0).sum() > 1):
        return TEstimate(method, np.nan, np.nan, np.nan, alpha, n_clusters)
    X = np.column_stack([np.ones(len(y)), treated.astype(float)])
    beta, cov = robust_ols(X, y, clusters)
    return TEstimate(method, float(beta[1]), float(np.sqrt(cov[1, 1])),
                     bell_mccaffrey_df(X, np.array([0.0, 1.0]), clusters), alpha, n_clusters)


def _adjusted(p: np.ndarray, method: str) -> np.ndarray:
    out = np.full(len(p), np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=method)[1]
    return out


def binary_outcomes(cohort: Cohort, plan: Plan) -> BinaryOutcomes:
    """Effects of the support on each binary outcome of ``plan.outcomes.binary``.

    Parameters
    ----------
    cohort : Cohort
        Needs ``treated`` and the outcome columns (0/1, missing = not observed); the
        adjustment covariates ``plan.adjust_covariates`` and ``plan.survival.cluster``
        when the plan names them.
    plan : Plan

    Returns
    -------
    BinaryOutcomes

    Raises
    ------
    AnalysisError
        An outcome or covariate column is absent, or an outcome has values other than 0/1.
    """
    data = cohort.data.reset_index(drop=True)
    alpha = plan.inference.alpha
    covariates = tuple(plan.adjust_covariates)
    cluster = plan.survival.cluster
    for col in covariates:
        if col not in data:
            raise AnalysisError(f"covariate '{col}' is not a column of the cohort")
    treated_all = data["treated"].to_numpy()
    clusters_all = cluster_labels(data, cluster) if cluster else None

    partial: list[dict[str, Any]] = []
    for name in plan.outcomes.binary:
        y_all = binary_column(data, name).to_numpy()
        seen = ~np.isnan(y_all)
        y, treated = y_all[seen], treated_all[seen]
        difference = neyman_difference(y, treated, alpha)
        cluster_robust = None
        if clusters_all is not None:
            cluster_robust = cr2_difference(y, treated, clusters_all[seen], alpha)
        lin, lin_n = None, 0
        if covariates:
            design = design_matrix(data[seen], covariates, plan.reference)
            rows = data.index.get_indexer(design.index)
            lin_n = len(rows)
            lin = WaldEstimate(np.nan, np.nan, alpha)
            if len(np.unique(treated_all[rows])) == 2:
                X = lin_design(treated_all[rows], design.to_numpy())
                beta, cov = robust_ols(X, y_all[rows], clusters_all[rows] if clusters_all is not None else None)
                lin = WaldEstimate(float(beta[1]), float(np.sqrt(cov[1, 1])), alpha)
        y1, y0 = y[treated == 1], y[treated == 0]
        adjusted = covariates if lin is not None and np.isfinite(lin.estimate) else ()
        partial.append(dict(adjusted=adjusted, small_sample=_t_difference(y, treated, clusters_all[seen]
                                                                          if clusters_all is not None else None, alpha),
                            outcome=name, treatment=float(y1.mean()) if len(y1) else np.nan,
                            control=float(y0.mean()) if len(y0) else np.nan,
                            n_treatment=len(y1), n_control=len(y0),
                            difference=difference, cluster_robust=cluster_robust, lin=lin, lin_n=lin_n,
                            log_odds_ratio=_woolf(y, treated, alpha)))
    p = np.array([item["difference"].p_value for item in partial])
    holm, bh = _adjusted(p, "holm"), _adjusted(p, "fdr_bh")
    chosen = {"holm": holm, "bh": bh, "none": p}[plan.outcomes.multiplicity]
    items = tuple(BinaryOutcome(**item, p_holm=float(holm[i]), p_bh=float(bh[i]), p_adjusted=float(chosen[i]))
                  for i, item in enumerate(partial))
    return BinaryOutcomes(outcomes=items, multiplicity=plan.outcomes.multiplicity, covariates=covariates,
                          cluster=cluster, alpha=alpha)
