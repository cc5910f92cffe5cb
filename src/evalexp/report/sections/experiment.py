"""The experiment: the CONSORT flow of participants (figure and table)."""
from __future__ import annotations

from .. import figures
from ..document import Paragraph, Section, Table
from ..i18n import SECONDARY
from .context import ARMS, Context, hidden_note


def section(ctx: Context) -> Section | None:
    block = ctx.get("consort")
    if not block:
        return None
    fmt = ctx.fmt
    horizon = block["horizon_days"]
    support = block.get("support")
    table_rows: list[tuple[str, ...]] = []
    flow: dict[str, dict[str, str]] = {arm: {} for arm in ARMS}
    base = ("consort",)
    table_rows.append((fmt.t("consort_allocated"), *(ctx.count(*base, "assigned", a) for a in ARMS)))
    for arm in ARMS:
        flow[arm]["allocated"] = ctx.count(*base, "assigned", arm)
        flow[arm]["lost"] = ctx.count(*base, "lost_to_followup", arm)
        flow[arm]["analysed"] = ctx.count(*base, "analysed", "rupture", arm)
    if support:
        table_rows += [(fmt.t("consort_received"), *(ctx.count(*base, "support", "received", a) for a in ARMS)),
                       (fmt.t("consort_not_received"),
                        *(ctx.count(*base, "support", "not_received", a) for a in ARMS))]
        for arm in ARMS:
            flow[arm]["received"] = ctx.count(*base, "support", "received", arm)
            flow[arm]["not_received"] = ctx.count(*base, "support", "not_received", arm)
    for key, label in (("lost_to_followup", fmt.t("consort_lost", horizon=horizon)),
                       ("censored_at_extraction", fmt.t("consort_censored", horizon=horizon))):
        table_rows.append((label, *(ctx.count(*base, key, a) for a in ARMS)))
    for outcome in block["analysed"]:
        name = fmt.t("rupture") if outcome == "rupture" else fmt.var(outcome)
        table_rows.append((fmt.t("consort_analysed_outcome", outcome=name),
                           *(ctx.count(*base, "analysed", outcome, a) for a in ARMS)))
    assigned = block["assigned"]
    total = None if any(assigned[a] is None for a in ARMS) else sum(assigned.values())
    total_text = SECONDARY if total is None else fmt.integer(total)
    fig = ctx.figure(figures.consort_figure(total_text, flow, fmt, horizon=horizon), "consort",
                        fmt.t("consort_caption"))
    intro = Paragraph(fmt.t("experiment_intro", n=total_text, n_t=ctx.count(*base, "assigned", "treatment"),
                            n_c=ctx.count(*base, "assigned", "control")))
    table = Table((fmt.t("stage"), fmt.t("treatment"), fmt.t("control")), tuple(table_rows),
                  caption=fmt.t("consort_caption"), note=fmt.t("read_consort"))
    return Section("experiment", fmt.t("sec_experiment"), (intro, fig, table, hidden_note(ctx)))
