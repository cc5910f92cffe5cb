"""The report's figures, drawn with matplotlib's object API.

Every function takes plain data (DataFrames, dicts) and a
:class:`~evalexp.report.i18n.Formatter`, and returns a
:class:`matplotlib.figure.Figure` built without pyplot: nothing is shown, no
global state is touched, and every label is in the report language.
Disclosure control (:mod:`evalexp.report.disclosure`) is applied here to what is
drawn: curves stop where fewer than ``fmt.threshold`` people are at risk, and
at-risk counts below it are printed as ``"<threshold"``.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import FixedLocator, FuncFormatter

from .disclosure import truncate_at_risk
from .i18n import Formatter

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


def _time_ticks(max_time: float, most: int = 10) -> np.ndarray:
    """Ticks every 30, 60, 90, 180, 365 or 730 days, so that there are at most ``most`` of them."""
    for step in (30, 60, 90, 180, 365, 730):
        if max_time / step <= most - 1:
            return np.arange(0, max_time + 1e-9, step)
    return np.linspace(0, max_time, 6).round()


def at_risk_at(table: pd.DataFrame, ticks: np.ndarray) -> np.ndarray:
    """Number at risk at each tick from a KM step table (the ``n_risk`` of the first time >= tick).

    No one leaves the risk set between a tick and the next tabulated time, so
    this equals the count of ``time >= tick``; 0 beyond the last time.
    """
    times = table["time"].to_numpy(dtype=float)
    n_risk = table["n_risk"].to_numpy()
    pos = np.searchsorted(times, ticks, side="left")
    return np.where(pos < len(times), n_risk[np.minimum(pos, len(times) - 1)], 0)


def _step_curve(table: pd.DataFrame, threshold: int, columns: tuple[str, ...]) -> pd.DataFrame:
    """The drawable part of a step table: from t = 0 to where the number at risk falls below threshold."""
    kept = truncate_at_risk(table, threshold)
    end = table["time"].iloc[len(kept)] if len(kept) < len(table) else table["time"].iloc[-1]
    start = pd.DataFrame({"time": [0.0], **{c: [1.0 if c != "cif" else 0.0] for c in columns}})
    curve = pd.concat([start, kept[["time", *columns]]], ignore_index=True) if len(kept) else start
    last = curve.iloc[[-1]].assign(time=float(end))
    return pd.concat([curve, last], ignore_index=True)


def km_figure(tables: Mapping[str, pd.DataFrame], fmt: Formatter, *, max_time: float | None = None) -> Figure:
    """Kaplan-Meier curves by arm with confidence bands and an aligned number-at-risk table.

    Parameters
    ----------
    tables : mapping arm -> DataFrame
        Step tables with columns ``time, n_risk, survival, ci_low, ci_high``
        (``SurvivalAnalysis.km[arm].table``).
    fmt : Formatter
        Language and suppression threshold.
    max_time : float, optional
        Right end of the time axis (default: the last tabulated time).

    Notes
    -----
    The at-risk table is a second axes sharing the x axis of the curves, so its
    numbers sit exactly under the ticks. Each curve is drawn while at least
    ``fmt.threshold`` people are at risk; counts below it print as ``"<11"``.
    """
    if max_time is None:
        max_time = max(float(t["time"].max()) for t in tables.values())
    ticks = _time_ticks(max_time)
    fig = Figure(figsize=(WIDTH, 4.6), layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=(4.2, 1.0))
    ax = fig.add_subplot(grid[0])
    risk_ax = fig.add_subplot(grid[1], sharex=ax)
    for arm in ARMS:
        if arm not in tables:
            continue
        curve = _step_curve(tables[arm], fmt.threshold, ("survival", "ci_low", "ci_high"))
        colour = ARM_COLOURS[arm]
        ax.fill_between(curve["time"], curve["ci_low"], curve["ci_high"], step="post",
                        color=colour, alpha=0.15, linewidth=0)
        ax.step(curve["time"], curve["survival"], where="post", color=colour, linewidth=2,
                label=fmt.t(arm))
    ax.set_xlim(0, max_time)
    low = min(float(t["ci_low"].min()) for t in tables.values() if len(t))
    ax.set_ylim(max(0.0, np.floor(low * 10) / 10 - 0.05), 1.01)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: fmt.percent(y, 0)))
    ax.set_ylabel(fmt.t("survival_prob"), fontsize=9)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.tick_params(axis="x", labelbottom=False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.legend(loc="lower left", frameon=False, fontsize=9)
    _style(ax)

    arms = [arm for arm in ARMS if arm in tables]
    for row, arm in enumerate(arms):
        counts = at_risk_at(tables[arm], ticks)
        for tick, count in zip(ticks, counts):
            risk_ax.text(tick, row, fmt.count(int(count), count < fmt.threshold), ha="center",
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


def combine_causes(cif: pd.DataFrame, groups: Mapping[str, str]) -> pd.DataFrame:
    """The cumulative incidence of groups of causes: the sum of their members' step functions.

    Aalen-Johansen incidences add up over causes (each is a sum over event times
    of ``S(t-) d_k / n`` with the same all-cause ``S``), so a group's curve is
    the sum of its causes' curves evaluated on the union of their times.
    """
    frames = []
    for (arm, group), part in cif.assign(group=cif["cause"].map(groups)).groupby(["arm", "group"], sort=False):
        grid = np.unique(part["time"].to_numpy(dtype=float))
        total = np.zeros_like(grid)
        for _, steps in part.groupby("cause"):
            steps = steps.sort_values("time")
            pos = np.searchsorted(steps["time"].to_numpy(dtype=float), grid, side="right") - 1
            total += np.where(pos >= 0, steps["cif"].to_numpy(dtype=float)[np.maximum(pos, 0)], 0.0)
        frames.append(pd.DataFrame({"cause": group, "arm": arm, "time": grid, "cif": total}))
    return pd.concat(frames, ignore_index=True)


def cif_figure(cif: pd.DataFrame, stops: Mapping[str, float], fmt: Formatter,
               *, max_time: float | None = None) -> Figure:
    """Stacked cumulative incidence of ruptures by cause, one panel per arm.

    Parameters
    ----------
    cif : DataFrame
        Long step table with columns ``cause, arm, time, cif``
        (``CompetingRisksAnalysis.cif_table()``).
    stops : mapping arm -> time
        Where each arm's curves stop (the number at risk falls below the
        threshold there; see :func:`curve_stop`).
    """
    causes = sorted(cif["cause"].unique())
    if max_time is None:
        max_time = float(cif["time"].max())
    fig = Figure(figsize=(WIDTH, 3.4), layout="constrained")
    fig.get_layout_engine().set(wspace=0.06)  # room between "720" of one panel and "0" of the next
    axes = fig.subplots(1, 2, sharey=True)
    top = 0.0
    for ax, arm in zip(axes, ARMS):
        part = cif[cif["arm"] == arm]
        stop = float(stops.get(arm, max_time))
        grid = np.unique(np.concatenate([[0.0], part["time"].to_numpy(dtype=float)]))
        grid = np.append(grid[grid < stop], stop)
        bottom = np.zeros_like(grid)
        for colour, cause in zip(CAUSE_COLOURS, causes):
            steps = part[part["cause"] == cause].sort_values("time")
            times = steps["time"].to_numpy(dtype=float)
            values = steps["cif"].to_numpy(dtype=float)
            pos = np.searchsorted(times, grid, side="right") - 1
            level = np.where(pos >= 0, values[np.maximum(pos, 0)], 0.0)
            ax.fill_between(grid, bottom, bottom + level, step="post", color=colour,
                            linewidth=0, label=fmt.label(cause))
            bottom = bottom + level
        top = max(top, float(bottom.max()))
        ax.set_title(fmt.t(arm), fontsize=10, color=ARM_COLOURS[arm])
        ax.set_xlim(0, max_time)
        ax.xaxis.set_major_locator(FixedLocator(_time_ticks(max_time, most=6)))
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


def curve_stop(table: pd.DataFrame, threshold: int) -> float:
    """The time where a KM step table's curve stops being drawn (see :func:`km_figure`)."""
    kept = truncate_at_risk(table, threshold)
    return float(table["time"].iloc[len(kept)] if len(kept) < len(table) else table["time"].iloc[-1])


def love_plot(balance: pd.DataFrame, fmt: Formatter) -> Figure:
    """Standardised baseline differences with the WWC thresholds 0.05 and 0.25.

    Parameters
    ----------
    balance : DataFrame
        Columns ``label`` (covariate or covariate: level) and ``std_diff``.
    """
    frame = balance.iloc[::-1].reset_index(drop=True)
    height = 1.2 + 0.28 * len(frame)
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    ax = fig.add_subplot()
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
    return fig


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


def forest_plot(forest: pd.DataFrame, fmt: Formatter) -> Figure:
    """Hazard ratios of rupture by subgroup (log scale), with the interaction p of each variable.

    Parameters
    ----------
    forest : DataFrame
        Columns ``variable, level, n, estimate, ci_low, ci_high, interaction_p``
        (``SubgroupEffects.forest()``); ``estimate`` is the hazard ratio. Rows
        whose ``n`` is below the threshold are listed with ``"<11"`` and no estimate.
    """
    rows: list[tuple[str, str, float, float, float, bool]] = []
    for variable, part in forest.groupby("variable", sort=False):
        p = part["interaction_p"].iloc[0]
        rows.append((f"{fmt.var(variable)}  ({fmt.t('interaction_p')} {fmt.pvalue(p)})", "", np.nan, np.nan,
                     np.nan, True))
        for rec in part.itertuples():
            if rec.n >= fmt.threshold:
                estimate = f"{fmt.number(rec.estimate)} {fmt.ci(rec.ci_low, rec.ci_high)}" \
                    if np.isfinite(rec.estimate) else "–"
                text = f"{estimate}   {fmt.t('n')} {fmt.integer(int(rec.n))}"
                rows.append((fmt.value(variable, rec.level), text, rec.estimate, rec.ci_low, rec.ci_high, False))
            else:
                rows.append((fmt.value(variable, rec.level), f"{fmt.t('n')} {fmt.hidden}", np.nan, np.nan, np.nan, False))
    fig = Figure(figsize=(WIDTH, 1.0 + 0.3 * len(rows)), layout="constrained")
    ax = fig.add_subplot()
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
    return fig


def consort_figure(total: int | None, flow: Mapping[str, Mapping[str, int | None]], fmt: Formatter,
                   *, horizon: int, hidden: Mapping[str, Mapping[str, bool]] | None = None) -> Figure:
    """CONSORT 2010 flow diagram drawn with boxes and arrows.

    Parameters
    ----------
    total : int
        Number randomised.
    flow : mapping arm -> {"allocated", "received", "lost", "analysed"} counts
        ``received`` may be None (no take-up column): the box is left out.
    hidden : mapping arm -> {stage: bool}, optional
        Counts to print as ``"<threshold"`` (from :func:`~evalexp.report.disclosure.suppression_mask`).
    horizon : int
        Day of the horizon, in the label of the loss-to-follow-up box.
    """
    hidden = hidden or {}
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
    box(5.9, top, f"{fmt.t('consort_assessed')}\n{fmt.t('n')} = {fmt.integer(total)}", width=3.0)
    xs = {"treatment": 3.9, "control": 7.9}
    previous_stage = "consort_enrolment"
    ax.text(0.15, top, fmt.t(previous_stage), fontsize=9, fontweight="bold", va="center")
    for i, (key, stage, label) in enumerate(stages):
        y = top - (i + 1)
        if stage != previous_stage:
            ax.text(0.15, y, fmt.t(stage), fontsize=9, fontweight="bold", va="center")
            previous_stage = stage
        for arm in ARMS:
            count = flow[arm][key]
            shown = fmt.count(count, hidden.get(arm, {}).get(key, False))
            title = fmt.t(label, horizon=horizon) if key == "lost" else fmt.t(label)
            if key == "allocated":
                title = f"{fmt.t(arm)}"
            box(xs[arm], y, f"{title}\n{fmt.t('n')} = {shown}")
            start = (5.9, top - 0.3) if key == "allocated" else (xs[arm], y + 0.7)
            arrow(start[0], start[1], xs[arm], y + 0.3)
    return fig
