"""The data-quality annex."""
from __future__ import annotations

from ..document import Block, Paragraph, Section, Table
from ..fragility import warnings_table
from .context import ARMS, Context, hidden_note


def section(ctx: Context) -> Section:
    fmt = ctx.fmt
    base = ("data_quality", "counts")
    keys = [k for k in ("n", "events", "planned_end", "extraction", "lost")
            if k in (ctx.get(*base, "treatment") or {})]
    arms_table = Table((fmt.t("quantity"), fmt.t("treatment"), fmt.t("control")),
                       tuple((fmt.t(f"q_{k}"), *(ctx.count(*base, a, k) for a in ARMS)) for k in keys))
    blocks: list[Block] = [arms_table, Paragraph(fmt.t("quality_intro"))]
    warnings = ctx.get("data_quality", "warnings") or []
    if warnings:
        rows = tuple((fmt.label(f"w_{w['code']}", w["code"].replace("_", " ")), w.get("column") or "–",
                      ctx.count("data_quality", "warnings", i, "count")) for i, w in enumerate(warnings))
        blocks.append(Table((fmt.t("warning"), fmt.t("column"), fmt.t("rows")), rows))
    else:
        blocks.append(Paragraph(fmt.t("no_warning")))
    blocks += warnings_table(fmt, ctx.results)
    blocks.append(hidden_note(ctx))
    return Section("quality", fmt.t("sec_quality"), tuple(blocks))
