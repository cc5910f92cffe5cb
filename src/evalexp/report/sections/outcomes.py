"""Employment outcomes: shares by arm, differences in points, multiplicity-adjusted p."""
from __future__ import annotations

import pandas as pd

from .. import figures
from ..document import Block, Paragraph, Section, Table
from ..i18n import SECONDARY
from .context import ARMS, Context, hidden_note, p_text, reduced_precision


def section(ctx: Context) -> Section | None:
    block = ctx.get("binary_outcomes")
    if not block:
        return None
    fmt = ctx.fmt
    rows, shown = [], []
    rounded = False
    for name, out in block.items():
        base = ("binary_outcomes", name)
        digits = 0 if reduced_precision(ctx, name) else 1
        rounded = rounded or (digits == 0 and out["difference"] is not None)
        cells = [f"{ctx.share(*base, arm, digits=digits)} ({fmt.t('n')} {ctx.count(*base, 'n_observed', arm)})"
                 for arm in ARMS]
        if out["difference"] is None:
            rows.append((fmt.var(name), *cells, SECONDARY, "–", "–"))
            continue
        shown.append({"label": fmt.var(name), "difference": out["difference"], "ci_low": out["ci_low"],
                      "ci_high": out["ci_high"]})
        ci = fmt.ci(out["ci_low"], out["ci_high"], digits, scale=100)
        rows.append((fmt.var(name), *cells, f"{fmt.points(out['difference'], digits)} {ci}",
                     p_text(ctx, out["p_value"], digits == 0), p_text(ctx, out.get("p_adjusted"), digits == 0)))
    method = next(iter(block.values())).get("multiplicity", ctx.plan.outcomes.multiplicity)
    header = (fmt.t("outcome"), fmt.t("treatment"), fmt.t("control"),
              f"{fmt.t('difference_pts')} [{fmt.t('ci_level', level=ctx.level)}]", fmt.t("p_value"), f"p ({method})")
    blocks: list[Block] = []
    if shown:
        blocks.append(ctx.figure(figures.effects_figure(pd.DataFrame(shown), fmt), "outcomes",
                                    f"{fmt.t('difference_axis')}, {fmt.t('ci_level', level=ctx.level)}"))
    blocks += [Table(header, tuple(rows), caption=fmt.t("outcomes_caption"), note=fmt.t("read_outcomes")),
               hidden_note(ctx)]
    if rounded:
        blocks.append(Paragraph(fmt.t("outcomes_rounded", threshold=ctx.threshold), "note"))
    return Section("outcomes", fmt.t("sec_outcomes"), tuple(blocks))
