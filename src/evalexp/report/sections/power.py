"""Power: events, target power, minimum detectable effects and, when the plan gives
``[integrity] planned_hazard_ratio``, the power the observed ruptures gave to detect it."""
from __future__ import annotations

from ...disclosure.ledger import pointer
from ..document import Paragraph, Section, Table
from ..i18n import SECONDARY
from .context import Context, mde_sentence, plan_percent, planned_power, primary_significant


def section(ctx: Context) -> Section | None:
    block = ctx.get("power")
    if not block:
        return None
    fmt = ctx.fmt
    if block.get("events") is None:
        return Section("power", fmt.t("sec_power"), (Paragraph(fmt.t("power_hidden", threshold=ctx.threshold)),))
    mde_rd = block["risk_difference"]["minimum_detectable"]
    rows: tuple[tuple[str, str], ...] = ((fmt.t("events_needed"), fmt.integer(block["events"])),
            (fmt.t("power"), plan_percent(fmt, block["power"])),
            (fmt.t("mde_hr"), fmt.number(block["hazard_ratio"]["minimum_detectable"])),
            (fmt.t("mde_rd"), SECONDARY if mde_rd is None and ctx.pub.rule(
                pointer(("power", "risk_difference", "minimum_detectable"))) else
             fmt.number(None if mde_rd is None else 100 * abs(mde_rd), 1)))
    planned = planned_power(ctx)
    if planned is not None:  # the plan's [integrity] planned_hazard_ratio, with the published ruptures
        rows += ((fmt.t("power_planned", planned=fmt.number(ctx.plan.integrity.planned_hazard_ratio)),
                  fmt.percent(planned, 0)),)
    # "the study could only detect ..." fits a result that is not significant, never a significant one
    mde = None if primary_significant(ctx) else mde_sentence(ctx)
    return Section("power", fmt.t("sec_power"),
                   (*((mde,) if mde else ()),
                    Table((fmt.t("quantity"), fmt.t("value")), rows,
                          note=fmt.t("read_power", power=plan_percent(fmt, block["power"]),
                                     alpha=plan_percent(fmt, block["alpha"])))))
