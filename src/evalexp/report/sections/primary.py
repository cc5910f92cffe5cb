"""The primary result: Kaplan-Meier curves, risks at landmarks, effect estimates."""
from __future__ import annotations

from ...disclosure.curves import GRID_DAYS
from ...disclosure.ledger import pointer
from ...survival.cox import FEW_CLUSTERS
from .. import figures
from ..document import Block, Paragraph, Section, Table
from ..fragility import fragility_notes
from ..i18n import SECONDARY
from .context import ARMS, Context, est_ci, fallback_note, hidden_note, hr_not_estimable


def _km_figure(ctx: Context) -> Block | None:
    fmt, pub = ctx.fmt, ctx.pub
    if not pub.km:
        return None
    note = fmt.t("curve_note_public", threshold=ctx.threshold, level=ctx.level, grid=GRID_DAYS) \
        if pub.public else fmt.t("curve_note", threshold=ctx.threshold, level=ctx.level)
    fig = figures.km_figure(pub.km, pub.km_ticks, pub.at_risk, fmt, max_time=pub.max_time, coarse=pub.public,
                            horizon=ctx.plan.survival.horizon_days)
    return ctx.figure(fig, "km", f"{fmt.t('rupture_incidence')} — {note}")


def section(ctx: Context) -> Section:
    fmt, plan = ctx.fmt, ctx.plan
    surv = ctx.get("survival") or {}
    blocks: list[Block] = []
    if not ctx.comparable:
        blocks.append(Paragraph(fmt.t("primary_hidden", threshold=ctx.threshold)))
    fig = _km_figure(ctx)
    if fig is not None:
        blocks.append(fig)
    header = (fmt.t("quantity"), fmt.t("treatment"), fmt.t("control"))
    rows: list[tuple[str, ...]] = []
    points = {arm: list(enumerate(surv.get("km", {}).get(arm) or [])) for arm in ARMS}
    for (i, point), (_, other) in zip(points["treatment"], points["control"]):
        cells = []
        for arm, p in (("treatment", point), ("control", other)):
            base = ("survival", "km", arm, i)
            at_risk = ctx.count(*base, "at_risk")
            if p["survival"] is None:
                cells.append(f"{ctx.mark(*base, 'survival')} ({at_risk})")
            else:
                ci = fmt.ci(1 - p["ci_high"], 1 - p["ci_low"], 1, scale=100) if p["ci_low"] is not None else ""
                cells.append(f"{fmt.percent(1 - p['survival'])} {ci} ({at_risk})")
        rows.append((fmt.t("km_at", day=point["day"]), *cells))
    medians = []
    for arm in ARMS:
        m = (surv.get("km_median") or {}).get(arm)
        if m is None or (isinstance(m, dict) and m.get("median") is None and m.get("ci_low") is None
                         and ctx.pub.rule(pointer(("survival", "km_median", arm, "ci_low")))):
            medians.append(SECONDARY)
        elif m.get("median") is None:
            medians.append(fmt.t("not_reached"))
        else:
            medians.append(f"{fmt.integer(m['median'])} {fmt.ci(m.get('ci_low'), m.get('ci_high'), 0)}")
    if rows:
        rows.append((fmt.t("median"), *medians))
        blocks += [Table(header, tuple(rows), caption=fmt.t("km_table", level=ctx.level),
                         note=fmt.t("read_km")), hidden_note(ctx)]

    effect_rows: list[tuple[str, ...]] = []
    cox = surv.get("cox") or {}
    robust = f" — {fmt.t('robust_se')}" if (cox.get("unadjusted") or {}).get("robust") else ""
    effect_rows.append((fmt.t("cox_unadj") + robust, *est_ci(ctx, ("survival", "cox", "unadjusted"))))
    if cox.get("adjusted"):
        label = fmt.t("cox_adj", covariates=", ".join(
            fmt.var(c) for c in cox["adjusted"].get("covariates", plan.survival.covariates)))
        effect_rows.append((label + robust, *est_ci(ctx, ("survival", "cox", "adjusted"))))
    ca = surv.get("covariate_adjusted") or {}
    ca_shown = (ca.get("hr") or {}).get("estimate") is not None
    if ca_shown:
        effect_rows.append((fmt.t("ca_hr"), fmt.number(ca["hr"]["estimate"]),
                            fmt.ci(ca["hr"]["ci_low"], ca["hr"]["ci_high"]), fmt.pvalue(ca["log_hr"]["p_value"])))
    rmst = surv.get("rmst") or {}
    effect_rows.append((fmt.t("rmst", tau=plan.survival.horizon_days),
                        ctx.stat("survival", "rmst", "difference", digits=1),
                        SECONDARY if rmst.get("ci_low") is None else fmt.ci(rmst["ci_low"], rmst["ci_high"], 1),
                        fmt.pvalue(rmst.get("p_value"))))
    rd = surv.get("risk_difference") or {}
    if rd.get("difference") is None:
        effect_rows.append((fmt.t("risk_diff", day=plan.survival.horizon_days), SECONDARY, SECONDARY, "–"))
    else:
        effect_rows.append((fmt.t("risk_diff", day=rd["day"]), fmt.points(rd["difference"]),
                            fmt.ci(rd["ci_low"], rd["ci_high"], 1, scale=100), fmt.pvalue(rd.get("p_value"))))
    lr = surv.get("logrank") or {}
    effect_rows.append((fmt.t("logrank"), ctx.stat("survival", "logrank", "statistic"), "–",
                        fmt.pvalue(lr.get("p_value"))))
    for ri in surv.get("randomization_inference_all") or [surv.get("randomization_inference") or {}]:
        if ri.get("p_value") is None:
            continue
        effect_rows.append((fmt.t("ri", stat=ri["statistic"], perm=fmt.integer(ri["permutations"])), "–", "–",
                            fmt.pvalue(ri["p_value"])))
    ri_ci = (surv.get("randomization_inference") or {}).get("ci")
    if ri_ci:
        # issue 14: the intervals of the randomisation test, beside its p-values
        # with an arm without rupture: no estimate, a one-sided interval ([0, high] or [low, inf))
        effect_rows.append((fmt.t("ri_ci_hr"), *est_ci(ctx, ("survival", "randomization_inference", "ci",
                                                             "hazard_ratio"))))
        ri_rd = ri_ci["risk_difference"]
        effect_rows.append((fmt.t("ri_ci_rd", day=ri_rd["day"]),
                            *((SECONDARY, SECONDARY, "–") if ri_rd.get("difference") is None else
                              (fmt.points(ri_rd["difference"]), fmt.ci(ri_rd["ci_low"], ri_rd["ci_high"], 1, scale=100),
                               fmt.pvalue(ri_rd.get("p_value"))))))
    ph = surv.get("ph_test") or {}
    effect_rows.append((fmt.t("ph_test"), ctx.stat("survival", "ph_test", "statistic"), "–",
                        fmt.pvalue(ph.get("p_value"))))
    blocks.append(Table((fmt.t("quantity"), fmt.t("estimate"), fmt.t("ci_level", level=ctx.level), fmt.t("p_value")),
                        tuple(effect_rows), note=fmt.t("read_effects", alpha=fmt.number(plan.inference.alpha))))
    unadjusted = cox.get("unadjusted") or {}
    # "estimable" is the contract's model: a Firth sibling shown in its place has an estimate even then
    if unadjusted.get("hr") is not None and unadjusted.get("estimable", True):
        blocks.append(Paragraph(fmt.t("ph_rejected" if ph.get("p_value") is not None
                                      and ph["p_value"] < plan.inference.alpha else "ph_ok",
                                      p=fmt.p_equals(ph.get("p_value")))))
    elif ctx.comparable:
        blocks.append(Paragraph(hr_not_estimable(ctx)))
        if unadjusted.get("method") == "firth" and unadjusted.get("hr") is not None:
            blocks.append(Paragraph(fmt.t("hr_firth_shown")))
    for kind in ("cox_adjusted", "covariate_adjusted"):
        fallback = fallback_note(ctx, kind)
        if fallback and ctx.comparable:
            blocks.append(Paragraph(fallback))
    unadj = ca.get("unadjusted") or {}
    gain = (ca.get("precision_gain") or {}).get("equivalent_participants")
    if ca_shown and unadj.get("hr") is not None and gain is not None:
        blocks.append(Paragraph(fmt.t("ca_gain", hr=fmt.number(ca["hr"]["estimate"]), level=ctx.level,
                                      ci=fmt.ci(ca["hr"]["ci_low"], ca["hr"]["ci_high"]), hr_u=fmt.number(unadj["hr"]),
                                      ci_u=fmt.ci(unadj["ci_low"], unadj["ci_high"]),
                                      n=fmt.integer(gain))))
    n_clusters = (cox.get("unadjusted") or {}).get("n_clusters")
    if n_clusters is not None and n_clusters < FEW_CLUSTERS:
        blocks.append(Paragraph(fmt.t("few_clusters", g=n_clusters, min=FEW_CLUSTERS), "note"))
    blocks += fragility_notes(fmt, ctx.results)
    return Section("primary", fmt.t("sec_primary"), tuple(blocks))
