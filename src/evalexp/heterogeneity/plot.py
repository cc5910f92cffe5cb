"""The forest plot of sites: raw and shrunken hazard ratios, the pooled diamond, the prediction interval."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Polygon
from matplotlib.ticker import FixedLocator, FuncFormatter

#: Okabe-Ito colours: raw site estimates, shrunken estimates, pooled effect.
RAW, SHRUNKEN, POOLED = "#0072B2", "#E69F00", "#000000"
ENGLISH = {"raw": "Site estimate (95% CI)", "shrunken": "Shrunken (empirical Bayes)",
           "pooled": "Pooled (random effects)",
           "prediction": "Prediction interval", "axis": "Hazard ratio of rupture (log scale), < 1 favours the support"}


def draw_forest(ax: Axes, forest: pd.DataFrame, pooled: Mapping[str, float] | None, *, labels: Sequence[str],
                texts: dict[str, str] | None = None, number: Callable[[float], str] | None = None) -> Axes:
    """Draw a forest plot of ``forest`` rows (``log_hr``, ``ci_low``, ``ci_high``, ``shrunken``,
    ``shrunken_low``, ``shrunken_high``, log scale) labelled ``labels``, top to bottom, then the
    pooled diamond and its prediction interval, on a log hazard-ratio axis. ``pooled`` holds
    the hazard-ratio scale numbers of ``results["heterogeneity"]``: ``hr``, ``ci_low``,
    ``ci_high`` (the pooled effect) and ``hr_low``, ``hr_high`` (the prediction interval).

    A row whose numbers are NaN is listed without a mark (a withheld or excluded site).
    ``texts`` overrides the English legend and axis words of :data:`ENGLISH`; ``number``
    formats the tick labels.
    """
    words = {**ENGLISH, **(texts or {})}
    number = number or (lambda x: f"{x:g}")
    n = len(forest)
    y = np.arange(n, 0, -1, dtype=float) + 1.0
    est, low, high = (forest[c].to_numpy(dtype=float) for c in ("log_hr", "ci_low", "ci_high"))
    ok = np.isfinite(est)
    ax.axvline(1.0, color="#555555", linewidth=0.8)
    ax.errorbar(np.exp(est[ok]), y[ok] + 0.12,
                xerr=[np.exp(est[ok]) - np.exp(low[ok]), np.exp(high[ok]) - np.exp(est[ok])],
                fmt="s", color=RAW, ecolor=RAW, capsize=2, markersize=5, label=words["raw"])
    shrunk, s_low, s_high = (forest[c].to_numpy(dtype=float) for c in ("shrunken", "shrunken_low", "shrunken_high"))
    sk = np.isfinite(shrunk)
    if sk.any():
        ax.errorbar(np.exp(shrunk[sk]), y[sk] - 0.12, xerr=[np.exp(shrunk[sk]) - np.exp(s_low[sk]),
                                                             np.exp(s_high[sk]) - np.exp(shrunk[sk])],
                    fmt="o", color=SHRUNKEN, ecolor=SHRUNKEN, capsize=2, markersize=4, label=words["shrunken"])
    ticks_y, tick_labels = list(y), list(labels)
    extent = [np.exp(low[ok]), np.exp(high[ok]), [0.5, 2.0]]
    if pooled is not None:
        mu, c_low, c_high = pooled["hr"], pooled["ci_low"], pooled["ci_high"]
        p_low, p_high = pooled["hr_low"], pooled["hr_high"]
        ax.add_patch(Polygon([(c_low, 0.5), (mu, 0.8), (c_high, 0.5), (mu, 0.2)], closed=True, color=POOLED,
                             label=words["pooled"]))
        ax.plot([p_low, p_high], [-0.2, -0.2], color=POOLED, linewidth=2.0, label=words["prediction"])
        ax.plot([p_low, p_low], [-0.35, -0.05], color=POOLED, linewidth=1.0)
        ax.plot([p_high, p_high], [-0.35, -0.05], color=POOLED, linewidth=1.0)
        ticks_y += [0.5, -0.2]
        tick_labels += [words["pooled"], words["prediction"]]
        extent.append([p_low, p_high])
    finite = np.concatenate([np.asarray(e, dtype=float) for e in extent])
    finite = finite[np.isfinite(finite) & (finite > 0)]
    left, right = max(0.02, finite.min() / 1.2), min(50.0, finite.max() * 1.2)
    ax.set_xscale("log")
    ax.set_xlim(left, right)
    candidates = np.array([0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50])
    ax.xaxis.set_major_locator(FixedLocator(candidates[(candidates >= left) & (candidates <= right)]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: number(x)))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda x, _: ""))
    ax.set_yticks(ticks_y, tick_labels, fontsize=8.5)
    ax.set_ylim(-0.6, n + 1.6)
    ax.set_xlabel(words["axis"], fontsize=9)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=7.5, frameon=False)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return ax
