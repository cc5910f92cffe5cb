"""Attrition per outcome, rated against the What Works Clearinghouse boundary, and Lee bounds.

Who has attrited
----------------
- Survival outcome (contract rupture): a participant is *lost to follow-up* when no
  rupture was observed and observation stopped before the earlier of the planned end of
  the contract and the analysis horizon, and before the data extraction date::

      event == 0  and  followup_end < min(contract_end_planned, contract_start + horizon_days)
                  and  followup_end < max(followup_end)

  (their rupture status at the horizon, or at the end of a shorter contract, is unknown;
  they stay in the survival analysis as censored, but count as attrition here). The
  extraction date is the latest ``followup_end`` of the cohort: participants observed up
  to it are censored administratively, by design, and are not attrition.
- Binary follow-up outcome: the outcome is missing.

Rates
-----
Attrition rate of an arm = attrited / assigned; overall = all attrited / all assigned;
differential = ``|rate_treatment - rate_control|``.

Rating (WWC Standards Handbook v4.1, Table II.1): the overall rate in percent is rounded
half-up to a whole row of the table (nothing is interpolated); attrition is *low* when
the differential in percentage points does not exceed that row's boundary, under the
plan's ``integrity.attrition_boundary`` (cautious or optimistic), and *high* otherwise or
beyond the table (cautious: overall above 57 %; optimistic: above 65 %).

Lee (2009) bounds for a binary outcome
--------------------------------------
Under monotonicity (assignment moves response in one direction only), the arm with the
higher share observed ``q`` is trimmed by ``p = (q_high - q_low) / q_high`` of its observed
participants. For a 0/1 outcome with observed mean ``m`` the trimmed means are
``max(0, m - p) / (1 - p)`` (drop ``p`` ones: lower) and ``min(1, m / (1 - p))`` (drop zeros:
upper); the bounds on the treatment-minus-control difference follow. Standard errors:
nonparametric bootstrap, resampling participants within arm (``LEE_BOOTSTRAP``
replicates drawn exactly as multinomial counts of missing / 0 / 1, seeded with the plan's
``inference.seed``); confidence interval for the effect: Imbens and Manski (2004), as
Lee (2009) uses, ``[L - c se_L, U + c se_U]`` with
``Phi(c + (U - L) / max(se_L, se_U)) - Phi(-c) = 1 - alpha``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..cohort import Cohort
from ..plan import Plan
from ..results import Result, json_number, tidy_frame
from .outcomes import binary_column

#: WWC Standards Handbook v4.1, Table II.1: highest differential attrition (percentage
#: points) for low attrition, by overall attrition (whole percent, from 0). The cautious
#: column ends at 57 %; beyond a column's end attrition is high whatever the differential.
#: Transcribed from the handbook's table (values also as in the R package baselinr).
CAUTIOUS_BOUNDARY = (
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3,   # 0-9 %
    6.3, 6.2, 6.2, 6.1, 6.0, 5.9, 5.9, 5.8, 5.7, 5.5,   # 10-19 %
    5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3,   # 20-29 %
    4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1, 2.9, 2.8,   # 30-39 %
    2.6, 2.5, 2.3, 2.1, 2.0, 1.8, 1.6, 1.5, 1.3, 1.2,   # 40-49 %
    1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0,             # 50-57 %
)
OPTIMISTIC_BOUNDARY = (
    10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.7, 10.8, 10.9, 10.9,   # 0-9 %
    10.9, 10.9, 10.9, 10.8, 10.8, 10.7, 10.6, 10.5, 10.3, 10.2,   # 10-19 %
    10.0, 9.9, 9.7, 9.5, 9.4, 9.2, 9.0, 8.8, 8.6, 8.4,            # 20-29 %
    8.2, 8.0, 7.8, 7.6, 7.4, 7.2, 7.0, 6.7, 6.5, 6.3,             # 30-39 %
    6.0, 5.8, 5.6, 5.3, 5.1, 4.9, 4.6, 4.4, 4.2, 3.9,             # 40-49 %
    3.7, 3.5, 3.2, 3.0, 2.8, 2.6, 2.3, 2.1, 1.9, 1.6,             # 50-59 %
    1.4, 1.1, 0.9, 0.7, 0.5, 0.3,                                 # 60-65 %
)
BOUNDARIES = {"cautious": CAUTIOUS_BOUNDARY, "optimistic": OPTIMISTIC_BOUNDARY}
#: Bootstrap replicates of the Lee bounds' standard errors.
LEE_BOOTSTRAP = 2000


def overall_row(overall: float) -> int:
    """The table row of an overall attrition rate: percent rounded half-up to a whole number."""
    return math.floor(100 * overall + 0.5 + 1e-9)


def max_differential(overall: float, boundary: str = "cautious") -> float | None:
    """Highest differential attrition (percentage points) for low attrition at this overall rate.

    ``None`` beyond the end of the table (attrition is then high whatever the differential).
    """
    table = BOUNDARIES[boundary]
    row = overall_row(overall)
    return table[row] if row < len(table) else None


def rate_attrition(overall: float, differential: float, boundary: str = "cautious") -> str:
    """``"low"`` or ``"high"`` attrition under the WWC v4.1 boundary (rates as proportions)."""
    limit = max_differential(overall, boundary)
    return "low" if limit is not None and 100 * abs(differential) <= limit + 1e-9 else "high"


def _censored_early(data: pd.DataFrame, horizon_days: int) -> pd.Series:
    target = np.minimum(data["contract_end_planned"],
                        data["contract_start"] + pd.Timedelta(days=int(horizon_days)))
    return (data["event"] == 0) & (data["followup_end"] < target)


def lost_to_followup(data: pd.DataFrame, horizon_days: int) -> np.ndarray:
    """Participants lost to follow-up for the survival outcome (module docstring), as a boolean array.

    No rupture observed, observation ended before the earlier of the planned contract end
    and the horizon, and before the data extraction date (the latest ``followup_end`` of
    the cohort: participants observed up to it are censored administratively, not lost).
    """
    return (_censored_early(data, horizon_days) & (data["followup_end"] < data["followup_end"].max())).to_numpy()


def censored_at_extraction(data: pd.DataFrame, horizon_days: int) -> np.ndarray:
    """Participants observed until the data extraction date that came before their horizon
    or planned end, without rupture (administrative censoring, not attrition)."""
    return (_censored_early(data, horizon_days) & (data["followup_end"] >= data["followup_end"].max())).to_numpy()


def lee_bounds_binary(y_t: np.ndarray, y_c: np.ndarray) -> tuple[float, float, str, float]:
    """Lee (2009) bounds on ``mean_t - mean_c`` of a 0/1 outcome with missing values (NaN).

    Returns ``(lower, upper, trimmed arm, trimming share p)``.
    """
    counts_t = (np.sum(np.isnan(y_t)), np.sum(y_t == 0), np.sum(y_t == 1))
    counts_c = (np.sum(np.isnan(y_c)), np.sum(y_c == 0), np.sum(y_c == 1))
    lower, upper, p, trimmed = _lee_from_counts(np.array(counts_t, float)[:, None],
                                                np.array(counts_c, float)[:, None])
    return float(lower[0]), float(upper[0]), "treatment" if trimmed[0] else "control", float(p[0])


def _lee_from_counts(t: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, ...]:
    """Vectorised Lee bounds from count arrays of shape (3, B): missing, zeros, ones per arm."""
    with np.errstate(divide="ignore", invalid="ignore"):
        obs_t, obs_c = t[1] + t[2], c[1] + c[2]
        q_t, q_c = obs_t / t.sum(axis=0), obs_c / c.sum(axis=0)
        m_t, m_c = t[2] / obs_t, c[2] / obs_c
        trim_t = q_t >= q_c
        p = np.where(trim_t, (q_t - q_c) / q_t, (q_c - q_t) / q_c)
        m = np.where(trim_t, m_t, m_c)
        low = np.where(p < 1, np.maximum(0.0, m - p) / (1 - p), np.nan)
        high = np.where(p < 1, np.minimum(1.0, m / (1 - p)), np.nan)
        lower = np.where(trim_t, low - m_c, m_t - high)
        upper = np.where(trim_t, high - m_c, m_t - low)
    return lower, upper, p, trim_t


def imbens_manski_ci(lower: float, upper: float, se_lower: float, se_upper: float,
                     alpha: float) -> tuple[float, float]:
    """Imbens-Manski (2004) interval covering the effect with probability ``1 - alpha``."""
    scale = max(se_lower, se_upper)
    if not scale > 0:
        return lower, upper
    width = (upper - lower) / scale
    c = optimize.brentq(lambda c: stats.norm.cdf(c + width) - stats.norm.cdf(-c) - (1 - alpha),
                        0.0, stats.norm.isf(alpha / 2) + 1.0, xtol=1e-14)
    return lower - c * se_lower, upper + c * se_upper


@dataclass(frozen=True, eq=False)
class AttritionResult(Result):
    """Attrition per outcome and Lee bounds (the ``attrition`` key of ``results.json``).

    Attributes
    ----------
    boundary : str
        ``cautious`` or ``optimistic``.
    horizon_days : int
        Horizon of the survival outcome's attrition definition.
    table : pandas.DataFrame
        One row per outcome (``survival`` first): ``outcome``, ``kind``, ``n_treatment``,
        ``n_control``, ``attrited_treatment``, ``attrited_control``, ``rate_treatment``,
        ``rate_control``, ``overall``, ``differential`` (absolute), ``overall_row`` (percent),
        ``max_differential`` (points, NaN beyond the table), ``rating``.
    lee : pandas.DataFrame
        One row per binary outcome: ``outcome``, ``trimmed_arm``, ``trim_share``, ``lower``,
        ``upper``, ``se_lower``, ``se_upper``, ``ci_low``, ``ci_high`` (Imbens-Manski),
        ``replicates``.
    alpha : float
        Level of the Imbens-Manski interval.
    """

    boundary: str
    horizon_days: int
    table: pd.DataFrame
    lee: pd.DataFrame
    alpha: float

    title: ClassVar[str] = "Attrition"

    def conventions(self) -> str:
        return (f"WWC Standards Handbook v4.1 Table II.1, {self.boundary} boundary (overall rounded to whole "
                "percent, no interpolation). Survival: no rupture and follow-up ended before the data extraction "
                f"and before the earlier of the planned end and day {self.horizon_days}; binary outcomes: missing. "
                f"Lee (2009) bounds with bootstrap SEs ({LEE_BOOTSTRAP} replicates within arm) and the "
                f"Imbens-Manski {1 - self.alpha:.0%} interval.")

    def tidy(self) -> pd.DataFrame:
        rows = []
        for row in self.table.itertuples(index=False):
            rows.append({"term": f"{row.outcome}:overall", "estimate": row.overall})
            rows.append({"term": f"{row.outcome}:differential", "estimate": row.differential})
        for row in self.lee.itertuples(index=False):
            for side, value, se in (("lower", row.lower, row.se_lower), ("upper", row.upper, row.se_upper)):
                rows.append({"term": f"{row.outcome}:lee_{side}", "estimate": value, "std_error": se,
                             "ci_low": row.ci_low, "ci_high": row.ci_high})
        return tidy_frame(rows)

    def summary(self) -> str:
        shown = self.table[["outcome", "overall", "differential", "max_differential", "rating"]].copy()
        shown["overall"] = (100 * shown["overall"]).map("{:.1f} %".format)
        shown["differential"] = (100 * shown["differential"]).map("{:.1f} pts".format)
        lines = [self.title, "=" * len(self.title), shown.to_string(index=False)]
        row: Any  # an itertuples() row: pandas-stubs types its fields as any scalar
        for row in self.lee.itertuples(index=False):
            lines.append(f"Lee bounds {row.outcome}: [{row.lower:.3f}, {row.upper:.3f}] "
                         f"(trimmed {row.trimmed_arm} by {100 * row.trim_share:.1f} %), "
                         f"CI [{row.ci_low:.3f}, {row.ci_high:.3f}]")
        return "\n".join(lines + ["", self.conventions()])

    def to_dict(self) -> dict[str, Any]:
        lee: dict[Any, Any] = {row.outcome: row for row in self.lee.itertuples(index=False)}
        outcomes: dict[str, Any] = {}
        row: Any  # an itertuples() row: pandas-stubs types its fields as any scalar
        for row in self.table.itertuples(index=False):
            entry = {
                "kind": row.kind,
                "n": {"treatment": int(row.n_treatment), "control": int(row.n_control)},
                "attrited": {"treatment": int(row.attrited_treatment), "control": int(row.attrited_control)},
                "rate": {"treatment": json_number(row.rate_treatment), "control": json_number(row.rate_control)},
                "overall": json_number(row.overall),
                "differential": json_number(row.differential),
                "overall_row_percent": int(row.overall_row),
                "max_differential_points": json_number(row.max_differential),
                "rating": row.rating,
            }
            if row.outcome in lee:
                b = lee[row.outcome]
                entry["lee_bounds"] = {
                    "trimmed_arm": b.trimmed_arm, "trim_share": json_number(b.trim_share),
                    "lower": json_number(b.lower), "upper": json_number(b.upper),
                    "se_lower": json_number(b.se_lower), "se_upper": json_number(b.se_upper),
                    "ci_low": json_number(b.ci_low), "ci_high": json_number(b.ci_high),
                    "se_method": "bootstrap", "replicates": int(b.replicates), "ci_method": "imbens_manski",
                }
            outcomes[row.outcome] = entry
        return {"standard": "WWC Standards Handbook v4.1, Table II.1", "boundary": self.boundary,
                "definitions": {"survival": f"no rupture observed and follow-up ended before the earlier of the "
                                            f"planned contract end and day {self.horizon_days}, and before the "
                                            "data extraction date (latest follow-up end)",
                                "binary": "outcome missing"},
                "outcomes": outcomes}


def _attrition_row(outcome: str, kind: str, attrited: np.ndarray, treated: np.ndarray,
                   boundary: str) -> dict[str, Any]:
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    a_t, a_c = int(attrited[treated].sum()), int(attrited[~treated].sum())
    rate_t, rate_c = a_t / n_t, a_c / n_c
    overall = (a_t + a_c) / (n_t + n_c)
    limit = max_differential(overall, boundary)
    return {"outcome": outcome, "kind": kind, "n_treatment": n_t, "n_control": n_c,
            "attrited_treatment": a_t, "attrited_control": a_c, "rate_treatment": rate_t,
            "rate_control": rate_c, "overall": overall, "differential": abs(rate_t - rate_c),
            "overall_row": overall_row(overall), "max_differential": math.nan if limit is None else limit,
            "rating": rate_attrition(overall, rate_t - rate_c, boundary)}


def _lee_row(outcome: str, y: np.ndarray, treated: np.ndarray, rng: np.random.Generator,
             alpha: float) -> dict[str, Any]:
    y_t, y_c = y[treated], y[~treated]
    lower, upper, trimmed, p = lee_bounds_binary(y_t, y_c)
    draws = []
    for arm in (y_t, y_c):
        shares = np.array([np.isnan(arm).sum(), (arm == 0).sum(), (arm == 1).sum()], float) / len(arm)
        draws.append(rng.multinomial(len(arm), shares, size=LEE_BOOTSTRAP).T.astype(float))
    boot_lower, boot_upper, _, _ = _lee_from_counts(*draws)
    valid = np.isfinite(boot_lower) & np.isfinite(boot_upper)
    se_lower = float(np.std(boot_lower[valid], ddof=1)) if valid.sum() > 1 else math.nan
    se_upper = float(np.std(boot_upper[valid], ddof=1)) if valid.sum() > 1 else math.nan
    ci = imbens_manski_ci(lower, upper, se_lower, se_upper, alpha) if valid.sum() > 1 else (math.nan, math.nan)
    return {"outcome": outcome, "trimmed_arm": trimmed, "trim_share": p, "lower": lower, "upper": upper,
            "se_lower": se_lower, "se_upper": se_upper, "ci_low": ci[0], "ci_high": ci[1],
            "replicates": int(valid.sum())}


def attrition(cohort: Cohort, plan: Plan) -> AttritionResult:
    """Overall and differential attrition of the survival outcome and each binary outcome.

    Rated against the WWC v4.1 boundary named by ``plan.integrity.attrition_boundary``;
    Lee (2009) bounds for each binary outcome of ``plan.outcomes.binary``. See the module
    docstring for the definitions and conventions.

    Raises
    ------
    AnalysisError
        A binary outcome named by the plan is not a column of the cohort, or has values
        other than 0, 1 and missing.
    """
    data = cohort.data
    boundary = plan.integrity.attrition_boundary
    treated = (data["arm"] == "treatment").to_numpy()
    horizon = plan.survival.horizon_days
    rows = [_attrition_row("survival", "survival", lost_to_followup(data, horizon), treated, boundary)]
    lee_rows = []
    rng = np.random.default_rng(plan.inference.seed)
    for outcome in plan.outcomes.binary:
        y = binary_column(data, outcome).to_numpy()
        rows.append(_attrition_row(outcome, "binary", np.isnan(y), treated, boundary))
        lee_rows.append(_lee_row(outcome, y, treated, rng, plan.inference.alpha))
    lee = pd.DataFrame(lee_rows, columns=["outcome", "trimmed_arm", "trim_share", "lower", "upper", "se_lower",
                                          "se_upper", "ci_low", "ci_high", "replicates"])
    return AttritionResult(boundary=boundary, horizon_days=horizon, table=pd.DataFrame(rows), lee=lee,
                           alpha=plan.inference.alpha)
