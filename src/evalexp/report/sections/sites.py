"""The report section on sites: how much the effect of the support varies across sites.

Reads ``results["heterogeneity"]`` (docs/CONTRACT.md §8) of the publication only: in public mode the
disclosure layer (:mod:`evalexp.disclosure.sites`) has already withheld every number of a small
site, pooled such sites into ``other_sites`` and logged each decision, so the section never
receives a withheld number. Its text is here, in French and English (:data:`TEXTS`).

- sites are named by the plan's ``[value_labels.<by>]`` when it gives them;
- a pooled site appears in no table, text or figure; the forest plot draws the published sites
  only; the pool is given as a number of sites with its counts, never the sites' names;
- the meta-analysis's pooled quantities (tau2, I2, Q, pooled hazard ratio, prediction
  interval, the interaction test) are published, as docs/CONTRACT.md §7 allows;
- per-site Kaplan-Meier risks at the horizon are not shown (their landmark counts are not in
  the results); the rupture share of the table is ruptures / participants over the follow-up.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from ...heterogeneity.plot import draw_forest
from ...plan import ARMS
from ..document import Block, Paragraph, Section, Table, render_figure

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "L'effet selon les sites",
        "read_effects": (
            "Comment lire ce tableau et la figure : chaque ligne donne le rapport des risques de rupture d'un site "
            "(accompagnés contre témoins ; en dessous de 1, moins de ruptures chez les accompagnés) et son "
            "estimation rétrécie, ramenée vers la moyenne d'autant plus que le site est petit. La moyenne "
            "(losange) combine les sites ; son intervalle de confiance ne dit que l'incertitude sur cet effet "
            "moyen. τ² est la variance de l'effet entre sites (0 : le même effet partout) et I² la part de la "
            "dispersion des estimations par site qui tient à de vraies différences plutôt qu'au hasard. "
            "L'intervalle de prédiction, plus large, indique où se situerait l'effet dans un nouveau site "
            "comparable."),
        "read_counts": (
            "Comment lire ce tableau : participants et ruptures de chaque site, par groupe ; la part rompue "
            "rapporte les ruptures aux participants, sans tenir compte de la durée de suivi."),
        "read_pooled": (
            "Les sites trop petits pour être présentés seuls (secret statistique) sont regroupés dans "
            "« autres sites » : ni leur nom ni leurs chiffres propres ne sont publiés, et ils n'apparaissent ni "
            "dans la figure ni dans le tableau des effets ; ils comptent dans la moyenne et dans τ²."),
        "intro": (
            "Les jeunes sont suivis par {sites} sites. Pour chacun, le rapport des risques de rupture "
            "(accompagnés contre témoins) est estimé séparément ; une méta-analyse à effets aléatoires "
            "combine ces estimations et mesure à quel point l'effet varie d'un site à l'autre."),
        "none_entering": (
            "Moins de deux sites comptent des ruptures dans les deux groupes : la variation de l'effet entre "
            "sites ne peut pas être estimée."),
        "varies": (
            "Sur les {k} sites qui comptent des ruptures dans les deux groupes, l'effet de l'accompagnement "
            "varie {how} d'un site à l'autre : la variance entre sites du logarithme du rapport des risques "
            "(τ²) est estimée à {tau2}, et {i2} de la dispersion des estimations par site tient à de vraies "
            "différences entre sites plutôt qu'au hasard (I² ; test Q d'homogénéité : {q_p}). "
            "Le rapport des risques moyen est de {hr} (IC à {level} {ci}). Dans un nouveau site comparable, "
            "il se situerait avec une probabilité de {level} entre {pi_low} et {pi_high} : {pi_words}"),
        "interaction_sentence": (
            "Le test d'interaction site × groupe d'un modèle de Cox de l'ensemble des sites donne {int_p}."),
        "how_low": "peu", "how_moderate": "modérément", "how_high": "fortement",
        "pi_benefit": "l'accompagnement y réduirait aussi les ruptures.",
        "pi_harm": "l'accompagnement y augmenterait les ruptures.",
        "pi_either": "selon le site, l'accompagnement pourrait être sans effet, voire défavorable.",
        "few_sites": "Avec {k} sites seulement, τ² et l'intervalle de prédiction sont très imprécis.",
        "excluded": "{m} site(s) sans rupture dans l'un des groupes n'entre(nt) pas dans la méta-analyse.",
        "pooled_note": (
            "Un site est présenté seul lorsque, dans chaque groupe, ses effectifs, ses ruptures et ses "
            "contrats sans rupture atteignent {threshold} ; les autres sont regroupés dans « autres sites » "
            "(secret statistique)."),
        "all_pooled": (
            "Aucun site n'atteint {threshold} participants, ruptures et contrats sans rupture dans chaque "
            "groupe : les résultats par site ne sont pas publiés (secret statistique) ; seuls les résultats "
            "combinés le sont."),
        "other": "Autres sites ({m})",
        "total": "Ensemble",
        "site": "Site",
        "n_t": "Accompagnés", "n_c": "Témoins",
        "e_t": "Ruptures (acc.)", "e_c": "Ruptures (tém.)",
        "s_t": "Part rompue (acc.)", "s_c": "Part rompue (tém.)",
        "table_caption": "Participants et ruptures par site (part des contrats rompus pendant le suivi)",
        "hr": "Rapport des risques [IC {level}]",
        "shrunken": "Estimation rétrécie [IC {level}]",
        "effects_caption": (
            "Rapport des risques de rupture par site (modèle de Cox propre au site) et estimation rétrécie "
            "vers la moyenne (bayésienne empirique)"),
        "pooled": "Moyenne (effets aléatoires)",
        "prediction": "Intervalle de prédiction",
        "stat": "Indicateur", "value": "Valeur",
        "k": "Sites dans la méta-analyse",
        "tau2": "Variance entre sites τ² (REML)",
        "i2": "I²",
        "q": "Test Q d'homogénéité (ddl {df})",
        "interaction": "Interaction site × groupe (Wald, ddl {df})",
        "raw": "Estimation du site (IC {level})",
        "shrunken_legend": "Estimation rétrécie (bayésienne empirique)",
        "axis": "Rapport des risques de rupture (échelle log), < 1 : moins de ruptures chez les accompagnés",
        "figure_caption": (
            "Rapport des risques par site publié, estimation rétrécie, moyenne (losange) et intervalle de "
            "prédiction pour un nouveau site"),
        "methods": (
            "Méthode : un modèle de Cox (ties d'Efron, groupe seul) par site ; méta-analyse à effets "
            "aléatoires des log-rapports des risques, variance entre sites par maximum de vraisemblance "
            "restreint (REML), intervalle de confiance de Knapp-Hartung (loi de Student à k − 1 ddl), "
            "intervalle de prédiction et estimations rétrécies (BLUP) comme R metafor ; test de Wald de "
            "l'interaction site × groupe dans un modèle de Cox de l'ensemble des sites (effet propre à chaque "
            "site, strates de la randomisation). L'intervalle de prédiction "
            "est approché : quand la variation entre sites est faible ou les sites peu nombreux, il est trop "
            "étroit (Partlett et Riley, 2017)."),
    },
    "en": {
        "title": "The effect across sites",
        "read_effects": (
            "How to read this table and the figure: each row gives a site's hazard ratio of rupture (supported "
            "vs control; below 1, fewer ruptures among the supported) and its shrunken estimate, pulled towards "
            "the mean the more so as the site is small. The mean (diamond) combines the sites; its confidence "
            "interval only states the uncertainty about that average effect. τ² is the variance of the effect "
            "between sites (0: the same effect everywhere) and I² the share of the spread of the site estimates "
            "that reflects real differences rather than chance. The prediction interval, wider, says where the "
            "effect would lie in a new, comparable site."),
        "read_counts": (
            "How to read this table: participants and ruptures of each site, by group; the share broken relates "
            "the ruptures to the participants, regardless of the length of follow-up."),
        "read_pooled": (
            "Sites too small to be shown on their own (statistical secrecy) are pooled into \"other sites\": "
            "neither their names nor their own numbers are published, and they appear neither in the figure nor "
            "in the table of effects; they count in the mean and in τ²."),
        "intro": (
            "The young people are followed by {sites} sites. In each, the hazard ratio of rupture (supported "
            "vs control) is estimated separately; a random-effects meta-analysis combines these estimates "
            "and measures how much the effect varies from one site to another."),
        "none_entering": (
            "Fewer than two sites have ruptures in both groups: the variation of the effect across sites "
            "cannot be estimated."),
        "varies": (
            "Across the {k} sites with ruptures in both groups, the effect of the support varies {how} from "
            "one site to another: the between-site variance of the log hazard ratio (τ²) is estimated at "
            "{tau2}, and {i2} of the spread of the site estimates reflects real differences between sites "
            "rather than chance (I²; Q test of homogeneity: {q_p}). The average hazard ratio is {hr} "
            "({level} CI {ci}). In a new, comparable site it would lie between {pi_low} and {pi_high} with "
            "{level} probability: {pi_words}"),
        "interaction_sentence": (
            "The site × group interaction test of a Cox model of all the sites together gives {int_p}."),
        "how_low": "little", "how_moderate": "moderately", "how_high": "strongly",
        "pi_benefit": "the support would reduce ruptures there too.",
        "pi_harm": "the support would increase ruptures there.",
        "pi_either": "depending on the site, the support could have no effect or an unfavourable one.",
        "few_sites": "With only {k} sites, τ² and the prediction interval are very imprecise.",
        "excluded": "{m} site(s) without a rupture in one of the groups are not in the meta-analysis.",
        "pooled_note": (
            "A site is shown on its own when, in each group, its participants, ruptures and contracts without "
            "rupture all reach {threshold}; the others are pooled into \"other sites\" (statistical secrecy)."),
        "all_pooled": (
            "No site reaches {threshold} participants, ruptures and contracts without rupture in each group: "
            "per-site results are not published (statistical secrecy); only the combined results are."),
        "other": "Other sites ({m})",
        "total": "All sites",
        "site": "Site",
        "n_t": "Supported", "n_c": "Control",
        "e_t": "Ruptures (sup.)", "e_c": "Ruptures (ctl.)",
        "s_t": "Share broken (sup.)", "s_c": "Share broken (ctl.)",
        "table_caption": "Participants and ruptures by site (share of contracts broken during follow-up)",
        "hr": "Hazard ratio [{level} CI]",
        "shrunken": "Shrunken estimate [{level} CI]",
        "effects_caption": (
            "Hazard ratio of rupture by site (the site's own Cox model) and its estimate shrunk towards the "
            "mean (empirical Bayes)"),
        "pooled": "Mean (random effects)",
        "prediction": "Prediction interval",
        "stat": "Statistic", "value": "Value",
        "k": "Sites in the meta-analysis",
        "tau2": "Between-site variance τ² (REML)",
        "i2": "I²",
        "q": "Q test of homogeneity (df {df})",
        "interaction": "Site × group interaction (Wald, df {df})",
        "raw": "Site estimate ({level} CI)",
        "shrunken_legend": "Shrunken estimate (empirical Bayes)",
        "axis": "Hazard ratio of rupture (log scale), < 1: fewer ruptures among the supported",
        "figure_caption": (
            "Hazard ratio of each published site, its shrunken estimate, the mean (diamond) and the prediction "
            "interval for a new site"),
        "methods": (
            "Method: one Cox model (Efron ties, group only) per site; random-effects meta-analysis of the log "
            "hazard ratios, between-site variance by restricted maximum likelihood (REML), Knapp-Hartung "
            "confidence interval (Student t with k − 1 df), prediction interval and shrunken estimates (BLUPs) "
            "as R metafor computes them; Wald test of the site × group interaction in a Cox model of all the "
            "sites (a main effect per site, the randomisation strata). The prediction interval is approximate: "
            "when the variation between sites is small or the sites are few, it is too narrow "
            "(Partlett & Riley, 2017)."),
    },
}
#: I2 (percent) limits of "little", "moderately", "strongly" (Higgins et al. 2003, BMJ 327:557).
I2_LOW, I2_HIGH = 25.0, 75.0


def _text(fmt, key: str, **values: object) -> str:
    text = TEXTS[fmt.language][key]
    return text.format(**values) if values else text


def _count_row(fmt, label: str, n: dict[str, int], events: dict[str, int]) -> tuple[str, ...]:
    return (label, *(fmt.integer(n[a]) for a in ARMS), *(fmt.integer(events[a]) for a in ARMS),
            *(fmt.percent(events[a] / n[a]) for a in ARMS))


def _descriptive_table(fmt, block: dict[str, Any], shown: list[dict[str, Any]]) -> Table:
    """Per-site counts of the publishable ``block``: the shown sites, the pool, the total."""
    rows = [_count_row(fmt, fmt.value(block["by"], s["site"]), s["n"], s["events"]) for s in shown]
    parts = [*shown]
    other = block.get("other_sites")
    if other is not None:
        rows.append(_count_row(fmt, _text(fmt, "other", m=other["sites"]), other["n"], other["events"]))
        parts.append(other)
    total = {key: {a: sum(p[key][a] for p in parts) for a in ARMS} for key in ("n", "events")}
    rows.append(_count_row(fmt, _text(fmt, "total"), total["n"], total["events"]))
    header = tuple(_text(fmt, key) for key in ("site", "n_t", "n_c", "e_t", "e_c", "s_t", "s_c"))
    note = _text(fmt, "read_counts") + ("" if other is None else " " + _text(fmt, "read_pooled"))
    return Table(header, tuple(rows), caption=_text(fmt, "table_caption"), note=note)


def _paragraph(fmt, block: dict[str, Any], level: str) -> str:
    i2, pooled, pi = block["i2"], block["pooled"], block["prediction_interval"]
    how = "how_low" if i2 < I2_LOW else "how_high" if i2 > I2_HIGH else "how_moderate"
    words = "pi_benefit" if pi["hr_high"] < 1 else "pi_harm" if pi["hr_low"] > 1 else "pi_either"
    text = _text(fmt, "varies", k=block["k"], how=_text(fmt, how), tau2=fmt.number(block["tau2"], 3),
                 i2=fmt.percent(i2 / 100, 0), q_p=fmt.p_equals(block["q_p_value"]), hr=fmt.number(pooled["hr"]),
                 level=level, ci=fmt.ci(pooled["ci_low"], pooled["ci_high"]), pi_low=fmt.number(pi["hr_low"]),
                 pi_high=fmt.number(pi["hr_high"]), pi_words=_text(fmt, words))
    p = block["interaction_test"]["p_value"]
    return text if p is None else f"{text} {_text(fmt, 'interaction_sentence', int_p=fmt.p_equals(p))}"


def _effects(fmt, block: dict[str, Any], shown: list[dict[str, Any]], level: str, crit: float) -> list[Block]:
    """The effects table, the statistics table and the forest plot of the published sites."""
    rows = []
    for s in shown:
        b, se = s["shrunken_log_hr"], s["shrunken_se"]
        shrunken = "–" if b is None else \
            f"{fmt.number(np.exp(b))} {fmt.ci(np.exp(b - crit * se), np.exp(b + crit * se))}"
        raw = "–" if s["hr"] is None else f"{fmt.number(s['hr'])} {fmt.ci(s['ci_low'], s['ci_high'])}"
        rows.append((fmt.value(block["by"], s["site"]), raw, shrunken))
    pooled, pi = block["pooled"], block["prediction_interval"]
    pooled_ci = fmt.ci(pooled["ci_low"], pooled["ci_high"])
    rows.append((_text(fmt, "pooled"), f"{fmt.number(pooled['hr'])} {pooled_ci}", "–"))
    rows.append((_text(fmt, "prediction"), fmt.ci(pi["hr_low"], pi["hr_high"]), "–"))
    effects = Table((_text(fmt, "site"), _text(fmt, "hr", level=level), _text(fmt, "shrunken", level=level)),
                    tuple(rows), caption=_text(fmt, "effects_caption"), note=_text(fmt, "read_effects"))
    test = block["interaction_test"]
    stats_rows = [(_text(fmt, "k"), fmt.integer(block["k"])),
                  (_text(fmt, "tau2"), fmt.number(block["tau2"], 3)),
                  (_text(fmt, "i2"), fmt.percent(block["i2"] / 100, 1)),
                  (_text(fmt, "q", df=block["q_df"]), f"{fmt.number(block['q'])} ({fmt.p_equals(block['q_p_value'])})")]
    if test["p_value"] is not None:
        stats_rows.append((_text(fmt, "interaction", df=test["df"]),
                           f"{fmt.number(test['statistic'])} ({fmt.p_equals(test['p_value'])})"))
    statistics = Table((_text(fmt, "stat"), _text(fmt, "value")), tuple(stats_rows))
    return [_forest(fmt, block, shown, level, crit), effects, statistics]


def _forest(fmt, block: dict[str, Any], shown: list[dict[str, Any]], level: str, crit: float):
    """The forest plot of the published sites (``crit``: the t quantile of the BLUP intervals)."""
    frame = pd.DataFrame({
        "log_hr": [np.nan if s["log_hr"] is None else s["log_hr"] for s in shown],
        "ci_low": [np.nan if s["ci_low"] is None else np.log(s["ci_low"]) for s in shown],
        "ci_high": [np.nan if s["ci_high"] is None else np.log(s["ci_high"]) for s in shown],
        "shrunken": [np.nan if s["shrunken_log_hr"] is None else s["shrunken_log_hr"] for s in shown],
        "shrunken_se": [np.nan if s["shrunken_se"] is None else s["shrunken_se"] for s in shown]}, dtype=float)
    frame["shrunken_low"] = frame["shrunken"] - crit * frame["shrunken_se"]
    frame["shrunken_high"] = frame["shrunken"] + crit * frame["shrunken_se"]
    fig = Figure(figsize=(7.0, 1.8 + 0.32 * len(shown)), layout="constrained")
    texts = {"raw": _text(fmt, "raw", level=level), "shrunken": _text(fmt, "shrunken_legend"),
             "pooled": _text(fmt, "pooled"), "prediction": _text(fmt, "prediction"), "axis": _text(fmt, "axis")}
    pooled = {**block["pooled"], **block["prediction_interval"]}
    draw_forest(fig.add_subplot(), frame, pooled, labels=[fmt.value(block["by"], s["site"]) for s in shown],
                texts=texts,
                number=lambda x: fmt.number(x, 2 if x < 0.1 else 1))
    return render_figure(fig, "sites", _text(fmt, "figure_caption"))


def section(ctx) -> Section | None:
    """The section, or None when the plan asks for no heterogeneity analysis. It is composed
    from the published results only."""
    if not ctx.results.get("heterogeneity"):
        return None
    fmt, threshold, level = ctx.fmt, ctx.threshold, ctx.level
    block = ctx.results["heterogeneity"]
    shown = [s for s in block["sites"] if s["n"] is not None]
    blocks: list[Block] = [Paragraph(_text(fmt, "intro", sites=fmt.integer(len(block["sites"]))))]
    if block["tau2"] is None:
        blocks.append(Paragraph(_text(fmt, "none_entering")))
    else:
        blocks.append(Paragraph(_paragraph(fmt, block, level), "lead"))
        if block["k"] < 10:
            blocks.append(Paragraph(_text(fmt, "few_sites", k=block["k"]), "note"))
        crit = float(stats.t.isf(ctx.plan.inference.alpha / 2, block["pooled"]["df"]))
        blocks += _effects(fmt, block, [s for s in shown if s["excluded"] is None], level, crit)
    excluded = len(block["sites"]) - block["k"]
    if excluded:
        blocks.append(Paragraph(_text(fmt, "excluded", m=excluded), "note"))
    if shown:
        blocks += [_descriptive_table(fmt, block, shown),
                   Paragraph(_text(fmt, "pooled_note", threshold=threshold), "note")]
    else:
        blocks.append(Paragraph(_text(fmt, "all_pooled", threshold=threshold), "note"))
    blocks.append(Paragraph(_text(fmt, "methods")))
    return Section("sites", _text(fmt, "title"), tuple(blocks))
