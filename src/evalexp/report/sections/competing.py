"""Ruptures by initiative: competing risks (cumulative incidence, cause-specific and Fine-Gray)."""
from __future__ import annotations

from ...disclosure.curves import GRID_DAYS
from .. import figures
from ..document import Block, Paragraph, Section, Table
from .context import ARMS, Context, est_ci, hidden_note


def section(ctx: Context) -> Section | None:
    block = ctx.get("competing_risks")
    if not block:
        return None
    fmt, pub = ctx.fmt, ctx.pub
    names = {"other": fmt.t("other_causes"), "all": fmt.t("all_causes")}
    blocks: list[Block] = []
    if not pub.cif.empty:
        cif = pub.cif.assign(group=pub.cif["group"].map(lambda g: names.get(g, fmt.label(g))))
        note = fmt.t("cif_note_public", threshold=ctx.threshold, grid=GRID_DAYS) if pub.public else \
            fmt.t("cif_note", threshold=ctx.threshold)
        blocks.append(ctx.figure(figures.cif_figure(cif, pub.cif_stops, fmt, max_time=pub.max_time,
                                                       coarse=pub.public),
                                    "cif", f"{fmt.t('cif')}. {note}"))
    rows = []
    merged = [c for c, g in pub.groups.items() if g in ("other", "all")] if pub.public else []
    for cause in sorted(block):
        if cause in merged:
            continue
        base = ("competing_risks", cause)
        hr, hr_ci, _ = est_ci(ctx, base + ("cause_specific_cox",))
        shr, shr_ci, _ = est_ci(ctx, base + ("fine_gray",), key="shr")
        rows.append((fmt.label(cause), *(ctx.count(*base, "events", a) for a in ARMS), f"{hr} {hr_ci}",
                     f"{shr} {shr_ci}", fmt.pvalue(ctx.get(*base, "gray_test", "p_value"))))
    other = ctx.get("competing_risks_other")
    if merged:
        label = names["all" if len(merged) == len(block) else "other"]
        counts = (ctx.count("events", a) for a in ARMS) if other is None else \
            (fmt.integer(other["events"][a]) for a in ARMS)
        rows.append((f"{label} : {', '.join(fmt.label(c) for c in merged)}" if fmt.language == "fr"
                     else f"{label}: {', '.join(fmt.label(c) for c in merged)}", *counts, "–", "–", "–"))
        blocks.append(Paragraph(fmt.t("causes_merged", threshold=ctx.threshold), "note"))
    header = (fmt.t("cause"), fmt.t("treatment"), fmt.t("control"), f"{fmt.t('cs_hr')} [{fmt.t('ci')}]",
              f"{fmt.t('fg_shr')} [{fmt.t('ci')}]", fmt.t("gray_short"))
    blocks += [Table(header, tuple(rows), caption=fmt.t("cause_caption"), note=fmt.t("read_competing")),
               hidden_note(ctx)]
    return Section("competing", fmt.t("sec_competing"), tuple(blocks))
