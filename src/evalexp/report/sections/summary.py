"""The one-page summary: the cohort, the primary result, employment, cost."""
from __future__ import annotations

from ...disclosure.ledger import pointer
from ..document import Block, Paragraph, Section
from ..i18n import SECONDARY
from .context import ARMS, Context, hr_not_estimable, mde_sentence, reduced_precision


def section(ctx: Context) -> Section:
    fmt, res = ctx.fmt, ctx.results
    n = res["n"]
    total = None if any(n[a] is None for a in ARMS) else n["treatment"] + n["control"]
    blocks: list[Block] = [Paragraph(fmt.t(
        "summary_cohort", n=fmt.integer(total) if total is not None else SECONDARY,
        n_t=ctx.count("n", "treatment"), n_c=ctx.count("n", "control"),
        e_t=ctx.count("events", "treatment"), e_c=ctx.count("events", "control")), "lead")]
    rd = ctx.get("survival", "risk_difference") or {}
    day = ctx.plan.survival.horizon_days
    months = round(day / 30.4375)
    if rd.get("difference") is None:
        blocks.append(Paragraph(fmt.t("summary_main_hidden", months=months), "lead"))
    else:
        diff = rd["difference"]
        blocks.append(Paragraph(fmt.t(
            "summary_main", months=months, risk_t=fmt.percent(rd["treatment"]), risk_c=fmt.percent(rd["control"]),
            diff=fmt.number(abs(100 * diff), 1), direction=fmt.t("points_less" if diff < 0 else "points_more"),
            level=ctx.level, ci=fmt.ci(rd["ci_low"], rd["ci_high"], 1, scale=100)), "lead"))
        significant = rd["ci_low"] is not None and (rd["ci_low"] > 0 or rd["ci_high"] < 0)
        blocks.append(Paragraph(fmt.t("summary_sig" if significant else "summary_nonsig",
                                      alpha=fmt.percent(ctx.plan.inference.alpha, 0)), "lead"))
    cox = ctx.get("survival", "cox", "unadjusted") or {}
    ri = ctx.get("survival", "randomization_inference") or {}
    ca = ctx.get("survival", "covariate_adjusted")
    primary_ca = bool(ca) and ctx.get("primary") == "covariate_adjusted" and (ca.get("hr") or {}).get("estimate") is not None
    if primary_ca:
        cox = {**ca["hr"], "hr": ca["hr"]["estimate"], "p_value": ca["log_hr"]["p_value"]}
    if cox.get("hr") is not None:
        # the pre-specified primary result comes first, right after the cohort (CONTRACT section 7)
        blocks.insert(1 if primary_ca else len(blocks), Paragraph(fmt.t(
            "summary_hr_ca" if primary_ca else "summary_hr", hr=fmt.number(cox["hr"]), level=ctx.level,
            ci=fmt.ci(cox["ci_low"], cox["ci_high"]), p=fmt.p_equals(cox["p_value"]),
            p_ri=fmt.p_equals(ri.get("p_value"))), "lead"))
    elif ctx.pub.rule(pointer(("survival", "cox", "unadjusted", "hr"))) or not ctx.comparable:
        blocks.append(Paragraph(fmt.t("summary_hr_hidden", threshold=ctx.threshold), "lead"))
    else:
        blocks.append(Paragraph(hr_not_estimable(ctx), "lead"))
    for name, out in (res.get("binary_outcomes") or {}).items():
        if out["difference"] is None:
            blocks.append(Paragraph(fmt.t("summary_outcome_hidden", outcome=fmt.var(name), threshold=ctx.threshold)))
        else:
            digits = 0 if reduced_precision(ctx, name) else 1
            blocks.append(Paragraph(fmt.t(
                "summary_outcome", outcome=fmt.var(name), p_t=fmt.percent(out["treatment"], digits),
                p_c=fmt.percent(out["control"], digits), diff=fmt.points(out["difference"], digits),
                level=ctx.level, ci=fmt.ci(out["ci_low"], out["ci_high"], digits, scale=100))))
    mde = mde_sentence(ctx)
    if mde:
        blocks.append(mde)
    return Section("summary", fmt.t("sec_summary"), tuple(blocks))
