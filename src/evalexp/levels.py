"""The order of a categorical covariate's levels, and its reference level: one rule for every model.

Levels are sorted as R's ``factor()`` sorts them in a French or English UTF-8 locale (ICU's
root collation, which R uses when built with ICU): case and accents are ignored first, then
unaccented before accented, then lower case before upper case; spaces and punctuation come
before digits, digits before letters. So ``"bac" < "CAP-BEP" < "sans diplôme" < "supérieur"``
(Python's own ``sorted`` would put ``"CAP-BEP"`` first: capitals before lower case). The
first level is the reference of the treatment (dummy) coding unless the plan's
``[reference] COLUMN = "level"`` names another (:func:`level_order` then puts it first).

Used by :func:`evalexp.survival.design.design_matrix` (Cox, Lin-adjusted outcomes,
Ye-Shao-Yi, calibration), the balance table and the subgroup levels. Checked against R
``coxph`` in ``tests/reference/levels/``. The reference level changes the coefficients of
that covariate's dummies only; the model (and the treatment estimate) is the same.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .errors import UnknownLevelError

#: Class of a character in the primary order: space, punctuation and symbols, digits, the rest (letters).
_SPACE, _PUNCTUATION, _DIGIT, _LETTER = range(4)


def _char_class(char: str) -> int:
    category = unicodedata.category(char)
    if category.startswith("Z") or char.isspace():
        return _SPACE
    if category.startswith(("P", "S")):
        return _PUNCTUATION
    if category == "Nd":
        return _DIGIT
    return _LETTER


def collation_key(level: Any) -> tuple:
    """Sort key of a level (texts as described in the module docstring; numbers before texts,
    in numeric order)."""
    if isinstance(level, (bool, np.bool_, int, float, np.integer, np.floating)):
        return (0, float(level))
    text = str(level)
    decomposed = unicodedata.normalize("NFD", text)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    primary = tuple((_char_class(c), c.casefold()) for c in base)
    accents = tuple(unicodedata.normalize("NFD", c)[1:] for c in unicodedata.normalize("NFC", text))
    case = tuple(c.isupper() for c in base)
    return (1, primary, accents, case, text)


def level_order(levels: Iterable[Any], reference: str | None = None) -> list[Any]:
    """The distinct ``levels`` in collation order (:func:`collation_key`), ``reference`` first
    when given and present (compared as text)."""
    ordered = sorted(dict.fromkeys(levels), key=collation_key)
    if reference is not None:
        first = [lv for lv in ordered if str(lv) == reference]
        ordered = first + [lv for lv in ordered if str(lv) != reference]
    return ordered


def check_references(data: pd.DataFrame, reference: dict[str, str], source: str,
                     label: dict[str, str] | None = None) -> None:
    """Refuse a ``[reference]`` level absent from its column, or given for a numeric column.

    Parameters
    ----------
    data : pandas.DataFrame
        The converted cohort (canonical names).
    reference : dict
        The plan's ``[reference]``, column -> level.
    source : str
        The file, for the message.
    label : dict, optional
        Column -> how messages name it (``source name (canonical)``).

    Raises
    ------
    UnknownLevelError
    """
    for column, level in reference.items():
        if column not in data:
            continue  # a column the plan names and the file lacks is refused before, by check_columns
        name = (label or {}).get(column, column)
        values = data[column].dropna()
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            raise UnknownLevelError(source, name, f"the plan's [reference] gives the level {level!r}, but the "
                                                  f"column is numeric: a reference level applies to a categorical "
                                                  f"(text) covariate")
        present = level_order(values.astype(str))
        if level not in present:
            shown = ", ".join(repr(lv) for lv in present[:10]) + (" ..." if len(present) > 10 else "")
            raise UnknownLevelError(source, name, f"the plan's [reference] level {level!r} is not among the "
                                                  f"column's values ({shown})")
