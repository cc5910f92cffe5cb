"""``plot(ax=None)`` of the results objects: each draws itself on a matplotlib Axes.

As lifelines' fitters do, ``result.plot(ax=ax)`` draws on the given Axes (a new one on
the current pyplot figure when ``ax`` is ``None``) and returns it, so figures can be
composed freely in a notebook. The drawings reuse the report's code
(:mod:`evalexp.report.figures`: colours, steps and bands, the love plot and forest
plot), with English labels and every number shown (no disclosure control: these are
the evaluator's views, not publications). matplotlib is imported only here, on use.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .competing.competing_risks import CompetingRisksAnalysis
    from .integrity.balance import BalanceTable
    from .integrity.subgroups import SubgroupEffects
    from .survival.survival_analysis import SurvivalAnalysis

#: Line styles of the arms in the cumulative-incidence plot (colours are the causes').
ARM_LINES = {"treatment": "-", "control": "--"}

#: Okabe-Ito colour-blind-safe colours of the causes of rupture (after the arms' blue and vermilion).
CAUSE_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#999999")


def _axes(ax: Axes | None) -> Axes:
    """``ax``, or the current pyplot Axes (a new figure when there is none)."""
    if ax is not None:
        return ax
    from matplotlib import pyplot

    return pyplot.gca()


def _english():
    from .report.i18n import Formatter

    return Formatter("en")


def plot_km(result: SurvivalAnalysis, ax: Axes | None = None, *, ci: bool = True) -> Axes:
    """Kaplan-Meier survival without rupture by arm, right-continuous steps, log-log bands.

    Parameters
    ----------
    result : SurvivalAnalysis
    ax : matplotlib Axes, optional
    ci : bool
        Draw the pointwise confidence bands (log-log, as in the report and R's ``survfit``).

    Returns
    -------
    matplotlib Axes
    """
    from .report.figures import ARM_COLOURS, _band, _draw, _style

    ax = _axes(ax)
    for arm, km in result.km.items():
        table = km.table
        times = np.concatenate([[0.0], table["time"].to_numpy(float)])
        colour = ARM_COLOURS[arm]
        _draw(ax, times, np.concatenate([[1.0], table["survival"].to_numpy(float)]), False, color=colour,
              linewidth=1.8, label=f"{arm} (n={km.n})")
        if ci:
            _band(ax, times, np.concatenate([[1.0], table["ci_low"].to_numpy(float)]),
                  np.concatenate([[1.0], table["ci_high"].to_numpy(float)]), False, color=colour, alpha=0.15,
                  linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("days since contract start")
    ax.set_ylabel("survival without rupture")
    ax.legend(frameon=False)
    _style(ax)
    return ax


def plot_cif(result: CompetingRisksAnalysis, ax: Axes | None = None) -> Axes:
    """Cumulative incidence of rupture by cause (colour) and arm (solid: treatment, dashed: control).

    The Aalen-Johansen estimates of :meth:`CompetingRisksAnalysis.cif_table`, as steps.
    """
    from .report.figures import _draw, _style

    ax = _axes(ax)
    table = result.cif_table()
    for colour, cause in zip(CAUSE_COLOURS, result.by_cause):
        for arm, style in ARM_LINES.items():
            steps = table[(table["cause"] == cause) & (table["arm"] == arm)].sort_values("time")
            _draw(ax, steps["time"].to_numpy(float), steps["cif"].to_numpy(float), False, color=colour,
                  linestyle=style, linewidth=1.6, label=f"{cause}, {arm}")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("days since contract start")
    ax.set_ylabel("cumulative incidence of rupture")
    ax.legend(frameon=False, fontsize=8)
    _style(ax)
    return ax


def plot_forest(result: SubgroupEffects, ax: Axes | None = None) -> Axes:
    """Forest plot of the hazard ratio by subgroup with each variable's interaction p (the report's)."""
    from .report.figures import draw_forest

    ax = _axes(ax)
    draw_forest(ax, result.forest(), _english())
    return ax


def plot_love(result: BalanceTable, ax: Axes | None = None) -> Axes:
    """Love plot of the standardised baseline differences, WWC thresholds 0.05 and 0.25 (the report's)."""
    from .report.figures import draw_love

    ax = _axes(ax)
    data = result.love_plot_data()
    draw_love(ax, pd.DataFrame({"label": data["term"], "std_diff": data["std_difference"]}), _english())
    return ax
