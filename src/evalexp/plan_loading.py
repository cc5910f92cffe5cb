"""The plan keys that say how to read a partner's export (docs/CONTRACT.md sections 2 and 11).

:func:`evalexp.plan.plan_from_dict` calls these checks; each raises
:class:`~evalexp.errors.PlanError` naming the plan file and the key.

- ``[data] header_row = N``: the 1-based row (CSV line or sheet row) of the header; the rows
  above it are ignored (a title, an export date). Default 1.
- ``[data] date_format``: ``"auto"``, a :func:`datetime.datetime.strptime` format
  (``"%d/%m/%Y"``), or one of the spellings of :data:`DATE_SPELLINGS` (``"DD/MM/YYYY"``,
  French ``"JJ/MM/AAAA"``...), optionally followed by ``" HH:MM"`` or ``" HH:MM:SS"``; a
  spelling is translated once, here, to its strptime format. Spellings ignore case.
- ``[recode.COLUMN]``: canonical value -> list of source labels. Labels match after
  :func:`fold_label` (surrounding spaces stripped, case and accents ignored, ``’`` read as
  ``'``), so two labels of one column that fold to the same text are refused. The canonical
  value is itself accepted as a label.
- ``[reference] COLUMN = "level"``: the reference level of a categorical covariate
  (:mod:`evalexp.levels`); the column must be one the plan uses as a covariate.
- Column names: every key naming a column uses the column's **canonical** name when
  ``[columns]`` maps it (the name after renaming); its source name is refused, naming the
  canonical one (:func:`check_column_names`).
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from .errors import PlanError

#: The date spellings ``[data] date_format`` accepts besides strptime formats, and their translation.
DATE_SPELLINGS = {
    "DD/MM/YYYY": "%d/%m/%Y", "JJ/MM/AAAA": "%d/%m/%Y",
    "YYYY-MM-DD": "%Y-%m-%d", "AAAA-MM-JJ": "%Y-%m-%d",
    "DD-MM-YYYY": "%d-%m-%Y", "JJ-MM-AAAA": "%d-%m-%Y",
    "DD.MM.YYYY": "%d.%m.%Y", "JJ.MM.AAAA": "%d.%m.%Y",
    "MM/DD/YYYY": "%m/%d/%Y",
    "DD/MM/YY": "%d/%m/%y", "JJ/MM/AA": "%d/%m/%y",
}
#: The times of day a spelling may end with, and their translation.
TIME_SPELLINGS = {"HH:MM": "%H:%M", "HH:MM:SS": "%H:%M:%S"}
#: A moment whose every field differs, to check that a strptime format reads back what it writes.
_PROBE = dt.datetime(2011, 12, 31, 13, 45, 56)


def date_format(value: str, source: str) -> str:
    """``[data] date_format`` as a strptime format (``"auto"`` stays ``"auto"``).

    A value holding ``%`` is a strptime format: it must read back the day, month and year it
    writes. Any other value is a spelling of :data:`DATE_SPELLINGS` (case ignored), with an
    optional time of :data:`TIME_SPELLINGS` after a space.
    """
    if value == "auto":
        return value
    if "%" in value:
        try:
            probe = _PROBE.strftime(value)
            read = dt.datetime.strptime(probe, value)
        except ValueError:
            read = None
        if read is None or read.date() != _PROBE.date():
            raise PlanError(f"{source}: 'date_format' in [data] = {value!r} does not read a whole date (day, "
                            f"month and year) back: write a strptime format such as '%d/%m/%Y', or a spelling "
                            f"({accepted_spellings()})")
        return value
    date, _, time = value.strip().upper().partition(" ")
    if date in DATE_SPELLINGS and (not time or time.strip() in TIME_SPELLINGS):
        return DATE_SPELLINGS[date] + (" " + TIME_SPELLINGS[time.strip()] if time else "")
    raise PlanError(f"{source}: 'date_format' in [data] = {value!r} is not a known spelling; accepted: "
                    f"{accepted_spellings()}, each optionally followed by ' HH:MM' or ' HH:MM:SS'; or "
                    f"\"auto\", or a strptime format such as \"%d/%m/%Y\"")


def accepted_spellings() -> str:
    return ", ".join(DATE_SPELLINGS)


def header_row(value: int, source: str) -> int:
    """``[data] header_row``: a whole number >= 1."""
    if value < 1:
        raise PlanError(f"{source}: 'header_row' in [data] must be a row number >= 1 (1 = the first row), "
                        f"got {value}")
    return value


def fold_label(label: str) -> str:
    """A label as it is matched: surrounding spaces stripped, accents and case ignored, ``’`` = ``'``.

    ``" À l’initiative de l'Employeur "`` and ``"a l'initiative de l'employeur"`` fold alike.
    """
    decomposed = unicodedata.normalize("NFKD", label.strip().replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _labels(value: Any, where: str, source: str) -> list[str]:
    labels = [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value
    if (not isinstance(labels, list) or not labels
            or not all(isinstance(v, (str, int)) and not isinstance(v, bool) and str(v).strip() for v in labels)):
        raise PlanError(f"{source}: {where} must be a label or a list of labels (texts or whole numbers), "
                        f"got {value!r}")
    return [str(v) for v in labels]


def recode_tables(raw: Any, source: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """``[recode.COLUMN]`` tables checked: ``{column: {canonical value: (label, ...)}}``.

    Refuses a table that is not a mapping of labels, a column ``participant_id`` or ``arm``
    (the arms have ``[arms]``), and two labels of one column that fold to the same text
    (:func:`fold_label`) under different canonical values.
    """
    if not isinstance(raw, dict):
        raise PlanError(f"{source}: [recode] must hold one table per column, [recode.COLUMN], got {raw!r}")
    tables: dict[str, dict[str, tuple[str, ...]]] = {}
    for column, table in raw.items():
        if column in ("participant_id", "arm"):
            raise PlanError(f"{source}: [recode.{column}] is not allowed: "
                            + ("identifiers are never recoded" if column == "participant_id"
                               else "arm labels are mapped by [arms]"))
        if not isinstance(table, dict) or not table:
            raise PlanError(f"{source}: [recode.{column}] must map canonical values to lists of source labels, "
                            f"got {table!r}")
        owner: dict[str, tuple[str, str]] = {}
        checked: dict[str, tuple[str, ...]] = {}
        for value, labels in table.items():
            if not value.strip():
                raise PlanError(f"{source}: [recode.{column}] has an empty canonical value")
            listed = _labels(labels, f"[recode.{column}] {value!r}", source)
            for label in (value, *listed):
                folded = fold_label(label)
                if folded in owner and owner[folded][0] != value:
                    other_value, other_label = owner[folded]
                    raise PlanError(f"{source}: [recode.{column}] labels {other_label!r} (-> {other_value!r}) and "
                                    f"{label!r} (-> {value!r}) are the same once case, accents and surrounding "
                                    f"spaces are ignored: a label may map to one value only")
                owner.setdefault(folded, (value, label))
            checked[value] = tuple(listed)
        tables[column] = checked
    return tables


def reference_levels(raw: Any, covariates: set[str], source: str) -> dict[str, str]:
    """``[reference]`` checked: ``{column: level}`` for columns the plan uses as covariates."""
    if not isinstance(raw, dict):
        raise PlanError(f"{source}: [reference] must map covariate columns to their reference level, got {raw!r}")
    for column, level in raw.items():
        if not isinstance(level, str) or not level.strip():
            raise PlanError(f"{source}: [reference] {column!r} must be a level (a non-empty text), got {level!r}")
        if column not in covariates:
            known = ", ".join(sorted(covariates)) or "none"
            raise PlanError(f"{source}: [reference] {column!r} is not a covariate of the plan ([survival] "
                            f"covariates, [outcomes] adjust, [integrity] balance or subgroups: {known})")
    return {column: level.strip() for column, level in raw.items()}


def check_column_names(columns: dict[str, str], named: dict[str, list[str]], source: str) -> None:
    """Refuse a key that names a column by the source name ``[columns]`` renames.

    Parameters
    ----------
    columns : dict
        The plan's ``[columns]``, source name -> canonical name.
    named : dict
        Where a key names columns (e.g. ``"'covariates' in [survival]"``) -> the names it gives.
    """
    canonical = set(columns.values())
    for where, names in named.items():
        for name in names:
            if name in columns and name not in canonical and columns[name] != name:
                raise PlanError(f"{source}: {where} names {name!r}, the source name of a column that [columns] "
                                f"renames to {columns[name]!r}: plan keys use the canonical name, "
                                f"write {columns[name]!r}")
