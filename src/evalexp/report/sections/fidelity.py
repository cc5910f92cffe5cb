"""Fidelity: meetings due, held and on time; ruptures by meetings held."""
from __future__ import annotations

from typing import Any

from ...disclosure.ledger import pointer
from ..document import Paragraph, Section, Table
from .context import Context, hidden_note


def section(ctx: Context) -> Section | None:
    block = ctx.get("fidelity")
    if not block:
        return None
    fmt = ctx.fmt
    rows: list[tuple[Any, ...]] = []
    for key, meeting in block["meetings"].items():
        base: tuple[Any, ...] = ("fidelity", "meetings", key)
        rows.append((fmt.label(meeting["label"]), ctx.count(*base, "due"), ctx.count(*base, "held"),
                     ctx.count(*base, "on_time"), ctx.share(*base, "share_held"), ctx.share(*base, "share_on_time")))
    base = ("fidelity", "all_on_time")
    rows.append((fmt.t("all_on_time"), ctx.count(*base, "due"), "–", ctx.count(*base, "on_time"), "–",
                 ctx.share(*base, "share")))
    meetings = Table((fmt.t("meeting"), fmt.t("due"), fmt.t("held"), fmt.t("on_time"), fmt.t("share_held"),
                      fmt.t("share_on_time")), tuple(rows))
    by_rows: list[tuple[Any, ...]] = []
    for i, r in enumerate(block["ruptures_by_meetings"]["rows"]):
        base = ("fidelity", "ruptures_by_meetings", "rows", i)
        withheld = ctx.pub.rule(pointer(base + ("share",)))
        share = "–" if r["share"] is None and not withheld else ctx.share(*base, "share")
        by_rows.append((fmt.integer(r["meetings_held"]), ctx.count(*base, "n"), ctx.count(*base, "ruptures"), share))
    by_table = Table((fmt.t("meetings_held"), fmt.t("n"), fmt.t("events"), fmt.t("share")), tuple(by_rows),
                     caption=fmt.t("rupture_by_meetings"))
    return Section("fidelity", fmt.t("sec_fidelity"),
                   (Paragraph(fmt.t("fidelity_intro")), meetings, by_table, hidden_note(ctx)))
