"""Attrition: missing outcomes by arm, WWC rating and Lee bounds."""
from __future__ import annotations

from ..document import Section, Table
from ..i18n import SECONDARY
from .context import ARMS, Context, hidden_note


def section(ctx: Context) -> Section | None:
    block = ctx.get("attrition")
    if not block or not block.get("outcomes"):
        return None
    fmt = ctx.fmt
    rows = []
    for outcome, entry in block["outcomes"].items():
        base = ("attrition", "outcomes", outcome)
        name = fmt.t("attrition_survival") if entry["kind"] == "survival" else fmt.var(outcome)
        rates = [ctx.share(*base, "rate", arm) for arm in ARMS]
        overall = ctx.share(*base, "overall")
        differential = ctx.stat(*base, "differential", digits=1) if entry.get("differential") is None \
            else fmt.number(100 * entry["differential"], 1)
        lee = entry.get("lee_bounds") or {}
        if not entry.get("lee_bounds"):
            lee_text = "–"
        elif lee.get("lower") is None:
            lee_text = SECONDARY
        else:
            lee_text = fmt.ci(lee["lower"], lee["upper"], 1, scale=100)
        rows.append((name, *rates, overall, differential, fmt.label(entry["rating"]), lee_text))
    boundary = fmt.t(block["boundary"])
    header = (fmt.t("outcome"), fmt.t("treatment"), fmt.t("control"), fmt.t("overall_attr"), fmt.t("diff_attr"),
              fmt.t("boundary", boundary=boundary), fmt.t("lee"))
    return Section("attrition", fmt.t("sec_attrition"),
                   (Table(header, tuple(rows), caption=fmt.t("attr_caption", boundary=boundary),
                          note=fmt.t("read_attrition")), hidden_note(ctx)))
