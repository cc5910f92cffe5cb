"""Glossary: the statistical words of the report, explained for a reader who is not a statistician
(fixed French and English text)."""
from __future__ import annotations

from ..document import Section, Table
from .context import Context, plan_percent

TERMS: dict[str, tuple[tuple[str, str], ...]] = {
    "fr": (
        ("Analyse principale", "L'analyse choisie avant de voir les données pour répondre à la question de "
         "l'évaluation ; les autres analyses l'éclairent mais ne la remplacent pas."),
        ("Intention de traiter (ITT)", "Chaque jeune est compté dans le groupe où le tirage au sort l'a placé, "
         "qu'il ait ou non suivi l'accompagnement : c'est l'effet de proposer l'accompagnement."),
        ("Effet chez les bénéficiaires (CACE)", "L'effet chez les jeunes qui ont réellement suivi "
         "l'accompagnement parce qu'il leur était proposé, déduit de l'effet en intention de traiter."),
        ("Rapport des risques (HR)", "Rapport entre le risque instantané de rupture des jeunes accompagnés et "
         "celui des témoins : 0,70 signifie un risque inférieur de 30 % à tout moment ; 1, aucune différence."),
        ("Différence de risque", "Écart, en points de pourcentage, entre les parts de contrats rompus dans les "
         "deux groupes à une date donnée (estimées par la méthode de Kaplan-Meier)."),
        ("Intervalle de confiance (IC)", "Fourchette de valeurs compatibles avec les données : si l'expérience "
         "était répétée, un IC à {level} contiendrait la vraie valeur {level_n} fois sur 100."),
        ("Statistiquement significatif", "Un écart aussi grand serait improbable (moins de {alpha_n} chances sur 100) "
         "si l'accompagnement n'avait aucun effet ; cela ne dit rien de l'importance pratique de l'écart."),
        ("Puissance, effet minimal détectable", "La puissance est la probabilité qu'un essai détecte un effet "
         "d'une taille donnée ; l'effet minimal détectable est le plus petit effet détecté avec une puissance "
         "de {power} (valeur fixée par le plan d'analyse)."),
        ("RMST", "Durée moyenne sans rupture sur la période suivie (restricted mean survival time) ; la "
         "différence entre groupes se lit en jours de contrat gagnés."),
        ("Risques concurrents", "Une rupture à l'initiative de l'employeur empêche une rupture à l'initiative "
         "du jeune, et inversement : chaque cause est analysée en tenant compte des autres."),
        ("Courbe de Kaplan-Meier", "Part des contrats non rompus au fil du temps, qui tient compte des jeunes "
         "dont le suivi s'arrête avant la fin."),
        ("Attrition", "Part des jeunes dont on ne connaît pas le résultat (réponse manquante) ; les bornes de "
         "Lee donnent l'effet dans le pire et le meilleur cas."),
        ("Secret statistique", "Un effectif inférieur au seuil de diffusion, ou un chiffre qui permettrait de "
         "le retrouver, n'est pas publié : il est remplacé par « {hidden} » ou « s »."),
    ),
    "en": (
        ("Primary analysis", "The analysis chosen before seeing the data to answer the evaluation's question; "
         "the other analyses shed light on it but do not replace it."),
        ("Intention to treat (ITT)", "Each young person counts in the group the lottery assigned, whether or not "
         "they took up the support: the effect of offering the support."),
        ("Complier effect (CACE)", "The effect among the young people who took up the support because it was "
         "offered, derived from the intention-to-treat effect."),
        ("Hazard ratio (HR)", "The instantaneous risk of rupture of the supported young people divided by that "
         "of the controls: 0.70 means a 30% lower risk at any time; 1, no difference."),
        ("Risk difference", "The gap, in percentage points, between the shares of contracts broken in the two "
         "groups by a given day (Kaplan-Meier estimates)."),
        ("Confidence interval (CI)", "The range of values compatible with the data: were the experiment "
         "repeated, a {level} CI would contain the true value {level_n} times out of 100."),
        ("Statistically significant", "A gap this large would be unlikely (less than {alpha_n} chances in 100) if the "
         "support had no effect; it says nothing of the gap's practical importance."),
        ("Power, minimum detectable effect", "Power is the probability that a trial detects an effect of a given "
         "size; the minimum detectable effect is the smallest effect detected with {power} power (the value the "
         "analysis plan sets)."),
        ("RMST", "Restricted mean survival time: the mean time without rupture over the follow-up; the "
         "difference between groups reads as days of contract gained."),
        ("Competing risks", "A rupture at the employer's initiative prevents one at the young person's, and "
         "the reverse: each cause is analysed taking the others into account."),
        ("Kaplan-Meier curve", "The share of contracts not broken over time, accounting for the young people "
         "whose follow-up stops early."),
        ("Attrition", "The share of young people whose outcome is unknown (missing answer); Lee bounds give "
         "the effect in the worst and the best case."),
        ("Statistical secrecy", "A count below the publication threshold, or a number that would give it "
         "back, is not published: it shows as \"{hidden}\" or \"s\"."),
    ),
}
TITLE = {"fr": "Glossaire", "en": "Glossary"}
HEADER = {"fr": ("Terme", "Définition"), "en": ("Term", "Definition")}


def section(ctx: Context) -> Section:
    language = ctx.fmt.language
    alpha, power = ctx.plan.inference.alpha, ctx.plan.integrity.power
    values = {"hidden": ctx.fmt.hidden, "power": plan_percent(ctx.fmt, power),
              "level": plan_percent(ctx.fmt, 1 - alpha),
              "level_n": plan_percent(ctx.fmt, 1 - alpha, sign=False),
              "alpha_n": plan_percent(ctx.fmt, alpha, sign=False)}
    rows = tuple((term, text.format(**values)) for term, text in TERMS[language])
    return Section("glossary", TITLE[language], (Table(HEADER[language], rows),))
