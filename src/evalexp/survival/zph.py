"""Test of proportional hazards: R survival 3.x ``cox.zph`` (score test, KM time transform).

For a fitted Cox model with coefficients ``beta_hat``, ``cox.zph`` adds the
time-varying covariates ``x * g(t)`` and computes the score test of their
coefficients being 0 at ``(beta_hat, 0)``:

- ``g(t) = 1 - S(t-)``, S the Kaplan-Meier curve of all subjects pooled (strata
  ignored), centred by its mean over the event times (``transform = "km"``);
- score ``U_g = sum_k g_k U_k`` with ``U_k`` the (Efron or Breslow) score contribution
  of tied set k; information blocks ``I = sum I_k``, ``I_xg = sum g_k I_k``,
  ``I_gg = sum g_k^2 I_k`` (Efron-weighted risk-set moments);
- per term j: ``u' M^-1 u`` with M the information of (x, x_j g) and u = (0, U_gj);
  global: the same with all the ``x g`` terms (p degrees of freedom).

The score of the ``x`` part is taken as exactly 0 at ``beta_hat``, as R does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from ..results import Result, json_number, tidy_frame
from ._cholesky import GeneralizedCholesky
from .cox import CoxResult, evaluate, weighted_information
from .km import kaplan_meier


@dataclass(frozen=True, eq=False)
class PHTest(Result):
    """Schoenfeld-residual (score) test of proportional hazards.

    Attributes
    ----------
    table : pandas.DataFrame
        Rows per term and ``GLOBAL``; columns chisq, df, p (as R ``cox.zph(fit)$table``).
    statistic, df, p_value : float, int, float
        The global test.
    alpha : float
    rejected : bool
        ``p_value < alpha``.
    """

    table: pd.DataFrame
    statistic: float
    df: int
    p_value: float
    alpha: float
    title: ClassVar[str] = "Proportional-hazards test (cox.zph, KM transform)"

    @property
    def rejected(self) -> bool:
        return bool(self.p_value < self.alpha)

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([{"term": term, "statistic": row.chisq, "p_value": row.p}
                           for term, row in self.table.iterrows()])

    def to_dict(self) -> dict[str, Any]:
        """The contract's ``ph_test`` object plus ``df``, ``rejected`` and the per-term tests."""
        return {"statistic": json_number(self.statistic), "p_value": json_number(self.p_value),
                "df": int(self.df), "rejected": self.rejected, "alpha": self.alpha,
                "terms": {t: {"statistic": json_number(r.chisq), "p_value": json_number(r.p)}
                          for t, r in self.table.drop(index="GLOBAL").iterrows()}}

    def conventions(self) -> str:
        return ("Score test of x*g(t), g = 1 - pooled KM(t-), centred over events; "
                f"R survival 3.x cox.zph; rejected when p < {self.alpha:g}.")


def _quadratic_form(u_g: np.ndarray, info: np.ndarray, keep: list[int]) -> float:
    """``u' M^-1 u`` with ``u = (0, u_g)`` and M the ``keep`` block of ``info``; NaN when M is
    singular (e.g. a single event time: g is then 0 at every event)."""
    u = np.r_[np.zeros(len(keep) - u_g.size), u_g]
    # the generalised Cholesky flags a singular M itself: no reliance on a solver raising
    chol = GeneralizedCholesky(info[np.ix_(keep, keep)])
    return float("nan") if chol.singular.any() else float(u @ chol.solve(u))


def cox_zph(fit: CoxResult, *, alpha: float | None = None) -> PHTest:
    """Proportional-hazards test of a fitted Cox model, as R ``cox.zph(fit)`` (survival 3.x).

    Parameters
    ----------
    fit : CoxResult
        From :func:`evalexp.survival.cox.cox_ph` (strata and ties are taken from it;
        a cluster does not change the test, as in R).
    alpha : float, optional
        Level of the ``rejected`` flag (default: the fit's alpha).
    """
    cd = fit.data_
    ev = evaluate(cd, fit.params_.to_numpy())
    weight = np.ones(cd.time.size) if cd.weight is None else cd.weight  # frequency weights of the fit
    km = kaplan_meier(cd.time, cd.event, weights=cd.weight)
    before = np.searchsorted(km.time, cd.time, side="left") - 1  # last KM time < t
    g_row = 1.0 - np.where(before >= 0, km.surv[np.maximum(before, 0)], 1.0)
    events = cd.event == 1
    g_row = g_row - np.average(g_row[events], weights=weight[events])
    g = g_row[cd.block_start]  # constant within a block (same time)
    X = cd.X
    u_g = (cd.event * weight * g_row) @ X - (ev.xbar * g[cd.slot_block][:, None]).sum(axis=0)
    p = X.shape[1]
    info = np.zeros((2 * p, 2 * p))
    info[:p, :p] = ev.information
    info[:p, p:] = info[p:, :p] = weighted_information(cd, ev, g)
    info[p:, p:] = weighted_information(cd, ev, g * g)
    chisq = [_quadratic_form(u_g[[j]], info, list(range(p)) + [p + j]) for j in range(p)]
    chisq.append(_quadratic_form(u_g, info, list(range(2 * p))))
    dfs = [1] * p + [p]
    table = pd.DataFrame({"chisq": chisq, "df": dfs, "p": stats.chi2.sf(chisq, dfs)},
                         index=list(fit.terms) + ["GLOBAL"])
    return PHTest(table=table, statistic=chisq[-1], df=p, p_value=float(table["p"].iloc[-1]),
                  alpha=fit.alpha if alpha is None else alpha)
