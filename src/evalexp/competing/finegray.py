"""Fine-Gray proportional subdistribution hazards model, as R ``cmprsk::crr`` fits it.

Model: the subdistribution hazard of cause ``k`` is ``λ_k(t | x) = λ_k0(t) exp(x'β)``.

Estimation (Fine & Gray 1999, with inverse-probability-of-censoring weights): at each
distinct failure time ``t`` of cause ``k`` the weighted risk set holds every subject still
under observation (``t_j >= t``, weight 1) and every subject who failed from another cause
before ``t`` with weight ``G(t−) / G(t_j−)``, where ``G`` is the Kaplan-Meier estimate of
the censoring distribution (censorings as events, failures of any cause as censored) and
``G(s−)`` its value just before ``s``. Tied failures of cause ``k`` are handled the Breslow
way (all share the same risk-set denominator). The log pseudo-likelihood::

    l(β) = Σ_t [ Σ_{i fails from k at t} x_i'β − d_t log S0(t) ],
    S0(t) = Σ_{t_j >= t} e_j + G(t−) Σ_{t_j < t, other cause} e_j / G(t_j−),  e_j = exp(x_j'β)

is maximised by Newton-Raphson with step halving, from β = 0, to a relative step below
``tol``. ``S0``, ``S1`` and ``S2`` are cumulative sums over the time-sorted data, so a
fit costs O(n log n) (the sort) and O(n p²) memory.

Variance: crr's sandwich ``I⁻¹ (Σ_i ψ_i ψ_iᵀ) I⁻¹`` where ``I`` is the observed
information and ``ψ_i = η_i + ψc_i`` is the influence of subject ``i``: ``η_i`` its
score residual (the dN and dΛ parts) and ``ψc_i`` the correction for the estimated
censoring weights (the ``∫ q(u)/Y(u) dM^c_i(u)`` term of Fine & Gray 1999, section 3).
These are transcriptions of cmprsk's ``crrvv`` Fortran routine, rewritten with
cumulative sums (crrvv is O(n²)).

Conventions shared with crr: one censoring group (crr's default ``cengroup``), time-fixed
covariates (no ``cov2``), censorings tied with failures are at risk at that time. One
documented difference: crr looks the censoring KM up at ``time·(1 − 100 ε)``, which at
``time = 0`` is the value *after* a censoring at 0; here ``G(0−) = 1`` always.

References: Fine, J. P. & Gray, R. J. (1999), A proportional hazards model for the
subdistribution of a competing risk, JASA 94(446), 496-509; R ``cmprsk::crr``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..results import Result, json_number, tidy_frame
from ..wald import WaldEstimate
from ._inputs import competing_arrays, tie_groups


@dataclass(frozen=True, eq=False)
class FineGrayResult(Result):
    """A fitted Fine-Gray model (see the module docstring).

    Attributes
    ----------
    cause : object
        The cause modelled.
    terms : tuple of str
        Covariate names.
    params_ : pandas.Series
        log subdistribution hazard ratios β by term (R ``crr()$coef``), as :class:`CoxResult`'s.
    var_ : numpy.ndarray
        crr's sandwich covariance of β (R ``crr()$var``).
    information_ : numpy.ndarray
        Observed information at β.
    loglik_ : float
        Log pseudo-likelihood at β.
    n : int
        Subjects.
    n_events : int
        Failures from the cause.
    iterations_ : int
        Newton iterations (as :class:`CoxResult`'s).
    alpha : float
        1 − confidence level.
    """

    cause: Any
    terms: tuple[str, ...]
    params_: pd.Series
    var_: np.ndarray
    information_: np.ndarray
    loglik_: float
    n: int
    n_events: int
    iterations_: int
    alpha: float = 0.05

    title: ClassVar[str] = "Fine-Gray subdistribution hazards"

    @property
    def se_(self) -> pd.Series:
        """Robust (sandwich) standard errors by term, as crr's ``sqrt(diag(var))``."""
        return pd.Series(np.sqrt(np.diag(self.var_)), index=list(self.terms))

    def wald(self, term: str | None = None) -> WaldEstimate:
        """The log subdistribution hazard ratio of ``term`` (default the first) and its SE."""
        j = 0 if term is None else self.terms.index(term)
        return WaldEstimate(float(self.params_.iloc[j]), float(self.se_.iloc[j]), self.alpha)

    def ratio(self, term: str | None = None) -> dict[str, Any]:
        """``{log_shr, se, shr, ci_low, ci_high, p_value}`` of one term (Wald CI and p)."""
        return self.wald(term).ratio_dict("log_shr", "shr")

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([self.wald(term).tidy_row(term) for term in self.terms])

    def to_dict(self) -> dict[str, Any]:
        """``{term: ratio}`` for every term, numbers JSON-safe."""
        return {term: {k: json_number(v) for k, v in self.ratio(term).items()} for term in self.terms}

    def conventions(self) -> str:
        return ("Fine-Gray, IPCW risk sets with censoring KM at t-, Breslow ties, crr sandwich "
                f"variance, Wald {100 * (1 - self.alpha):g}% CI on the log scale (R cmprsk::crr).")


_SINGULAR = ("Fine-Gray: singular information matrix (monotone likelihood: no failure of the cause "
             "in one group, or a constant covariate)")


def _design(X: Any, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    if isinstance(X, pd.DataFrame):
        terms = tuple(str(c) for c in X.columns)
        X = X.to_numpy(dtype=float)
    elif isinstance(X, pd.Series):
        terms = (str(X.name) if X.name is not None else "x",)
        X = X.to_numpy(dtype=float)
    else:
        X = np.asarray(X, dtype=float)
        terms = ("x",) if X.ndim == 1 else tuple(f"x{j}" for j in range(X.shape[1]))
    X = X.reshape(n, -1) if X.ndim == 1 else X
    if X.shape[0] != n:
        raise AnalysisError(f"X has {X.shape[0]} rows for {n} subjects")
    if not np.all(np.isfinite(X)):
        raise AnalysisError("covariates must be finite (drop missing values first)")
    return X, terms


class _Problem:
    """The sorted data and the quantities that do not depend on β."""

    def __init__(self, time: np.ndarray, failed: np.ndarray, of_cause: np.ndarray, X: np.ndarray):
        order = np.argsort(time, kind="stable")
        self.time = time[order]
        self.ici = np.where(of_cause[order] == 1, 1, np.where(failed[order] == 1, 2, 0))
        self.X = X[order] - X.mean(axis=0)   # centring leaves β, I and ψ unchanged
        times, first, counts = tie_groups(self.time)
        n = self.time.size
        at_risk = (n - first).astype(float)
        censored = np.add.reduceat((self.ici == 0).astype(float), first)
        g_after = np.cumprod(1.0 - censored / at_risk)
        g_before = np.concatenate(([1.0], g_after[:-1]))
        group_of_row = np.repeat(np.arange(times.size), counts)
        self.g_row = g_before[group_of_row]                       # G(t_i−)
        self.cens_times, self.cens_count = times[censored > 0], censored[censored > 0]
        self.cens_risk = at_risk[censored > 0]
        # distinct failure times of the cause: first row, count, G(t−)
        event_groups = np.add.reduceat((self.ici == 1).astype(float), first)
        has = event_groups > 0
        self.event_times, self.event_first = times[has], first[has]
        self.d = event_groups[has]
        self.g_event = g_before[has]
        self.other = (self.ici == 2).astype(float) / self.g_row   # competing failures / G(t_j−)

    def sums(self, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Weights e and S0 (k,), S1 (k, p), S2 (k, p, p) at the distinct failure times."""
        X = self.X
        e = np.exp(X @ beta)
        ex = e[:, None] * X
        exx = ex[:, :, None] * X[:, None, :]

        def at_events(v: np.ndarray) -> np.ndarray:
            later = np.cumsum(v[::-1], axis=0)[::-1][self.event_first]              # t_j >= t
            ow = self.other.reshape((-1,) + (1,) * (v.ndim - 1)) * v
            before = np.concatenate((np.zeros((1,) + v.shape[1:]), np.cumsum(ow, axis=0)))
            return later + self.g_event.reshape((-1,) + (1,) * (v.ndim - 1)) * before[self.event_first]

        return e, at_events(e), at_events(ex), at_events(exx)

    def loglik_score_information(self, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        _, s0, s1, s2 = self.sums(beta)
        xbar = s1 / s0[:, None]
        failing = self.ici == 1
        loglik = float(self.X[failing].sum(axis=0) @ beta - (self.d * np.log(s0)).sum())
        score = self.X[failing].sum(axis=0) - (self.d[:, None] * xbar).sum(axis=0)
        information = np.einsum("k,kij->ij", self.d, s2 / s0[:, None, None]
                                - xbar[:, :, None] * xbar[:, None, :])
        return loglik, score, information

    def influence(self, beta: np.ndarray) -> np.ndarray:
        """ψ_i = η_i + ψc_i (n, p): crrvv's per-subject terms of the sandwich's meat."""
        e, s0, s1, _ = self.sums(beta)
        X, ici, t = self.X, self.ici, self.time
        xbar = s1 / s0[:, None]
        dk = self.d / s0
        # η: dN part and dΛ part; w_i(t_k) = 1 for t_k <= t_i, G(t_k−)/G(t_i−) after a competing failure
        upto = np.searchsorted(self.event_times, t, side="right")      # number of t_k <= t_i
        A = np.concatenate(([0.0], np.cumsum(dk)))[upto]
        B = np.vstack((np.zeros((1, X.shape[1])), np.cumsum(dk[:, None] * xbar, axis=0)))[upto]
        gdk = self.g_event * dk
        C_all = np.concatenate((np.cumsum(gdk[::-1])[::-1], [0.0]))
        D_all = np.vstack((np.cumsum((gdk[:, None] * xbar)[::-1], axis=0)[::-1], np.zeros((1, X.shape[1]))))
        C, D = C_all[upto], D_all[upto]                                  # Σ over t_k > t_i
        comp = (ici == 2)[:, None]
        eta = -e[:, None] * (X * A[:, None] - B + np.where(comp, (X * C[:, None] - D) / self.g_row[:, None], 0.0))
        own = ici == 1
        eta[own] += X[own] - xbar[np.searchsorted(self.event_times, t[own])]
        # ψc: q(u) at censoring times u, then the censoring-martingale integral
        ow = self.other * e
        r0 = np.concatenate(([0.0], np.cumsum(ow)))
        r1 = np.vstack((np.zeros((1, X.shape[1])), np.cumsum(ow[:, None] * X, axis=0)))
        before_u = np.searchsorted(t, self.cens_times, side="left")      # rows with t_j < u
        from_u = np.searchsorted(self.event_times, self.cens_times, side="left")  # first t_k >= u
        q = r1[before_u] * C_all[from_u][:, None] - r0[before_u][:, None] * D_all[from_u]
        jump = q * (self.cens_count / self.cens_risk ** 2)[:, None]
        cum_jump = np.vstack((np.zeros((1, X.shape[1])), np.cumsum(jump, axis=0)))
        n_cens_upto = np.searchsorted(self.cens_times, t, side="right")
        psi = eta - cum_jump[n_cens_upto]
        cens = ici == 0
        at_cens = np.searchsorted(self.cens_times, t[cens])
        psi[cens] += q[at_cens] / self.cens_risk[at_cens][:, None]
        return psi


def fine_gray(time: Any, status: Any, X: Any, *, cause: Any = 1, cencode: Any = 0,
              alpha: float = 0.05, tol: float = 1e-10, max_iter: int = 50) -> FineGrayResult:
    """Fit the Fine-Gray subdistribution hazards model of ``cause`` (R ``cmprsk::crr``).

    Parameters
    ----------
    time : array-like
        Follow-up times.
    status : array-like
        ``cencode`` for censored, else the cause of the failure (crr's ``fstatus``).
    X : array-like or DataFrame
        Time-fixed covariates, (n,) or (n, p) (crr's ``cov1``); DataFrame columns name the terms.
    cause : object
        The cause modelled (crr's ``failcode``).
    cencode : object
        Censoring code (crr's ``cencode``).
    alpha : float
        For Wald confidence intervals.
    tol : float
        Convergence: largest Newton step below ``tol · max(1, |β|)``.
    max_iter : int
        Newton iterations allowed.

    Returns
    -------
    FineGrayResult

    Raises
    ------
    AnalysisError
        No failure of the cause, a singular information matrix (e.g. a covariate
        constant among the risk sets), or no convergence (e.g. a monotone
        likelihood: no failure of the cause in one arm).
    """
    time, failed, of_cause = competing_arrays(time, status, cause, cencode)
    X, terms = _design(X, time.size)
    if of_cause.sum() == 0:
        raise AnalysisError(f"Fine-Gray: no failure from cause {cause!r}")
    problem = _Problem(time, failed, of_cause, X)
    beta = np.zeros(X.shape[1])
    loglik, score, information = problem.loglik_score_information(beta)
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - the count is read after the loop
        try:
            step = np.linalg.solve(information, score)
        except np.linalg.LinAlgError:
            raise AnalysisError(_SINGULAR) from None
        for _ in range(30):
            new_loglik, new_score, new_information = problem.loglik_score_information(beta + step)
            if np.isfinite(new_loglik) and new_loglik >= loglik - 1e-12 * abs(loglik):
                break
            step = step / 2
        beta = beta + step
        loglik, score, information = new_loglik, new_score, new_information
        if np.max(np.abs(step)) < tol * max(1.0, np.max(np.abs(beta))):
            break
    else:
        raise AnalysisError(f"Fine-Gray: no convergence in {max_iter} iterations (monotone likelihood: "
                            "no failure of the cause in one group?)")
    try:
        inverse = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        raise AnalysisError(_SINGULAR) from None
    psi = problem.influence(beta)
    cov = inverse @ (psi.T @ psi) @ inverse
    return FineGrayResult(cause=cause, terms=terms, params_=pd.Series(beta, index=list(terms)), var_=cov,
                          information_=information,
                          loglik_=loglik, n=int(time.size), n_events=int(of_cause.sum()),
                          iterations_=n_iter, alpha=alpha)
