"""The data-quality annex."""
from __future__ import annotations

from typing import Any

from ...engine.counts import MAX_LEVELS
from ..document import Block, Paragraph, Section, Table
from ..fragility import warnings_table
from .context import ARMS, Context, hidden_note

#: ``results.json["engine"]["skipped"]`` starts so when a continuous covariate left out the adjusted Cox model
ADJUSTED_SKIPPED = "adjusted Cox model:"


def _counts_blocks(ctx: Context, engine: dict[str, Any]) -> list[Block]:
    """A report from the counts of an out-of-core engine (``results.json["engine"]``): participants and
    ruptures per arm, and the one note that says which analyses the counts do not give and why."""
    fmt = ctx.fmt
    table = Table((fmt.t("quantity"), fmt.t("treatment"), fmt.t("control")),
                  tuple((fmt.t(f"q_{k}"), *(ctx.count(k, a) for a in ARMS)) for k in ("n", "events")))
    adjusted = any(str(s).startswith(ADJUSTED_SKIPPED) for s in engine.get("skipped") or ())
    note = fmt.t("engine_note", cells=fmt.integer(engine["cells"]), engine=engine["name"],
                 adjusted=fmt.t("engine_adjusted", levels=MAX_LEVELS) if adjusted else "")
    return [table, Paragraph(note), *warnings_table(fmt, ctx.results)]


def section(ctx: Context) -> Section:
    fmt = ctx.fmt
    engine = ctx.get("engine")
    if engine is not None:  # a report from counts: no load-time anomalies, and the note on what is omitted
        return Section("quality", fmt.t("sec_quality"), (*_counts_blocks(ctx, engine), hidden_note(ctx)))
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
