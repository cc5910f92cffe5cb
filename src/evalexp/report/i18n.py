"""Words and number formats of the report, in French and English.

French follows the Imprimerie nationale conventions the public administration
uses: decimal comma, a narrow no-break space (U+202F) as thousands separator and
before ``%``, dates ``DD/MM/YYYY``. English is conventional: decimal point,
comma thousands separator, ``%`` attached, ISO dates.

Every label of the report and of its figures comes from :data:`STRINGS`
through :meth:`Formatter.t`, so that a missing translation is a ``KeyError``
found by the tests, never a mixed-language report.
"""
from __future__ import annotations

import datetime as _dt
import math
import re

#: Narrow no-break space (French thousands separator and space before %).
NNBSP = "\u202f"
#: Mark of a count hidden by secondary suppression (*secret*), not because it is small.
SECONDARY = "s"

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        # cover and fixed parts
        "report_kind": "Rapport d'évaluation",
        "funder": "Financeur",
        "evaluator": "Évaluateur",
        "date": "Date",
        "not_given": "non renseigné",
        "disclaimer_title": "Avertissement",
        "disclaimer": (
            "Ce rapport d'évaluation engage la seule responsabilité de ses auteurs et ne reflète pas "
            "nécessairement la position du financeur. Les résultats portent sur la population et la "
            "période de l'expérimentation ; leur transposition à d'autres publics ou territoires "
            "demande prudence. Conformément au secret statistique, tout effectif inférieur à "
            "{threshold} est masqué (« <{threshold} »), ainsi que les chiffres qui permettraient de le "
            "retrouver."),
        # sections
        "sec_summary": "Fiche synthétique",
        "sec_experiment": "L'expérimentation et le diagramme CONSORT",
        "sec_balance": "Équilibre des groupes à l'entrée",
        "sec_attrition": "Attrition",
        "sec_primary": "Résultat principal : les ruptures de contrat",
        "sec_competing": "Ruptures selon l'initiative",
        "sec_outcomes": "Insertion dans l'emploi",
        "sec_compliance": "Recours à l'accompagnement",
        "sec_subgroups": "Sous-groupes",
        "sec_fidelity": "Mise en œuvre de la méthode d'accompagnement",
        "sec_power": "Puissance et effet minimal détectable",
        "sec_lessons": "Enseignements pour les politiques publiques",
        "sec_methods": "Méthodes et conventions",
        "sec_quality": "Annexe : qualité des données",
        # summary sentences
        "summary_main_hidden": (
            "À {months} mois, la part des contrats rompus dans chaque groupe n'est pas publiée : "
            "trop peu de jeunes restaient suivis ou avaient rompu (secret statistique)."),
        "summary_cohort": (
            "L'expérimentation a réparti au hasard {n} jeunes : {n_t} accompagnés et {n_c} témoins ; "
            "{e_t} ruptures ont été observées chez les accompagnés et {e_c} chez les témoins."),
        "summary_mde": (
            "Avec {events} ruptures observées, l'étude ne pouvait détecter (puissance {power}, "
            "seuil {alpha}) qu'un rapport des risques inférieur ou égal à {mde_hr}, soit une baisse "
            "d'au moins {mde_rd} points de la part des ruptures à {months} mois."),
        # tables, axes, legends
        "arm": "Groupe",
        "treatment": "Accompagnés",
        "control": "Témoins",
        "days": "Jours depuis le début du contrat",
        "at_risk": "Effectifs à risque",
        "survival_prob": "Part des contrats non rompus",
        "cif": "Incidence cumulée des ruptures",
        "hr": "Rapport des risques (HR)",
        "hr_short": "HR",
        "ci": "IC",
        "ci_level": "IC à {level}",
        "p_value": "p",
        "estimate": "Estimation",
        "quantity": "Indicateur",
        "value": "Valeur",
        "n": "Effectif",
        "events": "Ruptures",
        "censored": "Censurés",
        "median": "Médiane (jours)",
        "not_reached": "non atteinte",
        "hidden_note": (
            "« <{threshold} » : effectif inférieur à {threshold}, masqué ; « s » : effectif masqué pour "
            "qu'un effectif inférieur à {threshold} ne puisse être retrouvé par différence (secret "
            "statistique)."),
        "curve_note": (
            "Courbes exactes (rapport de l'évaluateur) ; bandes : intervalles de confiance à {level} "
            "(log-log)."),
        "km_at": "Part des contrats rompus à {day} jours",
        "cox_unadj": "Modèle de Cox non ajusté",
        "cox_adj": "Modèle de Cox ajusté ({covariates})",
        "ca_hr": "Rapport des risques marginal ajusté sur les covariables (Ye, Shao et Yi 2024), robuste",
        "ca_gain": (
            "Analyse ajustée sur les covariables (Ye, Shao et Yi 2024) : rapport des risques de {hr} (IC à "
            "{level} : {ci}), contre {hr_u} {ci_u} sans covariables ; le gain de précision équivaut à "
            "{n} participants de plus."),
        "m_ca": (
            "Analyse ajustée robuste (Ye, Shao et Yi 2024 ; R RobinCar2::robin_surv) : test du log-rank ajusté "
            "et rapport des risques marginal, erreur type robuste, randomisation {scheme} ; RMST et différence "
            "de risque à {tau} jours augmentées (Tian et al. 2012), variance de type ANHECOVA."),
        "scheme_permuted_blocks": "par blocs permutés dans les strates",
        "scheme_simple": "simple",
        "robust_se": "erreurs types robustes par grappe",
        "few_clusters": "Attention : les erreurs types robustes reposent sur {g} grappes seulement ; en dessous "
                        "de {min} grappes, elles sont souvent trop petites et les intervalles trop étroits.",
        "adj_monotone": (
            "Modèle de Cox ajusté : aucun contrat n'est rompu dans le groupe {terms} (vraisemblance monotone, "
            "coefficient infini). L'effet du dispositif reste estimé, comme le fait R, mais le rapport des "
            "risques ajusté est fragile ; le rapport non ajusté ne dépend pas des covariables."),
        "adj_few_epp": (
            "Modèle de Cox ajusté : le nombre de ruptures par coefficient estimé est inférieur à {epp}. "
            "Le rapport des risques ajusté est fragile (Peduzzi et al., 1995) ; "
            "le rapport non ajusté ne dépend pas des covariables."),
        "adj_firth": (
            "Avec la vraisemblance pénalisée de Firth (Heinze et Schemper, 2001), le rapport des risques "
            "ajusté est de {hr} {ci} ({p})."),
        "aw_caption": "Avertissements de l'analyse",
        "aw_model": "Modèle",
        "aw_adjusted": "Modèle de Cox ajusté",
        "aw_monotone_likelihood": "Vraisemblance monotone (coefficient infini)",
        "aw_few_events_per_parameter": "Trop peu de ruptures par coefficient (moins de dix)",
        "aw_few_clusters": "Peu de grappes pour les erreurs types robustes",
        "aw_covariate_aliased": "Covariable constante ou colinéaire, écartée du modèle",
        "aw_not_converged": "Estimation non convergée",
        "aw_not_estimable": "Modèle non estimable",
        "logrank": "Test du log-rank",
        "ph_test": "Test de proportionnalité des risques (Schoenfeld)",
        "rmst": "Durée moyenne sans rupture sur {tau} jours (RMST), différence en jours",
        "risk_diff": "Différence de risque de rupture à {day} jours (points)",
        "ri": "Inférence par randomisation ({stat}, {perm} permutations), p",
        "ri_ci_hr": "Rapport des risques, intervalle par inversion du test de randomisation",
        "ri_ci_rd": "Différence de risque à {day} jours (points), intervalle par inversion du test de randomisation",
        "ph_ok": "L'hypothèse de risques proportionnels n'est pas rejetée ({p}).",
        "ri_p_short": "inférence par randomisation :",
        "fallback_cox_adjusted": ("Le modèle de Cox ajusté ne peut pas être estimé ici (moins de deux ruptures par "
                                  "coefficient, ou aucune dans un groupe) : le rapport des risques donné pour le "
                                  "modèle ajusté est celui du modèle non ajusté, estimé par la vraisemblance pénalisée "
                                  "de Firth."),
        "fallback_covariate_adjusted": ("L'ajustement de Ye, Shao et Yi ne peut pas être estimé ici (moins de ruptures "
                                        "que ses paramètres, ou aucune dans un groupe) : le rapport des risques donné "
                                        "pour l'analyse ajustée est celui de l'analyse stratifiée non ajustée, estimé "
                                        "par la vraisemblance pénalisée de Firth."),
        "hr_firth_shown": ("Pour le modèle de Cox non ajusté, le tableau donne l'estimation pénalisée de Firth, "
                           "finie même sans rupture dans un groupe, avec son intervalle de vraisemblance profilée."),
        "hr_no_rupture": ("Aucune rupture n'a été observée, dans aucun des groupes : le rapport des risques "
                          "instantanés n'est pas estimable et aucun test ne peut conclure (p = 1) ; les intervalles "
                          "du tableau disent jusqu'où les données bornent l'effet."),
        "hr_not_estimable": "Aucune rupture n'a été observée dans l'un des groupes : le rapport des risques "
                            "instantanés n'est pas estimable (vraisemblance monotone) et le test de "
                            "proportionnalité ne s'applique pas ; les autres indicateurs restent valides"
                            "{p_ri}.",
        "ph_rejected": (
            "L'hypothèse de risques proportionnels est rejetée ({p}) : le HR est une moyenne sur la "
            "période ; la RMST et la différence de risque restent valides."),
        "love_x": "Différence standardisée (accompagnés − témoins)",
        "wwc_note": (
            "Seuils du What Works Clearinghouse : jusqu'à 0,05, groupes équivalents ; de 0,05 à 0,25, "
            "l'analyse doit ajuster sur la caractéristique ; au-delà, écart important."),
        # "how to read this table" notes, one sentence under each main table
        "read_consort": ("Comment lire ce tableau : il suit les jeunes du tirage au sort jusqu'à l'analyse ; "
                         "chaque ligne compte ceux qui ont atteint cette étape dans chaque groupe."),
        "read_attrition": ("Comment lire ce tableau : l'attrition est la part des jeunes dont le résultat manque ; "
                           "faible et semblable dans les deux groupes, elle ne fausse pas la comparaison."),
        "read_km": ("Comment lire ce tableau : part des contrats rompus à chaque date dans chaque groupe, avec "
                    "son intervalle de confiance et, entre parenthèses, les jeunes encore suivis."),
        "read_effects": ("Comment lire ce tableau : un rapport des risques inférieur à 1 ou une différence de "
                         "risque négative signifie moins de ruptures chez les accompagnés ; un p inférieur à {alpha} "
                         "signale un écart difficilement attribuable au hasard."),
        "read_competing": ("Comment lire ce tableau : pour chaque cause de rupture, un rapport inférieur à 1 "
                           "signifie que cette cause est moins fréquente chez les accompagnés."),
        "read_outcomes": ("Comment lire ce tableau : une différence positive signifie plus de jeunes en emploi "
                          "(ou qualifiés) chez les accompagnés ; la dernière colonne corrige le p pour le nombre "
                          "d'indicateurs comparés."),
        "read_compliance": ("Comment lire ce tableau : l'effet de l'affectation compare les groupes tels que tirés "
                            "au sort ; l'effet sur les bénéficiaires le rapporte aux seuls jeunes que la proposition "
                            "a fait entrer dans l'accompagnement."),
        "read_subgroups": ("Comment lire ce tableau : un rapport des risques par sous-groupe ; seul un p "
                           "d'interaction faible indique que l'effet diffère vraiment entre sous-groupes."),
        "read_power": ("Comment lire ce tableau : l'effet minimal détectable est le plus petit effet que l'étude "
                       "avait {power} de chances de détecter avec les ruptures observées, pour un test au seuil de "
                       "{alpha} (puissance et seuil fixés par le plan d'analyse)."),
        "covariate": "Caractéristique",
        "std_diff": "Différence standardisée",
        "wwc_rating": "Appréciation WWC",
        "satisfies": "équivalence",
        "adjustment required": "ajustement nécessaire",
        "fails": "écart important",
        "outcome": "Indicateur",
        "difference_pts": "Différence (points)",
        "difference": "Différence",
        "share": "Part",
        "difference_axis": "Différence accompagnés − témoins (points de pourcentage)",
        "subgroup": "Sous-groupe",
        "interaction_p": "p d'interaction",
        "forest_x": "Rapport des risques de rupture (échelle log)",
        "favours_t": "← moins de ruptures chez les accompagnés",
        "meeting": "Entretien tripartite",
        "held": "Tenu",
        "on_time": "Dans les délais",
        "overall_attr": "Attrition globale",
        "diff_attr": "Attrition différentielle",
        "boundary": "Appréciation WWC ({boundary})",
        "cautious": "prudente",
        "optimistic": "optimiste",
        "low": "faible",
        "high": "élevée",
        "mde_hr": "HR minimal détectable",
        "mde_rd": "Différence de risque minimale détectable (points)",
        "events_needed": "Ruptures observées",
        "power_planned": "Puissance pour détecter l'effet prévu (rapport des risques {planned})",
        "power": "Puissance",
        "consort_assessed": "Randomisés",
        "consort_allocated": "Affectés",
        "consort_received": "Ont reçu l'accompagnement",
        "consort_lost": "Suivi interrompu avant {horizon} jours",
        "consort_analysed": "Analysés (rupture)",
        "consort_enrolment": "Inclusion",
        "consort_allocation": "Affectation",
        "consort_followup": "Suivi",
        "consort_analysis": "Analyse",
        "warning": "Avertissement",
        "rows": "Lignes concernées",
        "no_warning": "Aucune anomalie non bloquante n'a été relevée au chargement.",
        "quality_intro": (
            "Anomalies non bloquantes relevées au chargement du fichier (nombres de lignes uniquement)."),
        "engine_note": (
            "Ce rapport est calculé à partir de {cells} cellules de comptes (bras, jour, rupture et clés du plan) "
            "par le moteur {engine}, sans les lignes des participants. Les analyses et sections qui en ont besoin "
            "sont omises : inférence par randomisation, analyse ajustée sur les covariables (Ye, Shao et Yi), "
            "modèle de Fine et Gray, intervalles pour petits échantillons, diagramme CONSORT, participants à la "
            "randomisation, équilibre des groupes, attrition, adhésion, sous-groupes, sites, fidélité, puissance, "
            "hétérogénéité, coût et anomalies de chargement.{adjusted} Pour les obtenir, relancer l'analyse "
            "avec --engine memory."),
        "engine_adjusted": (
            " Le modèle de Cox ajusté n'est pas calculé : une covariable du plan prend plus de "
            "{levels} valeurs, ce que des comptes ne peuvent porter."),
        "cause": "Initiative",
        "employer": "Employeur",
        "apprentice": "Jeune",
        "mutual": "Commun accord",
        "trial_period": "Période d'essai",
        "unknown": "Inconnue",
        "cs_hr": "HR spécifique à la cause",
        "fg_shr": "SHR de Fine et Gray",
        "first_stage": "Part ayant reçu l'accompagnement",
        "itt": "Effet de l'affectation (ITT)",
        "cace": "Effet sur les bénéficiaires (CACE)",
        "rupture_by_meetings": (
            "Part des ruptures selon le nombre d'entretiens tenus (descriptif, non causal)"),
        "meetings_held": "Entretiens tenus",
        "contents": "Sommaire",
        "table_label": "Tableau",
        "figure_label": "Figure",
        "caption_sep": " – ",
        "how_to_read": "Comment lire ce tableau",
        "tables_index": "Tableaux du rapport",
        "sheet": "Feuille",
        "generated_by": "Produit par evalexp {version}",
        # methods
        "m_km": (
            "Courbes de Kaplan-Meier par groupe, variance de Greenwood, intervalles de confiance à "
            "{level} de type log-log (R survfit, conf.type = \"log-log\") ; effectifs à risque au jour "
            "indiqué."),
        "m_logrank": "Test du log-rank de Mantel-Haenszel (R survdiff){strata}.",
        "m_cox": (
            "Modèle de Cox, traitement des ex aequo {ties}, intervalle et p de Wald{strata}{cluster} ; "
            "modèle ajusté : {covariates}."),
        "m_ph": (
            "Test global de proportionnalité des risques sur les résidus de Schoenfeld du modèle non "
            "ajusté (R cox.zph, transformation KM)."),
        "m_rmst": (
            "RMST : aire sous la courbe de Kaplan-Meier jusqu'à {tau} jours, variance de type Greenwood "
            "(R survRM2), différence accompagnés − témoins, IC de Wald."),
        "m_rd": "Différence de risque : 1 − S({day}) par groupe, variances de Greenwood, IC de Wald.",
        "m_ri": (
            "Inférence par randomisation : {perm} nouvelles affectations aléatoires au sein des strates "
            "(graine {seed}), tailles des groupes fixées ; p = (1 + #{{stat* ≥ stat}}) / (1 + "
            "permutations)."),
        "m_ri_ci": (
            "Intervalles de confiance par randomisation : les effets que le test de randomisation ne rejette pas "
            "au seuil {alpha}, sur les mêmes {perm} affectations aléatoires (Wang et Rosenberger 2020) ; pour le "
            "rapport des risques, le test du score de Cox studentisé avec décalage (ex aequo {ties}), pour la "
            "différence de risque à {day} jours, la différence de Kaplan-Meier studentisée et décalée."),
        "m_competing": (
            "Risques concurrents par initiative : incidence cumulée d'Aalen-Johansen (R cmprsk::cuminc), "
            "test de Gray, modèle de Cox spécifique à la cause (autres causes censurées), modèle de Fine "
            "et Gray (R cmprsk::crr)."),
        "m_outcomes": (
            "Indicateurs binaires : différence de proportions parmi les observés, erreur type de Neyman "
            "(HC2), IC et p par approximation normale ; correction de multiplicité : {method}."),
        "m_balance": (
            "Équilibre : différences standardisées du What Works Clearinghouse (g de Hedges corrigé pour "
            "les variables continues, indice de Cox pour les binaires)."),
        "m_attrition": (
            "Attrition : taux global et différentiel comparés à la borne {boundary} du What Works "
            "Clearinghouse (Standards Handbook v4.1)."),
        "m_power": (
            "Effet minimal détectable : formule de Schoenfeld pour le rapport des risques, test de l'arc "
            "sinus pour la différence de risque (R pwr), sur le nombre équivalent de participants observés "
            "jusqu'à l'horizon (les censures avant l'horizon le réduisent)."),
        "m_disclosure_public": (
            "Secret statistique (règles détaillées dans docs/disclosure.md) : tout effectif inférieur à "
            "{threshold} est masqué (« <{threshold} »), de même qu'un effectif dont le complément dans un "
            "total publié est inférieur à {threshold} ; lorsqu'une seule case d'une ligne ou d'une colonne "
            "est masquée, une autre l'est aussi (« s »), jusqu'à stabilité. Une estimation (part, rapport "
            "des risques, différence, intervalle, p) calculée sur un groupe de moins de {threshold} jeunes "
            "ou de {threshold} ruptures dans l'un des groupes n'est pas publiée ; les initiatives de rupture "
            "trop rares sont regroupées. Les courbes sont calculées sur une grille de {grid} jours, chaque "
            "palier regroupe au moins {threshold} ruptures, sans marque de censure, et s'arrêtent quand "
            "moins de {threshold} jeunes restent à risque ; les effectifs à risque sont arrondis à 5. Le "
            "fichier results.json de ce dossier suit les mêmes règles (valeurs masquées à null), et "
            "disclosure.json liste chaque valeur masquée et la règle appliquée."),
        "m_disclosure_evaluator": (
            "Rapport de l'évaluateur, non destiné à la publication : tous les chiffres et les courbes "
            "exactes sont montrés. Seule la version publique (--audience public) peut être diffusée."),
        "m_strata": ", stratifié sur « {strata} »",
        "m_cluster": ", erreurs types robustes par grappe « {cluster} »",
        "none": "aucun",
        "consort_not_received": "N'ont pas reçu l'accompagnement",
        "consort_censored": "Suivis jusqu'à l'extraction des données, avant {horizon} jours (censurés)",
        "consort_analysed_outcome": "Analysés : {outcome}",
        "consort_caption": "Flux CONSORT par groupe",
        "rupture_incidence": "Part des contrats rompus",
        "horizon_day": "Horizon : {day} jours",
        "consort_allocated_to": "{arm} : affectés",
        "consort_discontinued": "Accompagnement interrompu",
        "consort_excluded_analysis": "Exclus de l'analyse",
        "consort_eligible": "Éligibilité évaluée",
        "consort_excluded": "Exclus",
        "stage": "Étape",
        "experiment_intro": (
            "{n} jeunes ont été répartis au hasard entre le groupe accompagné ({n_t}) et le groupe témoin "
            "({n_c}). L'analyse principale porte sur tous les jeunes randomisés, dans leur groupe "
            "d'affectation (intention de traiter) ; les suivis interrompus sont censurés."),
        "rupture": "rupture",
        "attr_caption": (
            "Attrition par indicateur : taux par groupe, global et différentiel (points), appréciation "
            "selon la borne {boundary} du WWC"),
        "lee": "Bornes de Lee (points)",
        "attrition_survival": "Rupture (perdus de vue avant l'horizon)",
        "w_cause_without_rupture": "Initiative renseignée sans rupture observée",
        "w_followup_before_planned_end": "Suivi arrêté avant la fin prévue du contrat (censuré)",
        "w_missing_values": "Valeurs manquantes",
        "w_not_a_number": "Valeur non numérique dans une colonne numérique (colonne lue comme texte)",
        "w_rupture_after_followup_end": "Rupture après la fin du suivi (censurée)",
        "w_rupture_after_planned_end": "Rupture après la fin prévue du contrat (censurée)",
        "w_rupture_without_cause": "Rupture sans initiative renseignée",
        "column": "Colonne",
        "other_causes": "Autres initiatives (regroupées)",
        "all_causes": "Toutes initiatives (regroupées)",
        "cif_note": (
            "Courbes exactes par initiative (rapport de l'évaluateur)."),
        "km_table": "Estimations de Kaplan-Meier par groupe : part [IC à {level}] (effectif à risque)",
        "balance_caption": "Moyennes (variables continues) ou parts, par groupe",
        "outcomes_caption": "Parts parmi les jeunes observés, par groupe",
        "cause_caption": "Ruptures par initiative et par groupe ; rapports des risques accompagnés / témoins",
        "gray_short": "Gray, p",
        "subgroup_caption": (
            "Effectifs / ruptures par groupe ; rapport des risques de rupture accompagnés / témoins"),
        "start of the contract": "1. Début du contrat",
        "after the first month": "2. Après le premier mois",
        "before the end or at six months": "3. Avant la fin ou à six mois",
        "due": "Dus",
        "share_held": "Part tenus",
        "share_on_time": "Part dans les délais",
        "all_on_time": "Les trois entretiens dans les délais",
        "fidelity_intro": (
            "Groupe accompagné : entretiens tripartites (jeune, employeur, conseiller) dus, tenus et "
            "tenus dans les délais. Un entretien prévu après une rupture n'est pas dû."),
        # disclosure control (evalexp.disclosure)
        "not_for_publication": "NE PAS PUBLIER — rapport de l'évaluateur, chiffres non soumis au secret statistique",
        "primary_hidden": (
            "Les estimations de ce chapitre ne sont pas publiées : l'un des groupes compte moins de "
            "{threshold} jeunes, ruptures ou contrats non rompus (secret statistique)."),
        "curve_note_public": (
            "Courbes calculées sur une grille de {grid} jours, chaque palier regroupant au moins {threshold} "
            "ruptures, sans marque de censure ; elles s'arrêtent lorsque moins de {threshold} jeunes restent "
            "suivis ; effectifs à risque arrondis à 5 ; bandes : intervalles de confiance à {level} (log-log)."),
        "cif_note_public": (
            "Les initiatives de moins de {threshold} ruptures dans un groupe sont regroupées ; courbes sur "
            "une grille de {grid} jours, au moins {threshold} ruptures par palier."),
        "causes_merged": (
            "Les initiatives regroupées comptent moins de {threshold} ruptures dans l'un des groupes : "
            "leurs effectifs et leurs estimations propres ne sont pas publiés (secret statistique)."),
        "outcomes_rounded": (
            "Lorsque le nombre de réponses manquantes d'un groupe est inférieur à {threshold}, l'effectif "
            "observé est masqué ; les parts et les différences sont arrondies au point de pourcentage et p "
            "à une décimale (secret statistique)."),
        "power_hidden": (
            "L'effet minimal détectable n'est pas publié : il permettrait de retrouver un nombre de "
            "ruptures inférieur à {threshold} (secret statistique)."),
        "q_n": "Effectif",
        "q_events": "Ruptures",
        "q_planned_end": "Suivis jusqu'à la fin prévue du contrat",
        "q_extraction": "Suivis jusqu'à l'extraction des données",
        "q_lost": "Perdus de vue",
        # small-sample versions and calibration (evalexp.report.calibration)
        "ss_shown": (
            "Petits échantillons ({mode}) : pour {methods}, le rapport montre la version valide en petit "
            "échantillon au lieu de l'intervalle de Wald (les deux figurent dans results.json)."),
        "ss_not_shown": (
            "Petits échantillons : le rapport montre les intervalles de Wald ({mode}) ; les versions valides "
            "en petit échantillon ({methods}) figurent dans results.json."),
        "ss_mode_auto": "choix automatique sous {threshold} participants ou {clusters} grappes",
        "ss_mode_always": "choix du plan : toujours",
        "ss_mode_never": "choix du plan : jamais",
        "ss_rmst": "la différence de RMST (test de permutation studentisé, Ditzhaus, Yu et Xu 2023)",
        "ss_rd": ("la différence de risque (intervalle de Newcombe sur les effectifs efficaces de "
                  "Kaplan-Meier)"),
        "ss_cox_clusters": ("le modèle de Cox à erreurs robustes par grappe (sandwich corrigé du biais de "
                            "Kauermann-Carroll et loi de Student à G − 1 degrés de liberté)"),
        "ss_cox_unadjusted": ("le modèle de Cox non ajusté (variance multipliée par n/(n − 1) et loi de Student à "
                              "n − 1 degrés de liberté)"),
        "ss_cox_unadjusted_firth": ("le modèle de Cox non ajusté (vraisemblance pénalisée de Firth, intervalle de "
                                    "vraisemblance profilée)"),
        "ss_cox_adjusted": ("le modèle de Cox ajusté (variance multipliée par n/(n − p), p coefficients, et loi de "
                            "Student à n − p degrés de liberté)"),
        "ss_cox_adjusted_firth": ("le modèle de Cox ajusté (vraisemblance pénalisée de Firth, intervalle de "
                                  "vraisemblance profilée)"),
        "ss_ca": ("le rapport des risques ajusté sur les covariables (variances multipliées par n/(n − k), k "
                  "paramètres de l'ajustement, et loi de Student à n − k degrés de liberté)"),
        "ss_ca_unadjusted": ("le rapport des risques ajusté sur les covariables (trop peu de ruptures pour "
                             "ajuster : analyse stratifiée non ajustée à la place, estimation de Firth)"),
        "ss_cox_adjusted_unadjusted": ("le modèle de Cox ajusté (moins de deux ruptures par coefficient : le modèle "
                                       "non ajusté de Firth à sa place)"),
        "ss_rmst_bound": ("la différence de RMST (aucune rupture : bornée par la limite supérieure de Wilson du "
                          "risque de rupture de chaque groupe)"),
        "ss_ca_rmst": ("la différence de RMST augmentée par les covariables (loi de Student à n − k degrés de "
                       "liberté)"),
        "ss_ca_rmst_unadjusted": ("la différence de RMST augmentée par les covariables (trop peu de ruptures pour "
                                  "ajuster : test de permutation studentisé non ajusté à la place)"),
        "ss_ca_rd": ("la différence de risque augmentée par les covariables (loi de Student à n − k degrés de "
                     "liberté)"),
        "ss_ca_rd_unadjusted": ("la différence de risque augmentée par les covariables (trop peu de ruptures pour "
                                "ajuster : intervalle de Newcombe non ajusté à la place)"),
        "cal_title": "Calibration des méthodes sur {reps} essais simulés semblables à celui-ci",
        "cal_intro": (
            "Les essais sont simulés à partir de cette cohorte (mêmes strates, sites, covariables, risque de "
            "rupture du groupe témoin et censure), sans effet puis avec un rapport de risques de {hr} ; "
            "chacun est analysé selon le plan. Une méthode est dite calibrée quand son erreur de première "
            "espèce est comprise entre 3 % et 5 % plus trois erreurs Monte-Carlo ({se} points) et son "
            "intervalle à {level} contient la vraie valeur dans 95 % moins trois erreurs Monte-Carlo à 97 % "
            "des cas."),
        "cal_method": "Méthode",
        "cal_type1": "Erreur de 1re espèce",
        "cal_coverage0": "Couverture (sans effet)",
        "cal_power": "Puissance (RR {hr})",
        "cal_coverage1": "Couverture (RR {hr})",
        "cal_calibrated": "Calibrée",
        "cal_failed": "Non calculée",
        "yes": "oui",
        "no": "non",
        "cal_sentence_test": (
            "Sur {reps} essais simulés semblables à celui-ci, {method} a conclu à tort à un effet dans "
            "{rate} des cas."),
        "cal_sentence_ci": (
            "Sur {reps} essais simulés semblables à celui-ci, {method} a conclu à tort à un effet dans "
            "{rate} des cas, et son intervalle à {level} contenait la vraie valeur dans {coverage} des cas."),
        "cal_cox_unadjusted": "le modèle de Cox non ajusté",
        "cal_cox_unadjusted_small_sample": "le modèle de Cox non ajusté (petit échantillon)",
        "cal_cox_adjusted": "le modèle de Cox ajusté",
        "cal_cox_adjusted_small_sample": "le modèle de Cox ajusté (petit échantillon)",
        "cal_cox_unadjusted_few_clusters": "le modèle de Cox non ajusté (KC, Student)",
        "cal_cox_adjusted_few_clusters": "le modèle de Cox ajusté (KC, Student)",
        "cal_logrank": "le test du log-rank",
        "cal_randomization_logrank": "l'inférence par randomisation (log-rank)",
        "cal_randomization_cox_score": "l'inférence par randomisation (score de Cox)",
        "cal_randomization_rmst": "l'inférence par randomisation (RMST)",
        "cal_rmst": "la différence de RMST (Wald)",
        "cal_rmst_small_sample": "la différence de RMST (permutation studentisée)",
        "cal_risk_difference": "la différence de risque (Wald)",
        "cal_risk_difference_small_sample": "la différence de risque (Newcombe)",
        "cal_randomization_ci_hazard_ratio": "le rapport de risques (inversion du test de randomisation)",
        "cal_randomization_ci_risk_difference": "la différence de risque (inversion du test de randomisation)",
        "cal_covariate_adjusted_logrank": "le log-rank ajusté sur les covariables (Ye, Shao et Yi)",
        "cal_covariate_adjusted_logrank_small_sample": "le log-rank ajusté sur les covariables (petit échantillon)",
        "cal_covariate_adjusted_log_hr": "le rapport des risques ajusté sur les covariables (Ye, Shao et Yi)",
        "cal_covariate_adjusted_log_hr_small_sample": ("le rapport des risques ajusté sur les covariables "
                                                       "(petit échantillon)"),
        "cal_covariate_adjusted_rmst": "la différence de RMST ajustée sur les covariables",
        "cal_covariate_adjusted_risk_difference": "la différence de risque ajustée sur les covariables",
        "cal_covariate_adjusted_rmst_small_sample": ("la différence de RMST ajustée sur les covariables (petit "
                                                     "échantillon)"),
        "cal_covariate_adjusted_risk_difference_small_sample": ("la différence de risque ajustée sur les "
                                                                "covariables (petit échantillon)"),
    },
    "en": {
        "report_kind": "Evaluation report",
        "funder": "Funder",
        "evaluator": "Evaluator",
        "date": "Date",
        "not_given": "not given",
        "disclaimer_title": "Disclaimer",
        "disclaimer": (
            "This evaluation report is the sole responsibility of its authors and does not "
            "necessarily reflect the position of the funder. The results concern the population and "
            "period of the experiment; transferring them to other groups or territories calls for "
            "caution. Under statistical secrecy, every count below {threshold} is hidden "
            "(\"<{threshold}\"), and so are the figures that would let it be recovered."),
        "sec_summary": "Summary",
        "sec_experiment": "The experiment and its CONSORT diagram",
        "sec_balance": "Baseline balance",
        "sec_attrition": "Attrition",
        "sec_primary": "Primary result: contract ruptures",
        "sec_competing": "Ruptures by initiative",
        "sec_outcomes": "Employment outcomes",
        "sec_compliance": "Take-up of the support",
        "sec_subgroups": "Subgroups",
        "sec_fidelity": "Fidelity of the support method",
        "sec_power": "Power and minimum detectable effect",
        "sec_lessons": "Lessons for public policy",
        "sec_methods": "Methods and conventions",
        "sec_quality": "Annex: data quality",
        "summary_main_hidden": (
            "At {months} months, the share of broken contracts in each group is not published: "
            "too few young people were still followed or had broken their contract (statistical secrecy)."),
        "summary_cohort": (
            "The experiment randomised {n} young people: {n_t} supported and {n_c} controls; "
            "{e_t} ruptures were observed among the supported and {e_c} among the controls."),
        "summary_mde": (
            "With {events} observed ruptures, the study could only detect (power {power}, level "
            "{alpha}) a hazard ratio of {mde_hr} or below, that is a fall of at least {mde_rd} "
            "points in the share of ruptures at {months} months."),
        "arm": "Group",
        "treatment": "Supported",
        "control": "Control",
        "days": "Days since contract start",
        "at_risk": "Number at risk",
        "survival_prob": "Share of contracts not broken",
        "cif": "Cumulative incidence of ruptures",
        "hr": "Hazard ratio (HR)",
        "hr_short": "HR",
        "ci": "CI",
        "ci_level": "{level} CI",
        "p_value": "p",
        "estimate": "Estimate",
        "quantity": "Quantity",
        "value": "Value",
        "n": "N",
        "events": "Ruptures",
        "censored": "Censored",
        "median": "Median (days)",
        "not_reached": "not reached",
        "hidden_note": (
            "\"<{threshold}\": count below {threshold}, hidden; \"s\": count hidden so that a count below "
            "{threshold} cannot be recovered by difference (statistical secrecy)."),
        "curve_note": (
            "Exact curves (evaluator's report); bands: {level} confidence intervals (log-log)."),
        "km_at": "Share of contracts broken at {day} days",
        "cox_unadj": "Unadjusted Cox model",
        "cox_adj": "Adjusted Cox model ({covariates})",
        "ca_hr": "Covariate-adjusted marginal hazard ratio (Ye, Shao & Yi 2024), robust",
        "ca_gain": (
            "Covariate-adjusted analysis (Ye, Shao & Yi 2024): hazard ratio {hr} ({level} CI {ci}), against "
            "{hr_u} {ci_u} without covariates; the gain in precision is equivalent to {n} more participants."),
        "m_ca": (
            "Covariate-adjusted robust analysis (Ye, Shao & Yi 2024; R RobinCar2::robin_surv): adjusted log-rank "
            "test and marginal hazard ratio, robust standard error, {scheme} randomisation; RMST and risk "
            "difference at {tau} days augmented (Tian et al. 2012), ANHECOVA-type variance."),
        "scheme_permuted_blocks": "permuted-block (within strata)",
        "scheme_simple": "simple",
        "robust_se": "cluster-robust standard errors",
        "few_clusters": "Caution: the cluster-robust standard errors rest on only {g} clusters; with fewer "
                        "than {min} clusters they tend to be too small and the intervals too narrow.",
        "adj_monotone": (
            "Adjusted Cox model: no contract was broken in the group {terms} (monotone likelihood, infinite "
            "coefficient). The effect of the support is still estimated, as R does, but the adjusted hazard "
            "ratio is fragile; the unadjusted one does not depend on the covariates."),
        "adj_few_epp": (
            "Adjusted Cox model: the number of ruptures per estimated coefficient is below {epp}. The adjusted hazard "
            "ratio is fragile (Peduzzi et al., 1995); the unadjusted one does not depend on the covariates."),
        "adj_firth": (
            "With Firth's penalised likelihood (Heinze and Schemper, 2001), the adjusted hazard ratio is "
            "{hr} {ci} ({p})."),
        "aw_caption": "Warnings of the analysis",
        "aw_model": "Model",
        "aw_adjusted": "Adjusted Cox model",
        "aw_monotone_likelihood": "Monotone likelihood (infinite coefficient)",
        "aw_few_events_per_parameter": "Too few ruptures per coefficient (fewer than ten)",
        "aw_few_clusters": "Few clusters for the cluster-robust standard errors",
        "aw_covariate_aliased": "Covariate constant or collinear, left out of the model",
        "aw_not_converged": "Estimation did not converge",
        "aw_not_estimable": "Model not estimable",
        "logrank": "Log-rank test",
        "ph_test": "Proportional-hazards test (Schoenfeld)",
        "rmst": "Restricted mean time without rupture over {tau} days (RMST), difference in days",
        "risk_diff": "Difference in rupture risk at {day} days (points)",
        "ri": "Randomisation inference ({stat}, {perm} permutations), p",
        "ri_ci_hr": "Hazard ratio, interval by inverting the randomisation test",
        "ri_ci_rd": "Risk difference at {day} days (points), interval by inverting the randomisation test",
        "ph_ok": "The proportional-hazards assumption is not rejected ({p}).",
        "ri_p_short": "randomisation inference:",
        "fallback_cox_adjusted": ("The adjusted Cox model cannot be estimated here (fewer than two ruptures per "
                                  "coefficient, or none in an arm): the hazard ratio given for the adjusted model is "
                                  "the unadjusted model's, estimated by Firth's penalised likelihood."),
        "fallback_covariate_adjusted": ("The Ye, Shao and Yi adjustment cannot be estimated here (fewer ruptures than "
                                        "its parameters, or none in an arm): the hazard ratio given for the adjusted "
                                        "analysis is the unadjusted stratified analysis's, estimated by Firth's "
                                        "penalised likelihood."),
        "hr_firth_shown": ("For the unadjusted Cox model the table gives Firth's penalised estimate, finite even "
                           "without a rupture in one arm, with its profile likelihood interval."),
        "hr_no_rupture": ("No rupture was observed in either arm: the hazard ratio is not estimable and no "
                          "test can conclude (p = 1); the table's intervals say how far the data bound the effect."),
        "hr_not_estimable": "No rupture was observed in one of the arms: the hazard ratio is not estimable "
                            "(monotone likelihood) and the proportional-hazards test does not apply; the "
                            "other measures remain valid{p_ri}.",
        "ph_rejected": (
            "The proportional-hazards assumption is rejected ({p}): the HR is an average over the period; "
            "the RMST and the risk difference remain valid."),
        "love_x": "Standardised difference (supported − control)",
        "wwc_note": (
            "What Works Clearinghouse thresholds: up to 0.05, groups equivalent; from 0.05 to 0.25, the "
            "analysis must adjust for the characteristic; beyond, a large difference."),
        # "how to read this table" notes, one sentence under each main table
        "read_consort": ("How to read this table: it follows the young people from the lottery to the analysis; "
                         "each row counts those who reached that stage in each group."),
        "read_attrition": ("How to read this table: attrition is the share of young people whose outcome is "
                           "missing; low and alike in both groups, it does not bias the comparison."),
        "read_km": ("How to read this table: the share of contracts broken by each day in each group, with its "
                    "confidence interval and, in brackets, the young people still followed."),
        "read_effects": ("How to read this table: a hazard ratio below 1 or a negative risk difference means "
                         "fewer ruptures among the supported; a p below {alpha} flags a gap hard to ascribe "
                         "to chance."),
        "read_competing": ("How to read this table: for each cause of rupture, a ratio below 1 means that cause "
                           "is less frequent among the supported."),
        "read_outcomes": ("How to read this table: a positive difference means more young people employed (or "
                          "qualified) among the supported; the last column corrects p for the number of outcomes "
                          "compared."),
        "read_compliance": ("How to read this table: the effect of assignment compares the groups as drawn by lot; "
                            "the effect on those supported relates it to the young people whom the offer brought "
                            "into the support."),
        "read_subgroups": ("How to read this table: one hazard ratio per subgroup; only a small interaction p shows "
                           "that the effect truly differs between subgroups."),
        "read_power": ("How to read this table: the minimum detectable effect is the smallest effect the study had "
                       "a {power} chance of detecting with the ruptures observed, with a test at the {alpha} level "
                       "(power and level set by the analysis plan)."),
        "covariate": "Characteristic",
        "std_diff": "Standardised difference",
        "wwc_rating": "WWC rating",
        "satisfies": "satisfies",
        "adjustment required": "adjustment required",
        "fails": "large difference",
        "outcome": "Outcome",
        "difference_pts": "Difference (points)",
        "difference": "Difference",
        "share": "Share",
        "difference_axis": "Difference supported − control (percentage points)",
        "subgroup": "Subgroup",
        "interaction_p": "Interaction p",
        "forest_x": "Hazard ratio of rupture (log scale)",
        "favours_t": "← fewer ruptures among the supported",
        "meeting": "Tripartite meeting",
        "held": "Held",
        "on_time": "On time",
        "overall_attr": "Overall attrition",
        "diff_attr": "Differential attrition",
        "boundary": "WWC rating ({boundary})",
        "cautious": "cautious",
        "optimistic": "optimistic",
        "low": "low",
        "high": "high",
        "mde_hr": "Minimum detectable HR",
        "mde_rd": "Minimum detectable risk difference (points)",
        "events_needed": "Observed ruptures",
        "power_planned": "Power to detect the planned effect (hazard ratio {planned})",
        "power": "Power",
        "consort_assessed": "Randomised",
        "consort_allocated": "Allocated",
        "consort_received": "Received the support",
        "consort_lost": "Follow-up ended before {horizon} days",
        "consort_analysed": "Analysed (rupture)",
        "consort_enrolment": "Enrolment",
        "consort_allocation": "Allocation",
        "consort_followup": "Follow-up",
        "consort_analysis": "Analysis",
        "warning": "Warning",
        "rows": "Rows concerned",
        "no_warning": "No non-blocking anomaly was found at load time.",
        "quality_intro": "Non-blocking anomalies found when loading the file (row counts only).",
        "engine_note": (
            "This report is computed from {cells} cells of counts (arm, day, rupture and the plan's keys) by the "
            "{engine} engine, without the participants' rows. The analyses and sections that need them are "
            "omitted: randomisation inference, the covariate-adjusted (Ye, Shao and Yi) analysis, the Fine-Gray "
            "model, small-sample intervals, the CONSORT diagram, the participants at randomisation, baseline "
            "balance, attrition, take-up, subgroups, sites, fidelity, power, heterogeneity, cost and the load-time "
            "anomalies.{adjusted} To obtain them, run the analysis with --engine memory."),
        "engine_adjusted": (
            " The adjusted Cox model is not computed: a covariate of the plan takes more than "
            "{levels} values, which counts cannot carry."),
        "cause": "Initiative",
        "employer": "Employer",
        "apprentice": "Young person",
        "mutual": "Mutual agreement",
        "trial_period": "Trial period",
        "unknown": "Unknown",
        "cs_hr": "Cause-specific HR",
        "fg_shr": "Fine-Gray SHR",
        "first_stage": "Share who received the support",
        "itt": "Effect of assignment (ITT)",
        "cace": "Effect on those supported (CACE)",
        "rupture_by_meetings": "Share of ruptures by number of meetings held (descriptive, not causal)",
        "meetings_held": "Meetings held",
        "contents": "Contents",
        "table_label": "Table",
        "figure_label": "Figure",
        "caption_sep": " – ",
        "how_to_read": "How to read this table",
        "tables_index": "Tables of the report",
        "sheet": "Sheet",
        "generated_by": "Produced by evalexp {version}",
        "m_km": (
            "Kaplan-Meier curves by arm, Greenwood variance, {level} log-log confidence intervals (R "
            "survfit, conf.type = \"log-log\"); number at risk on the day shown."),
        "m_logrank": "Mantel-Haenszel log-rank test (R survdiff){strata}.",
        "m_cox": (
            "Cox model, {ties} ties, Wald interval and p{strata}{cluster}; adjusted model: {covariates}."),
        "m_ph": (
            "Global Schoenfeld-residual test of proportional hazards of the unadjusted model (R cox.zph, "
            "KM transform)."),
        "m_rmst": (
            "RMST: area under the Kaplan-Meier curve up to {tau} days, Greenwood-type variance (R "
            "survRM2), difference supported − control, Wald CI."),
        "m_rd": "Risk difference: 1 − S({day}) by arm, Greenwood variances, Wald CI.",
        "m_ri": (
            "Randomisation inference: {perm} re-randomisations within strata (seed {seed}), arm sizes "
            "fixed; p = (1 + #{{stat* ≥ stat}}) / (1 + permutations)."),
        "m_ri_ci": (
            "Randomisation-based confidence intervals: the effects that the randomisation test does not reject "
            "at level {alpha}, on the same {perm} re-randomisations (Wang and Rosenberger 2020); for the hazard "
            "ratio, the studentised Cox score test with an offset ({ties} ties), for the risk difference at "
            "{day} days, the studentised, shifted Kaplan-Meier difference."),
        "m_competing": (
            "Competing risks by initiative: Aalen-Johansen cumulative incidence (R cmprsk::cuminc), "
            "Gray's test, cause-specific Cox model (other causes censored), Fine-Gray model (R "
            "cmprsk::crr)."),
        "m_outcomes": (
            "Binary outcomes: difference in proportions among those observed, Neyman (HC2) standard "
            "error, normal-approximation CI and p; multiplicity adjustment: {method}."),
        "m_balance": (
            "Balance: What Works Clearinghouse standardised differences (Hedges' g with small-sample "
            "correction for continuous variables, Cox index for binary ones)."),
        "m_attrition": (
            "Attrition: overall and differential rates against the What Works Clearinghouse {boundary} "
            "boundary (Standards Handbook v4.1)."),
        "m_power": (
            "Minimum detectable effect: Schoenfeld's formula for the hazard ratio, arcsine test for the "
            "risk difference (R pwr), on the equivalent number of participants observed to the horizon "
            "(censoring before the horizon reduces it)."),
        "m_disclosure_public": (
            "Statistical secrecy (rules in docs/disclosure.md): every count below {threshold} is hidden "
            "(\"<{threshold}\"), and so is a count whose complement in a published total is below "
            "{threshold}; when a row or column has a single hidden cell, another one is hidden too (\"s\"), "
            "until nothing changes. An estimate (share, hazard ratio, difference, interval, p) computed "
            "from a group with fewer than {threshold} people or {threshold} ruptures in either arm is not "
            "published; rare rupture initiatives are grouped. Curves are computed on a {grid}-day grid, "
            "each drawn step holds at least {threshold} ruptures, without censoring marks, and they stop "
            "where fewer than {threshold} people remain at risk; numbers at risk are rounded to 5. This "
            "folder's results.json follows the same rules (hidden values are null), and disclosure.json "
            "lists every hidden value and the rule applied."),
        "m_disclosure_evaluator": (
            "Evaluator's report, not for publication: every number and the exact curves are shown. Only "
            "the public version (--audience public) may be circulated."),
        "m_strata": ", stratified by '{strata}'",
        "m_cluster": ", cluster-robust standard errors on '{cluster}'",
        "none": "none",
        "consort_not_received": "Did not receive the support",
        "consort_censored": "Followed until the data extraction, before day {horizon} (censored)",
        "consort_analysed_outcome": "Analysed: {outcome}",
        "consort_caption": "CONSORT flow by group",
        "rupture_incidence": "Share of contracts broken",
        "horizon_day": "Horizon: day {day}",
        "consort_allocated_to": "{arm}: allocated",
        "consort_discontinued": "Discontinued the support",
        "consort_excluded_analysis": "Excluded from the analysis",
        "consort_eligible": "Assessed for eligibility",
        "consort_excluded": "Excluded",
        "stage": "Stage",
        "experiment_intro": (
            "{n} young people were randomised between the supported group ({n_t}) and the control group "
            "({n_c}). The primary analysis includes every randomised young person in the group they were "
            "assigned to (intention to treat); interrupted follow-ups are censored."),
        "rupture": "rupture",
        "attr_caption": (
            "Attrition by outcome: rates by group, overall and differential (points), rating against the "
            "WWC {boundary} boundary"),
        "lee": "Lee bounds (points)",
        "attrition_survival": "Rupture (lost before the horizon)",
        "w_cause_without_rupture": "Initiative given without an observed rupture",
        "w_followup_before_planned_end": "Follow-up ended before the planned end of the contract (censored)",
        "w_missing_values": "Missing values",
        "w_not_a_number": "Value that is not a number in a numeric column (column read as text)",
        "w_rupture_after_followup_end": "Rupture after the end of follow-up (censored)",
        "w_rupture_after_planned_end": "Rupture after the planned end of the contract (censored)",
        "w_rupture_without_cause": "Rupture without a recorded initiative",
        "column": "Column",
        "other_causes": "Other initiatives (grouped)",
        "all_causes": "All initiatives (grouped)",
        "cif_note": (
            "Exact curves by initiative (evaluator's report)."),
        "km_table": "Kaplan-Meier estimates by group: share [{level} CI] (number at risk)",
        "balance_caption": "Means (continuous variables) or shares, by group",
        "outcomes_caption": "Shares among those observed, by group",
        "cause_caption": "Ruptures by initiative and group; hazard ratios supported / control",
        "gray_short": "Gray, p",
        "subgroup_caption": "N / ruptures by group; hazard ratio of rupture supported / control",
        "start of the contract": "1. Start of the contract",
        "after the first month": "2. After the first month",
        "before the end or at six months": "3. Before the end or at six months",
        "due": "Due",
        "share_held": "Share held",
        "share_on_time": "Share on time",
        "all_on_time": "All three meetings on time",
        "fidelity_intro": (
            "Supported group: tripartite meetings (young person, employer, adviser) due, held, and held "
            "on time. A meeting that would fall after a rupture is not due."),
        # disclosure control (evalexp.disclosure)
        "not_for_publication": "NOT FOR PUBLICATION — evaluator's report, numbers not under statistical secrecy",
        "primary_hidden": (
            "The estimates of this chapter are not published: one of the arms has fewer than {threshold} "
            "people, ruptures or contracts not broken (statistical secrecy)."),
        "curve_note_public": (
            "Curves computed on a {grid}-day grid, each drawn step holding at least {threshold} ruptures, "
            "without censoring marks; they stop where fewer than {threshold} people remain followed; "
            "numbers at risk rounded to 5; bands: {level} confidence intervals (log-log)."),
        "cif_note_public": (
            "Initiatives with fewer than {threshold} ruptures in a group are grouped; curves on a {grid}-day "
            "grid, at least {threshold} ruptures per step."),
        "causes_merged": (
            "The grouped initiatives have fewer than {threshold} ruptures in one of the arms: their own "
            "counts and estimates are not published (statistical secrecy)."),
        "outcomes_rounded": (
            "Where fewer than {threshold} answers are missing in a group, the number observed is hidden and "
            "shares and differences are rounded to the whole percentage point and p to one decimal "
            "(statistical secrecy)."),
        "power_hidden": (
            "The minimum detectable effect is not published: it would reveal a number of ruptures below "
            "{threshold} (statistical secrecy)."),
        "q_n": "Participants",
        "q_events": "Ruptures",
        "q_planned_end": "Followed to the planned end of the contract",
        "q_extraction": "Followed to the data extraction",
        "q_lost": "Lost to follow-up",
        # small-sample versions and calibration (evalexp.report.calibration)
        "ss_shown": (
            "Small samples ({mode}): for {methods}, the report shows the small-sample valid version "
            "instead of the Wald interval (results.json holds both)."),
        "ss_not_shown": (
            "Small samples: the report shows the Wald intervals ({mode}); the small-sample valid versions "
            "({methods}) are in results.json."),
        "ss_mode_auto": "automatic choice below {threshold} participants or {clusters} clusters",
        "ss_mode_always": "the plan's choice: always",
        "ss_mode_never": "the plan's choice: never",
        "ss_rmst": "the RMST difference (studentised permutation test, Ditzhaus, Yu and Xu 2023)",
        "ss_rd": "the risk difference (Newcombe interval on Kaplan-Meier effective sample sizes)",
        "ss_cox_clusters": ("the Cox model with cluster-robust errors (Kauermann-Carroll bias-corrected sandwich "
                            "and Student t with G − 1 degrees of freedom)"),
        "ss_cox_unadjusted": ("the unadjusted Cox model (variance times n/(n − 1) and Student t with n − 1 degrees "
                              "of freedom)"),
        "ss_cox_unadjusted_firth": ("the unadjusted Cox model (Firth's penalised likelihood, profile likelihood "
                                    "interval)"),
        "ss_cox_adjusted": ("the adjusted Cox model (variance times n/(n − p), p coefficients, and Student t with "
                            "n − p degrees of freedom)"),
        "ss_cox_adjusted_firth": "the adjusted Cox model (Firth's penalised likelihood, profile likelihood interval)",
        "ss_ca": ("the covariate-adjusted hazard ratio (variances times n/(n − k), k parameters of the "
                  "adjustment, and Student t with n − k degrees of freedom)"),
        "ss_ca_unadjusted": ("the covariate-adjusted hazard ratio (too few ruptures to adjust: the unadjusted "
                             "stratified analysis instead, Firth's estimate)"),
        "ss_cox_adjusted_unadjusted": ("the adjusted Cox model (fewer than two ruptures per coefficient: the "
                                       "unadjusted Firth model in its place)"),
        "ss_rmst_bound": ("the RMST difference (no rupture: bounded by each arm's Wilson upper limit of the "
                          "rupture risk)"),
        "ss_ca_rmst": "the covariate-augmented RMST difference (Student t with n − k degrees of freedom)",
        "ss_ca_rmst_unadjusted": ("the covariate-augmented RMST difference (too few ruptures to adjust: the "
                                  "unadjusted studentised permutation test instead)"),
        "ss_ca_rd": "the covariate-augmented risk difference (Student t with n − k degrees of freedom)",
        "ss_ca_rd_unadjusted": ("the covariate-augmented risk difference (too few ruptures to adjust: the "
                                "unadjusted Newcombe interval instead)"),
        "cal_title": "Calibration of the methods over {reps} simulated trials like this one",
        "cal_intro": (
            "The trials are simulated from this cohort (same strata, sites, covariates, control-arm rupture "
            "hazard and censoring), without effect and with a hazard ratio of {hr}; each is analysed by the "
            "plan. A method is called calibrated when its type-I error lies between 3% and 5% plus three "
            "Monte Carlo errors ({se} points) and its {level} interval contains the true value in 95% minus "
            "three Monte Carlo errors to 97% of the trials."),
        "cal_method": "Method",
        "cal_type1": "Type-I error",
        "cal_coverage0": "Coverage (no effect)",
        "cal_power": "Power (HR {hr})",
        "cal_coverage1": "Coverage (HR {hr})",
        "cal_calibrated": "Calibrated",
        "cal_failed": "Not computed",
        "yes": "yes",
        "no": "no",
        "cal_sentence_test": (
            "Over {reps} simulated trials like this one, {method} wrongly concluded to an effect {rate} of "
            "the time."),
        "cal_sentence_ci": (
            "Over {reps} simulated trials like this one, {method} wrongly concluded to an effect {rate} of "
            "the time, and its {level} interval contained the true value {coverage} of the time."),
        "cal_cox_unadjusted": "the unadjusted Cox model",
        "cal_cox_unadjusted_small_sample": "the unadjusted Cox model (small sample)",
        "cal_cox_adjusted": "the adjusted Cox model",
        "cal_cox_adjusted_small_sample": "the adjusted Cox model (small sample)",
        "cal_cox_unadjusted_few_clusters": "the unadjusted Cox model (KC, Student t)",
        "cal_cox_adjusted_few_clusters": "the adjusted Cox model (KC, Student t)",
        "cal_logrank": "the log-rank test",
        "cal_randomization_logrank": "randomisation inference (log-rank)",
        "cal_randomization_cox_score": "randomisation inference (Cox score)",
        "cal_randomization_rmst": "randomisation inference (RMST)",
        "cal_rmst": "the RMST difference (Wald)",
        "cal_rmst_small_sample": "the RMST difference (studentised permutation)",
        "cal_risk_difference": "the risk difference (Wald)",
        "cal_risk_difference_small_sample": "the risk difference (Newcombe)",
        "cal_randomization_ci_hazard_ratio": "the hazard ratio (randomisation-test inversion)",
        "cal_randomization_ci_risk_difference": "the risk difference (randomisation-test inversion)",
        "cal_covariate_adjusted_logrank": "the covariate-adjusted log-rank test (Ye, Shao and Yi)",
        "cal_covariate_adjusted_logrank_small_sample": "the covariate-adjusted log-rank test (small sample)",
        "cal_covariate_adjusted_log_hr": "the covariate-adjusted hazard ratio (Ye, Shao and Yi)",
        "cal_covariate_adjusted_log_hr_small_sample": "the covariate-adjusted hazard ratio (small sample)",
        "cal_covariate_adjusted_rmst": "the covariate-adjusted RMST difference",
        "cal_covariate_adjusted_risk_difference": "the covariate-adjusted risk difference",
        "cal_covariate_adjusted_rmst_small_sample": "the covariate-adjusted RMST difference (small sample)",
        "cal_covariate_adjusted_risk_difference_small_sample": "the covariate-adjusted risk difference (small sample)",
    },
}


class Formatter:
    """Translate labels and format numbers, percentages and dates for one language.

    Parameters
    ----------
    language : {"fr", "en"}
    threshold : int
        The suppression threshold, shown as ``"<threshold"`` for hidden counts.
    """

    def __init__(self, language: str, threshold: int = 11, labels: dict[str, str] | None = None,
                 value_labels: dict[str, dict[str, str]] | None = None) -> None:
        if language not in STRINGS:
            raise ValueError(f"unsupported report language {language!r}")
        self.language = language
        self.threshold = threshold
        self.labels = dict(labels or {})
        self.value_labels = {column: dict(table) for column, table in (value_labels or {}).items()}
        self._strings = STRINGS[language]

    def var(self, column: str) -> str:
        """How the report names a data column: the plan's ``[labels]`` entry, else a reader word for a
        canonical column (``stratum`` -> ``strate``), else the column name with spaces for underscores."""
        if column in self.labels:
            return self.labels[column]
        return READER_WORDS[self.language].get(column, column.replace("_", " "))

    def reader(self, value: object) -> object:
        """A value placed in a sentence, in reader words: a code identifier (``logrank``,
        ``cox_score``, ``efron``, ``holm``, ``stratum``...) or a labelled column name becomes its
        words; anything else is returned unchanged."""
        if not isinstance(value, str):
            return value
        if value in self.labels:
            return self.labels[value]
        return READER_WORDS[self.language].get(value, value)

    def value(self, column: str, level: object) -> str:
        """How the report names a value of a column: the plan's ``[value_labels.<column>]`` entry, else
        the value itself."""
        return self.value_labels.get(column, {}).get(str(level), str(level))

    def var_level(self, column: str, level: object) -> str:
        """A level of a categorical variable, ``Diplôme : bac`` (fr) or ``Diploma: bac`` (en)."""
        sep = "\u00a0: " if self.language == "fr" else ": "
        return f"{self.var(column)}{sep}{self.value(column, level)}"

    def t(self, key: str, **values: object) -> str:
        """The label ``key`` in the report language, with ``{placeholders}`` filled."""
        text = self._strings[key]
        if values:
            text = text.format(**{name: self.reader(value) for name, value in values.items()})
        return typeset(text, self.language)

    def label(self, key: str, default: str | None = None) -> str:
        """A data label (cause, arm, rating): translated if known, else ``default`` (or ``key``)."""
        return self._strings.get(key, key if default is None else default)

    @property
    def hidden(self) -> str:
        """What a suppressed count shows: ``<11`` for the default threshold."""
        return f"<{self.threshold}"

    def number(self, value: float | None, digits: int = 2) -> str:
        """A decimal number with ``digits`` decimals; ``"–"`` when missing."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "–"
        value = round(float(value), digits) + 0.0  # + 0.0 turns -0.0 into 0.0
        text = f"{value:,.{digits}f}"
        if self.language == "fr":
            text = text.replace(",", NNBSP).replace(".", ",")
        return text.replace("-", "−")

    def integer(self, value: float | None) -> str:
        """A whole number with thousands separators."""
        return self.number(value, 0)

    def count(self, value: int | None, hidden: bool = False) -> str:
        """A count; when ``hidden``, ``"<threshold"`` if it is below the threshold, else ``"s"``
        (hidden by secondary suppression)."""
        if not hidden:
            return self.integer(value)
        return self.hidden if value is None or value < self.threshold else SECONDARY

    def percent(self, share: float | None, digits: int = 1) -> str:
        """A share (0-1) as a percentage: ``12,5 %`` (narrow no-break space) or ``12.5%``."""
        if share is None or not math.isfinite(share):
            return "–"
        sep = NNBSP if self.language == "fr" else ""
        return f"{self.number(100 * share, digits)}{sep}%"

    def points(self, share: float | None, digits: int = 1) -> str:
        """A difference of shares (0-1) in percentage points, signed."""
        if share is None or not math.isfinite(share):
            return "–"
        sign = "+" if share > 0 else ""
        return sign + self.number(100 * share, digits)

    def ci(self, low: float | None, high: float | None, digits: int = 2, scale: float = 1.0) -> str:
        """A confidence interval ``[low ; high]`` (French) or ``[low, high]`` (English); an infinite
        upper bound (a one-sided interval) is written ``∞``."""
        lo = None if low is None else low * scale
        hi = None if high is None else high * scale
        sep = " ; " if self.language == "fr" else ", "
        upper = "∞" if hi == math.inf else self.number(hi, digits)
        return f"[{self.number(lo, digits)}{sep}{upper}]"

    def pvalue(self, p: float | None) -> str:
        """A p-value: three decimals, ``< 0,001`` below that."""
        if p is None or not math.isfinite(p):
            return "–"
        if p < 0.001:
            return f"<{NNBSP if self.language == 'fr' else ' '}{self.number(0.001, 3)}"
        return self.number(p, 3)

    def p_equals(self, p: float | None) -> str:
        """``p = 0,012`` or ``p < 0,001``, for running text."""
        text = self.pvalue(p)
        return f"p {text}" if text.startswith("<") else f"p = {text}"

    def level(self, alpha: float) -> str:
        """The confidence level of ``alpha`` as a percentage: ``95 %``."""
        return self.percent(1 - alpha, 0)

    def date(self, value: _dt.date | _dt.datetime) -> str:
        """``4 décembre 2026`` in French (day without leading zero, month in words), ISO
        ``YYYY-MM-DD`` in English."""
        if self.language == "fr":
            return french_date(value.year, value.month, value.day)
        return value.strftime("%Y-%m-%d")


#: Reader words for the code identifiers that reach the text: statistic names, tie and
#: multiplicity methods, canonical column names. A technical annex may show the identifiers.
READER_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "logrank": "log-rank", "cox_score": "score de Cox", "rmst": "RMST", "efron": "Efron",
        "breslow": "Breslow", "holm": "Holm", "bh": "Benjamini-Hochberg", "none": "aucune",
        "stratum": "strate de randomisation", "site": "site", "arm": "groupe", "participant_id": "participant",
        "rupture_initiative": "initiative de la rupture", "support_received": "accompagnement reçu",
        "contract_start": "début du contrat", "contract_end_planned": "fin prévue du contrat",
        "followup_end": "fin du suivi", "rupture_date": "date de rupture", "assigned_on": "date d'affectation",
    },
    "en": {
        "logrank": "log-rank", "cox_score": "Cox score", "rmst": "RMST", "efron": "Efron",
        "breslow": "Breslow", "holm": "Holm", "bh": "Benjamini-Hochberg", "none": "none",
        "stratum": "randomisation stratum", "site": "site", "arm": "group", "participant_id": "participant",
        "rupture_initiative": "initiative of the rupture", "support_received": "support received",
        "contract_start": "contract start", "contract_end_planned": "planned contract end",
        "followup_end": "end of follow-up", "rupture_date": "rupture date", "assigned_on": "assignment date",
    },
}

#: Identifiers replaced by :func:`reader_words` in any text of the main report (whole words only).
_IDENTIFIER = re.compile(r"\b(logrank|cox_score|efron|breslow|holm|rmst)\b")

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")


def french_date(year: int, month: int, day: int) -> str:
    """``4 décembre 2026``; the first of the month is ``1er``."""
    return f"{'1er' if day == 1 else day} {MONTHS_FR[month - 1]} {year}"


def reader_words(text: str, language: str) -> str:
    """``text`` with the statistic and method identifiers of :data:`READER_WORDS` (``logrank``,
    ``cox_score``, ``efron``, ``holm``...) replaced by words, as whole words."""
    words = READER_WORDS[language]
    return _IDENTIFIER.sub(lambda m: words[m.group(1)], text)


_PUNCT = re.compile(r"(?:[ \u00a0\u202f]+|(?<=[^\s;:!?]))([;:!?])(?=\s|$|[»)\]])")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]*»")
_PERCENT = re.compile(r"(?<=\d)[ \u00a0]?%")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_DECIMAL = re.compile(r"(?<![\w.,\u202f])(\d+)\.(\d+)(?![\w.])")
_GROUPED = re.compile(r"(?<![\w.,\u202f])(\d{4,})(?=,\d|\u202f%)")
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_FR_DATE = re.compile(r"(?<![\d/])(\d{2})/(\d{2})/(\d{4})(?![\d/])")


def _long_date(year: str, month: str, day: str, original: str) -> str:
    try:
        date = _dt.date(int(year), int(month), int(day))
    except ValueError:
        return original
    return french_date(date.year, date.month, date.day)


def typeset_fr(text: str) -> str:
    """French typography (Imprimerie nationale) of a text already in French.

    - a narrow no-break space (U+202F) before ``; : ! ?`` (an ordinary or no-break space there is
      replaced, a missing one inserted when the sign ends a word: ``https://``, ``12:30`` and
      ``a::b`` are left alone) and inside ``« »``;
    - a narrow no-break space before ``%``;
    - the typographic apostrophe ``’`` between two letters;
    - the decimal comma in a number written ``12.5`` (not in ``0.1.0`` nor ``v4.1``);
    - U+202F thousands separators in a number of four digits or more that has decimals or a
      ``%`` (bare whole numbers in a sentence are more often years, seeds or codes);
    - dates ``2026-12-04`` and ``04/12/2026`` written ``4 décembre 2026``.

    The function is idempotent: applying it twice gives the same text.
    """
    text = _ISO_DATE.sub(lambda m: _long_date(m[1], m[2], m[3], m[0]), text)
    text = _FR_DATE.sub(lambda m: _long_date(m[3], m[2], m[1], m[0]), text)
    text = _DECIMAL.sub(r"\1,\2", text)
    text = _PERCENT.sub("\u202f%", text)
    text = _GROUPED.sub(lambda m: f"{int(m[1]):,}".replace(",", NNBSP), text)
    text = _PUNCT.sub(lambda m: NNBSP + m[1], text)
    text = _OPEN_QUOTE.sub("«" + NNBSP, text)
    text = _CLOSE_QUOTE.sub(NNBSP + "»", text)
    return _APOSTROPHE.sub("\u2019", text)


def typeset(text: str, language: str) -> str:
    """The typography of ``language`` applied to ``text`` (:func:`typeset_fr` in French; English
    text is left as it is)."""
    return typeset_fr(text) if language == "fr" else text
