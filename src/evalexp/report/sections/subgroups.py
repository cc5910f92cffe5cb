"""Subgroups: hazard ratios by level and interaction tests (forest plot)."""
from __future__ import annotations

import pandas as pd

from .. import figures
from ..document import Section, Table
from .context import ARMS, Context, est_ci, hidden_note


def _forest(ctx: Context) -> pd.DataFrame:
    """The forest plot's rows from the published subgroup effects: a level's total size only when
    both arms' sizes are published, its hazard ratio only when published."""
    rows = []
    for variable, entry in ctx.get("subgroups", "variables").items():
        for level, lv in entry["levels"].items():
            n = None if any(lv["n"][a] is None for a in ARMS) else lv["n"]["treatment"] + lv["n"]["control"]
            cox = lv.get("cox") or {}
            rows.append({"variable": variable, "level": level, "n": n,
                         "estimate": cox.get("hr"), "ci_low": cox.get("ci_low"), "ci_high": cox.get("ci_high"),
                         "interaction_p": entry["interaction"]["p_value"]})
    return pd.DataFrame(rows)


def section(ctx: Context) -> Section | None:
    block = ctx.get("subgroups")
    if not block or not block.get("variables"):
        return None
    fmt = ctx.fmt
    fig = ctx.figure(figures.forest_plot(_forest(ctx), fmt), "subgroups",
                        f"{fmt.t('forest_x')}, {fmt.t('ci_level', level=ctx.level)}")
    rows = []
    for variable, entry in block["variables"].items():
        for i, level in enumerate(entry["levels"]):
            base = ("subgroups", "variables", variable, "levels", level)
            hr = est_ci(ctx, base + ("cox",))
            hr_text = hr[0] if hr[1] in (hr[0], "–") else f"{hr[0]} {hr[1]}"
            p = fmt.pvalue(entry["interaction"]["p_value"]) if i == 0 else ""
            rows.append((fmt.var_level(variable, level),
                         *(f"{ctx.count(*base, 'n', a)} / {ctx.count(*base, 'events', a)}" for a in ARMS), hr_text, p))
    header = (fmt.t("subgroup"), fmt.t("treatment"), fmt.t("control"), f"{fmt.t('hr_short')} [{fmt.t('ci')}]",
              fmt.t("interaction_p"))
    return Section("subgroups", fmt.t("sec_subgroups"),
                   (fig, Table(header, tuple(rows), caption=fmt.t("subgroup_caption"), note=fmt.t("read_subgroups")),
                    hidden_note(ctx)))
