"""What every section reads (:class:`Context`) and the helpers several sections share.

A section never reads the cohort or the exact results: only the publication's results (a
withheld value is ``None``), the plan and the formatter, through :class:`Context`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import stats

from ...disclosure import Publication
from ...disclosure.ledger import pointer
from ...plan import ARMS, Plan
from ..document import Figure, Paragraph, Section, render_figure
from ..i18n import SECONDARY, Formatter


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


def plan_percent(fmt: Formatter, share: float, *, sign: bool = True) -> str:
    """A share the plan sets (power, alpha, confidence level) as a percentage, to the unit when it is
    a whole percent (``80 %``) and to 0.1 otherwise (``97,5 %``); without ``sign``, the bare number
    (``80``, for "80 times out of 100")."""
    digits = 0 if float(round(100 * share, 6)).is_integer() else 1
    return fmt.percent(share, digits) if sign else fmt.number(100 * share, digits)


def hidden_note(ctx: Context) -> Paragraph:
    return Paragraph(ctx.fmt.t("hidden_note", threshold=ctx.threshold), "note")


def est_ci(ctx: Context, path: tuple[str, ...], key: str = "hr", digits: int = 2) -> tuple[str, str, str]:
    """Estimate, CI and p of the ratio block at ``path`` (``"s"`` when withheld)."""
    block = ctx.get(*path)
    if not block:
        return "–", "–", "–"
    high = math.inf if block.get("ci_high_unbounded") else block.get("ci_high")
    if block.get(key) is None and block.get("ci_low") is not None and high is not None:
        # no estimate (an arm, or the cohort, without rupture) but an interval: [0, high] or [low, inf)
        return "–", ctx.fmt.ci(block["ci_low"], high, digits), ctx.fmt.pvalue(block.get("p_value"))
    if block.get(key) is None:
        mark = ctx.stat(*path, key)
        return mark, mark, "–"
    return (ctx.fmt.number(block.get(key), digits), ctx.fmt.ci(block.get("ci_low"), block.get("ci_high"), digits),
            ctx.fmt.pvalue(block.get("p_value")))


def reduced_precision(ctx: Context, name: str) -> bool:
    """Whether an outcome is published at reduced precision (its numbers observed withheld): shares
    in whole percent, differences in whole points, p to one decimal."""
    return any(ctx.get("binary_outcomes", name, "n_observed", a) is None for a in ARMS)


def p_text(ctx: Context, p: float | None, rounded: bool) -> str:
    """A p-value, to one decimal when the outcome is published at reduced precision."""
    return ctx.fmt.number(p, 1) if rounded and p is not None else ctx.fmt.pvalue(p)


def mde_sentence(ctx: Context) -> Paragraph | None:
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


def planned_power(ctx: Context) -> float | None:
    """Power of the log-rank test to detect the plan's ``planned_hazard_ratio`` with the published
    ruptures (Schoenfeld 1981): ``Phi(sqrt(p (1 - p) D) |log HR| - z_{1-alpha/2})``; ``None``
    without a planned effect or when the ruptures are withheld."""
    planned = ctx.plan.integrity.planned_hazard_ratio
    events, n = ctx.get("power", "events"), ctx.get("power", "n") or {}
    if planned is None or events is None or any(n.get(a) is None for a in ARMS):
        return None
    share = n["treatment"] / (n["treatment"] + n["control"])
    z = stats.norm.ppf(1 - ctx.plan.inference.alpha / 2)
    return float(stats.norm.cdf(math.sqrt(share * (1 - share) * events) * abs(math.log(planned)) - z))


def fallback_note(ctx: Context, kind: str) -> str | None:
    """The sentence saying that the hazard ratio shown for ``kind`` ("cox_adjusted" or
    "covariate_adjusted") is its small-sample sibling's unadjusted fallback; None when it is not."""
    surv = ctx.get("survival") or {}
    block = ((surv.get("cox") or {}).get("adjusted") if kind == "cox_adjusted"
             else (surv.get("covariate_adjusted") or {}).get("log_hr")) or {}
    return ctx.fmt.t(f"fallback_{kind}") if block.get("method") == "unadjusted-firth" else None


def hr_not_estimable(ctx: Context) -> str:
    """Why there is no hazard ratio (an arm, or the whole cohort, without rupture), with the
    randomisation p if any."""
    if all(ctx.get("events", arm) == 0 for arm in ARMS):
        return ctx.fmt.t("hr_no_rupture")
    ri = ctx.get("survival", "randomization_inference")
    p_ri = "" if not ri or ri.get("p_value") is None else \
        f" ({ctx.fmt.t('ri_p_short')} {ctx.fmt.p_equals(ri['p_value'])})"
    return ctx.fmt.t("hr_not_estimable", p_ri=p_ri)


@dataclass(frozen=True)
class PrimaryEstimate:
    """The published result of the pre-specified primary analysis (``[survival] primary``).

    ``estimate`` is a hazard ratio (Cox models, covariate-adjusted), a risk difference (a
    proportion), an RMST difference (days) or ``None`` (log-rank); ``direction`` is negative when
    the supported young people broke fewer contracts (log HR, RD, minus the RMST difference; for
    the log-rank test, the unadjusted Cox model's log HR or else the risk difference)."""

    kind: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    direction: float


def primary_estimate(ctx: Context) -> PrimaryEstimate | None:
    """The primary analysis's published result, ``None`` when withheld or not estimable."""
    kind = ctx.get("primary") or ctx.plan.survival.primary
    surv = ctx.get("survival") or {}
    if kind in ("cox_unadjusted", "cox_adjusted"):
        b = (surv.get("cox") or {}).get(kind.removeprefix("cox_")) or {}
        if b.get("hr") is None:
            return None
        return PrimaryEstimate(kind, b["hr"], b["ci_low"], b["ci_high"], b["p_value"], math.log(b["hr"]))
    if kind == "covariate_adjusted":
        ca = surv.get("covariate_adjusted") or {}
        hr = ca.get("hr") or {}
        if hr.get("estimate") is None:
            return None
        return PrimaryEstimate(kind, hr["estimate"], hr["ci_low"], hr["ci_high"],
                               (ca.get("log_hr") or {}).get("p_value"), math.log(hr["estimate"]))
    rd = surv.get("risk_difference") or {}
    if kind == "logrank":
        lr, cox = surv.get("logrank") or {}, (surv.get("cox") or {}).get("unadjusted") or {}
        direction = math.log(cox["hr"]) if cox.get("hr") else rd.get("difference")
        if lr.get("p_value") is None or direction is None:
            return None
        return PrimaryEstimate(kind, None, None, None, lr["p_value"], direction)
    if kind == "risk_difference":
        if rd.get("difference") is None:
            return None
        return PrimaryEstimate(kind, rd["difference"], rd["ci_low"], rd["ci_high"], rd.get("p_value"),
                               rd["difference"])
    rmst = surv.get("rmst") or {}
    if rmst.get("difference") is None:
        return None
    return PrimaryEstimate(kind, rmst["difference"], rmst["ci_low"], rmst["ci_high"], rmst["p_value"],
                           -rmst["difference"])


def primary_significant(ctx: Context) -> bool:
    """Whether the primary analysis's published p-value is below the plan's ``alpha``."""
    est = primary_estimate(ctx)
    return est is not None and est.p_value is not None and est.p_value < ctx.plan.inference.alpha


MISSING_TEXT = {
    "fr": ("Texte manquant : le plan d'analyse ne donne pas [report] {key}. Cette section n'apparaît pas dans le "
           "rapport public tant qu'il n'est pas renseigné."),
    "en": ("Missing text: the analysis plan gives no [report] {key}. This section does not appear in the public "
           "report until it is given."),
}


def plan_text_section(ctx: Context, key: str, title: str) -> Section | None:
    """A section made of the plan's ``[report] key`` text (paragraphs split on blank lines).
    Without the text the section is left out of the public report, and the
    evaluator's report shows a visible note that it is missing (CONTRACT §7: a placeholder is
    never published)."""
    text = getattr(ctx.plan.report, key).strip()
    blocks = tuple(Paragraph(p.strip()) for p in text.split("\n\n") if p.strip())
    if blocks:
        return Section(key, title, blocks)
    if ctx.pub.public:
        return None
    return Section(key, title, (Paragraph(MISSING_TEXT[ctx.fmt.language].format(key=key), "placeholder"),))
