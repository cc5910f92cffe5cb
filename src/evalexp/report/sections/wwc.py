"""The report's per-outcome evidence rating (What Works Clearinghouse), and the t-based intervals.

Reads ``results["binary_outcomes"][name]["wwc"]`` (:mod:`evalexp.integrity.wwc`) and
``["small_sample"]`` (:mod:`evalexp.integrity.small_sample`) of the publication only: a
number the disclosure layer withheld (:mod:`evalexp.disclosure.wwc`) prints as ``s``; the
ratings and reasons are labels and are always shown. Its text is here, in French and
English (:data:`TEXTS`).

- :func:`section`: one table, one row per employment outcome, that a reviewer can check line
  by line (attrition overall and differential, the boundary's limit, the attrition rating,
  baseline equivalence on the outcome's analysed sample, the rating and its reasons in words);
  then, when ``[inference] small_sample`` asks for it (``auto``: fewer than 500 participants
  analysed or fewer than 50 clusters, :func:`evalexp.integrity.small_sample.shows_small_sample`),
  the differences with Bell-McCaffrey t intervals;
- :func:`annex`: the methods-annex paragraph stating where evalexp departs from the handbook.
"""
from __future__ import annotations

from typing import Any

from ...small_sample import THRESHOLD_CLUSTERS, THRESHOLD_N, shows_small_sample
from ..document import Block, Paragraph, Section, Table
from ..i18n import SECONDARY, typeset

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Qualité des preuves par indicateur d'emploi (normes du What Works Clearinghouse)",
        "intro": (
            "Pour chaque indicateur d'emploi, l'attrition (réponses manquantes) et l'équivalence des groupes "
            "au départ sont jugées comme le fait un relecteur du What Works Clearinghouse (WWC, manuel v5.0) : "
            "sur les participants dont l'indicateur est observé, pas sur l'ensemble des tirés au sort."),
        "outcome": "Indicateur", "overall": "Attrition globale", "differential": "Attrition différentielle (pts)",
        "limit": "Limite (pts)", "attrition": "Attrition", "equivalence": "Équivalence initiale",
        "rating": "Appréciation", "reasons": "Motifs",
        "caption": "Appréciation WWC de chaque indicateur d'emploi (limite d'attrition {boundary})",
        "low": "faible", "high": "élevée",
        "cautious": "prudente", "optimistic": "optimiste",
        "eq_satisfied": "établie", "eq_adjusted": "établie par ajustement", "eq_not_satisfied": "non établie",
        "eq_none": "aucune variable", "meets": "Satisfait aux normes",
        "meets_with_reservations": "Satisfait aux normes avec réserves", "does_not_meet": "Ne satisfait pas aux normes",
        "r_low_attrition": "attrition faible", "r_high_attrition": "attrition élevée",
        "r_equivalence_satisfied": "équivalence établie (écarts ≤ 0,05)",
        "r_adjusted_for": "{term} : écart entre 0,05 et 0,25, pris en compte par l'ajustement",
        "r_not_adjusted_for": "{term} : écart entre 0,05 et 0,25 sans ajustement",
        "r_exceeds_025": "{term} : écart supérieur à 0,25",
        "r_difference_undefined": "{term} : écart non calculable",
        "r_no_baseline_measure": "aucune variable initiale pour établir l'équivalence",
        "t_intro": (
            "Avec moins de {n} participants analysés (ou moins de {g} grappes), les intervalles de la loi "
            "normale sont trop étroits : le tableau suivant donne les différences avec des intervalles de "
            "Student aux degrés de liberté de Bell et McCaffrey (erreurs-types HC2, ou CR2 par grappe)."),
        "t_caption": "Différences avec intervalles de Student (Bell-McCaffrey)",
        "difference": "Différence (pts)", "ci": "IC à {level} (pts)", "df": "Degrés de liberté", "p": "p",
        "annex": (
            "Appréciation WWC (manuel des procédures et normes v5.0). L'attrition de chaque indicateur est "
            "comparée à la limite {boundary} du manuel (taux global arrondi au point entier, sans "
            "interpolation). L'équivalence initiale est jugée sur l'échantillon analysé de chaque indicateur : "
            "g de Hedges pour une variable continue, indice de Cox (écart des logits / 1,65) pour une variable "
            "binaire, tous deux multipliés par le facteur de petit échantillon ω = 1 − 3/(4N − 9) ; 0,5 est "
            "ajouté à chaque case quand l'une est vide. Écarts d'evalexp au manuel : les variables jugées sont "
            "celles du plan (et non celles qu'un protocole de revue exigerait) ; une variable catégorielle est "
            "jugée modalité par modalité ; l'ajustement retenu est celui de l'analyse de l'indicateur (Lin "
            "2013) ; les catégories d'appréciation sont celles d'un essai randomisé, sans examen des autres "
            "critères du manuel (confusion, compromission de l'assignation)."),
    },
    "en": {
        "title": "Quality of the evidence per employment outcome (What Works Clearinghouse standards)",
        "intro": (
            "For each employment outcome, attrition (missing answers) and the baseline equivalence of the arms "
            "are judged as a What Works Clearinghouse (WWC, Handbook v5.0) reviewer does: on the participants "
            "whose outcome is observed, not on everyone randomised."),
        "outcome": "Outcome", "overall": "Overall attrition", "differential": "Differential attrition (pts)",
        "limit": "Limit (pts)", "attrition": "Attrition", "equivalence": "Baseline equivalence",
        "rating": "Rating", "reasons": "Reasons",
        "caption": "WWC rating of each employment outcome ({boundary} attrition boundary)",
        "low": "low", "high": "high",
        "cautious": "cautious", "optimistic": "optimistic",
        "eq_satisfied": "satisfied", "eq_adjusted": "satisfied by adjustment", "eq_not_satisfied": "not satisfied",
        "eq_none": "no baseline measure", "meets": "Meets WWC standards",
        "meets_with_reservations": "Meets WWC standards with reservations",
        "does_not_meet": "Does not meet WWC standards",
        "r_low_attrition": "low attrition", "r_high_attrition": "high attrition",
        "r_equivalence_satisfied": "equivalence satisfied (differences ≤ 0.05)",
        "r_adjusted_for": "{term}: difference between 0.05 and 0.25, adjusted for in the analysis",
        "r_not_adjusted_for": "{term}: difference between 0.05 and 0.25, not adjusted for",
        "r_exceeds_025": "{term}: difference above 0.25",
        "r_difference_undefined": "{term}: difference not computable",
        "r_no_baseline_measure": "no baseline measure to establish equivalence",
        "t_intro": (
            "With fewer than {n} participants analysed (or fewer than {g} clusters), normal intervals are too "
            "narrow: the next table gives the differences with Student intervals on Bell-McCaffrey degrees of "
            "freedom (HC2 standard errors, or CR2 by cluster)."),
        "t_caption": "Differences with Student intervals (Bell-McCaffrey)",
        "difference": "Difference (pts)", "ci": "{level} CI (pts)", "df": "Degrees of freedom", "p": "p",
        "annex": (
            "WWC rating (Procedures and Standards Handbook v5.0). Each outcome's attrition is compared with the "
            "handbook's {boundary} boundary (overall rate rounded to a whole percent, no interpolation). "
            "Baseline equivalence is judged on each outcome's analysed sample: Hedges' g for a continuous "
            "measure, the Cox index (difference in logits / 1.65) for a binary one, both times the small-sample "
            "factor omega = 1 − 3/(4N − 9); 0.5 is added to every cell when one is empty. Where evalexp departs "
            "from the handbook: the measures judged are the plan's (not those a review protocol would require); "
            "a categorical measure is judged level by level; the adjustment counted is the outcome's own "
            "analysis (Lin 2013); the ratings are those of a randomised trial, without the handbook's other "
            "checks (confounding factors, compromised assignment)."),
    },
}


def _text(fmt: Any, key: str, **values: object) -> str:
    text = TEXTS[fmt.language][key]
    return typeset(text.format(**values) if values else text, fmt.language)


def _term(fmt: Any, term: str) -> str:
    if term.endswith("]") and "[" in term:
        column, level = term[:-1].split("[", 1)
        return fmt.var_level(column, level)
    return fmt.var(term)


def reason_words(fmt: Any, reason: str) -> str:
    """A reason code (``code`` or ``code:term``) in words."""
    code, _, term = reason.partition(":")
    return _text(fmt, f"r_{code}", term=_term(fmt, term)) if term else _text(fmt, f"r_{code}")


def _row(fmt: Any, name: str, wwc: dict[str, Any]) -> tuple[str, ...]:
    attrition = wwc["attrition"]
    overall = SECONDARY if attrition.get("overall") is None else fmt.percent(attrition["overall"])
    differential = SECONDARY if attrition.get("differential") is None else \
        fmt.number(100 * attrition["differential"], 1)
    limit = attrition.get("max_differential_points")
    limit_text = SECONDARY if limit is None and attrition.get("overall") is None else \
        "–" if limit is None else fmt.number(limit, 1)
    return (fmt.var(name), overall, differential, limit_text, _text(fmt, attrition["rating"]),
            _text(fmt, "eq_" + wwc["baseline_equivalence"]["status"]), _text(fmt, wwc["rating"]))


def _reasons(fmt: Any, name: str, wwc: dict[str, Any]) -> Paragraph:
    """The reasons of an outcome's rating, one line a reviewer can check against the table (a
    paragraph under it: as a column they made the table too narrow to read in the PDF)."""
    reasons = "; ".join(reason_words(fmt, r) for r in wwc["reasons"])
    return Paragraph(f"{fmt.var(name)} — {_text(fmt, 'reasons')} : {reasons}." if fmt.language == "fr"
                     else f"{fmt.var(name)} — {_text(fmt, 'reasons')}: {reasons}.", "note")


def _small_sample_blocks(ctx: Any, outcomes: dict[str, Any]) -> list[Block]:
    fmt = ctx.fmt
    rows = []
    for name, out in outcomes.items():
        t = out.get("small_sample")
        analysed = sum(v for v in (out.get("n_observed") or {}).values() if v is not None)
        clusters = t.get("clusters") if t and t.get("method") == "cr2-bm" else None
        if not t or t.get("estimate") is None or \
                not shows_small_sample(ctx.plan.inference.small_sample, analysed, clusters):
            continue
        rows.append((fmt.var(name), fmt.points(t["estimate"]), fmt.ci(t["ci_low"], t["ci_high"], 1, scale=100),
                     fmt.number(t["df"], 1), fmt.pvalue(t["p_value"])))
    if not rows:
        return []
    header = (_text(fmt, "outcome"), _text(fmt, "difference"), _text(fmt, "ci", level=ctx.level),
              _text(fmt, "df"), _text(fmt, "p"))
    return [Paragraph(_text(fmt, "t_intro", n=fmt.integer(THRESHOLD_N), g=fmt.integer(THRESHOLD_CLUSTERS))),
            Table(header, tuple(rows), caption=_text(fmt, "t_caption"))]


def section(ctx: Any) -> Section | None:
    """The per-outcome WWC section, or None when the plan names no binary outcome."""
    outcomes = ctx.results.get("binary_outcomes") or {}
    judged = {name: out["wwc"] for name, out in outcomes.items() if out.get("wwc")}
    if not judged:
        return None
    fmt = ctx.fmt
    boundary = _text(fmt, ctx.plan.integrity.attrition_boundary)
    header = tuple(_text(fmt, k) for k in ("outcome", "overall", "differential", "limit", "attrition",
                                             "equivalence", "rating"))
    rows = tuple(_row(fmt, name, wwc) for name, wwc in judged.items())
    blocks: list[Block] = [Paragraph(_text(fmt, "intro")),
                           Table(header, rows, caption=_text(fmt, "caption", boundary=boundary)),
                           *(_reasons(fmt, name, wwc) for name, wwc in judged.items() if wwc["reasons"])]
    blocks += _small_sample_blocks(ctx, outcomes)
    return Section("wwc", _text(fmt, "title"), tuple(blocks))


def annex(ctx: Any) -> Paragraph:
    """The methods-annex paragraph: the WWC rules applied and where evalexp departs from the handbook."""
    return Paragraph(_text(ctx.fmt, "annex", boundary=_text(ctx.fmt, ctx.plan.integrity.attrition_boundary)))
