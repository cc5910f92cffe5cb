"""Gray's test for equality of cumulative incidence curves between groups.

The K-sample test of Gray (1988) for one cause, with weight ``(1 − F(t−))^rho`` (``rho =
0`` by default), stratified when strata are given: scores and their variance matrix are
computed within each stratum and summed, the statistic is ``s' V⁻¹ s`` on the first
``ng − 1`` groups, referred to a chi-square with ``ng − 1`` degrees of freedom.

This is a vectorised transcription of cmprsk's ``crstm``/``crst`` Fortran routines
(R ``cmprsk::cuminc(time, status, group, strata = , rho = )$Tests``), so ties follow
cmprsk: failures of every cause and censorings at the same time share the risk set
(censoring after failure); tied failures enter the variance with cmprsk's correction
``1 − (d − 1)/(n − 1)``. Each distinct time is one row of arrays of shape
``(times, groups)``; the recursions of ``crst`` are cumulative sums and products.

Reference: Gray, R. J. (1988), A class of K-sample tests for comparing the cumulative
incidence of a competing risk, Ann. Statist. 16(3), 1141-1154.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisError
from ..results import Result, json_number, tidy_frame
from ..survival._utils import as_weight_array
from ._inputs import competing_arrays


@dataclass(frozen=True, eq=False)
class GrayTest(Result):
    """Gray's test of one cause (see the module docstring).

    Attributes
    ----------
    cause : object
        The cause tested.
    statistic : float
        ``s' V⁻¹ s``; NaN when ``V`` is singular (cmprsk reports −1 then), e.g. no failure
        of the cause.
    df : int
        Number of groups − 1.
    p_value : float
        Chi-square upper tail.
    groups : tuple
        Group labels, sorted; the scores are for all but the last.
    score : numpy.ndarray
        ``s``, observed − expected weighted failures of the first ``ng − 1`` groups.
    variance : numpy.ndarray
        ``V``, their estimated covariance matrix.
    stratified : bool
        Whether strata were used.
    rho : float
        The weight exponent.
    """

    cause: Any
    statistic: float
    df: int
    p_value: float
    groups: tuple
    score: np.ndarray
    variance: np.ndarray
    stratified: bool = False
    rho: float = 0.0

    title: ClassVar[str] = "Gray's test"

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([{"term": f"gray({self.cause})", "statistic": self.statistic,
                            "p_value": self.p_value}])

    def to_dict(self) -> dict[str, Any]:
        """``{"statistic", "p_value"}`` (docs/CONTRACT.md §4) plus ``df`` and ``stratified``."""
        return {"statistic": json_number(self.statistic), "p_value": json_number(self.p_value),
                "df": self.df, "stratified": self.stratified}

    def conventions(self) -> str:
        return (f"Gray (1988) K-sample test, rho = {self.rho:g}"
                + (", stratified" if self.stratified else "") + " (R cmprsk::cuminc $Tests).")


def _stratum_scores(time: np.ndarray, group: np.ndarray, failed: np.ndarray, of_cause: np.ndarray,
                    ng: int, rho: float, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores (ng,) and variance (ng, ng) of one stratum (all groups; crst's s and v); rows sorted by time."""
    inverse = np.concatenate(([0], np.cumsum(time[1:] != time[:-1])))  # distinct-time index (sorted)
    n_times = inverse[-1] + 1
    counts = np.zeros((n_times, ng))
    d1 = np.zeros((n_times, ng))
    d2 = np.zeros((n_times, ng))
    np.add.at(counts, (inverse, group), weight)
    np.add.at(d1, (inverse, group), of_cause * weight)
    np.add.at(d2, (inverse, group), (failed - of_cause) * weight)
    rs = counts[::-1].cumsum(axis=0)[::-1]  # at risk in each group at each distinct time
    keep = (d1 + d2).sum(axis=1) > 0
    rs, d1, d2 = rs[keep], d1[keep], d2[keep]
    if rs.shape[0] == 0:
        return np.zeros(ng), np.zeros((ng, ng))
    risk = rs > 0
    rs_safe = np.where(risk, rs, 1.0)
    nd1 = d1.sum(axis=1)

    skm = np.cumprod(np.where(risk, (rs - d1 - d2) / rs_safe, 1.0), axis=0)       # S_i(t)
    skmm = np.vstack([np.ones((1, ng)), skm[:-1]])                                 # S_i(t-)
    f1 = np.cumsum(np.where(risk, skmm * d1 / rs_safe, 0.0), axis=0)               # F_i(t)
    f1m = np.vstack([np.zeros((1, ng)), f1[:-1]])                                  # F_i(t-)
    t1 = np.where(risk, rs / np.where(risk, skmm, 1.0), 0.0)                       # R_i / S_i(t-)
    tr = t1.sum(axis=1)
    tq = (t1 * (1.0 - f1m)).sum(axis=1)
    f = np.cumsum(nd1 / tr)                                                        # pooled F(t)
    fm = np.concatenate(([0.0], f[:-1]))
    fb = (1.0 - fm) ** rho

    a = fb[:, None, None] * (np.einsum("ti,ij->tij", t1, np.eye(ng))
                             - t1[:, :, None] * t1[:, None, :] / tr[:, None, None])
    c = np.cumsum(a * (nd1 / (tr * (1.0 - fm)))[:, None, None], axis=0)

    score = (fb[:, None] * np.where(risk, d1 - nd1[:, None] * t1 * (1.0 - f1m) / tq[:, None], 0.0)).sum(axis=0)

    # failures from the cause of interest
    own = risk & (nd1[:, None] > 0)
    skm_pos = skm > 0
    t4 = np.where(skm_pos, 1.0 - (1.0 - f[:, None]) / np.where(skm_pos, skm, 1.0), 1.0)
    den = tr[:, None] * skmm - 1.0
    t5 = np.where(nd1[:, None] > 1, 1.0 - (nd1[:, None] - 1.0) / np.where(den != 0, den, 1.0), 1.0)
    t3 = np.where(own, t5 * skmm * nd1[:, None] / (tr[:, None] * rs_safe), 0.0)
    b = a - t4[:, None, :] * c                                                     # [t, i, k]
    v = np.einsum("tik,tjk,tk->ij", b, b, t3)
    v2 = np.einsum("tik,tk->ik", b, t4 * t3)
    v3 = (t4 ** 2 * t3).sum(axis=0)

    # failures from the other causes
    other = skm_pos & (d2 > 0)
    t4o = np.where(other, (1.0 - f[:, None]) / np.where(skm_pos, skm, 1.0), 0.0)
    t5o = np.where(d2 > 1, 1.0 - (d2 - 1.0) / np.maximum(rs - 1.0, 1.0), 1.0)
    w = np.where(other, t4o ** 2 * t5o * skmm ** 2 * d2 / rs_safe ** 2, 0.0)
    v3 = v3 + w.sum(axis=0)
    v2 = v2 - np.einsum("tik,tk->ik", c, w)
    v = v + np.einsum("tik,tjk,tk->ij", c, c, w)

    c_end = c[-1]
    v = v + (c_end * v3[None, :]) @ c_end.T + c_end @ v2.T + v2 @ c_end.T
    return score, v


def gray_test(time: Any, status: Any, group: Any, *, cause: Any = 1, strata: Any = None,
              rho: float = 0.0, cencode: Any = 0, weights: Any = None) -> GrayTest:
    """Gray's test that the cumulative incidence of ``cause`` is equal across groups.

    Parameters
    ----------
    time : array-like
        Follow-up times.
    status : array-like
        ``cencode`` for censored, else the cause of the failure.
    group : array-like
        Group labels (two or more distinct values).
    cause : object
        Cause tested (R: the row of ``cuminc(...)$Tests``).
    strata : array-like, optional
        Strata: the test is stratified (R ``cuminc(strata = )``).
    rho : float
        Weight exponent of ``(1 − F(t−))^rho`` (cmprsk's default 0).
    cencode : object
        Censoring code.
    weights : array-like, optional
        Frequency weights: row ``i`` counts as ``weights[i]`` identical subjects.

    Returns
    -------
    GrayTest

    Raises
    ------
    AnalysisError
        Fewer than two groups, inputs of different lengths, or a missing group or stratum
        label (pandas would code it -1: counted in the last group or dropped).
    """
    time, failed, of_cause = competing_arrays(time, status, cause, cencode)
    group = np.asarray(group)
    if group.shape != time.shape:
        raise AnalysisError("group must have one value per subject")
    group_code, labels = pd.factorize(group, sort=True)
    if (group_code < 0).any():
        raise AnalysisError("group has missing values")
    ng = labels.size
    if ng < 2:
        raise AnalysisError("Gray's test needs at least two groups")
    stratified = strata is not None
    if stratified:
        strata = np.asarray(strata)
        if strata.shape != time.shape:
            raise AnalysisError("strata must have one value per subject")
        strata_code = pd.factorize(strata)[0]
        if (strata_code < 0).any():
            raise AnalysisError("strata has missing values (code them as a level of their own)")
    else:
        strata_code = np.zeros(time.size, dtype=np.int64)
    order = np.argsort(time, kind="stable")
    weight = as_weight_array(weights, time.size)[order]
    time, failed, of_cause = time[order], failed[order], of_cause[order]
    group_code, strata_code = group_code[order], strata_code[order]
    score = np.zeros(ng)
    variance = np.zeros((ng, ng))
    for k in range(strata_code.max() + 1):
        rows = strata_code == k
        s, v = _stratum_scores(time[rows], group_code[rows], failed[rows], of_cause[rows], ng, rho, weight[rows])
        score += s
        variance += v
    score, variance = score[:-1], variance[:-1, :-1]
    if np.linalg.matrix_rank(variance) < ng - 1:
        statistic = float("nan")
    else:
        statistic = float(score @ np.linalg.solve(variance, score))
    p_value = float(stats.chi2.sf(statistic, ng - 1)) if np.isfinite(statistic) else float("nan")
    return GrayTest(cause=cause, statistic=statistic, df=ng - 1, p_value=p_value,
                    groups=tuple(np.asarray(labels).tolist()), score=score, variance=variance,
                    stratified=stratified, rho=rho)
