"""Baseline balance: covariates by arm, standardised differences, WWC rating."""
from __future__ import annotations

import pandas as pd

from .. import figures
from ..document import Block, Section, Table
from .context import ARMS, Context, hidden_note


def section(ctx: Context) -> Section | None:
    block = ctx.get("balance")
    if not block or not block.get("covariates"):
        return None
    fmt = ctx.fmt
    rows, love = [], []
    for i, row in enumerate(block["covariates"]):
        base = ("balance", "covariates", i)
        label = fmt.var(row["covariate"]) if row["level"] is None else fmt.var_level(row["covariate"], row["level"])
        cells = []
        for arm in ARMS:
            if row["kind"] == "continuous":
                cells.append(ctx.stat(*base, arm, "mean"))
            else:
                cells.append(ctx.share(*base, arm, "mean"))
        if row["std_difference"] is not None:
            love.append({"label": label, "std_diff": row["std_difference"]})
        rows.append((label, *cells, ctx.stat(*base, "std_difference", digits=3), fmt.label(row["rating"])))
    blocks: list[Block] = []
    if love:
        blocks.append(ctx.figure(figures.love_plot(pd.DataFrame(love), fmt), "balance",
                                    f"{fmt.t('love_x')}. {fmt.t('wwc_note')}"))
    header = (fmt.t("covariate"), fmt.t("treatment"), fmt.t("control"), fmt.t("std_diff"), fmt.t("wwc_rating"))
    blocks += [Table(header, tuple(rows), caption=fmt.t("balance_caption")), hidden_note(ctx)]
    return Section("balance", fmt.t("sec_balance"), tuple(blocks))
