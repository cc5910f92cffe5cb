"""Take-up: first stage, intention-to-treat and complier effects."""
from __future__ import annotations

from ..document import Section, Table
from ..i18n import SECONDARY
from .context import ARMS, Context, hidden_note, p_text, reduced_precision


def section(ctx: Context) -> Section | None:
    block = ctx.get("compliance")
    if not block:
        return None
    fmt = ctx.fmt
    first = ("compliance", "first_stage")
    rows = [(fmt.t("first_stage"), *(ctx.share(*first, arm) for arm in ARMS),
             SECONDARY if ctx.get(*first, "estimate") is None else fmt.points(ctx.get(*first, "estimate")))]
    table_1 = Table((fmt.t("quantity"), fmt.t("treatment"), fmt.t("control"), fmt.t("difference_pts")), tuple(rows))
    effects: list[tuple[str, tuple[str, ...], bool]] = []
    if block.get("rupture_risk"):
        effects.append((fmt.t("risk_diff", day=block["rupture_risk"]["day"]), ("compliance", "rupture_risk"), False))
    for name in block.get("binary_outcomes") or {}:
        effects.append((fmt.var(name), ("compliance", "binary_outcomes", name), reduced_precision(ctx, name)))
    effect_rows = []
    for label, base, rounded in effects:
        digits = 0 if rounded else 1
        for key in ("itt", "cace"):
            est = ctx.get(*base, key) or {}
            if est.get("estimate") is None:
                cells = (SECONDARY, SECONDARY, "–")
            else:
                cells = (fmt.points(est["estimate"], digits), fmt.ci(est["ci_low"], est["ci_high"], digits, scale=100),
                         p_text(ctx, est["p_value"], rounded))
            effect_rows.append((f"{fmt.t(key)} — {label}", *cells))
    table_2 = Table((fmt.t("quantity"), fmt.t("difference_pts"), fmt.t("ci_level", level=ctx.level), fmt.t("p_value")),
                    tuple(effect_rows), note=fmt.t("read_compliance"))
    return Section("compliance", fmt.t("sec_compliance"), (table_1, table_2, hidden_note(ctx)))
