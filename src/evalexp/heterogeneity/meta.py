"""Random-effects meta-analysis of per-site estimates: REML, Knapp-Hartung, prediction interval, BLUPs.

The model (R ``metafor::rma(yi, vi, method = "REML", test = "knha")``, Viechtbauer 2010,
J. Stat. Softw. 36(3)): ``y_i = mu + u_i + e_i``, ``u_i ~ N(0, tau2)``, ``e_i ~ N(0, v_i)``
with ``v_i`` known (the squared standard errors), ``i = 1..k``.

With ``w_i = 1 / (v_i + tau2)`` and ``mu(tau2) = sum w y / sum w``:

- REML: ``tau2`` maximises ``-1/2 [sum log(v + tau2) + log sum w + sum w (y - mu)^2]`` over
  ``tau2 >= 0``. Its derivative is ``1/2 [sum w^2 (y - mu)^2 - sum w + sum w^2 / sum w]``;
  ``tau2 = 0`` when it is not positive at 0, else its root, bracketed and solved by Brent's
  method to machine precision (metafor's Fisher scoring stops at a change below 1e-5 by
  default, which leaves ~1e-5 in I2 and the BLUPs; its references use 1e-10).
- Pooled effect ``mu``; Knapp-Hartung variance ``s2 / sum w`` with
  ``s2 = sum w (y - mu)^2 / (k - 1)`` (not truncated at 1, metafor's ``knha``); CI and p
  from Student's t with ``k - 1`` degrees of freedom.
- Prediction interval for the effect of a new site (metafor ``predict()``):
  ``mu -/+ t_{k-1} sqrt(var(mu) + tau2)``. It ignores the uncertainty of ``tau2`` and
  undercovers when ``tau2`` is small relative to the ``v_i`` or ``k`` is small (Partlett &
  Riley 2017, Stat. Med. 36(2):301-317; ``benchmarks/heterogeneity.py`` measures it).
- Cochran's ``Q = sum (y - mu_FE)^2 / v`` (fixed-effect weights), chi-square with ``k - 1`` df.
- ``I2 = 100 tau2 / (tau2 + s2_typ)`` in percent and ``H2 = (tau2 + s2_typ) / s2_typ`` with the
  typical within-site variance ``s2_typ = (k - 1) sum(1/v) / ((sum 1/v)^2 - sum 1/v^2)``
  (Higgins & Thompson 2002), as metafor computes them from the REML ``tau2``.
- Empirical-Bayes (BLUP) site effects (metafor ``blup()``): ``lambda_i = tau2 / (tau2 + v_i)``,
  ``theta_i = lambda_i y_i + (1 - lambda_i) mu``, variance
  ``lambda_i v_i + (1 - lambda_i)^2 var(mu)``, interval with the same t quantile.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import AnalysisError
from ..results import Result, json_number, tidy_frame
from ..wald import WaldEstimate


def _weights(v: np.ndarray, tau2: float) -> np.ndarray:
    return 1.0 / (v + tau2)


def reml_score(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """Derivative of the REML log-likelihood in ``tau2`` (see the module docstring)."""
    w = _weights(v, tau2)
    mu = w @ y / w.sum()
    return 0.5 * float((w ** 2) @ (y - mu) ** 2 - w.sum() + (w ** 2).sum() / w.sum())


def reml_tau2(y: np.ndarray, v: np.ndarray) -> float:
    """The REML estimate of ``tau2`` (>= 0), the root of :func:`reml_score` solved to machine precision."""
    if reml_score(y, v, 0.0) <= 0.0:
        return 0.0
    high = max(float(np.var(y, ddof=1)), float(v.max()), 1e-8)
    while reml_score(y, v, high) > 0.0:
        high *= 2.0
    return float(optimize.brentq(lambda t: reml_score(y, v, t), 0.0, high, xtol=1e-300, rtol=4 * np.finfo(float).eps,
                                 maxiter=500))


@dataclass(frozen=True, eq=False)
class RandomEffectsMeta(Result):
    """A REML random-effects meta-analysis with the Knapp-Hartung test (see the module docstring).

    Attributes
    ----------
    labels : tuple of str
        One per study (site).
    yi, vi : numpy.ndarray
        Estimates and their sampling variances.
    tau2 : float
        REML between-site variance.
    mu, se : float
        Pooled estimate and its Knapp-Hartung standard error.
    q, q_df, q_p_value : float, int, float
        Cochran's heterogeneity test.
    i2, h2 : float
        I2 (percent) and H2.
    blup, blup_se : numpy.ndarray
        Empirical-Bayes site effects and their standard errors.
    alpha : float
    """

    labels: tuple[str, ...]
    yi: np.ndarray = field(repr=False)
    vi: np.ndarray = field(repr=False)
    tau2: float
    mu: float
    se: float
    q: float
    q_df: int
    q_p_value: float
    i2: float
    h2: float
    blup: np.ndarray = field(repr=False)
    blup_se: np.ndarray = field(repr=False)
    alpha: float = 0.05
    title: ClassVar[str] = "Random-effects meta-analysis (REML, Knapp-Hartung)"

    @property
    def k(self) -> int:
        return len(self.labels)

    @property
    def pooled(self) -> WaldEstimate:
        """The pooled log hazard ratio with the Knapp-Hartung t(k - 1) reference."""
        return WaldEstimate(self.mu, self.se, self.alpha, df=self.k - 1)

    @property
    def crit(self) -> float:
        """The two-sided t quantile with ``k - 1`` degrees of freedom."""
        return self.pooled.quantile

    @property
    def statistic(self) -> float:
        return self.pooled.statistic

    @property
    def p_value(self) -> float:
        return self.pooled.p_value

    @property
    def ci(self) -> tuple[float, float]:
        return self.pooled.ci_low, self.pooled.ci_high

    @property
    def prediction_interval(self) -> tuple[float, float]:
        """Where the effect of a new site lies with probability ``1 - alpha`` (metafor ``predict()``)."""
        half = self.crit * np.sqrt(self.se ** 2 + self.tau2)
        return self.mu - half, self.mu + half

    def tidy(self) -> pd.DataFrame:
        """Pooled effect, tau2, Q, I2, the prediction interval and each site's BLUP (log scale)."""
        low, high = self.ci
        pi_low, pi_high = self.prediction_interval
        rows: list[dict[str, Any]] = [
            {"term": "pooled", "estimate": self.mu, "std_error": self.se, "statistic": self.statistic,
             "p_value": self.p_value, "ci_low": low, "ci_high": high},
            {"term": "prediction interval", "estimate": self.mu, "ci_low": pi_low, "ci_high": pi_high},
            {"term": "tau2", "estimate": self.tau2},
            {"term": "I2 (%)", "estimate": self.i2},
            {"term": f"Q (df {self.q_df})", "statistic": self.q, "p_value": self.q_p_value},
        ]
        for label, b, s in zip(self.labels, self.blup, self.blup_se):
            rows.append({"term": f"blup: {label}", "estimate": b, "std_error": s,
                         "ci_low": b - self.crit * s, "ci_high": b + self.crit * s})
        return tidy_frame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The contract's meta-analysis numbers (CI and prediction interval on the ratio scale)."""
        low, high = self.ci
        pi_low, pi_high = self.prediction_interval
        return {"k": self.k, "method": "REML", "test": "knha", "tau2": json_number(self.tau2),
                "i2": json_number(self.i2), "h2": json_number(self.h2), "q": json_number(self.q),
                "q_df": self.q_df, "q_p_value": json_number(self.q_p_value),
                "pooled": {"log_hr": json_number(self.mu), "se": json_number(self.se),
                           "hr": json_number(np.exp(self.mu)), "ci_low": json_number(np.exp(low)),
                           "ci_high": json_number(np.exp(high)), "p_value": json_number(self.p_value),
                           "df": self.k - 1},
                "prediction_interval": {"hr_low": json_number(np.exp(pi_low)), "hr_high": json_number(np.exp(pi_high))}}

    def conventions(self) -> str:
        return (f"REML tau2 (solved to machine precision); Knapp-Hartung SE, t({self.k - 1}) "
                f"{100 * (1 - self.alpha):g}% CI and prediction interval; I2 in percent "
                "(R metafor::rma(method = 'REML', test = 'knha'), predict(), blup()).")


def random_effects_meta(yi, vi, *, labels=None, alpha: float = 0.05) -> RandomEffectsMeta:
    """REML random-effects meta-analysis of estimates ``yi`` with known variances ``vi``.

    Parameters
    ----------
    yi : array_like
        Estimates (here: per-site log hazard ratios).
    vi : array_like
        Their sampling variances (squared standard errors), all positive.
    labels : sequence of str, optional
        Names of the studies (default ``"1".."k"``).
    alpha : float
        1 - level of the confidence and prediction intervals.

    Returns
    -------
    RandomEffectsMeta

    Raises
    ------
    AnalysisError
        Fewer than two estimates, or a variance that is not positive and finite.
    """
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    k = y.size
    if k < 2 or v.size != k:
        raise AnalysisError(f"random-effects meta-analysis: needs at least two estimates with one variance "
                            f"each, got {k} estimates and {v.size} variances")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v)) and np.all(v > 0)):
        raise AnalysisError("random-effects meta-analysis: estimates must be finite and variances positive")
    names = tuple(str(label) for label in labels) if labels is not None else tuple(str(i + 1) for i in range(k))
    tau2 = reml_tau2(y, v)
    w = _weights(v, tau2)
    mu = float(w @ y / w.sum())
    s2 = float(w @ (y - mu) ** 2) / (k - 1)
    var_mu = s2 / float(w.sum())
    w_fe = 1.0 / v
    mu_fe = float(w_fe @ y / w_fe.sum())
    q = float(w_fe @ (y - mu_fe) ** 2)
    typical = (k - 1) * w_fe.sum() / (w_fe.sum() ** 2 - (w_fe ** 2).sum())
    shrink = tau2 / (tau2 + v)
    return RandomEffectsMeta(
        labels=names, yi=y, vi=v, tau2=tau2, mu=mu, se=float(np.sqrt(var_mu)), q=q, q_df=k - 1,
        q_p_value=float(stats.chi2.sf(q, k - 1)), i2=float(100.0 * tau2 / (typical + tau2)),
        h2=float((typical + tau2) / typical), blup=shrink * y + (1.0 - shrink) * mu,
        blup_se=np.sqrt(shrink * v + (1.0 - shrink) ** 2 * var_mu), alpha=alpha)
