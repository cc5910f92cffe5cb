"""Small-sample t inference for HC2 / CR2 estimates: Bell-McCaffrey (Satterthwaite) degrees of freedom.

The §4 fields keep the normal approximation (CONTRACT.md §4); this is their
``small_sample`` sibling (CONTRACT.md version-2 preamble). For the OLS coefficient
contrast ``c' beta`` with the CR2 (or, each row its own cluster, HC2) variance
``V = c' B (sum_j X_j' A_j e_j e_j' A_j X_j) B c``, ``B = (X'X)^{-1}``,
``A_j = (I - X_j B X_j')^{-1/2}``, Bell & McCaffrey (2002) approximate ``V`` by a
scaled chi-square under the working model ``e = (I - H) eps``, ``eps ~ N(0, sigma^2 I)``::

    V = eps' G G' eps,   G = [g_1 ... g_J],   g_j = (I - H)_{., j} A_j X_j B c
    df = tr(G'G)^2 / tr((G'G)^2)

(Pustejovsky & Tipton 2018, JBES 36(4), eq. 11 with the identity working model; Imbens &
Kolesar 2016, REStat 98(4), the "BM" df). ``t = (c' beta) / sqrt(V)``, CI
``c' beta -+ t_{df, 1 - alpha/2} sqrt(V)``, two-sided p from ``t_df``. This equals R
``clubSandwich::coef_test(fit, vcov = "CR2", cluster =, test = "Satterthwaite")`` and the
df of ``estimatr::lm_robust(se_type = "CR2")``; with each row its own cluster, the HC2
version (``coef_test`` with ``cluster = row id``). estimatr's ``lm_robust(se_type =
"HC2")`` uses ``n - p`` df instead; see ``tests/reference/integrity/small_sample.R``.

Computation: with ``u_j = A_j X_j B c = X_j m_j`` and ``q_j = X_j' u_j``,
``G'G = diag(u_j' u_j) + Q' (B X'X B - 2 B) Q`` (``Q = [q_1 ... q_J]``), so only
``p x p`` matrices per cluster are formed, never an ``n x n`` one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..results import json_number


@dataclass(frozen=True)
class TEstimate:
    """An estimate with a t-based CI and p on ``df`` degrees of freedom."""

    method: str
    estimate: float
    se: float
    df: float
    alpha: float
    clusters: int

    @property
    def statistic(self) -> float:
        return self.estimate / self.se if self.se > 0 else math.nan

    @property
    def p_value(self) -> float:
        return float(2 * stats.t.sf(abs(self.statistic), self.df)) if self.df > 0 else math.nan

    @property
    def half_width(self) -> float:
        return float(stats.t.isf(self.alpha / 2, self.df) * self.se) if self.df > 0 else math.nan

    def to_dict(self) -> dict[str, Any]:
        """``{"method", "estimate", "se", "df", "ci_low", "ci_high", "p_value", "clusters"}``."""
        return {"method": self.method, "estimate": json_number(self.estimate), "se": json_number(self.se),
                "df": json_number(self.df), "statistic": json_number(self.statistic),
                "ci_low": json_number(self.estimate - self.half_width),
                "ci_high": json_number(self.estimate + self.half_width),
                "p_value": json_number(self.p_value), "clusters": self.clusters}


def bell_mccaffrey_df(X: np.ndarray, contrast: np.ndarray, clusters: np.ndarray | None = None) -> float:
    """Bell-McCaffrey degrees of freedom of ``contrast' beta`` under CR2 (HC2 without clusters).

    See the module docstring for the formula. NaN when the variance is degenerate.
    """
    X = np.asarray(X, dtype=float)
    c = np.asarray(contrast, dtype=float)
    cross_all = X.T @ X
    bread = np.linalg.pinv(cross_all)
    values, vectors = np.linalg.eigh(bread)
    root = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    codes = np.arange(len(X)) if clusters is None else pd.factorize(pd.Series(clusters), use_na_sentinel=False)[0]
    order = np.argsort(codes, kind="stable")
    edges = np.r_[0, np.flatnonzero(np.diff(codes[order])) + 1, len(order)]
    Xs = X[order]
    if clusters is None:
        cross = Xs[:, :, None] * Xs[:, None, :]
    else:
        cross = np.stack([Xs[a:b].T @ Xs[a:b] for a, b in pairwise(edges)])
    lam, V = np.linalg.eigh(root @ cross @ root)
    remaining = 1.0 - lam
    factor = np.where(remaining > 1e-12, 1.0 / np.sqrt(np.where(remaining > 1e-12, remaining, 1.0)), 0.0) - 1.0
    scale = np.where(lam > 1e-12, factor / np.where(lam > 1e-12, lam, 1.0), 0.0)
    bc = bread @ c
    # m_j = Bc + R V_j diag(scale_j) V_j' R C_j Bc
    inner = np.einsum("gji,jk,gkl,l->gi", V, root, cross, bc, optimize=True) * scale
    m = bc[None, :] + np.einsum("jk,gki,gi->gj", root, V, inner, optimize=True)
    q = np.einsum("gij,gj->gi", cross, m)
    d = np.einsum("gi,gi->g", m, q)
    K = bread @ cross_all @ bread - 2 * bread
    quad = np.einsum("gi,ij,gj->g", q, K, q)
    P = q.T @ q
    KP = K @ P
    trace = d.sum() + quad.sum()
    trace_sq = (d ** 2).sum() + 2 * (d * quad).sum() + np.trace(KP @ KP)
    return float(trace ** 2 / trace_sq) if trace_sq > 0 else math.nan
