"""Baseline balance of the randomised arms, as the What Works Clearinghouse measures it.

For each covariate of ``plan.balance_covariates`` (a categorical one gives one row per
level, as a 0/1 indicator), among the participants whose value is known:

Continuous covariate: Hedges' g (WWC Procedures Handbook v4.1, Appendix E, E.1)::

    g = omega (mean_t - mean_c) / sqrt(((n_t - 1) s_t^2 + (n_c - 1) s_c^2) / (n_t + n_c - 2))
    omega = 1 - 3 / (4 N - 9),  N = n_t + n_c

(``s`` the sample standard deviations, ``ddof = 1``).

Binary covariate or level: the Cox index (Appendix E, E.2)::

    d_Cox = omega (logit(p_t) - logit(p_c)) / 1.65

with the same ``omega``. When a proportion is 0 or 1 the log odds are infinite; the
cell counts of that covariate's 2 x 2 table then get 0.5 added to each cell
(``p = (k + 0.5) / (n + 1)``, Haldane-Anscombe), which keeps the index finite.

A covariate is *binary* when its known values are all 0/1 or all booleans (a boolean
column with missing values has the object dtype); *categorical*
when it is not numeric (strings, categories); *continuous* otherwise.

Ratings (WWC baseline equivalence): ``|d| <= 0.05`` "satisfies", ``0.05 < |d| <= 0.25``
"adjustment required" (equivalence holds only if the analysis adjusts for it), ``> 0.25``
"fails".
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..errors import AnalysisError
from ..levels import level_order
from ..plan import Plan
from ..results import Result, json_number, tidy_frame

SATISFIES = 0.05
FAILS = 0.25
COX_SCALE = 1.65


def small_sample_correction(n_total: int) -> float:
    """WWC ``omega = 1 - 3 / (4 N - 9)``."""
    return 1 - 3 / (4 * n_total - 9)


def hedges_g(treated: np.ndarray, control: np.ndarray) -> float:
    """Hedges' g with the WWC small-sample correction (pooled SD, ``ddof = 1``).

    ``0`` when both arms are constant and equal, ``+-inf`` when constant and different.
    """
    n_t, n_c = len(treated), len(control)
    if n_t < 2 or n_c < 2:
        return math.nan
    diff = float(np.mean(treated) - np.mean(control))
    pooled = math.sqrt(((n_t - 1) * np.var(treated, ddof=1) + (n_c - 1) * np.var(control, ddof=1)) / (n_t + n_c - 2))
    if pooled == 0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return small_sample_correction(n_t + n_c) * diff / pooled


def cox_index(k_t: int, n_t: int, k_c: int, n_c: int) -> float:
    """WWC Cox index from ``k`` ones out of ``n`` per arm (0.5 added to every cell if one is empty)."""
    if n_t == 0 or n_c == 0:
        return math.nan
    cells = (k_t, n_t - k_t, k_c, n_c - k_c)
    half = 0.5 if min(cells) == 0 else 0.0  # 0.5 added to every cell (so 1 to each arm) if one is empty
    p_t, p_c = (k_t + half) / (n_t + 2 * half), (k_c + half) / (n_c + 2 * half)
    log_odds = math.log(p_t / (1 - p_t)) - math.log(p_c / (1 - p_c))
    return small_sample_correction(cells[0] + cells[1] + cells[2] + cells[3]) * log_odds / COX_SCALE


def rating(d: float) -> str | None:
    """WWC baseline-equivalence category of a standardised difference (``None`` if undefined)."""
    if math.isnan(d):
        return None
    d = abs(d)
    return "satisfies" if d <= SATISFIES else "adjustment required" if d <= FAILS else "fails"


@dataclass(frozen=True, eq=False)
class BalanceTable(Result):
    """Baseline balance (the ``balance`` key of ``results.json``).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per covariate (per level for categorical ones): ``covariate``, ``level``
        (``None`` unless categorical), ``kind`` (continuous/binary/categorical), ``measure``
        (``hedges_g``/``cox_index``), ``n_treatment``, ``n_control`` (known values),
        ``mean_treatment``, ``mean_control`` (means or proportions), ``sd_treatment``,
        ``sd_control`` (continuous only), ``std_difference``, ``rating``, ``adjusted``
        (whether the plan's adjusted analyses include the covariate).
    """

    table: pd.DataFrame

    title: ClassVar[str] = "Baseline balance"

    def conventions(self) -> str:
        return ("Standardised differences as the What Works Clearinghouse defines them (Procedures Handbook v4.1, "
                "App. E): Hedges' g (pooled SD) for continuous covariates, Cox index (log-odds difference / 1.65, "
                "0.5 added to each cell when a proportion is 0 or 1) for binary ones and each level of categorical "
                "ones, both times omega = 1 - 3/(4N - 9); |d| <= 0.05 satisfies, <= 0.25 requires adjustment, "
                "> 0.25 fails.")

    def terms(self) -> list[str]:
        """Row labels: ``covariate`` or ``covariate[level]``."""
        return [c if level is None else f"{c}[{level}]"
                for c, level in zip(self.table["covariate"], self.table["level"])]

    def love_plot_data(self) -> pd.DataFrame:
        """``term``, ``std_difference``, ``abs_difference``, ``rating``: one point per row, thresholds 0.05 and 0.25."""
        d = self.table["std_difference"].astype(float)
        return pd.DataFrame({"term": self.terms(), "std_difference": d, "abs_difference": d.abs(),
                             "rating": self.table["rating"]})

    def summary(self) -> str:
        shown = pd.DataFrame({"term": self.terms(), "treatment": self.table["mean_treatment"],
                              "control": self.table["mean_control"], "std_difference": self.table["std_difference"],
                              "measure": self.table["measure"], "rating": self.table["rating"],
                              "adjusted": self.table["adjusted"]})
        table = shown.to_string(index=False, float_format=lambda x: f"{x:.4g}")
        return "\n".join([self.title, "=" * len(self.title), table, "", self.conventions()])

    def plot(self, ax=None):
        """Love plot of the standardised differences (:func:`evalexp.plotting.plot_love`).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: the current pyplot Axes).

        Returns
        -------
        matplotlib Axes
        """
        from ..plotting import plot_love

        return plot_love(self, ax)

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([{"term": term, "estimate": d}
                           for term, d in zip(self.terms(), self.table["std_difference"])])

    def to_dict(self) -> dict[str, Any]:
        rows = []
        row: Any  # an itertuples() row: pandas-stubs types its fields as any scalar
        for row in self.table.itertuples(index=False):
            rows.append({
                "covariate": row.covariate, "level": row.level, "kind": row.kind, "measure": row.measure,
                "treatment": {"n": int(row.n_treatment), "mean": json_number(row.mean_treatment),
                              "sd": json_number(row.sd_treatment)},
                "control": {"n": int(row.n_control), "mean": json_number(row.mean_control),
                            "sd": json_number(row.sd_control)},
                "std_difference": json_number(row.std_difference),
                "rating": row.rating,
                "adjusted": bool(row.adjusted),
            })
        return {"thresholds": {"satisfies": SATISFIES, "fails": FAILS}, "covariates": rows}


def _kind(values: pd.Series) -> str:
    known = values.dropna()
    boolean = pd.api.types.is_bool_dtype(values) or known.map(lambda v: isinstance(v, (bool, np.bool_))).all()
    if boolean or (pd.api.types.is_numeric_dtype(values) and known.isin([0, 1]).all()):
        return "binary"
    if pd.api.types.is_numeric_dtype(values):
        return "continuous"
    return "categorical"


def _binary_row(name: str, level: Any, kind: str, x_t: np.ndarray, x_c: np.ndarray) -> dict[str, Any]:
    k_t, k_c = int(x_t.sum()), int(x_c.sum())
    n_t, n_c = len(x_t), len(x_c)
    d = cox_index(k_t, n_t, k_c, n_c)
    return {"covariate": name, "level": level, "kind": kind, "measure": "cox_index", "n_treatment": n_t,
            "n_control": n_c, "mean_treatment": k_t / n_t if n_t else math.nan,
            "mean_control": k_c / n_c if n_c else math.nan, "sd_treatment": math.nan, "sd_control": math.nan,
            "std_difference": d, "rating": rating(d)}


def baseline_balance(cohort: Cohort, plan: Plan) -> BalanceTable:
    """Baseline balance of ``plan.balance_covariates`` between the arms (WWC definitions).

    See the module docstring for the formulas. Missing values are left out per covariate
    (the counts say how many values are known).

    Raises
    ------
    AnalysisError
        A covariate named by the plan is not a column of the cohort.
    """
    table = balance_rows(cohort.data, plan.balance_covariates)
    table["adjusted"] = table["covariate"].isin(set(plan.adjust_covariates) | set(plan.survival.covariates))
    return BalanceTable(table=table)


def balance_rows(data: pd.DataFrame, covariates: Any) -> pd.DataFrame:
    """The balance table's rows (without ``adjusted``) of ``covariates`` on the rows of ``data``.

    Used on everyone randomised (:func:`baseline_balance`) and on an outcome's analysed
    sample (:mod:`evalexp.integrity.wwc`).

    Raises
    ------
    AnalysisError
        A covariate is not a column of ``data``.
    """
    treated = (data["arm"] == "treatment").to_numpy()
    rows: list[dict[str, Any]] = []
    for name in covariates:
        if name not in data.columns:
            raise AnalysisError(f"balance covariate '{name}' is not a column of the cohort")
        values = data[name]
        known = values.notna().to_numpy()
        kind = _kind(values)
        if kind == "binary":
            x = values.to_numpy()[known].astype(float)
            rows.append(_binary_row(name, None, kind, x[treated[known]], x[~treated[known]]))
        elif kind == "continuous":
            x = values.to_numpy()[known].astype(float)
            x_t, x_c = x[treated[known]], x[~treated[known]]
            d = hedges_g(x_t, x_c)
            rows.append({"covariate": name, "level": None, "kind": kind, "measure": "hedges_g",
                         "n_treatment": len(x_t), "n_control": len(x_c),
                         "mean_treatment": float(np.mean(x_t)) if len(x_t) else math.nan,
                         "mean_control": float(np.mean(x_c)) if len(x_c) else math.nan,
                         "sd_treatment": float(np.std(x_t, ddof=1)) if len(x_t) > 1 else math.nan,
                         "sd_control": float(np.std(x_c, ddof=1)) if len(x_c) > 1 else math.nan,
                         "std_difference": d, "rating": rating(d)})
        else:
            x = values[known].astype(str).to_numpy()
            for level in level_order(x):
                hit = (x == level).astype(float)
                rows.append(_binary_row(name, level, kind, hit[treated[known]], hit[~treated[known]]))
    return pd.DataFrame(rows, columns=["covariate", "level", "kind", "measure", "n_treatment", "n_control",
                                       "mean_treatment", "mean_control", "sd_treatment", "sd_control",
                                       "std_difference", "rating"])
