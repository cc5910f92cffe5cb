"""Cost per rupture avoided (CONTRACT §8), from the risk difference at the horizon.

With ``c`` the cost of the support per participant and ``RD = r_T - r_C`` the
Kaplan-Meier risk difference of rupture at the plan's horizon (treatment minus
control; negative when the support avoids ruptures):

- ruptures avoided per 100 participants supported: ``-100 RD``;
- cost per rupture avoided: ``c / (-RD)``, defined when ``RD < 0``;
- its confidence interval maps the RD's Wald interval ``[l, h]`` through the
  decreasing function ``x -> c / (-x)`` on ``x < 0``: ``[c / (-l), c / (-h)]``. A
  bound is ``None`` where the RD's interval reaches zero or beyond (no rupture
  avoided is compatible with the data, so the cost is unbounded on that side);
  the estimate is ``None`` when ``RD >= 0``.

This is the incremental cost-effectiveness ratio of Drummond et al., *Methods for
the Economic Evaluation of Health Care Programmes* (4th ed., 2015, ch. 4) with the
cost of the support as the incremental cost (the control arm receives nothing
that the programme pays for), and the interval by inverting the effect's interval
(Fieller's method with a known cost reduces to it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from .results import Result, json_number, tidy_frame


def _per_rupture(cost: float, difference: float | None) -> float | None:
    """``cost / (-difference)`` when ``difference < 0``, else ``None``."""
    if difference is None or not math.isfinite(difference) or difference >= 0:
        return None
    return cost / -difference


@dataclass(frozen=True, eq=False)
class CostEffectiveness(Result):
    """Cost per rupture avoided.

    Attributes
    ----------
    cost_per_participant : float
        The plan's ``[report] cost_per_participant``.
    currency : str
    horizon_days : int
    ruptures_avoided_per_100 : float or None
        ``-100 RD`` (negative when the supported young people broke more contracts).
    estimate, ci_low, ci_high : float or None
        Cost per rupture avoided and its interval (see the module).
    """

    cost_per_participant: float
    currency: str
    horizon_days: int
    ruptures_avoided_per_100: float | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    title: ClassVar[str] = "Cost per rupture avoided"

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([
            {"term": "ruptures avoided per 100", "estimate": self.ruptures_avoided_per_100},
            {"term": f"cost per rupture avoided ({self.currency})", "estimate": self.estimate,
             "ci_low": self.ci_low, "ci_high": self.ci_high},
        ])

    def conventions(self) -> str:
        return (f"cost {self.cost_per_participant:g} {self.currency} per participant / ruptures avoided per "
                f"participant at day {self.horizon_days} (-RD); a bound is missing where the RD's CI reaches 0")

    def to_dict(self) -> dict[str, Any]:
        """CONTRACT §8 ``results["cost_effectiveness"]``."""
        return {"cost_per_participant": json_number(self.cost_per_participant), "currency": self.currency,
                "horizon_days": int(self.horizon_days),
                "ruptures_avoided_per_100": json_number(self.ruptures_avoided_per_100),
                "cost_per_rupture_avoided": {"estimate": json_number(self.estimate),
                                             "ci_low": json_number(self.ci_low),
                                             "ci_high": json_number(self.ci_high)}}


def cost_effectiveness(cost_per_participant: float, currency: str, horizon_days: int, difference: float | None,
                       ci_low: float | None, ci_high: float | None) -> CostEffectiveness:
    """Cost per rupture avoided from the risk difference ``difference`` (treatment - control, a
    proportion) at ``horizon_days`` and its confidence interval ``[ci_low, ci_high]``.

    Examples
    --------
    >>> r = cost_effectiveness(850, "EUR", 365, -0.11, -0.20, -0.02)
    >>> round(r.ruptures_avoided_per_100, 6), round(r.estimate, 2), round(r.ci_low, 2), round(r.ci_high, 2)
    (11.0, 7727.27, 4250.0, 42500.0)
    """
    finite = difference is not None and math.isfinite(difference)
    return CostEffectiveness(
        cost_per_participant=cost_per_participant, currency=currency, horizon_days=horizon_days,
        ruptures_avoided_per_100=-100 * difference if difference is not None and finite else None,
        estimate=_per_rupture(cost_per_participant, difference),
        ci_low=_per_rupture(cost_per_participant, ci_low), ci_high=_per_rupture(cost_per_participant, ci_high))
