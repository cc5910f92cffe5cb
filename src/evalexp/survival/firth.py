"""Firth's penalised likelihood for the Cox model (Heinze & Schemper 2001; R ``coxphf``).

The log partial likelihood ``l(beta)`` (Breslow ties) is penalised by half the log
determinant of its information matrix, Jeffreys' prior::

    l*(beta) = l(beta) + 1/2 log det I(beta)

whose maximum is finite even when the likelihood is monotone (a group with no event),
and whose estimate has its first-order bias removed (Firth 1993, Biometrika 80:27-38).
The penalised score is ``U*_r = U_r + 1/2 tr(I^-1 dI/dbeta_r)``; with Breslow ties
``I = sum_k d_k V_k``, ``V_k`` the covariance of x over the risk set k weighted by
``exp(x'beta)``, and::

    tr(A dV_k/dbeta_r) = E_k[q x_r] - E_k[q] m_kr - 2 (V_k A m_k)_r,   q_i = x_i' A x_i,  A = I^-1

(``m_k`` the weighted mean), so one evaluation costs O(n p^2) plus a p x p matrix per
event time. ``U* = 0`` is solved by Newton steps ``I^-1 U*`` with step halving on
``l*``, as coxphf does.

Inference, coxphf's defaults (``pl = TRUE``): the SE is ``sqrt(diag(I(beta*)^-1))``;
the confidence interval is the profile penalised likelihood interval, the values b of a
coefficient where ``2 (l*(beta*) - max l*(b, .)) = chi2_{1, 1-alpha}``; the p-value is the
penalised likelihood-ratio test of ``beta_j = 0``, ``2 (l*(beta*) - max l*(0, .))`` on
chi-square(1). The profile maximises ``l*`` — the penalty of the full model — over the
other coefficients. coxphf finds the interval by the Venzon-Moolgavkar iteration; here
each bound is a Brent root of the profile, to 1e-10.

Ties: Breslow, as coxphf (the only ties method it has); the Efron §4 models are beside
it. Strata: separate risk sets (coxphf has no strata; with one stratum the two agree).
No cluster-robust variance (coxphf has none).

Without any rupture the likelihood and its penalty carry no information on beta (the partial
likelihood is 1, the information 0, at every beta): no estimate, the profile interval is the
whole line, ``[0, inf)`` on the hazard-ratio scale, and the likelihood-ratio test's p is 1 (R
``coxph`` then reports the likelihood-ratio test 0 on 0 df, p = 1): :func:`no_rupture_small_sample`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import AnalysisError
from ..results import json_number
from ._cholesky import GeneralizedCholesky
from .cox import CoxData, _risk_sums, evaluate, prepare

MAX_ITER = 200
#: Convergence: largest Newton step below this (and the penalised score below GRAD_TOL).
STEP_TOL = 1e-10
GRAD_TOL = 1e-8
#: Largest change of a coefficient in one step, in standard deviations of its covariate (coxphf: 0.5).
MAX_STEP = 0.5


def _penalised(cd: CoxData, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """``l*(beta)``, the penalised score ``U*`` and the information ``I`` (Breslow)."""
    ev = evaluate(cd, beta)
    sign, logdet = np.linalg.slogdet(ev.information)
    if sign <= 0 or not np.isfinite(logdet):
        return -np.inf, ev.score, ev.information
    A = GeneralizedCholesky(ev.information).inverse()
    X, w = cd.X, ev.w
    q = np.einsum("ij,jk,ik->i", X, A, X)
    p = X.shape[1]
    outer = (X[:, :, None] * X[:, None, :]).reshape(len(w), p * p)
    moments = np.column_stack([X, outer, q, q[:, None] * X])
    S0, S = _risk_sums(cd, w, w[:, None] * moments)
    has = cd.block_events > 0
    d, S0, S = cd.block_events[has], S0[has], S[has] / S0[has][:, None]
    m = S[:, :p]
    second = S[:, p:p + p * p].reshape(-1, p, p)
    Eq, Eqx = S[:, p + p * p], S[:, p + p * p + 1:]
    V = second - m[:, :, None] * m[:, None, :]
    trace = Eqx - Eq[:, None] * m - 2.0 * np.einsum("kij,jl,kl->ki", V, A, m)
    return ev.loglik + 0.5 * logdet, ev.score + 0.5 * (d[:, None] * trace).sum(axis=0), ev.information


def _maximise(cd: CoxData, start: np.ndarray, free: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, float, bool]:
    """Maximise ``l*`` over the ``free`` coefficients from ``start`` (the others held)."""
    beta = start.copy()
    value, score, info = _penalised(cd, beta)
    for _ in range(MAX_ITER):
        step = np.zeros_like(beta)
        step[free] = GeneralizedCholesky(info[np.ix_(free, free)]).solve(score[free])
        largest = np.max(np.abs(step) * scale) if free.any() else 0.0
        if largest > MAX_STEP:
            step *= MAX_STEP / largest
        for _ in range(30):
            new_value, new_score, new_info = _penalised(cd, beta + step)
            if new_value >= value - 1e-12 * abs(value):
                break
            step /= 2.0
        beta, value, score, info = beta + step, new_value, new_score, new_info
        if np.max(np.abs(step), initial=0.0) <= STEP_TOL * max(1.0, np.max(np.abs(beta))) and \
                np.max(np.abs(score[free]), initial=0.0) <= GRAD_TOL:
            return beta, value, True
    return beta, value, False


@dataclass(frozen=True)
class FirthCox:
    """A Cox model fitted by Firth's penalised likelihood (see the module docstring).

    Attributes
    ----------
    terms : tuple of str
    params_, se_ : pandas.Series
        Penalised estimates (log HR) and ``sqrt(diag(I^-1))``.
    loglik_ : float
        Penalised log partial likelihood at the estimate (with centred covariates).
    alpha : float
    converged : bool
    """

    terms: tuple[str, ...]
    params_: pd.Series
    se_: pd.Series
    loglik_: float
    alpha: float
    converged: bool
    data_: Any
    scale_: np.ndarray

    def profile(self, term: str, value: float) -> float:
        """``max l*`` with the coefficient of ``term`` held at ``value``."""
        j = self.terms.index(term)
        free = np.ones(len(self.terms), dtype=bool)
        free[j] = False
        start = self.params_.to_numpy().copy()
        start[j] = value
        return _maximise(self.data_, start, free, self.scale_)[1]

    def interval(self, term: str = "treated") -> tuple[float, float, float]:
        """Profile penalised likelihood CI (log scale) and penalised likelihood-ratio p of ``term``."""
        beta, se = float(self.params_[term]), float(self.se_[term])
        target = stats.chi2.isf(self.alpha, 1)

        def excess(value: float) -> float:
            return 2.0 * (self.loglik_ - self.profile(term, value)) - target

        bounds = []
        for sign in (-1.0, 1.0):
            width = max(se, 0.1)
            far = beta + sign * 2.0 * width
            while excess(far) < 0.0 and abs(far - beta) < 1e3:
                width *= 2.0
                far = beta + sign * 2.0 * width
            bounds.append(optimize.brentq(excess, *sorted((beta, far)), xtol=1e-10, rtol=1e-14)
                          if excess(far) >= 0.0 else np.nan)
        statistic = 2.0 * (self.loglik_ - self.profile(term, 0.0))
        return bounds[0], bounds[1], float(stats.chi2.sf(max(statistic, 0.0), 1))

    def small_sample(self, term: str = "treated") -> dict[str, Any]:
        """The contract's ``small_sample`` sibling object of ``term``."""
        low, high, p = self.interval(term)
        beta = float(self.params_[term])
        return {"method": "firth", "log_hr": json_number(beta), "se": json_number(self.se_[term]),
                "hr": json_number(np.exp(beta)), "ci_low": json_number(np.exp(low)),
                "ci_high": json_number(np.exp(high)), "p_value": json_number(p),
                "ci": "profile penalised likelihood", "test": "penalised likelihood ratio",
                "ties": "breslow", "robust": False, "converged": self.converged}


def no_rupture_small_sample() -> dict[str, Any]:
    """The ``small_sample`` sibling object of a cohort without rupture (module docstring)."""
    return {"method": "firth", "log_hr": None, "se": None, "hr": None, "ci_low": 0.0, "ci_high": None,
            "ci_high_unbounded": True, "p_value": 1.0, "ci": "profile penalised likelihood",
            "test": "penalised likelihood ratio", "ties": "breslow", "robust": False, "converged": True}


def firth_cox(time, event, X, *, strata=None, alpha: float = 0.05) -> FirthCox:
    """Fit a Cox model by Firth's penalised likelihood (R ``coxphf(pl = TRUE)``, Breslow ties).

    Parameters
    ----------
    time, event : array_like
        Follow-up times; 1 = event, 0 = censored.
    X : pandas.DataFrame or array_like (n, p)
        Numeric covariates, as for :func:`evalexp.survival.cox.cox_ph`.
    strata : array_like, optional
        Separate risk sets per stratum.
    alpha : float
        1 - confidence level of the profile intervals.

    Returns
    -------
    FirthCox

    Raises
    ------
    AnalysisError
        No event, or a covariate constant (its information is zero at any beta).
    """
    if isinstance(X, pd.DataFrame):
        terms = tuple(str(c) for c in X.columns)
        values = X.to_numpy(dtype=float)
    else:
        values = np.asarray(X, dtype=float)
        terms = ("x",) if values.ndim == 1 else tuple(f"x{j}" for j in range(values.shape[1]))
    cd = prepare(time, event, values, strata=strata, ties="breslow")
    if cd.event.sum() == 0:
        raise AnalysisError("Firth Cox model: no event in the data")
    p = cd.X.shape[1]
    if GeneralizedCholesky(evaluate(cd, np.zeros(p)).information).singular.any():
        raise AnalysisError("Firth Cox model: singular information matrix (a covariate is constant or collinear)")
    scale = cd.X.std(axis=0)
    beta, value, converged = _maximise(cd, np.zeros(p), np.ones(p, dtype=bool), scale)
    info = evaluate(cd, beta).information
    se = np.sqrt(np.diag(GeneralizedCholesky(info).inverse()))
    return FirthCox(terms=terms, params_=pd.Series(beta, index=terms), se_=pd.Series(se, index=terms),
                    loglik_=value, alpha=alpha, converged=converged, data_=cd, scale_=scale)
