"""Fidelity of the support method: were the three tripartite meetings held, and on time?

The in-employment support method (Missions locales, Centre region, 2011; see DOMAIN.md)
asks for three meetings of the young person, the employer and the adviser: at the start
of the contract, after the first month, and before the end of the contract or six months
after hiring. ``plan.integrity.meetings`` names their three date columns, in that order.

Population: the treatment arm; when the cohort has ``support_received``, only those who
received the support (the others had no adviser to hold meetings).

On-time windows, in days since ``contract_start`` (``D`` = planned duration in days):

========  ===========================  ==========================================
meeting   due                          on time
========  ===========================  ==========================================
1 start   day 0                        day −7 to 15 (may be held at signing)
2 month   day 30                       day 21 to 45
3 end     ``d3 = min(183, D − 14)``    ``d3 − 30`` to ``min(d3 + 30, D)``
========  ===========================  ==========================================

A meeting is **due** when the participant was in contract and followed up until the last
day of its window (``time_days`` >= that day; a contract that ran to its planned end ``D``
is followed up to ``D``, the last day of the end meeting's window when ``D < 197``), or
when it was held on time. A meeting whose window had not closed by a rupture (or by the
end of follow-up) is *not due*, not missed. Shares are among participants for whom the meeting was due: held at all (any
date) and held on time, with Wilson score 1 − alpha intervals (R ``prop.test(correct =
FALSE)``'s interval).

Ruptures by number of meetings held (0-3, at any date) is a **descriptive, non-causal**
table: participants who break early cannot have had the later meetings, and those who
meet their adviser differ from those who do not, so it says nothing about the effect of
the meetings.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from ..cohort import Cohort
from ..errors import AnalysisError
from ..plan import Plan
from ..results import Result, json_number, tidy_frame

#: What each of the three meetings is, in the plan's order.
MEETING_LABELS = ("start of the contract", "after the first month", "before the end or at six months")
#: On-time windows of meetings 1 and 2, days since contract start.
START_WINDOW = (-7, 15)
MONTH_WINDOW = (21, 45)
#: Meeting 3: due at min(SIX_MONTHS, planned duration − BEFORE_END), on time within ± HALF_WIDTH.
SIX_MONTHS, BEFORE_END, HALF_WIDTH = 183, 14, 30


def _as_dates(values: pd.Series, name: str) -> pd.Series:
    """A date column as ``datetime64`` (ISO or French ``DD/MM/YYYY`` text accepted)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = values.astype("string").str.strip().replace({"": pd.NA})
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if parsed.notna().sum() == text.notna().sum():
            return parsed
    raise AnalysisError(f"meeting column '{name}' has values that are not dates (YYYY-MM-DD or DD/MM/YYYY)")


def meeting_windows(duration_days: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The on-time window ``(first day, last day)`` of each meeting, per participant."""
    ones = np.ones_like(duration_days)
    due3 = np.minimum(SIX_MONTHS, duration_days - BEFORE_END)
    return [(START_WINDOW[0] * ones, START_WINDOW[1] * ones), (MONTH_WINDOW[0] * ones, MONTH_WINDOW[1] * ones),
            (due3 - HALF_WIDTH, np.minimum(due3 + HALF_WIDTH, duration_days))]


@dataclass(frozen=True)
class MeetingFidelity:
    """One meeting: how many were due, held at all, held on time."""

    column: str
    label: str
    window: str
    due: int
    held: int
    on_time: int
    alpha: float

    def _share(self, count: int) -> tuple[float, float, float]:
        if self.due == 0:
            return np.nan, np.nan, np.nan
        low, high = proportion_confint(count, self.due, alpha=self.alpha, method="wilson")
        return count / self.due, float(low), float(high)

    def to_dict(self) -> dict[str, Any]:
        held, held_low, held_high = self._share(self.held)
        on_time, low, high = self._share(self.on_time)
        return {"label": self.label, "window": self.window, "due": self.due, "held": self.held,
                "on_time": self.on_time, "share_held": json_number(held),
                "share_held_ci": [json_number(held_low), json_number(held_high)],
                "share_on_time": json_number(on_time), "ci_low": json_number(low), "ci_high": json_number(high)}


@dataclass(frozen=True, eq=False)
class FidelityResult(Result):
    """Delivery of the three tripartite meetings in the treatment arm (descriptive).

    Attributes
    ----------
    population : str
    n : int
        Participants in the population.
    meetings : tuple of MeetingFidelity
    all_due, all_on_time : int
        Participants for whom all three meetings were due, and who had all three on time.
    ruptures_by_meetings : pandas.DataFrame
        Columns ``meetings_held`` (0-3), ``n``, ``ruptures``, ``share``; non-causal.
    alpha : float
    """

    population: str
    n: int
    meetings: tuple[MeetingFidelity, ...]
    all_due: int
    all_on_time: int
    ruptures_by_meetings: pd.DataFrame
    alpha: float

    title: ClassVar[str] = "Fidelity of the support method (tripartite meetings)"
    causal = False

    def conventions(self) -> str:
        return (f"Population: {self.population} (n = {self.n}). Shares among participants for whom the "
                "meeting was due (a meeting after a rupture is not due); Wilson intervals. Ruptures by number "
                "of meetings held: DESCRIPTIVE, NOT CAUSAL (early ruptures leave no time for later meetings).")

    def tidy(self) -> pd.DataFrame:
        rows = []
        for m in self.meetings:
            for what, count in (("held", m.held), ("on time", m.on_time)):
                share, low, high = m._share(count)
                rows.append({"term": f"{m.column}: {what}", "estimate": share, "ci_low": low, "ci_high": high})
        for row in self.ruptures_by_meetings.itertuples():
            rows.append({"term": f"rupture share, {row.meetings_held} meetings held (non-causal)",
                         "estimate": row.share})
        return tidy_frame(rows)

    def to_dict(self) -> dict[str, Any]:
        table = [{"meetings_held": int(r["meetings_held"]), "n": int(r["n"]), "ruptures": int(r["ruptures"]),
                  "share": json_number(r["share"])} for r in self.ruptures_by_meetings.to_dict("records")]
        return {
            "causal": False, "population": self.population, "n": self.n,
            "meetings": {m.column: m.to_dict() for m in self.meetings},
            "all_on_time": {"due": self.all_due, "on_time": self.all_on_time,
                            "share": json_number(self.all_on_time / self.all_due if self.all_due else np.nan)},
            "ruptures_by_meetings": {
                "causal": False, "rows": table,
                "note": "Descriptive only: participants who break early cannot have had the later meetings, "
                        "and meeting attendance is not randomised."},
        }


def fidelity(cohort: Cohort, plan: Plan) -> FidelityResult:
    """Share of the treatment arm who had each tripartite meeting, and on time.

    Parameters
    ----------
    cohort : Cohort
        Needs ``treated``, ``contract_start``, ``contract_end_planned``, ``time_days``,
        ``event`` and the three meeting date columns (empty = not held).
    plan : Plan
        ``plan.integrity.meetings`` (three columns: start, first month, end or six months).

    Returns
    -------
    FidelityResult

    Raises
    ------
    AnalysisError
        The plan does not name three meeting columns, or one is absent or not dates.
    """
    columns = plan.integrity.meetings
    if len(columns) != 3:
        raise AnalysisError(f"fidelity needs the three tripartite-meeting date columns "
                            f"(start, first month, end or six months); the plan names {len(columns)}")
    data = cohort.data
    for name in columns:
        if name not in data:
            raise AnalysisError(f"meeting column '{name}' is not a column of the cohort")
    population = "treatment arm"
    keep = data["treated"] == 1
    if "support_received" in data:
        keep &= pd.to_numeric(data["support_received"], errors="coerce") == 1
        population = "treatment arm, support received"
    part = data[keep]
    start = pd.to_datetime(part["contract_start"])
    duration = (pd.to_datetime(part["contract_end_planned"]) - start).dt.days.to_numpy()
    exit_day = part["time_days"].to_numpy()
    windows = meeting_windows(duration)
    descriptions = (f"day {START_WINDOW[0]} to {START_WINDOW[1]}", f"day {MONTH_WINDOW[0]} to {MONTH_WINDOW[1]}",
                    f"day min({SIX_MONTHS}, planned duration - {BEFORE_END}) +/- {HALF_WIDTH}, "
                    "not after the planned end")
    held_all, on_time_all, due_all = [], [], []
    meetings = []
    for name, label, (low, high), text in zip(columns, MEETING_LABELS, windows, descriptions):
        day = (_as_dates(part[name], name) - start).dt.days.to_numpy(dtype=float)
        held = ~np.isnan(day)
        on_time = held & (day >= low) & (day <= high)
        due = on_time | (exit_day >= high)
        held_all.append(held)
        on_time_all.append(on_time)
        due_all.append(due)
        meetings.append(MeetingFidelity(name, label, text, int(due.sum()), int((held & due).sum()),
                                        int(on_time.sum()), plan.inference.alpha))
    every_due = np.logical_and.reduce(due_all)
    count = np.sum(held_all, axis=0)
    events = part["event"].to_numpy()
    table = pd.DataFrame({"meetings_held": np.arange(4)})
    table["n"] = [int((count == k).sum()) for k in range(4)]
    table["ruptures"] = [int(events[count == k].sum()) for k in range(4)]
    table["share"] = table["ruptures"] / table["n"].where(table["n"] > 0)
    return FidelityResult(population=population, n=len(part), meetings=tuple(meetings),
                          all_due=int(every_due.sum()),
                          all_on_time=int((every_due & np.logical_and.reduce(on_time_all)).sum()),
                          ruptures_by_meetings=table, alpha=plan.inference.alpha)
