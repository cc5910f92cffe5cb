"""The report's figures, drawn with matplotlib's object API.

Every function takes plain data (DataFrames, dicts) and a
:class:`~evalexp.report.i18n.Formatter`, and returns a
:class:`matplotlib.figure.Figure` built without pyplot: nothing is shown, no
global state is touched, and every label is in the report language.
The figures draw only what they are given: the curves and numbers at risk of a
:class:`~evalexp.disclosure.Publication` (coarsened in public mode by
:mod:`evalexp.disclosure.curves`), and published values where a withheld one is
``None`` or an already formatted mark.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import FixedLocator, FuncFormatter

from ..disclosure.curves import PublicCurve, time_ticks
from .i18n import SECONDARY, Formatter

#: Okabe-Ito colour-blind-safe colours of the arms.
ARM_COLOURS = {"treatment": "#0072B2", "control": "#D55E00"}
#: Colours of the rupture causes (stacked areas).
CAUSE_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#999999")
ARMS = ("treatment", "control")
WIDTH = 7.0


def _style(ax) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=9)


def _draw(ax, times: np.ndarray, values: np.ndarray, coarse: bool, **style) -> None:
    """A curve through its points: straight segments between the grid points of a coarsened
    (public) curve, which shows no step at an individual's time; right-continuous steps otherwise."""
    if coarse:
        ax.plot(times, values, **style)
    else:
        ax.step(times, values, where="post", **style)


def _band(ax, times: np.ndarray, low: np.ndarray, high: np.ndarray, coarse: bool, **style) -> None:
    ax.fill_between(times, low, high, **({} if coarse else {"step": "post"}), **style)


def km_figure(curves: Mapping[str, PublicCurve], ticks: np.ndarray, at_risk: Mapping[str, list[int | None]],
              fmt: Formatter, *, max_time: float, coarse: bool) -> Figure:
    """Kaplan-Meier curves by arm with confidence bands and an aligned number-at-risk table.

    Parameters
    ----------
    curves : mapping arm -> PublicCurve
        The curves as published (``Publication.km``): points from time 0 and where they stop.
    ticks : array
        Days of the x ticks and of the at-risk row.
    at_risk : mapping arm -> list
        Numbers at risk at ``ticks`` as published (``None`` prints as ``"<threshold"``).
    fmt : Formatter
        Language and suppression threshold.
    max_time : float
        Right end of the time axis.
    coarse : bool
        Draw straight segments between the points (a coarsened public curve) instead of steps.

    Notes
    -----
    The at-risk table is a second axes sharing the x axis of the curves, so its
    numbers sit exactly under the ticks. No censoring marks are drawn.
    """
    fig = Figure(figsize=(WIDTH, 4.6), layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=(4.2, 1.0))
    ax = fig.add_subplot(grid[0])
    risk_ax = fig.add_subplot(grid[1], sharex=ax)
    low = 1.0
    for arm in ARMS:
        if arm not in curves:
            continue
        points, stop = curves[arm].points, curves[arm].stop
        times = np.r_[points["time"].to_numpy(dtype=float), stop]
        columns = {c: np.r_[points[c].to_numpy(dtype=float), points[c].iloc[-1]]
                   for c in ("survival", "ci_low", "ci_high")}
        colour = ARM_COLOURS[arm]
        _band(ax, times, columns["ci_low"], columns["ci_high"], coarse, color=colour, alpha=0.15, linewidth=0)
        _draw(ax, times, columns["survival"], coarse, color=colour, linewidth=2, label=fmt.t(arm))
        finite = columns["ci_low"][np.isfinite(columns["ci_low"])]
        low = min(low, float(finite.min())) if finite.size else low
    ax.set_xlim(0, max_time)
    ax.set_ylim(max(0.0, np.floor(low * 10) / 10 - 0.05), 1.01)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: fmt.percent(y, 0)))
    ax.set_ylabel(fmt.t("survival_prob"), fontsize=9)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.tick_params(axis="x", labelbottom=False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    if curves:
        ax.legend(loc="lower left", frameon=False, fontsize=9)
    _style(ax)

    arms = [arm for arm in ARMS if arm in at_risk]
    for row, arm in enumerate(arms):
        for tick, count in zip(ticks, at_risk[arm]):
            risk_ax.text(tick, row, fmt.hidden if count is None else fmt.integer(count), ha="center",
                         va="center", fontsize=8.5, color=ARM_COLOURS[arm])
    risk_ax.set_ylim(len(arms) - 0.5, -0.5)
    risk_ax.set_yticks(range(len(arms)), [fmt.t(arm) for arm in arms], fontsize=8.5)
    for label, arm in zip(risk_ax.get_yticklabels(), arms):
        label.set_color(ARM_COLOURS[arm])
    risk_ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.integer(x)))
    risk_ax.set_xlabel(fmt.t("days"), fontsize=9)
    risk_ax.set_title(fmt.t("at_risk"), fontsize=8.5, loc="left", pad=2)
    risk_ax.tick_params(axis="y", length=0, pad=24)
    risk_ax.tick_params(axis="x", labelsize=9)
    for side in ("top", "right", "left"):
        risk_ax.spines[side].set_visible(False)
    return fig


def cif_figure(cif: pd.DataFrame, stops: Mapping[str, float], fmt: Formatter, *, max_time: float,
               coarse: bool) -> Figure:
    """Stacked cumulative incidence of ruptures by group of causes, one panel per arm.

    Parameters
    ----------
    cif : DataFrame
        Columns ``group, arm, time, cif`` as published (``Publication.cif``, labels translated):
        each group's incidence at its points, from time 0.
    stops : mapping arm -> time
        Where each arm's curves stop.
    max_time : float
        Right end of the time axes.
    coarse : bool
        Straight segments between points (public, coarsened) instead of steps.
    """
    groups = sorted(cif["group"].unique())
    fig = Figure(figsize=(WIDTH, 3.4), layout="constrained")
    fig.get_layout_engine().set(wspace=0.06)  # room between "720" of one panel and "0" of the next
    axes = fig.subplots(1, 2, sharey=True)
    top = 0.0
    for ax, arm in zip(axes, ARMS):
        part = cif[cif["arm"] == arm]
        stop = float(stops.get(arm, 0.0))
        grid = np.unique(np.concatenate([[0.0], part["time"].to_numpy(dtype=float), [stop]]))
        grid = grid[grid <= stop]
        bottom = np.zeros_like(grid)
        for colour, group in zip(CAUSE_COLOURS, groups):
            steps = part[part["group"] == group].sort_values("time")
            times = steps["time"].to_numpy(dtype=float)
            values = steps["cif"].to_numpy(dtype=float)
            if coarse:
                level = np.interp(grid, times, values) if len(times) else np.zeros_like(grid)
            else:
                pos = np.searchsorted(times, grid, side="right") - 1
                level = np.where(pos >= 0, values[np.maximum(pos, 0)], 0.0)
            _band(ax, grid, bottom, bottom + level, coarse, color=colour, linewidth=0, label=group)
            bottom = bottom + level
        top = max(top, float(bottom.max()) if len(bottom) else 0.0)
        ax.set_title(fmt.t(arm), fontsize=10, color=ARM_COLOURS[arm])
        ax.set_xlim(0, max_time)
        ax.xaxis.set_major_locator(FixedLocator(time_ticks(max_time, most=6)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.integer(x)))
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        _style(ax)
    fig.supxlabel(fmt.t("days"), fontsize=9)
    axes[0].set_ylim(0, max(0.05, np.ceil(top * 20) / 20))
    axes[0].yaxis.set_major_formatter(FuncFormatter(lambda y, _: fmt.percent(y, 0)))
    axes[0].set_ylabel(fmt.t("cif"), fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="outside right upper", frameon=False, fontsize=8.5,
               title=fmt.t("cause"), title_fontsize=8.5)
    return fig


def love_plot(balance: pd.DataFrame, fmt: Formatter) -> Figure:
    """Standardised baseline differences with the WWC thresholds 0.05 and 0.25.

    Parameters
    ----------
    balance : DataFrame
        Columns ``label`` (covariate or covariate: level) and ``std_diff``.
    """
    height = 1.2 + 0.28 * len(balance)
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    draw_love(fig.add_subplot(), balance, fmt)
    return fig


def draw_love(ax, balance: pd.DataFrame, fmt: Formatter) -> None:
    """Draw :func:`love_plot` on the matplotlib Axes ``ax``."""
    frame = balance.iloc[::-1].reset_index(drop=True)
    values = frame["std_diff"].to_numpy(dtype=float)
    span = max(0.3, float(np.nanmax(np.abs(values))) * 1.1 if len(values) else 0.3)
    ax.axvspan(-0.05, 0.05, color="#e5f2e5", zorder=0)
    for x in (-0.25, 0.25):
        ax.axvline(x, color="#b2182b", linestyle="--", linewidth=1)
    for x in (-0.05, 0.05):
        ax.axvline(x, color="#4d9221", linestyle=":", linewidth=1)
    ax.axvline(0, color="#555555", linewidth=0.8)
    colours = np.where(np.abs(values) <= 0.05, "#1b7837",
                       np.where(np.abs(values) <= 0.25, "#E69F00", "#b2182b"))
    ax.scatter(values, np.arange(len(frame)), c=colours, s=28, zorder=3)
    ax.set_yticks(np.arange(len(frame)), frame["label"], fontsize=8.5)
    ax.set_ylim(-0.7, len(frame) - 0.3)
    ax.set_xlim(-span, span)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.number(x, 2)))
    ax.set_xlabel(fmt.t("love_x"), fontsize=9)
    ax.grid(axis="y", color="#eeeeee", linewidth=0.6)
    _style(ax)


def effects_figure(effects: pd.DataFrame, fmt: Formatter) -> Figure:
    """Differences in proportions (points) with their confidence intervals, one row per outcome.

    Parameters
    ----------
    effects : DataFrame
        Columns ``label``, ``difference``, ``ci_low``, ``ci_high`` (shares, 0-1).
    """
    frame = effects.iloc[::-1].reset_index(drop=True)
    fig = Figure(figsize=(WIDTH, 1.2 + 0.45 * len(frame)), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(frame))
    ax.axvline(0, color="#555555", linewidth=0.8)
    difference, low, high = (frame[c].to_numpy(dtype=float) for c in ("difference", "ci_low", "ci_high"))
    ax.errorbar(100 * difference, y, xerr=[100 * (difference - low), 100 * (high - difference)],
                fmt="o", color=ARM_COLOURS["treatment"], ecolor="#555555", capsize=3, markersize=6)
    ax.set_yticks(y, frame["label"], fontsize=9)
    ax.set_ylim(-0.6, len(frame) - 0.4)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.number(x, 0)))
    ax.set_xlabel(fmt.t("difference_axis"), fontsize=9)
    _style(ax)
    return fig


def _forest_rows(forest: pd.DataFrame, fmt: Formatter) -> list[tuple[str, str, float, float, float, bool]]:
    """The forest plot's rows: left label, right text, estimate, ci_low, ci_high, is a variable heading."""
    rows: list[tuple[str, str, float, float, float, bool]] = []
    for variable, part in forest.groupby("variable", sort=False):
        p = part["interaction_p"].iloc[0]
        rows.append((f"{fmt.var(variable)}  ({fmt.t('interaction_p')} {fmt.pvalue(p)})", "", np.nan, np.nan,
                     np.nan, True))
        for rec in part.itertuples():
            size = SECONDARY if rec.n is None or pd.isna(rec.n) else fmt.integer(int(rec.n))
            shown = rec.estimate is not None and not pd.isna(rec.estimate)
            estimate = f"{fmt.number(rec.estimate)} {fmt.ci(rec.ci_low, rec.ci_high)}" if shown else "–"
            values = (float(rec.estimate), float(rec.ci_low), float(rec.ci_high)) if shown else (np.nan,) * 3
            rows.append((fmt.value(variable, rec.level), f"{estimate}   {fmt.t('n')} {size}", *values, False))
    return rows


def forest_plot(forest: pd.DataFrame, fmt: Formatter) -> Figure:
    """Hazard ratios of rupture by subgroup (log scale), with the interaction p of each variable.

    Parameters
    ----------
    forest : DataFrame
        Columns ``variable, level, n, estimate, ci_low, ci_high, interaction_p``, as published: ``n``
        (both arms) is ``None`` where withheld (printed ``"s"``), ``estimate`` is the hazard ratio or
        ``None`` where withheld (no point drawn).
    """
    rows = _forest_rows(forest, fmt)
    fig = Figure(figsize=(WIDTH, 1.0 + 0.3 * len(rows)), layout="constrained")
    draw_forest(fig.add_subplot(), forest, fmt)
    return fig


def draw_forest(ax, forest: pd.DataFrame, fmt: Formatter) -> None:
    """Draw :func:`forest_plot` on the matplotlib Axes ``ax``."""
    rows = _forest_rows(forest, fmt)
    y = np.arange(len(rows))[::-1]
    est = np.array([r[2] for r in rows], dtype=float)
    lo = np.array([r[3] for r in rows], dtype=float)
    hi = np.array([r[4] for r in rows], dtype=float)
    ok = np.isfinite(est) & np.isfinite(lo) & np.isfinite(hi)
    ax.axvline(1, color="#555555", linewidth=0.8)
    ax.errorbar(est[ok], y[ok], xerr=[est[ok] - lo[ok], hi[ok] - est[ok]], fmt="s",
                color=ARM_COLOURS["treatment"], ecolor="#555555", capsize=2, markersize=5)
    ax.set_xscale("log")
    finite = np.concatenate([lo[ok], hi[ok], [0.5, 2.0]])
    left, right = max(0.02, finite.min() / 1.2), min(50.0, finite.max() * 1.2)
    ax.set_xlim(left, right)
    candidates = np.array([0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50])
    ax.xaxis.set_major_locator(FixedLocator(candidates[(candidates >= left) & (candidates <= right)]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.number(x, 2 if x < 0.1 else 1)))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda x, _: ""))
    ax.set_yticks(y, [r[0] for r in rows], fontsize=8.5)
    for label, row in zip(ax.get_yticklabels(), rows):
        label.set_fontweight("bold" if row[5] else "normal")
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(f"{fmt.t('forest_x')}\n{fmt.t('favours_t')}", fontsize=9)
    text_ax = ax.secondary_yaxis("right")
    text_ax.set_yticks(y, [r[1] for r in rows], fontsize=8)
    text_ax.tick_params(length=0)
    text_ax.spines["right"].set_visible(False)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", color="#eeeeee", linewidth=0.6)


def consort_figure(total: str, flow: Mapping[str, Mapping[str, str]], fmt: Formatter, *, horizon: int) -> Figure:
    """CONSORT 2010 flow diagram drawn with boxes and arrows.

    Parameters
    ----------
    total : str
        Number randomised, formatted (or its disclosure mark).
    flow : mapping arm -> {"allocated", "received", "lost", "analysed"} formatted counts
        As published (a withheld count is its mark); ``received`` may be absent (no take-up
        column): the box is left out.
    horizon : int
        Day of the horizon, in the label of the loss-to-follow-up box.
    """
    stages = [("allocated", "consort_allocation", "consort_allocated"),
              ("received", "consort_allocation", "consort_received"),
              ("lost", "consort_followup", "consort_lost"),
              ("analysed", "consort_analysis", "consort_analysed")]
    stages = [s for s in stages if all(flow[arm].get(s[0]) is not None for arm in ARMS)]
    fig = Figure(figsize=(WIDTH, 1.3 + 1.0 * len(stages)))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    rows = len(stages) + 1
    ax.set_xlim(0, 10)
    ax.set_ylim(0, rows)

    def box(x: float, y: float, text: str, width: float = 3.6) -> None:
        ax.add_patch(FancyBboxPatch((x - width / 2, y - 0.3), width, 0.6, boxstyle="round,pad=0.02",
                                    facecolor="#f4f6fa", edgecolor="#445566", linewidth=1))
        ax.text(x, y, text, ha="center", va="center", fontsize=8.5, wrap=True)

    def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=10,
                                     color="#445566", linewidth=1, shrinkA=0, shrinkB=0))

    top = rows - 0.5
    box(5.9, top, f"{fmt.t('consort_assessed')}\n{fmt.t('n')} = {total}", width=3.0)
    xs = {"treatment": 3.9, "control": 7.9}
    previous_stage = "consort_enrolment"
    ax.text(0.15, top, fmt.t(previous_stage), fontsize=9, fontweight="bold", va="center")
    for i, (key, stage, label) in enumerate(stages):
        y = top - (i + 1)
        if stage != previous_stage:
            ax.text(0.15, y, fmt.t(stage), fontsize=9, fontweight="bold", va="center")
            previous_stage = stage
        for arm in ARMS:
            shown = flow[arm][key]
            title = fmt.t(label, horizon=horizon) if key == "lost" else fmt.t(label)
            if key == "allocated":
                title = f"{fmt.t(arm)}"
            box(xs[arm], y, f"{title}\n{fmt.t('n')} = {shown}")
            start = (5.9, top - 0.3) if key == "allocated" else (xs[arm], y + 0.7)
            arrow(start[0], start[1], xs[arm], y + 0.3)
    return fig
