"""Methods: one paragraph per method used."""
from __future__ import annotations

from ...disclosure.curves import GRID_DAYS
from ..calibration import methods_blocks
from ..document import Paragraph, Section
from . import wwc
from .context import Context

#: How the cost per rupture avoided is computed (CONTRACT §8, :mod:`evalexp.cost`).
COST = {
    "fr": ("Coût par rupture évitée : coût de l'accompagnement par jeune divisé par la baisse de la part des "
           "ruptures à l'horizon (différence de risque de Kaplan-Meier, changée de signe) ; son intervalle de "
           "confiance découle de celui de la différence de risque, et une borne n'est pas définie lorsque cet "
           "intervalle atteint zéro."),
    "en": ("Cost per rupture avoided: the support's cost per young person divided by the fall in the share of "
           "ruptures at the horizon (the Kaplan-Meier risk difference, sign changed); its confidence interval "
           "follows from the risk difference's, and a bound is not defined where that interval reaches zero."),
}


def section(ctx: Context) -> Section:
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
    ]
    if res.get("engine") is None:  # a report from counts has no randomisation inference (quality annex)
        texts.append(fmt.t("m_ri", perm=fmt.integer(plan.inference.permutations), seed=plan.inference.seed))
    if (res["survival"].get("randomization_inference") or {}).get("ci"):
        texts.append(fmt.t("m_ri_ci", alpha=fmt.number(plan.inference.alpha), ties=sv.ties,
                           perm=fmt.integer(plan.inference.permutations), day=sv.horizon_days))
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
    if res.get("cost_effectiveness"):
        texts.append(COST[fmt.language])
    texts.append(fmt.t("m_disclosure_public" if ctx.pub.public else "m_disclosure_evaluator",
                       threshold=ctx.threshold, grid=GRID_DAYS))
    blocks = [Paragraph(t) for t in texts]
    if any((o or {}).get("wwc") for o in (res.get("binary_outcomes") or {}).values()):
        blocks.append(wwc.annex(ctx))
    return Section("methods", fmt.t("sec_methods"), (*blocks, *methods_blocks(ctx)))
