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

import functools
from collections.abc import Mapping
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from ..disclosure.curves import PublicCurve, time_ticks
from ..plan import ARMS
from .i18n import SECONDARY, Formatter

#: Okabe-Ito colour-blind-safe colours of the arms.
ARM_COLOURS = {"treatment": "#0072B2", "control": "#D55E00"}
WIDTH = 7.0
def _percent_ticks() -> MaxNLocator:
    """Ticks of a probability axis at whole percentages (1, 2, 5 or 10 points apart...), which the
    0-decimal percent labels print exactly."""
    return MaxNLocator(nbins=8, steps=[1, 2, 5, 10])


#: Part of a constrained figure given to its content: the top strip stays free for the evaluator's
#: "not for publication" mark.
TOP_MARGIN = (0.0, 0.0, 1.0, 0.965)


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


def _plain_text(build):
    """Build a figure with mathtext off: a ``$`` in a label (a currency, a cause's name) is printed
    as it is, never parsed as TeX (``text.parse_math`` is read when each text is created)."""
    @functools.wraps(build)
    def plain(*args, **kwargs):
        with matplotlib.rc_context({"text.parse_math": False}):
            return build(*args, **kwargs)
    return plain


def _from_zero(points: pd.DataFrame) -> pd.DataFrame:
    """The curve's points from day 0 (survival and its interval 1 there), as an exact step table
    starting at its first event time needs."""
    if len(points) and points["time"].iloc[0] <= 0:
        return points
    return pd.concat([pd.DataFrame({"time": [0.0], "survival": [1.0], "ci_low": [1.0], "ci_high": [1.0]}), points],
                     ignore_index=True)


def _value_at(curve: PublicCurve, day: float, coarse: bool) -> float | None:
    """Survival at ``day`` as drawn: in a coarsened curve only at one of its published points
    (``None`` elsewhere, so no value between points is printed); the step value otherwise."""
    points = curve.points
    times = points["time"].to_numpy(dtype=float)
    if coarse:
        hit = np.nonzero(times == day)[0]
        return float(points["survival"].iloc[hit[0]]) if len(hit) else None
    if day > curve.stop:
        return None
    pos = np.searchsorted(times, day, side="right") - 1
    return float(points["survival"].iloc[pos]) if pos >= 0 else 1.0


@_plain_text
def km_figure(curves: Mapping[str, PublicCurve], ticks: np.ndarray, at_risk: Mapping[str, list[int | None]],
              fmt: Formatter, *, max_time: float, coarse: bool, horizon: float | None = None) -> Figure:
    """Cumulative incidence of rupture ``1 - S(t)`` by arm, with confidence bands, the horizon and an
    aligned number-at-risk table.

    Parameters
    ----------
    curves : mapping arm -> PublicCurve
        The Kaplan-Meier curves as published (``Publication.km``): ``survival, ci_low, ci_high``
        at points from time 0 and where they stop.
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
    horizon : float, optional
        The plan's horizon: a dashed vertical line, labelled with each arm's incidence there when
        it is one of the published points (``None``: no line).

    Notes
    -----
    The incidence is ``1 - S(t)`` and its pointwise interval the Kaplan-Meier log-log interval
    transformed, ``[1 - ci_high, 1 - ci_low]`` (R ``survfit(..., conf.type = "log-log")``, plotted
    with ``fun = "event"``). The y axis starts at 0. The at-risk table is a second axes sharing the
    x axis of the curves, so its numbers sit exactly under the ticks. No censoring marks are drawn.
    """
    fig = Figure(figsize=(WIDTH, 4.8), layout=ConstrainedLayoutEngine(rect=TOP_MARGIN))
    grid = fig.add_gridspec(2, 1, height_ratios=(4.2, 1.0))
    ax = fig.add_subplot(grid[0])
    risk_ax = fig.add_subplot(grid[1], sharex=ax)
    top = 0.05
    for arm in ARMS:
        if arm not in curves:
            continue
        points, stop = _from_zero(curves[arm].points), curves[arm].stop
        times = np.r_[points["time"].to_numpy(dtype=float), stop]
        columns = {c: np.r_[points[c].to_numpy(dtype=float), points[c].iloc[-1]]
                   for c in ("survival", "ci_low", "ci_high")}
        colour = ARM_COLOURS[arm]
        _band(ax, times, 1 - columns["ci_high"], 1 - columns["ci_low"], coarse, color=colour, alpha=0.15,
              linewidth=0)
        _draw(ax, times, 1 - columns["survival"], coarse, color=colour, linewidth=2, label=fmt.t(arm))
        highest = 1 - columns["ci_low"][np.isfinite(columns["ci_low"])]
        top = max(top, float(highest.max()) if highest.size else top, float(np.nanmax(1 - columns["survival"])))
    ax.set_xlim(0, max_time)
    ax.set_ylim(0, min(1.0, np.ceil(top * 10) / 10 + 0.05))
    ax.yaxis.set_major_locator(_percent_ticks())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: fmt.percent(y, 0)))
    ax.set_ylabel(fmt.t("rupture_incidence"), fontsize=9)
    ax.xaxis.set_major_locator(FixedLocator(ticks.tolist()))
    ax.tick_params(axis="x", labelbottom=False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    if horizon is not None:
        _horizon(ax, curves, horizon, fmt, coarse)
    if curves:
        ax.legend(loc="upper left", frameon=False, fontsize=9)
    _style(ax)

    arms = [arm for arm in ARMS if arm in at_risk]
    for row, arm in enumerate(arms):
        for tick, count in zip(ticks, at_risk[arm]):
            risk_ax.text(tick, row, fmt.hidden if count is None else fmt.integer(count), ha="center",
                         va="center", fontsize=8.5, color=ARM_COLOURS[arm])
    risk_ax.set_ylim(max(len(arms), 1) - 0.5, -0.5)
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


def _horizon(ax, curves: Mapping[str, PublicCurve], horizon: float, fmt: Formatter, coarse: bool) -> None:
    """The horizon's dashed line, labelled with each arm's published incidence there."""
    ax.axvline(horizon, color="#555555", linestyle="--", linewidth=0.9, zorder=1)
    lines = [fmt.t("horizon_day", day=fmt.integer(horizon))]
    for arm in ARMS:
        value = _value_at(curves[arm], horizon, coarse) if arm in curves else None
        if value is not None:
            lines.append(f"{fmt.t(arm)} {fmt.percent(1 - value, 1)}")
    ax.text(horizon, 0.98, "\n".join(lines), transform=ax.get_xaxis_transform(), ha="right", va="top",
            fontsize=8, color="#333333", bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 2})


@_plain_text
def cif_figure(cif: pd.DataFrame, stops: Mapping[str, float], fmt: Formatter, *, max_time: float,
               coarse: bool) -> Figure:
    """Cumulative incidence of each published group of causes by arm, one panel per group, with
    pointwise confidence bands.

    Parameters
    ----------
    cif : DataFrame
        Columns ``group, arm, time, cif`` and, when known, ``ci_low, ci_high`` as published
        (``Publication.cif``, labels translated): each group's incidence at its points, from time 0.
        A group without an interval (``NaN``: merged causes) is drawn without a band.
    stops : mapping arm -> time
        Where each arm's curves stop.
    max_time : float
        Right end of the time axes.
    coarse : bool
        Straight segments between points (public, coarsened) instead of steps.

    Notes
    -----
    The incidence is the Aalen-Johansen estimator (R ``cmprsk::cuminc``) and its interval the
    log(-log) interval of cuminc's delta-method variance (:mod:`evalexp.competing.cif`). The
    panels share their y axis, from 0, so the causes compare at a glance.
    """
    groups = list(dict.fromkeys(cif["group"]))
    columns = 2 if len(groups) in (2, 4) else min(3, max(1, len(groups)))
    rows = int(np.ceil(len(groups) / columns)) if groups else 1
    fig = Figure(figsize=(WIDTH, 0.7 + (2.6 if columns > 1 else 3.0) * rows),
                 layout=ConstrainedLayoutEngine(rect=TOP_MARGIN))
    axes = np.atleast_1d(fig.subplots(rows, columns, sharey=True, squeeze=False)).ravel()
    top = 0.05
    for ax, group in zip(axes, groups):
        for arm in ARMS:
            part = cif[(cif["group"] == group) & (cif["arm"] == arm)].sort_values("time")
            if part.empty:
                continue
            stop = float(stops.get(arm, part["time"].max()))
            part = part[part["time"] <= stop]
            times = np.r_[part["time"].to_numpy(dtype=float), stop]
            values = np.r_[part["cif"].to_numpy(dtype=float), part["cif"].iloc[-1]]
            colour = ARM_COLOURS[arm]
            if {"ci_low", "ci_high"} <= set(part.columns) and part["ci_high"].notna().all():
                low = np.r_[part["ci_low"].to_numpy(dtype=float), part["ci_low"].iloc[-1]]
                high = np.r_[part["ci_high"].to_numpy(dtype=float), part["ci_high"].iloc[-1]]
                _band(ax, times, low, high, coarse, color=colour, alpha=0.15, linewidth=0)
                top = max(top, float(high.max()))
            _draw(ax, times, values, coarse, color=colour, linewidth=1.8, label=fmt.t(arm))
            top = max(top, float(values.max()))
        ax.set_title(group, fontsize=9.5)
        ax.set_xlim(0, max_time)
        ax.xaxis.set_major_locator(FixedLocator(time_ticks(max_time, most=5 if columns > 2 else 6).tolist()))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.integer(x)))
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        _style(ax)
    for ax in axes[len(groups):]:
        ax.set_axis_off()
    fig.supxlabel(fmt.t("days"), fontsize=9)
    axes[0].set_ylim(0, min(1.0, np.ceil(top * 20) / 20))
    axes[0].yaxis.set_major_locator(_percent_ticks())
    axes[0].yaxis.set_major_formatter(FuncFormatter(lambda y, _: fmt.percent(y, 0)))
    fig.supylabel(fmt.t("cif"), fontsize=9)
    if groups:
        axes[0].legend(loc="upper left", frameon=False, fontsize=8.5)
    return fig


@_plain_text
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


@_plain_text
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


@_plain_text
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
        rows.append((f"{fmt.var(str(variable))}  ({fmt.t('interaction_p')} {fmt.pvalue(p)})", "", np.nan, np.nan,
                     np.nan, True))
        rec: Any  # an itertuples() row: pandas-stubs types its fields as any scalar
        for rec in part.itertuples():
            size = SECONDARY if rec.n is None or pd.isna(rec.n) else fmt.integer(int(rec.n))
            shown = rec.estimate is not None and not pd.isna(rec.estimate)
            estimate = f"{fmt.number(rec.estimate)} {fmt.ci(rec.ci_low, rec.ci_high)}" if shown else "–"
            values = (float(rec.estimate), float(rec.ci_low), float(rec.ci_high)) if shown else (np.nan,) * 3
            rows.append((fmt.value(str(variable), rec.level), f"{estimate}   {fmt.t('n')} {size}", *values, False))
    return rows


@_plain_text
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


@_plain_text
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


#: CONSORT's stages below the randomisation, each with the lines of its two arm boxes: (flow key,
#: label key); a line is drawn when both arms have the key.
CONSORT_STAGES = (
    ("consort_allocation", (("allocated", "consort_allocated_to"), ("received", "consort_received"),
                            ("not_received", "consort_not_received"))),
    ("consort_followup", (("lost", "consort_lost"), ("discontinued", "consort_discontinued"))),
    ("consort_analysis", (("analysed", "consort_analysed"), ("excluded", "consort_excluded_analysis"))),
)
#: Height of one line of text in a CONSORT box (inches, 8.5 pt with leading) and of a box's margins.
LINE_IN, PAD_IN = 0.19, 0.16


@_plain_text
def consort_figure(total: str, flow: Mapping[str, Mapping[str, str]], fmt: Formatter, *, horizon: int,
                   assessed: str | None = None, excluded: Mapping[str, str] | None = None) -> Figure:
    """CONSORT 2010 flow diagram in its standard layout, drawn with boxes and arrows.

    Enrolment (assessed for eligibility, with the excluded and their reasons, when known; then
    randomised) above two columns, one per arm: Allocation (allocated, received / did not receive
    the support), Follow-up (lost to follow-up, discontinued), Analysis (analysed, excluded from the
    analysis). Each stage is named on a banner across the width, as in the CONSORT 2010 template
    (Schulz, Altman & Moher 2010, BMJ 340:c332).

    Parameters
    ----------
    total : str
        Number randomised, formatted (or its disclosure mark).
    flow : mapping arm -> {key: formatted count}
        As published (a withheld count is its mark). Keys ``allocated``, ``lost``, ``analysed`` and,
        optionally, ``received``, ``not_received``, ``discontinued``, ``excluded``; a line is drawn
        only when both arms have its key.
    horizon : int
        Day of the horizon, in the label of the loss-to-follow-up line.
    assessed : str, optional
        Number assessed for eligibility, formatted; with it the enrolment row gets its box.
    excluded : mapping reason -> formatted count, optional
        Excluded before randomisation, by reason (the side box of the enrolment row).
    """
    stages = []
    for stage, stage_lines in CONSORT_STAGES:
        shown = [(key, label) for key, label in stage_lines if all(flow[arm].get(key) is not None for arm in ARMS)]
        if shown:
            stages.append((stage, shown))
    heights = [PAD_IN + LINE_IN * len(lines) for _, lines in stages]
    banner, gap = 0.26, 0.22
    top_rows = 2 if assessed is not None else 1
    side_lines = 1 + len(excluded or {})
    top_height = PAD_IN + LINE_IN * 2
    height = 0.45 + top_rows * (top_height + 0.35) + (0.3 * side_lines if excluded else 0) + \
        sum(h + banner + 2 * gap for h in heights)
    fig = Figure(figsize=(WIDTH, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(0, height)

    def box(x: float, top: float, lines: list[str], width: float, centred: bool = False) -> float:
        """A box whose top edge is at ``top``; returns its bottom edge."""
        h = PAD_IN + LINE_IN * len(lines)
        ax.add_patch(FancyBboxPatch((x - width / 2, top - h), width, h, boxstyle="square,pad=0",
                                    facecolor="white", edgecolor="#333333", linewidth=0.9))
        ax.text(x if centred else x - width / 2 + 0.1, top - h / 2, "\n".join(lines), fontsize=8.5,
                ha="center" if centred else "left", va="center", linespacing=1.35)
        return top - h

    def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=9,
                                     color="#333333", linewidth=0.9, shrinkA=0, shrinkB=0))

    def stage_banner(top: float, key: str) -> float:
        ax.add_patch(FancyBboxPatch((0.15, top - banner), WIDTH - 0.3, banner,
                                    boxstyle="round,pad=0,rounding_size=0.08",
                                    facecolor="#dbe7f3", edgecolor="#9db6cf", linewidth=0.8))
        ax.text(WIDTH / 2, top - banner / 2, fmt.t(key), fontsize=9, fontweight="bold", ha="center", va="center")
        return top - banner

    y = height - 0.2
    ax.text(0.2, y - 0.05, fmt.t("consort_enrolment"), fontsize=9, fontweight="bold", va="top")
    centre, wide = WIDTH / 2, 2.6
    if assessed is not None:
        bottom = box(centre - 1.2, y, [fmt.t("consort_eligible"), f"(n = {assessed})"], wide, True)
        if excluded:
            excluded_lines = [fmt.t("consort_excluded")] + [f"• {reason} (n = {count})"
                                                            for reason, count in excluded.items()]
            side_bottom = box(centre + 1.75, bottom - 0.15, excluded_lines, 2.9)
            side_mid = (bottom - 0.15 + side_bottom) / 2
            arrow(centre - 1.2, side_mid, centre + 1.75 - 1.45, side_mid)
            below = side_bottom - 0.2
        else:
            below = bottom - 0.35
        arrow(centre - 1.2, bottom, centre - 1.2, below)
        randomised_x = centre - 1.2
        y = below
    else:
        randomised_x = centre
    bottom = box(randomised_x, y, [fmt.t("consort_assessed"), f"(n = {total})"], wide, True)
    xs = {"treatment": WIDTH / 4 + 0.05, "control": 3 * WIDTH / 4 - 0.05}
    width = WIDTH / 2 - 0.5
    y = bottom - gap / 2
    ax.plot([randomised_x, randomised_x], [bottom, y], color="#333333", linewidth=0.9)
    ax.plot([xs["treatment"], xs["control"]], [y, y], color="#333333", linewidth=0.9)
    previous = {arm: y for arm in ARMS}
    for (stage, lines), h in zip(stages, heights):
        y = stage_banner(y - gap / 2, stage) - gap
        for arm in ARMS:
            arrow(xs[arm], previous[arm], xs[arm], y)
            texts = []
            for key, label in lines:
                title = fmt.t(label, horizon=horizon, arm=fmt.t(arm)) if key in ("lost", "allocated") \
                    else fmt.t(label)
                texts.append(f"{title} (n = {flow[arm][key]})")
            previous[arm] = box(xs[arm], y, texts, width)
        y -= h
    ax.set_ylim(y - 0.15, height)      # crop the unused bottom, one data unit still one inch
    fig.set_size_inches(WIDTH, height - y + 0.15)
    return fig
