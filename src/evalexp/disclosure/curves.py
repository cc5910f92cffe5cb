"""Publishable survival and cumulative-incidence curves: coarsened step functions.

A Kaplan-Meier curve drawn from its step table shows every event time (a step)
and, through the number at risk, every censoring time. The publishable curve
(rule "curves" of docs/disclosure.md, after the SDC Handbook for outputs and the
rounded Kaplan-Meier curves of OpenSAFELY) is instead:

- evaluated only at the points of one set per arm (:func:`publishable_times`):
  days of a grid of ``GRID_DAYS`` days (30, 60, ...) and the plan's landmark
  days, so no drawn point sits at an individual's time;
- a point is kept only when at least ``threshold`` events happened since the
  previous kept point, so every drawn change holds at least ``threshold`` events
  (ACRO's rounded survival table accumulates changes the same way); the horizon
  landmark, on which the risk difference rests, has priority over earlier points;
- drawn as straight segments between kept points, and stopped at the last grid
  point before the number at risk falls below the threshold;
- without censoring marks; the numbers at risk printed under it are rounded up to
  a multiple of ``AT_RISK_BASE`` (as OpenSAFELY does) and hidden below the
  threshold.

The landmark estimates of ``results.json`` are published only at kept points, so
the table and the figure together still change by at least ``threshold`` events
between any two published values. The exact step table never leaves this
module: figures draw what it returns.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Spacing of the grid on which publishable curves are evaluated (days).
GRID_DAYS = 30
#: Rounding base of the published numbers at risk.
AT_RISK_BASE = 5


def round_at_risk(count: int, threshold: int) -> int | None:
    """A number at risk as published: ``None`` below ``threshold``, else rounded up to a multiple of
    :data:`AT_RISK_BASE` (so a published number is never below the threshold)."""
    if count < threshold:
        return None
    return int(AT_RISK_BASE * np.ceil(count / AT_RISK_BASE))


def _stop(times: np.ndarray, n_risk: np.ndarray, threshold: int) -> float:
    """The last grid point before the number at risk first falls below ``threshold``."""
    low = np.nonzero(n_risk < threshold)[0]
    end = float(times[low[0]]) if len(low) else float(times[-1]) if len(times) else 0.0
    return float(GRID_DAYS * np.floor(end / GRID_DAYS))


def publishable_times(event_times: np.ndarray, event_counts: np.ndarray, candidates: np.ndarray,
                      threshold: int, priority: float | None = None) -> np.ndarray:
    """The candidate days at which a curve may be published: each at least ``threshold`` events
    after the previous one (the first after day 0).

    A forward pass keeps a candidate once ``threshold`` events have accumulated since the last kept
    one. ``priority`` (the horizon) is kept whenever ``threshold`` events happened by then: the
    points just before it are dropped until ``threshold`` events separate the last of them from it.
    """
    candidates = np.unique(np.asarray(candidates, dtype=float))

    def events(after: float, until: float) -> int:
        return int(event_counts[(event_times > after) & (event_times <= until)].sum())

    kept: list[float] = []
    for day in candidates:
        if events(kept[-1] if kept else 0.0, day) >= threshold:
            kept.append(float(day))
    if priority is not None and priority in candidates and priority not in kept \
            and events(0.0, priority) >= threshold:
        before = [d for d in kept if d < priority]
        after = [d for d in kept if d > priority]
        while before and events(before[-1], priority) < threshold:
            before.pop()
        after_kept: list[float] = []
        for day in after:
            if events(after_kept[-1] if after_kept else priority, day) >= threshold:
                after_kept.append(day)
        kept = before + [float(priority)] + after_kept
    return np.array(kept, dtype=float)


@dataclass(frozen=True)
class PublicCurve:
    """A coarsened step function: ``points`` (columns ``time`` and the value columns, starting at
    time 0), drawn as a right-continuous step to ``stop``."""

    points: pd.DataFrame
    stop: float


def km_times(table: pd.DataFrame, threshold: int, landmarks: tuple[int, ...] = (),
             horizon: float | None = None) -> np.ndarray:
    """The days at which a Kaplan-Meier step table (``KaplanMeier.table``) may be published, up to
    where the curve stops: the landmarks first (:func:`publishable_times`, the horizon before the
    others), then the grid days that fit between them (:func:`fill_times`)."""
    times = table["time"].to_numpy(dtype=float)
    counts = table["n_event"].to_numpy()
    stop = _stop(times, table["n_risk"].to_numpy(), threshold)
    kept = publishable_times(times, counts, np.array([d for d in landmarks if d <= stop], dtype=float), threshold,
                             horizon if horizon is not None and horizon <= stop else None)
    return fill_times(times, counts, kept, np.arange(GRID_DAYS, stop + 1e-9, GRID_DAYS), threshold)


def fill_times(event_times: np.ndarray, event_counts: np.ndarray, kept: np.ndarray, candidates: np.ndarray,
               threshold: int) -> np.ndarray:
    """``kept`` (the landmarks, which have priority) with the candidate days added, in time order,
    that are at least ``threshold`` events away from both their kept neighbours."""
    days = sorted(float(d) for d in kept)
    for day in candidates:
        if day in days:
            continue
        before = max((d for d in days if d < day), default=0.0)
        after = min((d for d in days if d > day), default=None)
        ahead = event_counts[(event_times > before) & (event_times <= day)].sum()
        behind = threshold if after is None else event_counts[(event_times > day) & (event_times <= after)].sum()
        if ahead >= threshold and behind >= threshold:
            days = sorted(days + [float(day)])
    return np.array(days, dtype=float)


def km_curve(table: pd.DataFrame, threshold: int, kept: np.ndarray) -> PublicCurve:
    """The publishable Kaplan-Meier curve of a step table (``time, n_risk, n_event, survival,
    ci_low, ci_high``) at the days ``kept`` (:func:`km_times`)."""
    times = table["time"].to_numpy(dtype=float)
    stop = _stop(times, table["n_risk"].to_numpy(), threshold)
    idx = np.searchsorted(times, kept, side="right") - 1
    rows = {"time": np.r_[0.0, kept]}
    for column in ("survival", "ci_low", "ci_high"):
        values = table[column].to_numpy(dtype=float)
        rows[column] = np.r_[1.0, np.where(idx >= 0, values[np.maximum(idx, 0)], 1.0)]
    return PublicCurve(pd.DataFrame(rows), stop)


def at_risk_at(table: pd.DataFrame, ticks: np.ndarray, threshold: int) -> list[int | None]:
    """Published numbers at risk at ``ticks`` (subjects with time >= tick, rounded by
    :func:`round_at_risk`; ``None`` below the threshold or after the curve stops)."""
    times = table["time"].to_numpy(dtype=float)
    n_risk = table["n_risk"].to_numpy()
    stop = _stop(times, n_risk, threshold)
    pos = np.searchsorted(times, ticks, side="left")
    exact = np.where(pos < len(times), n_risk[np.minimum(pos, len(times) - 1)], 0)
    return [None if tick > stop else round_at_risk(int(c), threshold) for tick, c in zip(ticks, exact)]


def cif_times(jumps: Mapping[tuple[str, str], np.ndarray], groups: Mapping[str, str], arm: str,
              km_kept: np.ndarray, threshold: int) -> np.ndarray:
    """The days at which every group's cumulative incidence may be published in ``arm``.

    Candidates are the arm's published Kaplan-Meier days (``km_kept``), where the all-cause
    incidence ``1 - S`` is already public; a day is kept when every group has at least
    ``threshold`` events since the previous kept day (jump times, one event at least each), so
    that no group's increment, and no difference between the total and the other groups, falls
    below the threshold.
    """
    members = {g: [c for c, h in groups.items() if h == g] for g in dict.fromkeys(groups.values())}
    times = {g: np.concatenate([jumps.get((c, arm), np.array([])) for c in cs] or [np.array([])])
             for g, cs in members.items()}
    kept: list[float] = []
    for day in sorted(km_kept):
        last = kept[-1] if kept else 0.0
        if all(((t > last) & (t <= day)).sum() >= threshold for t in times.values()):
            kept.append(float(day))
    return np.array(kept, dtype=float)


def cif_curves(cif: pd.DataFrame, groups: Mapping[str, str], kept: Mapping[str, np.ndarray],
               bands: Mapping[tuple[str, str], pd.DataFrame] | None = None) -> pd.DataFrame:
    """Publishable cumulative incidences of groups of causes, with their confidence bands.

    Parameters
    ----------
    cif : DataFrame
        Columns ``cause, arm, time, cif`` (``CompetingRisksAnalysis.cif_table()``).
    groups : mapping cause -> group label
        Causes published together (small causes merged into "other").
    kept : mapping arm -> days
        The days of :func:`cif_times`.
    bands : mapping (cause, arm) -> DataFrame, optional
        Each cause's Aalen-Johansen step table (``CumulativeIncidence.table``: ``time, ci_low,
        ci_high``), from which a group of one cause takes its pointwise confidence interval at the
        kept days (:func:`cif_bands`). A group merging several causes has no band (``NaN``): the
        variance of a sum of incidences is not the sum of their variances.

    Returns
    -------
    DataFrame
        Columns ``group, arm, time, cif, ci_low, ci_high``: each group's incidence (the sum of its
        causes') and interval at the kept days, from 0. The interval is published only at those
        days, like the incidence, so it changes by at least ``threshold`` events between points.
    """
    frames = []
    for arm, days in kept.items():
        part = cif[cif["arm"] == arm]
        # single causes first, in their order; the merged groups ("other", "all") last
        for group in sorted(dict.fromkeys(groups.values()), key=lambda g: g in ("other", "all")):
            total = np.zeros(len(days))
            for cause in (c for c, g in groups.items() if g == group):
                steps = part[part["cause"] == cause].sort_values("time")
                values = steps["cif"].to_numpy(dtype=float)
                pos = np.searchsorted(steps["time"].to_numpy(dtype=float), days, side="right") - 1
                total += np.where(pos >= 0, values[np.maximum(pos, 0)], 0.0)
            members = [c for c, g in groups.items() if g == group]
            low, high = cif_bands(bands or {}, members[0] if len(members) == 1 else None, arm, np.r_[0.0, days])
            frames.append(pd.DataFrame({"group": group, "arm": arm, "time": np.r_[0.0, days],
                                        "cif": np.r_[0.0, total], "ci_low": low, "ci_high": high}))
    return pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame({"group": [], "arm": [], "time": [], "cif": [], "ci_low": [], "ci_high": []})


def cif_bands(bands: Mapping[tuple[str, str], pd.DataFrame], cause: str | None, arm: str,
              days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pointwise confidence interval of ``cause``'s incidence in ``arm`` at ``days``: the
    right-continuous step of its Aalen-Johansen table (cmprsk's delta-method variance, log(-log)
    interval, :mod:`evalexp.competing.cif`); ``NaN`` when there is no single cause or no table."""
    table = bands.get((cause, arm)) if cause is not None else None
    if table is None or table.empty:
        return np.full(len(days), np.nan), np.full(len(days), np.nan)
    pos = np.searchsorted(table["time"].to_numpy(dtype=float), days, side="right") - 1
    inside = pos >= 0
    return tuple(np.where(inside, table[c].to_numpy(dtype=float)[np.maximum(pos, 0)], 0.0)  # type: ignore[return-value]
                 for c in ("ci_low", "ci_high"))


def time_ticks(max_time: float, most: int = 10) -> np.ndarray:
    """Axis ticks every 30, 60, 90, 180, 360 or 720 days (multiples of the grid), at most ``most``."""
    for step in (30, 60, 90, 180, 360, 720):
        if max_time / step <= most - 1:
            return np.arange(0, max_time + 1e-9, step)
    return np.arange(0, max_time + 1e-9, GRID_DAYS * np.ceil(max_time / (most - 1) / GRID_DAYS))
