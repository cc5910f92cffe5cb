"""The one-page summary, verdict first: the cohort, the pre-specified primary analysis's result in
plain words with a verdict that follows the evidence, the employment results, the cost per
rupture avoided.

Verdict (the primary analysis named by ``[survival] primary``, CONTRACT §7):

- *significant*: its p-value is below the plan's ``alpha`` (equivalently, its CI excludes no effect);
- *inconclusive*: not significant, and the trial had at least the plan's target power
  (``[integrity] power``, default 80 %) to detect the planned effect ``[integrity] planned_hazard_ratio``
  with the ruptures observed (Schoenfeld: ``Phi(sqrt(p (1 - p) D) |log HR| - z_{1-alpha/2})``,
  ``p`` the supported share, ``D`` the ruptures);
- *underpowered*: not significant and less power than that; the minimum-detectable-effect
  sentence follows, and only then (or when the plan gives no planned effect, when it tells
  what the trial could have detected). Never after a significant result.

A difference in points is written with its interval so that sign and interval agree: "11 points
fewer (95% CI: 2 to 20 points fewer)", "13 points fewer (95% CI: between 28 points fewer and 2
points more)". Every number comes from the publication; a withheld one is said to be withheld.
"""
from __future__ import annotations

from ...disclosure.ledger import pointer
from ..document import Block, Paragraph, Section
from ..i18n import SECONDARY, Formatter
from .context import (
    ARMS,
    Context,
    fallback_note,
    hr_not_estimable,
    mde_sentence,
    planned_power,
    primary_estimate,
    reduced_precision,
)

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "main": ("À {months} mois, {risk_t} des jeunes accompagnés avaient rompu leur contrat contre {risk_c} "
                 "dans le groupe témoin : {diff} (IC à {level} : {ci})."),
        "less": "{x} {ux} de moins", "more": "{x} {ux} de plus", "none": "aucune différence",
        "range_less": "{a} à {b} {ub} de moins", "range_more": "{a} à {b} {ub} de plus",
        "range_cross": "de {a} {ua} de moins à {b} {ub} de plus",
        "primary": "Analyse principale, fixée avant l'analyse : {name}, {result}.",
        "primary_hidden": ("Analyse principale, fixée avant l'analyse : {name} ; son résultat n'est pas publié, "
                           "car l'un des groupes compte moins de {threshold} jeunes, ruptures ou contrats non "
                           "rompus (secret statistique)."),
        "significant_benefit": ("Verdict : l'accompagnement a réduit les ruptures de contrat ; ce résultat est "
                                "statistiquement significatif au seuil de {alpha}."),
        "significant_harm": ("Verdict : les ruptures ont été plus fréquentes chez les jeunes accompagnés ; ce "
                             "résultat est statistiquement significatif au seuil de {alpha}."),
        "inconclusive": ("Verdict : pas d'effet démontré. Le résultat n'est pas statistiquement significatif au "
                         "seuil de {alpha}, alors que l'essai avait une puissance de {power} pour détecter l'effet "
                         "prévu (rapport des risques {planned}) : un effet de cette ampleur est peu compatible "
                         "avec les données."),
        "underpowered": ("Verdict : on ne peut pas conclure. Le résultat n'est pas statistiquement significatif au "
                         "seuil de {alpha}, mais l'essai n'avait qu'une puissance de {power} pour détecter l'effet "
                         "prévu (rapport des risques {planned}) : il est trop petit pour établir ou exclure un "
                         "effet de cette ampleur."),
        "nonsignificant": ("Verdict : pas d'effet démontré ; le résultat n'est pas statistiquement significatif "
                           "au seuil de {alpha}."),
        "outcome": "{outcome} : {p_t} chez les accompagnés contre {p_c} chez les témoins, soit {diff} (IC à {level} : "
                   "{ci}) ; {verdict}",
        "outcome_sig": "différence statistiquement significative ({p}{multiplicity}).",
        "outcome_nonsig": "différence non statistiquement significative ({p}{multiplicity}) : pas d'effet démontré.",
        "multiplicity": ", corrigé ({method}) pour {k} indicateurs comparés",
        "outcome_hidden": ("{outcome} : résultat non publié, car il permettrait de retrouver un effectif inférieur "
                           "à {threshold} (secret statistique)."),
        "cost": ("Coût par rupture évitée : {cost} (IC à {level} : {ci}), pour un coût de l'accompagnement de "
                 "{per} par jeune ; {avoided} ruptures évitées pour 100 jeunes accompagnés à {months} mois."),
        "cost_open": "au moins {low}, sans borne supérieure car l'intervalle de la différence de risque inclut zéro",
        "cost_none": ("Coût par rupture évitée : non défini, car l'accompagnement n'a pas réduit la part des "
                      "ruptures à {months} mois (coût de l'accompagnement : {per} par jeune)."),
        "cost_hidden": ("Coût par rupture évitée : non publié, car la différence de risque dont il découle ne l'est "
                        "pas (secret statistique ; coût de l'accompagnement : {per} par jeune)."),
        "cox_unadjusted": "le modèle de Cox non ajusté", "cox_adjusted": "le modèle de Cox ajusté sur les covariables",
        "covariate_adjusted": "le rapport des risques ajusté sur les covariables (Ye, Shao et Yi 2024)",
        "logrank": "le test du log-rank", "risk_difference": "la différence de risque de rupture à l'horizon",
        "rmst": "la différence de durée moyenne sans rupture (RMST)",
        "hr_result": "rapport des risques de rupture {hr} (IC à {level} : {ci} ; {p})",
        "logrank_result": "{p}",
        "rd_result": "{diff} (IC à {level} : {ci} ; {p})",
        "rmst_result": "{days} jours (IC à {level} : {ci} ; {p})",
    },
    "en": {
        "main": ("At {months} months, {risk_t} of the supported young people had broken their contract against "
                 "{risk_c} in the control group: {diff} ({level} CI: {ci})."),
        "less": "{x} {ux} fewer", "more": "{x} {ux} more", "none": "no difference",
        "range_less": "{a} to {b} {ub} fewer", "range_more": "{a} to {b} {ub} more",
        "range_cross": "between {a} {ua} fewer and {b} {ub} more",
        "primary": "Primary analysis, fixed before the analysis: {name}, {result}.",
        "primary_hidden": ("Primary analysis, fixed before the analysis: {name}; its result is not published, "
                           "as a group has fewer than {threshold} young people, ruptures or unbroken contracts "
                           "(statistical secrecy)."),
        "significant_benefit": ("Verdict: the support reduced contract ruptures; this result is statistically "
                                "significant at the {alpha} level."),
        "significant_harm": ("Verdict: ruptures were more frequent among the supported young people; this result "
                             "is statistically significant at the {alpha} level."),
        "inconclusive": ("Verdict: no effect shown. The result is not statistically significant at the {alpha} "
                         "level, although the trial had {power} power to detect the planned effect (hazard ratio "
                         "{planned}): an effect that large is hardly compatible with the data."),
        "underpowered": ("Verdict: no conclusion can be drawn. The result is not statistically significant at the "
                         "{alpha} level, but the trial had only {power} power to detect the planned effect "
                         "(hazard ratio {planned}): it is too small to establish or rule out an effect that large."),
        "nonsignificant": "Verdict: no effect shown; the result is not statistically significant at the {alpha} level.",
        "outcome": "{outcome}: {p_t} among the supported against {p_c} in the control group, {diff} ({level} CI: "
                   "{ci}); {verdict}",
        "outcome_sig": "the difference is statistically significant ({p}{multiplicity}).",
        "outcome_nonsig": "the difference is not statistically significant ({p}{multiplicity}): no effect shown.",
        "multiplicity": ", corrected ({method}) for {k} outcomes compared",
        "outcome_hidden": ("{outcome}: not published, as it would reveal a count below {threshold} "
                           "(statistical secrecy)."),
        "cost": ("Cost per rupture avoided: {cost} ({level} CI: {ci}), for a support costing {per} per young "
                 "person; {avoided} ruptures avoided per 100 young people supported at {months} months."),
        "cost_open": "at least {low}, with no upper bound as the risk difference's interval includes zero",
        "cost_none": ("Cost per rupture avoided: not defined, as the support did not reduce the share of ruptures "
                      "at {months} months (cost of the support: {per} per young person)."),
        "cost_hidden": ("Cost per rupture avoided: not published, as the risk difference it derives from is not "
                        "(statistical secrecy; cost of the support: {per} per young person)."),
        "cox_unadjusted": "the unadjusted Cox model", "cox_adjusted": "the covariate-adjusted Cox model",
        "covariate_adjusted": "the covariate-adjusted hazard ratio (Ye, Shao and Yi 2024)",
        "logrank": "the log-rank test", "risk_difference": "the risk difference of rupture at the horizon",
        "rmst": "the difference in restricted mean time without rupture (RMST)",
        "hr_result": "hazard ratio of rupture {hr} ({level} CI: {ci}; {p})",
        "logrank_result": "{p}",
        "rd_result": "{diff} ({level} CI: {ci}; {p})",
        "rmst_result": "{days} days ({level} CI: {ci}; {p})",
    },
}


def _text(fmt: Formatter, key: str, **values: object) -> str:
    return TEXTS[fmt.language][key].format(**values)


def _points(fmt: Formatter, x: float) -> str:
    """The unit after the number ``x`` of percentage points: French makes it plural from 2 on
    ("1,6 point", "2 points"), English from any number but 1."""
    singular = abs(x) < 2 if fmt.language == "fr" else abs(x) == 1
    return "point" if singular else "points"


def points_difference(fmt: Formatter, diff: float, digits: int = 1) -> str:
    """A difference of shares (0-1) in words: "11,0 points de moins" / "11.0 points fewer"."""
    x = round(100 * diff, digits)
    if x == 0:
        return _text(fmt, "none")
    return _text(fmt, "less" if x < 0 else "more", x=fmt.number(abs(x), digits), ux=_points(fmt, x))


def points_interval(fmt: Formatter, low: float | None, high: float | None, digits: int = 1) -> str:
    """A CI of a difference of shares in words whose sign agrees with its bounds: "2 à 20 points de
    moins", "2 to 20 points more", "between 27.6 points fewer and 1.6 points more" (``"–"`` when a
    bound does not exist or is withheld)."""
    if low is None or high is None:
        return "–"
    lo, hi = round(100 * low, digits), round(100 * high, digits)
    if hi <= 0:
        return _text(fmt, "range_less", a=fmt.number(abs(hi), digits), b=fmt.number(abs(lo), digits),
                     ub=_points(fmt, lo))
    if lo >= 0:
        return _text(fmt, "range_more", a=fmt.number(lo, digits), b=fmt.number(hi, digits), ub=_points(fmt, hi))
    return _text(fmt, "range_cross", a=fmt.number(abs(lo), digits), b=fmt.number(hi, digits),
                 ua=_points(fmt, lo), ub=_points(fmt, hi))


def _money(fmt: Formatter, value: float, currency: str) -> str:
    sep = "\u202f" if fmt.language == "fr" else " "
    return f"{fmt.number(value, 0)}{sep}{currency}"


def _primary(ctx: Context) -> tuple[str | None, float | None, float | None]:
    """The primary analysis's result in words, its p-value and its direction (negative = fewer
    ruptures among the supported); ``(None, None, None)`` when withheld or not estimable."""
    fmt, level = ctx.fmt, ctx.level
    est = primary_estimate(ctx)
    if est is None:
        return None, None, None
    p = fmt.p_equals(est.p_value)
    if est.kind == "logrank":
        text = _text(fmt, "logrank_result", p=p)
    elif est.kind == "risk_difference":
        assert est.estimate is not None  # a published risk difference has its estimate
        text = _text(fmt, "rd_result", diff=points_difference(fmt, est.estimate), level=level,
                     ci=points_interval(fmt, est.ci_low, est.ci_high), p=p)
    elif est.kind == "rmst":
        text = _text(fmt, "rmst_result", days=fmt.number(est.estimate, 1), level=level,
                     ci=fmt.ci(est.ci_low, est.ci_high, 1), p=p)
    else:
        text = _text(fmt, "hr_result", hr=fmt.number(est.estimate), level=level, ci=fmt.ci(est.ci_low, est.ci_high),
                     p=p)
    return text, est.p_value, est.direction


def verdict(ctx: Context) -> list[Paragraph]:
    """The primary analysis named, its result and the verdict (with the MDE sentence when the
    result is not significant and the trial underpowered or no planned effect is given)."""
    fmt, plan = ctx.fmt, ctx.plan
    kind = ctx.get("primary") or plan.survival.primary
    result, p, direction = _primary(ctx)
    if result is None:
        if ctx.comparable and not ctx.pub.rule(pointer(("survival", "cox", "unadjusted", "hr"))) \
                and kind.startswith("cox"):
            return [Paragraph(hr_not_estimable(ctx), "lead")]
        return [Paragraph(_text(fmt, "primary_hidden", name=_text(fmt, kind), threshold=ctx.threshold), "lead")]
    blocks = [Paragraph(_text(fmt, "primary", name=_text(fmt, kind), result=result), "lead")]
    fallback = fallback_note(ctx, kind)
    if fallback:
        blocks.append(Paragraph(fallback, "lead"))
    alpha = fmt.percent(plan.inference.alpha, 0)
    if p is not None and direction is not None and p < plan.inference.alpha:
        blocks.append(Paragraph(_text(fmt, "significant_benefit" if direction < 0 else "significant_harm",
                                      alpha=alpha), "lead"))
        return blocks
    power = planned_power(ctx)
    if power is not None and power >= plan.integrity.power:
        blocks.append(Paragraph(_text(fmt, "inconclusive", alpha=alpha, power=fmt.percent(power, 0),
                                      planned=fmt.number(plan.integrity.planned_hazard_ratio)), "lead"))
        return blocks
    key = "nonsignificant" if power is None else "underpowered"
    blocks.append(Paragraph(_text(fmt, key, alpha=alpha, power=fmt.percent(power, 0),
                                  planned=fmt.number(plan.integrity.planned_hazard_ratio)), "lead"))
    mde = mde_sentence(ctx)
    return blocks + ([mde] if mde else [])


def _outcome(ctx: Context, name: str, out: dict, k: int) -> Paragraph:
    fmt = ctx.fmt
    if out["difference"] is None:
        return Paragraph(_text(fmt, "outcome_hidden", outcome=fmt.var(name), threshold=ctx.threshold))
    digits = 0 if reduced_precision(ctx, name) else 1
    p = out.get("p_adjusted") if out.get("p_adjusted") is not None and k > 1 else out["p_value"]
    method = out.get("multiplicity", ctx.plan.outcomes.multiplicity)
    multiplicity = _text(fmt, "multiplicity", method=method, k=k) if k > 1 else ""
    p_text = fmt.p_equals(p) if digits else f"p = {fmt.number(p, 1)}"
    key = "outcome_sig" if p is not None and p < ctx.plan.inference.alpha else "outcome_nonsig"
    return Paragraph(_text(
        fmt, "outcome", outcome=fmt.var(name), p_t=fmt.percent(out["treatment"], digits),
        p_c=fmt.percent(out["control"], digits), diff=points_difference(fmt, out["difference"], digits),
        level=ctx.level, ci=points_interval(fmt, out["ci_low"], out["ci_high"], digits),
        verdict=_text(fmt, key, p=p_text, multiplicity=multiplicity)))


def _cost(ctx: Context) -> Paragraph | None:
    block = ctx.get("cost_effectiveness")
    if not block:
        return None
    fmt, currency = ctx.fmt, block["currency"]
    months = round(block["horizon_days"] / 30.4375)
    per = _money(fmt, block["cost_per_participant"], currency)
    cost = block.get("cost_per_rupture_avoided")
    if cost is None or block.get("ruptures_avoided_per_100") is None:
        return Paragraph(_text(fmt, "cost_hidden", per=per))
    if cost["estimate"] is None:
        return Paragraph(_text(fmt, "cost_none", months=months, per=per))
    if cost["ci_high"] is None:
        ci = _text(fmt, "cost_open", low=_money(fmt, cost["ci_low"], currency))
    else:
        ci = f"{_money(fmt, cost['ci_low'], currency)} – {_money(fmt, cost['ci_high'], currency)}"
    return Paragraph(_text(fmt, "cost", cost=_money(fmt, cost["estimate"], currency), level=ctx.level, ci=ci,
                           per=per, avoided=fmt.number(block["ruptures_avoided_per_100"], 1), months=months))


def section(ctx: Context) -> Section:
    fmt, res = ctx.fmt, ctx.results
    n = res["n"]
    total = None if any(n[a] is None for a in ARMS) else n["treatment"] + n["control"]
    blocks: list[Block] = [Paragraph(fmt.t(
        "summary_cohort", n=fmt.integer(total) if total is not None else SECONDARY,
        n_t=ctx.count("n", "treatment"), n_c=ctx.count("n", "control"),
        e_t=ctx.count("events", "treatment"), e_c=ctx.count("events", "control")), "lead")]
    rd = ctx.get("survival", "risk_difference") or {}
    months = round(ctx.plan.survival.horizon_days / 30.4375)
    if rd.get("difference") is None:
        blocks.append(Paragraph(fmt.t("summary_main_hidden", months=months), "lead"))
    else:
        blocks.append(Paragraph(_text(
            fmt, "main", months=months, risk_t=fmt.percent(rd["treatment"]), risk_c=fmt.percent(rd["control"]),
            diff=points_difference(fmt, rd["difference"]), level=ctx.level,
            ci=points_interval(fmt, rd["ci_low"], rd["ci_high"])), "lead"))
    blocks += verdict(ctx)
    outcomes = res.get("binary_outcomes") or {}
    blocks += [_outcome(ctx, name, out, len(outcomes)) for name, out in outcomes.items()]
    cost = _cost(ctx)
    return Section("summary", fmt.t("sec_summary"), tuple(blocks + ([cost] if cost else [])))
