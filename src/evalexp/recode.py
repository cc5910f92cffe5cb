"""``[recode.COLUMN]``: a column's source labels replaced by canonical values, before validation.

A plan such as::

    [recode.employed_6m]
    1 = ["Oui", "O"]
    0 = ["Non", "N"]

    [recode.rupture_initiative]
    employer = ["à l'initiative de l'employeur", "licenciement"]
    mutual = ["rupture amiable", "d'un commun accord"]

turns every ``Oui`` of ``employed_6m`` into ``1``. Matching is that of
:func:`evalexp.plan_loading.fold_label`: exact once surrounding spaces are stripped and case
and accents ignored (``"OUI"``, ``" oui "`` and ``"Oui"`` all match ``"Oui"``; ``"A
l'initiative de l'employeur"`` matches ``"à l'initiative de l'employeur"``); the canonical
value itself is accepted too. Empty cells stay missing. Any other label is bad input
(:class:`~evalexp.errors.UnmappedLabelError`, naming the file, the column, the labels and the
rows). Columns are named by their canonical name (after ``[columns]``); the values are
compared as text (a number cell ``1`` as ``"1"``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import MissingColumnError, UnmappedLabelError, listed_values
from .plan import Plan
from .plan_loading import fold_label
from .validate import Table


def recode(table: Table, text: dict[str, pd.Series], plan: Plan) -> dict[str, pd.Series]:
    """The recoded columns of the plan's ``[recode]``, as text (``NaN`` where missing).

    Parameters
    ----------
    table : Table
        The table under canonical names (for messages).
    text : dict
        Column -> its cells as text (``NaN`` where missing), for the recoded columns.
    plan : Plan

    Raises
    ------
    MissingColumnError
        A recoded column that the file does not have.
    UnmappedLabelError
        A label that the column's table does not map.
    """
    recoded: dict[str, pd.Series] = {}
    for column, table_ in plan.recode.items():
        if column not in text:
            raise MissingColumnError(table.source, column, f"missing column: '{column}' (recoded by the plan's "
                                                           f"[recode.{column}])")
        lookup = {fold_label(value): value for value in table_}
        lookup.update({fold_label(label): value for value, labels in table_.items() for label in labels})
        values = text[column]
        codes, uniques = pd.factorize(values)
        mapped = np.array([lookup.get(fold_label(str(u))) for u in uniques] + [np.nan], dtype=object)
        unmapped = np.array([m is None for m in mapped[:-1]] + [False], dtype=bool)
        bad = unmapped[codes]
        if bad.any():
            labels = sorted(str(u) for u, miss in zip(uniques, unmapped) if miss)
            known = sorted({*table_, *(label for labels_ in table_.values() for label in labels_)})
            raise table.refuse(UnmappedLabelError, column,
                               f"label{'s' if len(labels) > 1 else ''} {listed_values(labels)} not mapped by the "
                               f"plan's [recode.{column}] (known labels: {', '.join(known)})", bad,
                               "add them to the plan's table, or leave the cells empty if the value is missing")
        recoded[column] = pd.Series(mapped[codes], index=values.index, dtype=object)
    return recoded
