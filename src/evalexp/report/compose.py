"""Compose the funders' report (a :class:`~evalexp.report.document.Document`) from a publication.

The order is the one of French experimentation-fund (FEJ) evaluation reports:
cover, disclaimer, one-page summary, the experiment (CONSORT), baseline
balance, attrition, the primary result, ruptures by initiative, employment
outcomes, take-up, subgroups, fidelity, power, lessons for public policy,
methods, and the data-quality annex. A section whose analysis the plan does not
request is left out.

Every number, sentence, table and figure is made from a
:class:`~evalexp.disclosure.Publication` only (:func:`evalexp.disclosure.publish`):
its results, where a withheld value is ``None``, and its coarsened curves. A
section never reads the cohort or the exact results, so it cannot show what the
disclosure layer withheld; a withheld count prints as ``"<11"`` (below the
threshold) or ``"s"`` (hidden so that a small one cannot be recovered), a withheld
statistic as ``"s"``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd

from .. import __version__
from ..disclosure import Publication
from ..disclosure.curves import GRID_DAYS
from ..disclosure.ledger import pointer
from ..plan import Plan
from ..survival.cox import FEW_CLUSTERS
from . import figures, sites
from .document import Block, Document, Figure, Paragraph, Section, Table, render_figure
from .fragility import fragility_notes, warnings_table
from .i18n import SECONDARY, Formatter

ARMS = ("treatment", "control")


@dataclass(frozen=True)
class Context:
    """What every section reads: the publication, the plan and the formatter."""

    pub: Publication
    plan: Plan
    fmt: Formatter

    @property
    def results(self) -> dict[str, Any]:
        return self.pub.results

    @property
    def threshold(self) -> int:
        return self.fmt.threshold

    @property
    def level(self) -> str:
        return self.fmt.level(self.plan.inference.alpha)

    @property
    def comparable(self) -> bool:
        """Whether the arms' ruptures are compared in this publication (in public mode, not when an arm
        has fewer than the threshold in size, ruptures or contracts not broken)."""
        return not self.pub.public or self.get("survival", "logrank", "p_value") is not None

    def get(self, *path: str | int) -> Any:
        """The published value at ``path`` (``None`` when withheld or absent)."""
        node: Any = self.results
        for key in path:
            if isinstance(node, dict):
                node = node.get(key)
            elif isinstance(node, list) and isinstance(key, int) and key < len(node):
                node = node[key]
            else:
                return None
        return node

    def mark(self, *path: str | int) -> str:
        """How a withheld value prints: ``"<threshold"`` when it is a count below the threshold,
        ``"s"`` otherwise (hidden by secondary suppression, or a statistic withheld)."""
        return self.fmt.hidden if self.pub.rule(pointer(path)) == "primary" else SECONDARY

    def count(self, *path: str | int) -> str:
        """A published count, or its mark."""
        value = self.get(*path)
        return self.mark(*path) if value is None else self.fmt.integer(value)

    def share(self, *path: str | int, digits: int = 1) -> str:
        """A published share as a percentage, or its mark."""
        value = self.get(*path)
        return self.mark(*path) if value is None else self.fmt.percent(value, digits)

    def figure(self, fig: Any, name: str, caption: str) -> Figure:
        """Render a figure; an evaluator's figure carries the "not for publication" mark."""
        if not self.pub.public:
            fig.text(0.5, 0.995, self.fmt.t("not_for_publication"), ha="center", va="top", fontsize=7,
                     color="#b2182b", fontweight="bold")
        return render_figure(fig, name, caption)

    def stat(self, *path: str | int, digits: int = 2) -> str:
        """A published statistic, or ``"s"`` when withheld (``"–"`` when it does not exist)."""
        value = self.get(*path)
        if value is None:
            return SECONDARY if self.pub.rule(pointer(path)) else "–"
        return self.fmt.number(value, digits)


def _hidden_note(ctx: Context) -> Paragraph:
    return Paragraph(ctx.fmt.t("hidden_note", threshold=ctx.threshold), "note")


def _est_ci(ctx: Context, path: tuple[str, ...], key: str = "hr", digits: int = 2) -> tuple[str, str, str]:
    """Estimate, CI and p of the ratio block at ``path`` (``"s"`` when withheld)."""
    block = ctx.get(*path)
    if not block:
        return "–", "–", "–"
    if block.get(key) is None:
        mark = ctx.stat(*path, key)
        return mark, mark, "–"
    return (ctx.fmt.number(block.get(key), digits), ctx.fmt.ci(block.get("ci_low"), block.get("ci_high"), digits),
            ctx.fmt.pvalue(block.get("p_value")))


def _rounded(ctx: Context, name: str) -> bool:
    """Whether an outcome is published at reduced precision (its numbers observed withheld): shares
    in whole percent, differences in whole points, p to one decimal."""
    return any(ctx.get("binary_outcomes", name, "n_observed", a) is None for a in ARMS)


def _p(ctx: Context, p: float | None, rounded: bool) -> str:
    """A p-value, to one decimal when the outcome is published at reduced precision."""
    return ctx.fmt.number(p, 1) if rounded and p is not None else ctx.fmt.pvalue(p)


# ----------------------------------------------------------------------------- summary

def summary_section(ctx: Context) -> Section:
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
        blocks.append(Paragraph(_hr_not_estimable(ctx), "lead"))
    for name, out in (res.get("binary_outcomes") or {}).items():
        if out["difference"] is None:
            blocks.append(Paragraph(fmt.t("summary_outcome_hidden", outcome=fmt.var(name), threshold=ctx.threshold)))
        else:
            digits = 0 if _rounded(ctx, name) else 1
            blocks.append(Paragraph(fmt.t(
                "summary_outcome", outcome=fmt.var(name), p_t=fmt.percent(out["treatment"], digits),
                p_c=fmt.percent(out["control"], digits), diff=fmt.points(out["difference"], digits),
                level=ctx.level, ci=fmt.ci(out["ci_low"], out["ci_high"], digits, scale=100))))
    mde = _mde_sentence(ctx)
    if mde:
        blocks.append(mde)
    return Section("summary", fmt.t("sec_summary"), tuple(blocks))


def _mde_sentence(ctx: Context) -> Paragraph | None:
    """'With N ruptures, the study could only detect HR <= x, a fall of y points', from the power block."""
    power = ctx.get("power")
    if not power or power.get("events") is None or power["hazard_ratio"]["minimum_detectable"] is None \
            or power["risk_difference"]["minimum_detectable"] is None:
        return None
    fmt = ctx.fmt
    rd = power["risk_difference"]
    return Paragraph(fmt.t(
        "summary_mde", events=fmt.integer(power["events"]), power=fmt.percent(power["power"], 0),
        alpha=fmt.percent(power["alpha"], 0), mde_hr=fmt.number(power["hazard_ratio"]["minimum_detectable"]),
        mde_rd=fmt.number(100 * abs(rd["minimum_detectable"]), 1),
        months=round(rd["day"] / 30.4375)))


# ----------------------------------------------------------------------------- experiment (CONSORT)

def experiment_section(ctx: Context) -> Section | None:
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
                  caption=fmt.t("consort_caption"))
    return Section("experiment", fmt.t("sec_experiment"), (intro, fig, table, _hidden_note(ctx)))


# ----------------------------------------------------------------------------- attrition

def attrition_section(ctx: Context) -> Section | None:
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
                   (Table(header, tuple(rows), caption=fmt.t("attr_caption", boundary=boundary)), _hidden_note(ctx)))


# ----------------------------------------------------------------------------- balance

def balance_section(ctx: Context) -> Section | None:
    block = ctx.get("balance")
    if not block or not block.get("covariates"):
        return None
    fmt = ctx.fmt
    rows, love = [], []
    for i, row in enumerate(block["covariates"]):
        base = ("balance", "covariates", i)
        label = fmt.var(row["covariate"]) if row["level"] is None else fmt.var_level(row["covariate"], row["level"])
        cells = []
        for arm in ARMS:
            if row["kind"] == "continuous":
                cells.append(ctx.stat(*base, arm, "mean"))
            else:
                cells.append(ctx.share(*base, arm, "mean"))
        if row["std_difference"] is not None:
            love.append({"label": label, "std_diff": row["std_difference"]})
        rows.append((label, *cells, ctx.stat(*base, "std_difference", digits=3), fmt.label(row["rating"])))
    blocks: list[Block] = []
    if love:
        blocks.append(ctx.figure(figures.love_plot(pd.DataFrame(love), fmt), "balance",
                                    f"{fmt.t('love_x')}. {fmt.t('wwc_note')}"))
    header = (fmt.t("covariate"), fmt.t("treatment"), fmt.t("control"), fmt.t("std_diff"), fmt.t("wwc_rating"))
    blocks += [Table(header, tuple(rows), caption=fmt.t("balance_caption")), _hidden_note(ctx)]
    return Section("balance", fmt.t("sec_balance"), tuple(blocks))


# ----------------------------------------------------------------------------- primary result

def _hr_not_estimable(ctx: Context) -> str:
    """Why there is no hazard ratio (an arm without rupture), with the randomisation p if any."""
    ri = ctx.get("survival", "randomization_inference")
    p_ri = "" if not ri or ri.get("p_value") is None else \
        f" ({ctx.fmt.t('ri_p_short')} {ctx.fmt.p_equals(ri['p_value'])})"
    return ctx.fmt.t("hr_not_estimable", p_ri=p_ri)


def _km_figure(ctx: Context) -> Block | None:
    fmt, pub = ctx.fmt, ctx.pub
    if not pub.km:
        return None
    note = fmt.t("curve_note_public", threshold=ctx.threshold, level=ctx.level, grid=GRID_DAYS) \
        if pub.public else fmt.t("curve_note", threshold=ctx.threshold, level=ctx.level)
    fig = figures.km_figure(pub.km, pub.km_ticks, pub.at_risk, fmt, max_time=pub.max_time, coarse=pub.public)
    return ctx.figure(fig, "km", f"{fmt.t('survival_prob')} — {note}")


def primary_section(ctx: Context) -> Section:
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
        blocks += [Table(header, tuple(rows), caption=fmt.t("km_table", level=ctx.level)), _hidden_note(ctx)]

    effect_rows: list[tuple[str, ...]] = []
    cox = surv.get("cox") or {}
    robust = f" — {fmt.t('robust_se')}" if (cox.get("unadjusted") or {}).get("robust") else ""
    effect_rows.append((fmt.t("cox_unadj") + robust, *_est_ci(ctx, ("survival", "cox", "unadjusted"))))
    if cox.get("adjusted"):
        label = fmt.t("cox_adj", covariates=", ".join(
            fmt.var(c) for c in cox["adjusted"].get("covariates", plan.survival.covariates)))
        effect_rows.append((label + robust, *_est_ci(ctx, ("survival", "cox", "adjusted"))))
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
    ph = surv.get("ph_test") or {}
    effect_rows.append((fmt.t("ph_test"), ctx.stat("survival", "ph_test", "statistic"), "–",
                        fmt.pvalue(ph.get("p_value"))))
    blocks.append(Table((fmt.t("quantity"), fmt.t("estimate"), fmt.t("ci_level", level=ctx.level), fmt.t("p_value")),
                        tuple(effect_rows)))
    if (cox.get("unadjusted") or {}).get("hr") is not None:
        blocks.append(Paragraph(fmt.t("ph_rejected" if ph.get("p_value") is not None
                                      and ph["p_value"] < plan.inference.alpha else "ph_ok",
                                      p=fmt.p_equals(ph.get("p_value")))))
    elif ctx.comparable:
        blocks.append(Paragraph(_hr_not_estimable(ctx)))
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


# ----------------------------------------------------------------------------- competing risks

def competing_section(ctx: Context) -> Section | None:
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
        hr, hr_ci, _ = _est_ci(ctx, base + ("cause_specific_cox",))
        shr, shr_ci, _ = _est_ci(ctx, base + ("fine_gray",), key="shr")
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
    blocks += [Table(header, tuple(rows), caption=fmt.t("cause_caption")), _hidden_note(ctx)]
    return Section("competing", fmt.t("sec_competing"), tuple(blocks))


# ----------------------------------------------------------------------------- employment outcomes

def outcomes_section(ctx: Context) -> Section | None:
    block = ctx.get("binary_outcomes")
    if not block:
        return None
    fmt = ctx.fmt
    rows, shown = [], []
    rounded = False
    for name, out in block.items():
        base = ("binary_outcomes", name)
        digits = 0 if _rounded(ctx, name) else 1
        rounded = rounded or (digits == 0 and out["difference"] is not None)
        cells = [f"{ctx.share(*base, arm, digits=digits)} ({fmt.t('n')} {ctx.count(*base, 'n_observed', arm)})"
                 for arm in ARMS]
        if out["difference"] is None:
            rows.append((fmt.var(name), *cells, SECONDARY, "–", "–"))
            continue
        shown.append({"label": fmt.var(name), "difference": out["difference"], "ci_low": out["ci_low"],
                      "ci_high": out["ci_high"]})
        ci = fmt.ci(out["ci_low"], out["ci_high"], digits, scale=100)
        rows.append((fmt.var(name), *cells, f"{fmt.points(out['difference'], digits)} {ci}",
                     _p(ctx, out["p_value"], digits == 0), _p(ctx, out.get("p_adjusted"), digits == 0)))
    method = next(iter(block.values())).get("multiplicity", ctx.plan.outcomes.multiplicity)
    header = (fmt.t("outcome"), fmt.t("treatment"), fmt.t("control"),
              f"{fmt.t('difference_pts')} [{fmt.t('ci_level', level=ctx.level)}]", fmt.t("p_value"), f"p ({method})")
    blocks: list[Block] = []
    if shown:
        blocks.append(ctx.figure(figures.effects_figure(pd.DataFrame(shown), fmt), "outcomes",
                                    f"{fmt.t('difference_axis')}, {fmt.t('ci_level', level=ctx.level)}"))
    blocks += [Table(header, tuple(rows), caption=fmt.t("outcomes_caption")), _hidden_note(ctx)]
    if rounded:
        blocks.append(Paragraph(fmt.t("outcomes_rounded", threshold=ctx.threshold), "note"))
    return Section("outcomes", fmt.t("sec_outcomes"), tuple(blocks))


# ----------------------------------------------------------------------------- compliance

def compliance_section(ctx: Context) -> Section | None:
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
        effects.append((fmt.var(name), ("compliance", "binary_outcomes", name), _rounded(ctx, name)))
    effect_rows = []
    for label, base, rounded in effects:
        digits = 0 if rounded else 1
        for key in ("itt", "cace"):
            est = ctx.get(*base, key) or {}
            if est.get("estimate") is None:
                cells = (SECONDARY, SECONDARY, "–")
            else:
                cells = (fmt.points(est["estimate"], digits), fmt.ci(est["ci_low"], est["ci_high"], digits, scale=100),
                         _p(ctx, est["p_value"], rounded))
            effect_rows.append((f"{fmt.t(key)} — {label}", *cells))
    table_2 = Table((fmt.t("quantity"), fmt.t("difference_pts"), fmt.t("ci_level", level=ctx.level), fmt.t("p_value")),
                    tuple(effect_rows))
    return Section("compliance", fmt.t("sec_compliance"), (table_1, table_2, _hidden_note(ctx)))


# ----------------------------------------------------------------------------- subgroups

def _forest(ctx: Context) -> pd.DataFrame:
    """The forest plot's rows from the published subgroup effects: a level's total size only when
    both arms' sizes are published, its hazard ratio only when published."""
    rows = []
    for variable, entry in ctx.get("subgroups", "variables").items():
        for level, lv in entry["levels"].items():
            n = None if any(lv["n"][a] is None for a in ARMS) else lv["n"]["treatment"] + lv["n"]["control"]
            cox = lv.get("cox") or {}
            rows.append({"variable": variable, "level": level, "n": n,
                         "estimate": cox.get("hr"), "ci_low": cox.get("ci_low"), "ci_high": cox.get("ci_high"),
                         "interaction_p": entry["interaction"]["p_value"]})
    return pd.DataFrame(rows)


def subgroups_section(ctx: Context) -> Section | None:
    block = ctx.get("subgroups")
    if not block or not block.get("variables"):
        return None
    fmt = ctx.fmt
    fig = ctx.figure(figures.forest_plot(_forest(ctx), fmt), "subgroups",
                        f"{fmt.t('forest_x')}, {fmt.t('ci_level', level=ctx.level)}")
    rows = []
    for variable, entry in block["variables"].items():
        for i, (level, lv) in enumerate(entry["levels"].items()):
            base = ("subgroups", "variables", variable, "levels", level)
            hr = _est_ci(ctx, base + ("cox",))
            hr_text = hr[0] if hr[1] in (hr[0], "–") else f"{hr[0]} {hr[1]}"
            p = fmt.pvalue(entry["interaction"]["p_value"]) if i == 0 else ""
            rows.append((fmt.var_level(variable, level),
                         *(f"{ctx.count(*base, 'n', a)} / {ctx.count(*base, 'events', a)}" for a in ARMS), hr_text, p))
    header = (fmt.t("subgroup"), fmt.t("treatment"), fmt.t("control"), f"{fmt.t('hr_short')} [{fmt.t('ci')}]",
              fmt.t("interaction_p"))
    return Section("subgroups", fmt.t("sec_subgroups"),
                   (fig, Table(header, tuple(rows), caption=fmt.t("subgroup_caption")), _hidden_note(ctx)))


# ----------------------------------------------------------------------------- fidelity

def fidelity_section(ctx: Context) -> Section | None:
    block = ctx.get("fidelity")
    if not block:
        return None
    fmt = ctx.fmt
    rows = []
    for key, meeting in block["meetings"].items():
        base = ("fidelity", "meetings", key)
        rows.append((fmt.label(meeting["label"]), ctx.count(*base, "due"), ctx.count(*base, "held"),
                     ctx.count(*base, "on_time"), ctx.share(*base, "share_held"), ctx.share(*base, "share_on_time")))
    base = ("fidelity", "all_on_time")
    rows.append((fmt.t("all_on_time"), ctx.count(*base, "due"), "–", ctx.count(*base, "on_time"), "–",
                 ctx.share(*base, "share")))
    meetings = Table((fmt.t("meeting"), fmt.t("due"), fmt.t("held"), fmt.t("on_time"), fmt.t("share_held"),
                      fmt.t("share_on_time")), tuple(rows))
    by_rows = []
    for i, r in enumerate(block["ruptures_by_meetings"]["rows"]):
        base = ("fidelity", "ruptures_by_meetings", "rows", i)
        withheld = ctx.pub.rule(pointer(base + ("share",)))
        share = "–" if r["share"] is None and not withheld else ctx.share(*base, "share")
        by_rows.append((fmt.integer(r["meetings_held"]), ctx.count(*base, "n"), ctx.count(*base, "ruptures"), share))
    by_table = Table((fmt.t("meetings_held"), fmt.t("n"), fmt.t("events"), fmt.t("share")), tuple(by_rows),
                     caption=fmt.t("rupture_by_meetings"))
    return Section("fidelity", fmt.t("sec_fidelity"),
                   (Paragraph(fmt.t("fidelity_intro")), meetings, by_table, _hidden_note(ctx)))


# ----------------------------------------------------------------------------- power

def power_section(ctx: Context) -> Section | None:
    block = ctx.get("power")
    if not block:
        return None
    fmt = ctx.fmt
    if block.get("events") is None:
        return Section("power", fmt.t("sec_power"), (Paragraph(fmt.t("power_hidden", threshold=ctx.threshold)),))
    mde_rd = block["risk_difference"]["minimum_detectable"]
    rows = ((fmt.t("events_needed"), fmt.integer(block["events"])),
            (fmt.t("power"), fmt.percent(block["power"], 0)),
            (fmt.t("mde_hr"), fmt.number(block["hazard_ratio"]["minimum_detectable"])),
            (fmt.t("mde_rd"), SECONDARY if mde_rd is None and ctx.pub.rule(
                pointer(("power", "risk_difference", "minimum_detectable"))) else
             fmt.number(None if mde_rd is None else 100 * abs(mde_rd), 1)))
    mde = _mde_sentence(ctx)
    return Section("power", fmt.t("sec_power"),
                   (*((mde,) if mde else ()), Table((fmt.t("quantity"), fmt.t("value")), rows)))


# ----------------------------------------------------------------------------- lessons, methods, annex

def lessons_section(ctx: Context) -> Section:
    text = ctx.plan.report.lessons.strip()
    blocks = tuple(Paragraph(p.strip()) for p in text.split("\n\n") if p.strip()) if text else \
        (Paragraph(ctx.fmt.t("lessons_placeholder"), "placeholder"),)
    return Section("lessons", ctx.fmt.t("sec_lessons"), blocks)


def methods_section(ctx: Context) -> Section:
    fmt, plan, res = ctx.fmt, ctx.plan, ctx.results
    sv = plan.survival
    strata = fmt.t("m_strata", strata=sv.strata) if sv.strata else ""
    cluster = fmt.t("m_cluster", cluster=sv.cluster) if sv.cluster else ""
    texts = [
        fmt.t("m_km", level=ctx.level),
        fmt.t("m_logrank", strata=strata),
        fmt.t("m_cox", ties=sv.ties, strata=strata, cluster=cluster,
              covariates=", ".join(fmt.var(c) for c in sv.covariates) or fmt.t("none")),
        fmt.t("m_ph"),
        fmt.t("m_rmst", tau=sv.horizon_days),
        fmt.t("m_rd", day=sv.horizon_days),
        fmt.t("m_ri", perm=fmt.integer(plan.inference.permutations), seed=plan.inference.seed),
    ]
    if res["survival"].get("covariate_adjusted"):
        texts.append(fmt.t("m_ca", scheme=fmt.t(f"scheme_{sv.randomization}"), tau=sv.horizon_days))
    if res.get("competing_risks"):
        texts.append(fmt.t("m_competing"))
    if res.get("binary_outcomes"):
        texts.append(fmt.t("m_outcomes", method=plan.outcomes.multiplicity))
    if res.get("balance"):
        texts.append(fmt.t("m_balance"))
    if res.get("attrition"):
        texts.append(fmt.t("m_attrition", boundary=fmt.t(plan.integrity.attrition_boundary)))
    if res.get("power"):
        texts.append(fmt.t("m_power"))
    texts.append(fmt.t("m_disclosure_public" if ctx.pub.public else "m_disclosure_evaluator",
                       threshold=ctx.threshold, grid=GRID_DAYS))
    return Section("methods", fmt.t("sec_methods"), tuple(Paragraph(t) for t in texts))


def quality_section(ctx: Context) -> Section:
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
    blocks.append(_hidden_note(ctx))
    return Section("quality", fmt.t("sec_quality"), tuple(blocks))


SECTIONS: tuple[Callable[[Context], Section | None], ...] = (
    summary_section, experiment_section, balance_section, attrition_section, primary_section,
    competing_section, outcomes_section, compliance_section, subgroups_section, sites.section, fidelity_section,
    power_section, lessons_section, methods_section, quality_section,
)


def compose(pub: Publication, plan: Plan, *, today: dt.date | None = None) -> Document:
    """The report document of a publication (sections in FEJ order, absent analyses left out).

    Parameters
    ----------
    pub : Publication
        From :func:`evalexp.disclosure.publish`: the only source of the numbers and curves.
    plan : Plan
        Labels, texts and settings.
    today : date, optional
        The cover date (default: the UTC date).
    """
    fmt = Formatter(plan.language, pub.threshold, plan.labels, plan.value_labels)
    ctx = Context(pub=pub, plan=plan, fmt=fmt)
    sections = tuple(s for s in (build(ctx) for build in SECTIONS) if s is not None)
    if not pub.public:  # nothing is hidden in the evaluator's report: the legend of the marks goes
        note = _hidden_note(ctx)
        sections = tuple(Section(s.key, s.title, tuple(b for b in s.blocks if b != note)) for s in sections)
    today = today or dt.datetime.now(dt.timezone.utc).date()
    cover = ((fmt.t("funder"), plan.report.funder or fmt.t("not_given")),
             (fmt.t("evaluator"), plan.report.evaluator or fmt.t("not_given")),
             (fmt.t("date"), fmt.date(today)))
    return Document(language=plan.language, title=plan.title, subtitle=fmt.t("report_kind"), cover=cover,
                    disclaimer_title=fmt.t("disclaimer_title"),
                    disclaimer=fmt.t("disclaimer", threshold=fmt.threshold),
                    contents_title=fmt.t("contents"), sections=sections,
                    footer=fmt.t("generated_by", version=__version__),
                    banner="" if pub.public else fmt.t("not_for_publication"))
