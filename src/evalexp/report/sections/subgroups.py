"""Subgroups: hazard ratios by level and interaction tests (forest plot).

The forest plot is drawn only when at least one level's hazard ratio is published: in a public
report where every level's estimate is withheld it would show nothing but sizes, so a sentence
says why it is left out (and the table keeps the sizes and the interaction tests)."""
from __future__ import annotations

import pandas as pd

from ...disclosure.ledger import pointer
from .. import figures
from ..document import Block, Paragraph, Section, Table
from .context import ARMS, Context, est_ci, hidden_note

TEXTS = {
    "fr": {
        "withheld": ("Aucun rapport des risques par sous-groupe n'est publié : chaque sous-groupe compte, dans l'un "
                     "des groupes, moins de {threshold} participants, ruptures ou contrats non rompus (secret "
                     "statistique). Le graphique des effets par sous-groupe est donc omis ; les tests "
                     "d'interaction, calculés sur l'ensemble des participants, restent publiés."),
        "not_estimable": ("Aucun rapport des risques par sous-groupe n'a pu être estimé (un sous-groupe sans "
                          "rupture dans l'un des groupes) : le graphique des effets par sous-groupe est omis."),
    },
    "en": {
        "withheld": ("No hazard ratio by subgroup is published: every subgroup has, in one of the groups, fewer "
                     "than {threshold} participants, ruptures or contracts not broken (statistical secrecy). The "
                     "figure of the effects by subgroup is therefore left out; the interaction tests, computed on "
                     "all participants, are published."),
        "not_estimable": ("No hazard ratio by subgroup could be estimated (a subgroup without rupture in one of "
                          "the groups): the figure of the effects by subgroup is left out."),
    },
}


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


def section(ctx: Context) -> Section | None:
    block = ctx.get("subgroups")
    if not block or not block.get("variables"):
        return None
    fmt = ctx.fmt
    forest = _forest(ctx)
    lead: Block
    if not forest.empty and forest["estimate"].notna().any():
        lead = ctx.figure(figures.forest_plot(forest, fmt), "subgroups",
                          f"{fmt.t('forest_x')}, {fmt.t('ci_level', level=ctx.level)}")
    else:  # a figure of sizes alone, without any estimate, says nothing of the effect: left out
        withheld = any(ctx.pub.rule(pointer(("subgroups", "variables", variable, "levels", level, "cox", "hr")))
                       for variable, entry in block["variables"].items() for level in entry["levels"])
        lead = Paragraph(TEXTS[fmt.language]["withheld" if withheld else "not_estimable"].format(
            threshold=ctx.threshold))
    rows = []
    for variable, entry in block["variables"].items():
        for i, level in enumerate(entry["levels"]):
            base = ("subgroups", "variables", variable, "levels", level)
            hr = est_ci(ctx, base + ("cox",))
            hr_text = hr[0] if hr[1] in (hr[0], "–") else f"{hr[0]} {hr[1]}"
            p = fmt.pvalue(entry["interaction"]["p_value"]) if i == 0 else ""
            rows.append((fmt.var_level(variable, level),
                         *(f"{ctx.count(*base, 'n', a)} / {ctx.count(*base, 'events', a)}" for a in ARMS), hr_text, p))
    header = (fmt.t("subgroup"), fmt.t("treatment"), fmt.t("control"), f"{fmt.t('hr_short')} [{fmt.t('ci')}]",
              fmt.t("interaction_p"))
    return Section("subgroups", fmt.t("sec_subgroups"),
                   (lead, Table(header, tuple(rows), caption=fmt.t("subgroup_caption"), note=fmt.t("read_subgroups")),
                    hidden_note(ctx)))
