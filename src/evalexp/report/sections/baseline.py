"""Table 1: the participants' baseline characteristics by arm (CONSORT 2010 item 15).

Reads ``results["baseline"]`` of the publication (:mod:`evalexp.integrity.baseline`; in a public
report :mod:`evalexp.disclosure.baseline` has withheld its small counts with one pattern shared with
the balance and subgroup tables). A categorical or binary variable shows, per level and arm,
``n (%)`` with the share among the known values; a continuous one ``mean (SD)``; a row of missing
values follows a variable that has some. A withheld count prints its mark (``<11`` or ``s``); a
share whose count or denominator (the arm's known values) is withheld prints ``s``.
"""
from __future__ import annotations

from typing import Any

from ..document import Paragraph, Section, Table
from ..i18n import SECONDARY
from .context import ARMS, Context, hidden_note

TEXTS = {
    "fr": {
        "title": "Les participants au moment du tirage au sort",
        "intro": ("Le tableau ci-dessous décrit les jeunes de chaque groupe au moment du tirage au sort, sur les "
                  "caractéristiques que retient le plan d'analyse (variables d'ajustement, strates de la "
                  "randomisation, sous-groupes)."),
        "caption": ("Caractéristiques des participants au tirage au sort, par groupe : effectif (part parmi les "
                    "valeurs renseignées) ou moyenne (écart-type)"),
        "size": "Effectif du groupe",
        "mean_sd": "moyenne (écart-type)",
        "missing": "non renseigné",
        "note": ("Comment lire ce tableau : pour une caractéristique en catégories, le nombre de jeunes du groupe "
                 "dans la catégorie et, entre parenthèses, leur part parmi ceux dont la caractéristique est "
                 "renseignée ; pour une caractéristique numérique, sa moyenne et, entre parenthèses, son "
                 "écart-type. Le tirage au sort rend les groupes semblables en moyenne, non identiques : de petits "
                 "écarts sont attendus, et le tableau suivant les mesure."),
    },
    "en": {
        "title": "The participants at randomisation",
        "intro": ("The table below describes the young people of each group when they were randomised, on the "
                  "characteristics the analysis plan names (adjustment variables, randomisation strata, "
                  "subgroups)."),
        "caption": ("Participants' characteristics at randomisation, by group: number (share of the known values) "
                    "or mean (standard deviation)"),
        "size": "Group size",
        "mean_sd": "mean (SD)",
        "missing": "not known",
        "note": ("How to read this table: for a characteristic in categories, the number of young people of the "
                 "group in the category and, in brackets, their share of those whose characteristic is known; for "
                 "a numeric characteristic, its mean and, in brackets, its standard deviation. Randomisation makes "
                 "the groups alike on average, not identical: small gaps are expected, and the next table measures "
                 "them."),
    },
}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _known(ctx: Context, i: int, arm: str) -> int | None:
    """The arm's number of known values of variable ``i`` (``None`` when withheld)."""
    n, missing = ctx.get("n", arm), ctx.get("baseline", "variables", i, "missing", arm)
    return None if n is None or missing is None else n - missing


def _count_share(ctx: Context, i: int, level: str, arm: str) -> str:
    path = ("baseline", "variables", i, "levels", level, arm)
    count, known = ctx.get(*path), _known(ctx, i, arm)
    if count is None:
        return ctx.count(*path)
    share = SECONDARY if known is None else ctx.fmt.percent(count / known if known else None)
    return f"{ctx.fmt.integer(count)} ({share})"


def _mean_sd(ctx: Context, i: int, arm: str) -> str:
    base = ("baseline", "variables", i)
    if ctx.get(*base, "mean", arm) is None:
        return ctx.stat(*base, "mean", arm, digits=1)
    return f"{ctx.stat(*base, 'mean', arm, digits=1)} ({ctx.stat(*base, 'sd', arm, digits=1)})"


def _rows(ctx: Context, i: int, var: dict[str, Any]) -> list[tuple[str, ...]]:
    fmt, words = ctx.fmt, TEXTS[ctx.fmt.language]
    name = var["variable"]
    if var["kind"] == "continuous":
        rows = [(f"{_capital(fmt.var(name))}, {words['mean_sd']}", *(_mean_sd(ctx, i, a) for a in ARMS))]
    else:
        rows = [(_capital(fmt.var_level(name, level)), *(_count_share(ctx, i, level, a) for a in ARMS))
                for level in var["levels"]]
    exact_missing = [var["missing"][a] for a in ARMS]
    if any(m is None or m > 0 for m in exact_missing):
        sep = "\u00a0: " if fmt.language == "fr" else ": "
        rows.append((f"{_capital(fmt.var(name))}{sep}{words['missing']}",
                     *(ctx.count("baseline", "variables", i, "missing", a) for a in ARMS)))
    return rows


def section(ctx: Context) -> Section | None:
    block = ctx.get("baseline")
    if not block or not block.get("variables"):
        return None
    fmt, words = ctx.fmt, TEXTS[ctx.fmt.language]
    rows: list[tuple[str, ...]] = [(words["size"], *(ctx.count("n", a) for a in ARMS))]
    for i, var in enumerate(block["variables"]):
        rows += _rows(ctx, i, var)
    table = Table((fmt.t("covariate"), fmt.t("treatment"), fmt.t("control")), tuple(rows),
                  caption=words["caption"], note=words["note"])
    return Section("baseline", words["title"], (Paragraph(words["intro"]), table, hidden_note(ctx)))
