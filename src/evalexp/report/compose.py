"""Compose the funders' report (a :class:`~evalexp.report.document.Document`) from an analysis.

The order is the one of French experimentation-fund (FEJ) evaluation reports:
cover, disclaimer, one-page summary, the experiment (CONSORT), baseline
balance, attrition, the primary result, ruptures by initiative, employment
outcomes, take-up, subgroups, fidelity, power, lessons for public policy,
methods, and the data-quality annex. A section whose analysis the plan does not
request is left out.

Numbers in the text and tables come from ``analysis.to_dict()`` (the stable
results contract) where it has them; curves come from the step tables of the
results objects. Every count and every figure derived from one goes through
the rules of :mod:`evalexp.report.disclosure`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from .. import __version__
from ..cohort import Cohort
from ..competing.analysis import rupture_causes
from ..plan import Plan
from ..survival.cox import FEW_CLUSTERS
from . import figures, sites
from .disclosure import collapse_small_categories, share_hidden, suppression_mask
from .document import Block, Document, Paragraph, Section, Table, render_figure
from .i18n import SECONDARY, Formatter

ARMS = ("treatment", "control")


@dataclass(frozen=True)
class Context:
    """What every section reads: the analysis, its JSON, the cohort, the plan and the formatter."""

    analysis: Any
    results: dict[str, Any]
    cohort: Cohort
    plan: Plan
    fmt: Formatter

    @property
    def threshold(self) -> int:
        return self.fmt.threshold

    @property
    def level(self) -> str:
        return self.fmt.level(self.plan.inference.alpha)

    def at_risk(self, arm: str, day: float) -> int:
        """Number at risk in ``arm`` at ``day`` (from the KM step table)."""
        return int(self.analysis.survival.km[arm].at([day])["at_risk"].iloc[0])

    def landmark_hidden(self, arm: str, day: float) -> bool:
        """Whether the Kaplan-Meier share of ``arm`` at ``day`` is withheld: fewer than the threshold
        at risk, or fewer ruptures by then (``1 - S`` is then about ``ruptures / n``: 0,0 % gave 0 back)."""
        table = self.analysis.survival.km[arm].table
        ruptures = int(table.loc[table["time"] <= day, "n_event"].sum())
        return self.at_risk(arm, day) < self.threshold or ruptures < self.threshold

    def count_cells(self, counts: np.ndarray, *, row_totals: bool = True, column_totals: bool = True,
                    also_hide: np.ndarray | None = None) -> list[list[str]]:
        """Counts formatted with primary and secondary suppression (rows x columns; see
        :func:`~evalexp.report.disclosure.suppression_mask` for the published totals).
        ``also_hide`` marks cells to hide as if they were small (e.g. a count whose complement
        in a published whole is small), before secondary suppression."""
        counts = np.atleast_2d(np.asarray(counts))
        basis = counts if also_hide is None else np.where(np.atleast_2d(also_hide), -1, counts)
        mask = suppression_mask(basis, self.threshold, row_totals=row_totals, column_totals=column_totals)
        return [[self.fmt.count(int(c), bool(h)) for c, h in zip(row, hid)]
                for row, hid in zip(counts, mask)]

    def part_mask(self, part: dict[str, int], whole: dict[str, int]) -> np.ndarray:
        """Which counts ``part[arm]`` of a published ``whole[arm]`` to hide: the two-row table
        (part, complement ``whole - part``) with both totals protected, as the column totals are
        the arms and the row total of the complement (e.g. missing values of a column) is
        published in the data-quality annex."""
        counts = np.array([[part[a] for a in ARMS], [whole[a] - part[a] for a in ARMS]])
        return suppression_mask(counts, self.threshold)[0]

    def part_cells(self, part: dict[str, int], whole: dict[str, int]) -> list[str]:
        """The counts ``part[arm]`` of a published ``whole[arm]``, hidden by :meth:`part_mask`."""
        return [self.fmt.count(int(part[a]), bool(h)) for a, h in zip(ARMS, self.part_mask(part, whole))]


def _share(ctx: Context, count: int, n: int, share: float | None, hidden: bool | None = None) -> str:
    """A share ``count / n`` as a percentage, or its mark when hidden (by default when
    :func:`share_hidden`): ``"<11"`` when the count itself is small, ``"s"`` otherwise."""
    if hidden is None:
        hidden = share_hidden(count, n, ctx.threshold)
    if not hidden:
        return ctx.fmt.percent(share)
    return ctx.fmt.hidden if count < ctx.threshold else SECONDARY


def _hidden_note(ctx: Context) -> Paragraph:
    return Paragraph(ctx.fmt.t("hidden_note", threshold=ctx.threshold), "note")


def _est_ci(ctx: Context, block: dict[str, Any] | None, key: str = "hr", digits: int = 2) -> tuple[str, str, str]:
    if not block:
        return "–", "–", "–"
    return (ctx.fmt.number(block.get(key), digits), ctx.fmt.ci(block.get("ci_low"), block.get("ci_high"), digits),
            ctx.fmt.pvalue(block.get("p_value")))


# ----------------------------------------------------------------------------- summary

def _horizon_risks(ctx: Context) -> tuple[dict[str, Any], bool]:
    rd = ctx.results["survival"]["risk_difference"]
    hidden = any(ctx.landmark_hidden(arm, rd["day"]) for arm in ARMS)
    return rd, hidden


def summary_section(ctx: Context) -> Section:
    fmt, res = ctx.fmt, ctx.results
    n, events = res["n"], res["events"]
    # as in the data-quality annex: ruptures and censored contracts add up to each arm
    cells = ctx.count_cells(np.array([[events[a] for a in ARMS], [n[a] - events[a] for a in ARMS]]))[0]
    blocks: list[Block] = [Paragraph(fmt.t(
        "summary_cohort", n=fmt.integer(n["treatment"] + n["control"]), n_t=fmt.integer(n["treatment"]),
        n_c=fmt.integer(n["control"]), e_t=cells[0], e_c=cells[1]), "lead")]
    rd, hidden = _horizon_risks(ctx)
    months = round(rd["day"] / 30.4375)
    if hidden or rd["difference"] is None:
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
    cox = res["survival"]["cox"]["unadjusted"]
    ri = res["survival"].get("randomization_inference") or {}
    ca = res["survival"].get("covariate_adjusted")
    primary_ca = ca is not None and res.get("primary") == "covariate_adjusted"
    if primary_ca:
        cox = {**ca["hr"], "hr": ca["hr"]["estimate"], "p_value": ca["log_hr"]["p_value"]}
    if cox.get("estimable", True):
        # the pre-specified primary result comes first, right after the cohort (docs/CONTRACT.md section 7)
        blocks.insert(1 if primary_ca else len(blocks), Paragraph(fmt.t(
            "summary_hr_ca" if primary_ca else "summary_hr", hr=fmt.number(cox["hr"]), level=ctx.level,
            ci=fmt.ci(cox["ci_low"], cox["ci_high"]), p=fmt.p_equals(cox["p_value"]),
            p_ri=fmt.p_equals(ri.get("p_value"))), "lead"))
    else:
        blocks.append(Paragraph(_hr_not_estimable(ctx), "lead"))
    for name, out in (res.get("binary_outcomes") or {}).items():
        if _outcome_hidden(ctx, out):
            blocks.append(Paragraph(fmt.t("summary_outcome_hidden", outcome=fmt.var(name), threshold=ctx.threshold)))
        else:
            blocks.append(Paragraph(fmt.t(
                "summary_outcome", outcome=fmt.var(name), p_t=fmt.percent(out["treatment"]), p_c=fmt.percent(out["control"]),
                diff=fmt.points(out["difference"]), level=ctx.level,
                ci=fmt.ci(out["ci_low"], out["ci_high"], 1, scale=100))))
    mde = _mde_sentence(ctx)
    if mde:
        blocks.append(mde)
    return Section("summary", fmt.t("sec_summary"), tuple(blocks))


def _mde_sentence(ctx: Context) -> Paragraph | None:
    """'With N ruptures, the study could only detect HR <= x, a fall of y points', from the power block."""
    power = ctx.results.get("power")
    if not power or power["hazard_ratio"]["minimum_detectable"] is None:
        return None
    fmt = ctx.fmt
    rd = power["risk_difference"]
    return Paragraph(fmt.t(
        "summary_mde", events=fmt.integer(power["events"]), power=fmt.percent(power["power"], 0),
        alpha=fmt.percent(power["alpha"], 0), mde_hr=fmt.number(power["hazard_ratio"]["minimum_detectable"]),
        mde_rd=fmt.number(None if rd["minimum_detectable"] is None else 100 * abs(rd["minimum_detectable"]), 1),
        months=round(rd["day"] / 30.4375)))


# ----------------------------------------------------------------------------- experiment (CONSORT)

def experiment_section(ctx: Context) -> Section | None:
    block = ctx.results.get("consort")
    if not block:
        return None
    fmt, thr = ctx.fmt, ctx.threshold
    horizon = block["horizon_days"]
    assigned = block["assigned"]
    support = block.get("support")
    table_rows: list[tuple[str, ...]] = []
    flow: dict[str, dict[str, int | None]] = {arm: {"allocated": assigned[arm]} for arm in ARMS}
    hidden: dict[str, dict[str, bool]] = {arm: {} for arm in ARMS}
    allocated = np.array([[assigned[a] for a in ARMS]])
    table_rows.append((fmt.t("consort_allocated"), *ctx.count_cells(allocated)[0]))
    # the diagram hides what the table hides
    for j, hid in enumerate(suppression_mask(allocated, thr)[0]):
        hidden[ARMS[j]]["allocated"] = bool(hid)
    if support:
        # column totals (allocated) are published; row totals (across arms) are not
        counts = np.array([[support[key][a] for a in ARMS] for key in ("received", "not_received")])
        mask = suppression_mask(counts, thr, row_totals=False)
        cells = ctx.count_cells(counts, row_totals=False)
        table_rows += [(fmt.t("consort_received"), *cells[0]), (fmt.t("consort_not_received"), *cells[1])]
        for j, arm in enumerate(ARMS):
            flow[arm]["received"] = int(counts[0, j])
            hidden[arm]["received"] = bool(mask[0, j])
    for key, label in (("lost_to_followup", fmt.t("consort_lost", horizon=horizon)),
                       ("censored_at_extraction", fmt.t("consort_censored", horizon=horizon))):
        counts = np.array([[block[key][a] for a in ARMS]])
        table_rows.append((label, *ctx.count_cells(counts)[0]))
    lost = np.array([[block["lost_to_followup"][a] for a in ARMS]])
    analysed = np.array([[block["analysed"]["rupture"][a] for a in ARMS]])
    for j, arm in enumerate(ARMS):
        flow[arm]["lost"] = int(lost[0, j])
        hidden[arm]["lost"] = bool(suppression_mask(lost, thr)[0, j])
        flow[arm]["analysed"] = int(analysed[0, j])
        hidden[arm]["analysed"] = bool(suppression_mask(analysed, thr)[0, j])
    for outcome, by_arm in block["analysed"].items():
        # the primary analysis is by intention to treat: no one is excluded by design (a
        # structural zero, not a small count); the other outcomes hide with their missing count
        cells = ctx.count_cells(np.array([[by_arm[a] for a in ARMS]]))[0] if outcome == "rupture" \
            else ctx.part_cells(by_arm, assigned)
        name = fmt.t("rupture") if outcome == "rupture" else fmt.var(outcome)
        table_rows.append((fmt.t("consort_analysed_outcome", outcome=name), *cells))
    total = sum(assigned.values())
    fig = render_figure(figures.consort_figure(total, flow, fmt, horizon=horizon, hidden=hidden), "consort",
                        fmt.t("consort_caption"))
    intro = Paragraph(fmt.t("experiment_intro", n=fmt.integer(total), n_t=fmt.integer(assigned["treatment"]),
                            n_c=fmt.integer(assigned["control"])))
    table = Table((fmt.t("stage"), fmt.t("treatment"), fmt.t("control")), tuple(table_rows),
                  caption=fmt.t("consort_caption"))
    return Section("experiment", fmt.t("sec_experiment"), (intro, fig, table, _hidden_note(ctx)))


# ----------------------------------------------------------------------------- attrition

def attrition_section(ctx: Context) -> Section | None:
    block = ctx.results.get("attrition")
    if not block or not block.get("outcomes"):
        return None
    fmt, thr = ctx.fmt, ctx.threshold
    rows = []
    for outcome, entry in block["outcomes"].items():
        name = fmt.t("attrition_survival") if entry["kind"] == "survival" else fmt.var(outcome)
        # the attrited of both arms add up to the missing values the annex publishes
        attrited_hidden = ctx.part_mask(entry["attrited"], entry["n"])
        hidden = [bool(attrited_hidden[j]) or share_hidden(entry["attrited"][arm], entry["n"][arm], thr)
                  for j, arm in enumerate(ARMS)]
        rates = [_share(ctx, entry["attrited"][arm], entry["n"][arm], entry["rate"][arm], h)
                 for arm, h in zip(ARMS, hidden)]
        # the overall and differential rates would give back a hidden arm's rate
        overall = SECONDARY if any(hidden) else fmt.percent(entry["overall"])
        differential = SECONDARY if any(hidden) else fmt.number(
            None if entry["differential"] is None else 100 * entry["differential"], 1)
        lee = entry.get("lee_bounds")
        lee_text = "–" if not lee else fmt.ci(lee["lower"], lee["upper"], 1, scale=100)
        rows.append((name, *rates, overall, differential, fmt.label(entry["rating"]), lee_text))
    boundary = fmt.t(block["boundary"])
    header = (fmt.t("outcome"), fmt.t("treatment"), fmt.t("control"), fmt.t("overall_attr"), fmt.t("diff_attr"),
              fmt.t("boundary", boundary=boundary), fmt.t("lee"))
    return Section("attrition", fmt.t("sec_attrition"),
                   (Table(header, tuple(rows), caption=fmt.t("attr_caption", boundary=boundary)), _hidden_note(ctx)))


# ----------------------------------------------------------------------------- balance

def _balance_hidden(ctx: Context, rows: list[dict[str, Any]]) -> list[list[bool]]:
    """Which arm shares of the balance rows to hide: binary rows by :func:`share_hidden`, the levels
    of a categorical covariate by suppression within each arm (the levels' counts add up to the arm)."""
    hidden: list[list[bool]] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        if row["kind"] == "continuous":
            hidden.append([row[arm]["n"] < ctx.threshold for arm in ARMS])
            i += 1
            continue
        if row["kind"] == "binary":
            hidden.append([share_hidden(int(round((row[a]["mean"] or 0) * row[a]["n"])), row[a]["n"], ctx.threshold)
                           for a in ARMS])
            i += 1
            continue
        block = [r for r in rows[i:] if r["covariate"] == row["covariate"]]
        counts = np.array([[int(round((r[a]["mean"] or 0) * r[a]["n"])) for a in ARMS] for r in block])
        hidden += suppression_mask(counts, ctx.threshold, row_totals=False).tolist()
        i += len(block)
    return hidden


def balance_section(ctx: Context) -> Section | None:
    block = ctx.results.get("balance")
    if not block or not block.get("covariates"):
        return None
    fmt = ctx.fmt
    covariates = block["covariates"]
    hidden = _balance_hidden(ctx, covariates)
    rows, love = [], []
    for row, hid in zip(covariates, hidden):
        label = fmt.var(row["covariate"]) if row["level"] is None else fmt.var_level(row["covariate"], row["level"])
        cells = []
        for arm, h in zip(ARMS, hid):
            part = row[arm]
            if row["kind"] == "continuous":
                cells.append(fmt.hidden if h else fmt.number(part["mean"], 2))
            else:
                cells.append(_share(ctx, int(round((part["mean"] or 0) * part["n"])), part["n"], part["mean"], h))
        # the standardised difference and one share give the other back; with both shares hidden,
        # the difference (to three decimals) still pins the two small counts down
        withheld = any(hid)
        if not withheld:
            love.append({"label": label, "std_diff": row["std_difference"]})
        rows.append((label, *cells, SECONDARY if withheld else fmt.number(row["std_difference"], 3),
                     fmt.label(row["rating"])))
    blocks: list[Block] = []
    if love:
        blocks.append(render_figure(figures.love_plot(pd.DataFrame(love), fmt), "balance",
                                    f"{fmt.t('love_x')}. {fmt.t('wwc_note')}"))
    header = (fmt.t("covariate"), fmt.t("treatment"), fmt.t("control"), fmt.t("std_diff"), fmt.t("wwc_rating"))
    blocks += [Table(header, tuple(rows), caption=fmt.t("balance_caption")), _hidden_note(ctx)]
    return Section("balance", fmt.t("sec_balance"), tuple(blocks))


# ----------------------------------------------------------------------------- primary result

def _hr_not_estimable(ctx: Context) -> str:
    """Why there is no hazard ratio (an arm without rupture), with the randomisation p if any."""
    ri = ctx.results["survival"].get("randomization_inference")
    p_ri = "" if not ri else f" ({ctx.fmt.t('ri_p_short')} {ctx.fmt.p_equals(ri['p_value'])})"
    return ctx.fmt.t("hr_not_estimable", p_ri=p_ri)


def primary_section(ctx: Context) -> Section:
    fmt, plan = ctx.fmt, ctx.plan
    surv = ctx.results["survival"]
    tables = {arm: ctx.analysis.survival.km[arm].table for arm in ARMS}
    fig = render_figure(figures.km_figure(tables, fmt), "km",
                        f"{fmt.t('survival_prob')} — {fmt.t('curve_note', threshold=ctx.threshold, level=ctx.level)}")
    header = (fmt.t("quantity"), fmt.t("treatment"), fmt.t("control"))
    rows: list[tuple[str, ...]] = []
    points = {arm: {p["day"]: p for p in surv["km"][arm]} for arm in ARMS}
    for day in sorted(points["treatment"]):
        cells = []
        for arm in ARMS:
            point = points[arm][day]
            if ctx.landmark_hidden(arm, day) or point["survival"] is None:
                at_risk = point["at_risk"]
                cells.append(f"{fmt.hidden} ({fmt.count(at_risk, at_risk < ctx.threshold)})")
            else:
                ci = fmt.ci(1 - point["ci_high"], 1 - point["ci_low"], 1, scale=100) \
                    if point["ci_low"] is not None else ""
                cells.append(f"{fmt.percent(1 - point['survival'])} {ci} ({fmt.integer(point['at_risk'])})")
        rows.append((fmt.t("km_at", day=day), *cells))
    medians = []
    for arm in ARMS:
        m = surv.get("km_median", {}).get(arm) or {}
        if m.get("median") is None:
            medians.append(fmt.t("not_reached"))
        elif ctx.at_risk(arm, m["median"]) < ctx.threshold:
            medians.append(fmt.hidden)
        else:
            medians.append(f"{fmt.integer(m['median'])} {fmt.ci(m.get('ci_low'), m.get('ci_high'), 0)}")
    rows.append((fmt.t("median"), *medians))
    landmark = Table(header, tuple(rows), caption=fmt.t("km_table", level=ctx.level))

    effect_rows: list[tuple[str, ...]] = []
    cox = surv["cox"]
    robust = f" — {fmt.t('robust_se')}" if cox["unadjusted"].get("robust") else ""
    effect_rows.append((fmt.t("cox_unadj") + robust, *_est_ci(ctx, cox["unadjusted"])))
    if cox.get("adjusted"):
        label = fmt.t("cox_adj", covariates=", ".join(
            fmt.var(c) for c in cox["adjusted"].get("covariates", plan.survival.covariates)))
        effect_rows.append((label + robust, *_est_ci(ctx, cox["adjusted"])))
    ca = surv.get("covariate_adjusted")
    if ca:
        effect_rows.append((fmt.t("ca_hr"), *_est_ci(ctx, {**ca["hr"], "hr": ca["hr"]["estimate"],
                                                          "p_value": ca["log_hr"]["p_value"]})))
    rmst = surv["rmst"]
    effect_rows.append((fmt.t("rmst", tau=rmst["tau_days"]), fmt.number(rmst["difference"], 1),
                        fmt.ci(rmst["ci_low"], rmst["ci_high"], 1), fmt.pvalue(rmst["p_value"])))
    rd, hidden = _horizon_risks(ctx)
    if hidden:
        effect_rows.append((fmt.t("risk_diff", day=rd["day"]), fmt.hidden, fmt.hidden, "–"))
    else:
        effect_rows.append((fmt.t("risk_diff", day=rd["day"]), fmt.points(rd["difference"]),
                            fmt.ci(rd["ci_low"], rd["ci_high"], 1, scale=100), fmt.pvalue(rd.get("p_value"))))
    lr = surv["logrank"]
    effect_rows.append((fmt.t("logrank"), fmt.number(lr["statistic"]), "–", fmt.pvalue(lr["p_value"])))
    for ri in surv.get("randomization_inference_all") or [surv["randomization_inference"]]:
        effect_rows.append((fmt.t("ri", stat=ri["statistic"], perm=fmt.integer(ri["permutations"])), "–", "–",
                            fmt.pvalue(ri["p_value"])))
    ph = surv["ph_test"]
    effect_rows.append((fmt.t("ph_test"), fmt.number(ph["statistic"]), "–", fmt.pvalue(ph["p_value"])))
    effects = Table((fmt.t("quantity"), fmt.t("estimate"), fmt.t("ci_level", level=ctx.level), fmt.t("p_value")),
                    tuple(effect_rows))
    if cox["unadjusted"].get("estimable", True):
        ph_text = fmt.t("ph_rejected" if ph["p_value"] is not None and ph["p_value"] < plan.inference.alpha
                        else "ph_ok", p=fmt.p_equals(ph["p_value"]))
    else:
        ph_text = _hr_not_estimable(ctx)
    blocks: list[Block] = [fig, landmark, _hidden_note(ctx), effects, Paragraph(ph_text)]
    if ca:
        unadj = ca["unadjusted"]
        blocks.append(Paragraph(fmt.t("ca_gain", hr=fmt.number(ca["hr"]["estimate"]), level=ctx.level,
                                      ci=fmt.ci(ca["hr"]["ci_low"], ca["hr"]["ci_high"]), hr_u=fmt.number(unadj["hr"]),
                                      ci_u=fmt.ci(unadj["ci_low"], unadj["ci_high"]),
                                      n=fmt.integer(ca["precision_gain"]["equivalent_participants"]))))
    n_clusters = cox["unadjusted"].get("n_clusters")
    if n_clusters is not None and n_clusters < FEW_CLUSTERS:
        blocks.append(Paragraph(fmt.t("few_clusters", g=n_clusters, min=FEW_CLUSTERS), "note"))
    return Section("primary", fmt.t("sec_primary"), tuple(blocks))


# ----------------------------------------------------------------------------- competing risks

def competing_section(ctx: Context) -> Section | None:
    block = ctx.results.get("competing_risks")
    if not block:
        return None
    fmt = ctx.fmt
    causes = sorted(block)
    cause_of = rupture_causes(ctx.cohort, ctx.plan)
    arm = ctx.cohort.data["arm"]
    counts = pd.DataFrame({a: [int(((cause_of == c) & (arm == a)).sum()) for c in causes] for a in ARMS},
                          index=causes)
    groups = collapse_small_categories(counts, ctx.threshold, fmt.t("other_causes"))
    if len(set(groups.values())) == 1:
        groups = {c: fmt.t("all_causes") for c in causes}
    groups = {c: fmt.label(g) for c, g in groups.items()}
    stops = {a: figures.curve_stop(ctx.analysis.survival.km[a].table, ctx.threshold) for a in ARMS}
    cif = figures.combine_causes(ctx.analysis.competing.cif_table(), groups)
    fig = render_figure(figures.cif_figure(cif, stops, fmt), "cif",
                        f"{fmt.t('cif')}. {fmt.t('cif_note', threshold=ctx.threshold)}")
    cells = ctx.count_cells(counts.to_numpy())
    rows = []
    for i, cause in enumerate(causes):
        entry = block[cause]
        hr, hr_ci, _ = _est_ci(ctx, entry.get("cause_specific_cox"))
        shr, shr_ci, _ = _est_ci(ctx, entry.get("fine_gray"), key="shr")
        rows.append((fmt.label(cause), *cells[i], f"{hr} {hr_ci}", f"{shr} {shr_ci}",
                     fmt.pvalue((entry.get("gray_test") or {}).get("p_value"))))
    header = (fmt.t("cause"), fmt.t("treatment"), fmt.t("control"), f"{fmt.t('cs_hr')} [{fmt.t('ci')}]",
              f"{fmt.t('fg_shr')} [{fmt.t('ci')}]", fmt.t("gray_short"))
    return Section("competing", fmt.t("sec_competing"),
                   (fig, Table(header, tuple(rows), caption=fmt.t("cause_caption")), _hidden_note(ctx)))


# ----------------------------------------------------------------------------- employment outcomes

def _outcome_shares_hidden(ctx: Context, out: dict[str, Any]) -> list[bool]:
    """Per arm, whether the share of an outcome is hidden (rule 3 of disclosure): with its
    numerator or complement (:func:`share_hidden`), or with its denominator, the number observed
    (:meth:`Context.part_mask`): a share ``k / n`` printed to 0.1 % gives ``n`` back."""
    observed_hidden = ctx.part_mask(out["n_observed"], ctx.results["n"])
    return [out[arm] is None or bool(observed_hidden[j])
            or share_hidden(int(round(out[arm] * out["n_observed"][arm])), out["n_observed"][arm], ctx.threshold)
            for j, arm in enumerate(ARMS)]


def _outcome_hidden(ctx: Context, out: dict[str, Any]) -> bool:
    """A difference of shares is hidden when either arm's share is."""
    return any(_outcome_shares_hidden(ctx, out))


def outcomes_section(ctx: Context) -> Section | None:
    block = ctx.results.get("binary_outcomes")
    if not block:
        return None
    fmt = ctx.fmt
    rows, shown = [], []
    for name, out in block.items():
        obs = ctx.part_cells(out["n_observed"], ctx.results["n"])
        hidden = _outcome_shares_hidden(ctx, out)
        if any(hidden):
            shares = [_share(ctx, int(round((out[arm] or 0) * out["n_observed"][arm])), out["n_observed"][arm],
                             out[arm], h) for arm, h in zip(ARMS, hidden)]
            rows.append((fmt.var(name), *(f"{v} ({fmt.t('n')} {o})" for v, o in zip(shares, obs)), SECONDARY, "–", "–"))
            continue
        shown.append({"label": fmt.var(name), "difference": out["difference"], "ci_low": out["ci_low"],
                      "ci_high": out["ci_high"]})
        rows.append((fmt.var(name), *(f"{fmt.percent(out[arm])} ({fmt.t('n')} {o})" for arm, o in zip(ARMS, obs)),
                     f"{fmt.points(out['difference'])} {fmt.ci(out['ci_low'], out['ci_high'], 1, scale=100)}",
                     fmt.pvalue(out["p_value"]), fmt.pvalue(out.get("p_adjusted"))))
    method = next(iter(block.values())).get("multiplicity", ctx.plan.outcomes.multiplicity)
    header = (fmt.t("outcome"), fmt.t("treatment"), fmt.t("control"),
              f"{fmt.t('difference_pts')} [{fmt.t('ci_level', level=ctx.level)}]", fmt.t("p_value"), f"p ({method})")
    blocks: list[Block] = []
    if shown:
        blocks.append(render_figure(figures.effects_figure(pd.DataFrame(shown), fmt), "outcomes",
                                    f"{fmt.t('difference_axis')}, {fmt.t('ci_level', level=ctx.level)}"))
    blocks += [Table(header, tuple(rows), caption=fmt.t("outcomes_caption")), _hidden_note(ctx)]
    return Section("outcomes", fmt.t("sec_outcomes"), tuple(blocks))


# ----------------------------------------------------------------------------- compliance

def compliance_section(ctx: Context) -> Section | None:
    block = ctx.results.get("compliance")
    if not block:
        return None
    fmt = ctx.fmt
    first = block["first_stage"]
    n = first["n"]
    rows = []
    takers = [int(round((first[arm] or 0) * n[arm])) for arm in ARMS]
    hidden = [share_hidden(takers[i], n[arm], ctx.threshold) for i, arm in enumerate(ARMS)]
    # no take-up in the control arm is a structural zero (the support is not offered there): the
    # first stage is then the treatment arm's take-up, hidden with it
    first_hidden = hidden[0] or (takers[1] > 0 and hidden[1])
    rows.append((fmt.t("first_stage"), *(_share(ctx, k, n[arm], first[arm]) for k, arm in zip(takers, ARMS)),
                 SECONDARY if first_hidden else fmt.points(first["estimate"])))
    table_1 = Table((fmt.t("quantity"), fmt.t("treatment"), fmt.t("control"), fmt.t("difference_pts")), tuple(rows))
    # ITT is hidden where the outcome section hides it; CACE = ITT / first stage would give a
    # hidden first stage (take-up) back from the ITT, and a hidden ITT back from the first stage
    effects: list[tuple[str, dict[str, Any], bool]] = []
    rupture = block.get("rupture_risk")
    if rupture:
        effects.append((fmt.t("risk_diff", day=rupture["day"]), rupture, _horizon_risks(ctx)[1]))
    outcomes = ctx.results.get("binary_outcomes") or {}
    for name, entry in (block.get("binary_outcomes") or {}).items():
        effects.append((fmt.var(name), entry, name not in outcomes or _outcome_hidden(ctx, outcomes[name])))
    effect_rows = []
    for label, entry, itt_hidden in effects:
        for key, hide in (("itt", itt_hidden), ("cace", itt_hidden or first_hidden)):
            est = entry[key]
            effect_rows.append((f"{fmt.t(key)} — {label}", *((SECONDARY, SECONDARY, "–") if hide else (
                fmt.points(est["estimate"]), fmt.ci(est["ci_low"], est["ci_high"], 1, scale=100),
                fmt.pvalue(est["p_value"])))))
    table_2 = Table((fmt.t("quantity"), fmt.t("difference_pts"), fmt.t("ci_level", level=ctx.level), fmt.t("p_value")),
                    tuple(effect_rows))
    return Section("compliance", fmt.t("sec_compliance"), (table_1, table_2, _hidden_note(ctx)))


# ----------------------------------------------------------------------------- subgroups

def subgroups_section(ctx: Context) -> Section | None:
    block = ctx.results.get("subgroups")
    if not block or not block.get("variables"):
        return None
    fmt = ctx.fmt
    fig = render_figure(figures.forest_plot(ctx.analysis.subgroups.forest(), fmt), "subgroups",
                        f"{fmt.t('forest_x')}, {fmt.t('ci_level', level=ctx.level)}")
    rows = []
    for variable, entry in block["variables"].items():
        levels = list(entry["levels"].items())
        n = np.array([[lv["n"][arm] for arm in ARMS] for _, lv in levels])
        events = np.array([[lv["events"][arm] for arm in ARMS] for _, lv in levels])
        n_cells = ctx.count_cells(n)
        # a cell's ruptures and its size give the contracts not broken: hidden when fewer than the threshold
        e_cells = ctx.count_cells(events, also_hide=n - events < ctx.threshold)
        for i, (level, lv) in enumerate(levels):
            n_total = lv["n"]["treatment"] + lv["n"]["control"]
            hr = "–" if n_total < ctx.threshold or not lv.get("cox") else \
                f"{fmt.number(lv['cox']['hr'])} {fmt.ci(lv['cox']['ci_low'], lv['cox']['ci_high'])}"
            p = fmt.pvalue(entry["interaction"]["p_value"]) if i == 0 else ""
            rows.append((fmt.var_level(variable, level), *(f"{n} / {e}" for n, e in zip(n_cells[i], e_cells[i])), hr, p))
    header = (fmt.t("subgroup"), fmt.t("treatment"), fmt.t("control"), f"{fmt.t('hr_short')} [{fmt.t('ci')}]",
              fmt.t("interaction_p"))
    return Section("subgroups", fmt.t("sec_subgroups"),
                   (fig, Table(header, tuple(rows), caption=fmt.t("subgroup_caption")), _hidden_note(ctx)))


# ----------------------------------------------------------------------------- fidelity

def fidelity_section(ctx: Context) -> Section | None:
    block = ctx.results.get("fidelity")
    if not block:
        return None
    fmt, thr = ctx.fmt, ctx.threshold
    # a number due is part of the treatment arm (published): hidden with its complement, as the
    # first meeting is due to every recipient, whom the CONSORT table may hide; what is counted
    # among those due (held, on time, their shares) is hidden with it
    arm_size = ctx.results["n"]["treatment"]

    def among_due(due: int, count: int, share: float | None) -> tuple[bool, str, str]:
        due_hidden = share_hidden(due, arm_size, thr)
        hidden = due_hidden or share_hidden(count, due, thr)
        return due_hidden, fmt.count(count, hidden), _share(ctx, count, due, share, hidden)

    rows = []
    for meeting in block["meetings"].values():
        due = meeting["due"]
        due_hidden, held, share_held = among_due(due, meeting["held"], meeting["share_held"])
        _, on_time, share_on_time = among_due(due, meeting["on_time"], meeting["share_on_time"])
        rows.append((fmt.label(meeting["label"]), fmt.count(due, due_hidden), held, on_time, share_held,
                     share_on_time))
    everything = block["all_on_time"]
    due_hidden, on_time, share_on_time = among_due(everything["due"], everything["on_time"], everything["share"])
    rows.append((fmt.t("all_on_time"), fmt.count(everything["due"], due_hidden), "–", on_time, "–", share_on_time))
    meetings = Table((fmt.t("meeting"), fmt.t("due"), fmt.t("held"), fmt.t("on_time"), fmt.t("share_held"),
                      fmt.t("share_on_time")), tuple(rows))
    by = block["ruptures_by_meetings"]["rows"]
    # the rows add up to the recipients; with the non-recipients they add up to the arm (published)
    n_column = np.array([[r["n"]] for r in by] + [[arm_size - sum(r["n"] for r in by)]])
    n_mask = suppression_mask(n_column, thr)[:-1, 0]
    by_rows = []
    for r, n_hidden in zip(by, n_mask):
        hidden = bool(n_hidden) or share_hidden(r["ruptures"], r["n"], thr)
        by_rows.append((fmt.integer(r["meetings_held"]), fmt.count(r["n"], bool(n_hidden)),
                        fmt.count(r["ruptures"], hidden), _share(ctx, r["ruptures"], r["n"], r["share"], hidden)))
    by_table = Table((fmt.t("meetings_held"), fmt.t("n"), fmt.t("events"), fmt.t("share")), tuple(by_rows),
                     caption=fmt.t("rupture_by_meetings"))
    return Section("fidelity", fmt.t("sec_fidelity"),
                   (Paragraph(fmt.t("fidelity_intro")), meetings, by_table, _hidden_note(ctx)))


# ----------------------------------------------------------------------------- power

def power_section(ctx: Context) -> Section | None:
    block = ctx.results.get("power")
    if not block:
        return None
    fmt = ctx.fmt
    mde_rd = block["risk_difference"]["minimum_detectable"]
    rows = ((fmt.t("events_needed"), fmt.integer(block["events"])),
            (fmt.t("power"), fmt.percent(block["power"], 0)),
            (fmt.t("mde_hr"), fmt.number(block["hazard_ratio"]["minimum_detectable"])),
            (fmt.t("mde_rd"), fmt.number(None if mde_rd is None else 100 * abs(mde_rd), 1)))
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
    texts.append(fmt.t("m_disclosure", threshold=ctx.threshold))
    return Section("methods", fmt.t("sec_methods"), tuple(Paragraph(t) for t in texts))


def quality_section(ctx: Context) -> Section:
    fmt = ctx.fmt
    data = ctx.cohort.data
    counts = np.array([[int((data["arm"] == arm).sum()) for arm in ARMS],
                       [int(((data["arm"] == arm) & (data["event"] == 1)).sum()) for arm in ARMS],
                       [int(((data["arm"] == arm) & (data["event"] == 0)).sum()) for arm in ARMS]])
    # events + censored = n: the n row is the column total of the two rows below it
    body = ctx.count_cells(counts[1:])
    n_row = ctx.count_cells(counts[:1])[0]
    arms_table = Table((fmt.t("quantity"), fmt.t("treatment"), fmt.t("control")),
                       ((fmt.t("n"), *n_row), (fmt.t("events"), *body[0]), (fmt.t("censored"), *body[1])))
    blocks: list[Block] = [arms_table, Paragraph(fmt.t("quality_intro"))]
    if ctx.cohort.warnings:
        rows = tuple((fmt.label(f"w_{w.code}", w.code.replace("_", " ")), w.column or "–", fmt.count(w.count, w.count < ctx.threshold))
                     for w in ctx.cohort.warnings)
        blocks.append(Table((fmt.t("warning"), fmt.t("column"), fmt.t("rows")), rows))
    else:
        blocks.append(Paragraph(fmt.t("no_warning")))
    blocks.append(_hidden_note(ctx))
    return Section("quality", fmt.t("sec_quality"), tuple(blocks))


SECTIONS: tuple[Callable[[Context], Section | None], ...] = (
    summary_section, experiment_section, balance_section, attrition_section, primary_section,
    competing_section, outcomes_section, compliance_section, subgroups_section, sites.section, fidelity_section,
    power_section, lessons_section, methods_section, quality_section,
)


def compose(analysis: Any, cohort: Cohort, plan: Plan, *, results: dict[str, Any] | None = None,
            today: dt.date | None = None) -> Document:
    """The report document of ``analysis`` (sections in FEJ order, absent analyses left out).

    ``results`` is ``analysis.to_dict()`` when already computed; ``today`` the cover date
    (default: the UTC date).
    """
    fmt = Formatter(plan.language, plan.report.suppression_threshold, plan.labels, plan.value_labels)
    results = analysis.to_dict() if results is None else results
    ctx = Context(analysis=analysis, results=results, cohort=cohort, plan=plan, fmt=fmt)
    sections = tuple(s for s in (build(ctx) for build in SECTIONS) if s is not None)
    today = today or dt.datetime.now(dt.timezone.utc).date()
    cover = ((fmt.t("funder"), plan.report.funder or fmt.t("not_given")),
             (fmt.t("evaluator"), plan.report.evaluator or fmt.t("not_given")),
             (fmt.t("date"), fmt.date(today)))
    return Document(language=plan.language, title=plan.title, subtitle=fmt.t("report_kind"), cover=cover,
                    disclaimer_title=fmt.t("disclaimer_title"),
                    disclaimer=fmt.t("disclaimer", threshold=fmt.threshold),
                    contents_title=fmt.t("contents"), sections=sections,
                    footer=fmt.t("generated_by", version=__version__))
