"""Baseline balance: covariates by arm, standardised differences, WWC rating.

A difference beyond 0.25 standard deviation is labelled a "large difference", never a failure:
under low attrition (every outcome rated "low" in the attrition block), the What Works
Clearinghouse does not require baseline equivalence of a randomised trial, since the lottery
makes the groups comparable on average and such a gap is chance; the section then says so and
points to the covariate-adjusted estimate. Under high (or unknown) attrition the gap means
equivalence is not established for the analysed sample (WWC Procedures and Standards Handbook
v5.0, 2022, ch. III).
"""
from __future__ import annotations

import pandas as pd

from .. import figures
from ..document import Block, Paragraph, Section, Table
from .context import ARMS, Context, hidden_note

TEXTS = {
    "fr": {
        "large_low": ("{k} caractéristique(s) diffère(nt) de plus de 0,25 écart-type entre les groupes. L'attrition "
                      "étant faible, le tirage au sort garantit des groupes comparables en moyenne : cet écart "
                      "relève du hasard et ne remet pas en cause la comparaison, mais l'estimation ajustée sur ces "
                      "caractéristiques (analyses de sensibilité) vérifie qu'il ne change pas le résultat."),
        "large_high": ("{k} caractéristique(s) diffère(nt) de plus de 0,25 écart-type entre les groupes analysés. "
                       "L'attrition n'étant pas faible, l'équivalence des groupes n'est pas établie pour ces "
                       "caractéristiques (WWC) : les résultats doivent être lus avec prudence et l'estimation "
                       "ajustée privilégiée."),
        "note": ("Comment lire ce tableau : une différence standardisée proche de 0 signifie que les deux groupes "
                 "se ressemblent sur cette caractéristique au moment du tirage au sort."),
    },
    "en": {
        "large_low": ("{k} characteristic(s) differ by more than 0.25 standard deviation between the groups. "
                      "Attrition being low, the lottery makes the groups comparable on average: the gap is chance "
                      "and does not undermine the comparison, but the estimate adjusted for these characteristics "
                      "(sensitivity analyses) checks that it does not change the result."),
        "large_high": ("{k} characteristic(s) differ by more than 0.25 standard deviation between the analysed "
                       "groups. Attrition not being low, equivalence of the groups is not established on these "
                       "characteristics (WWC): read the results with caution and prefer the adjusted estimate."),
        "note": ("How to read this table: a standardised difference close to 0 means the two groups were alike on "
                 "this characteristic when they were drawn by lot."),
    },
}


def _low_attrition(ctx: Context) -> bool:
    """Whether every outcome's attrition is rated "low" in the publication."""
    outcomes = (ctx.get("attrition") or {}).get("outcomes") or {}
    return bool(outcomes) and all(entry.get("rating") == "low" for entry in outcomes.values())


def section(ctx: Context) -> Section | None:
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
    words = TEXTS[fmt.language]
    blocks += [Table(header, tuple(rows), caption=fmt.t("balance_caption"), note=words["note"]), hidden_note(ctx)]
    large = sum(row["rating"] == "fails" for row in block["covariates"])
    if large:
        blocks.append(Paragraph(words["large_low" if _low_attrition(ctx) else "large_high"].format(k=large)))
    return Section("balance", fmt.t("sec_balance"), tuple(blocks))
