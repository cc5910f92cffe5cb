"""Load a cohort: read, map, convert, validate, pseudonymise, derive.

:func:`load_cohort` is the only way from a file to a :class:`~evalexp.cohort.Cohort`
(:func:`load_frame` the way from a DataFrame in memory); the raw participant
identifiers never leave this module except in the ``rows`` of an error (its message
prints source lines, never identifiers).

Steps
-----
1. :func:`evalexp.readers.read_table` (any supported format).
2. The plan's ``[columns]`` renames source columns to canonical names.
3. Columns: required and plan-named columns must exist (:mod:`evalexp.validate`);
   the plan's ``[recode.COLUMN]`` tables replace source labels by canonical values
   (:mod:`evalexp.recode`), so that every later step sees canonical values.
4. Identifiers: none missing, none repeated; arms mapped by ``[arms]``.
5. Dates: the canonical date columns, the plan's meeting columns and any other
   column whose every value looks like a date. ISO ``YYYY-MM-DD`` is always
   read; ``DD/MM/YYYY`` is read day first only with evidence: the plan's
   ``[data] date_format`` (a spelling such as ``DD/MM/YYYY`` or a strptime format,
   :mod:`evalexp.plan_loading`), or a value of some date column
   of the file whose first field exceeds 12. Slash dates without that evidence
   raise :class:`~evalexp.errors.AmbiguousDateError`; other values
   :class:`~evalexp.errors.DateParseError`. A time of day after a date is
   dropped (with a ``date_format``, a value may have a time the format does
   not, or lack one it has). With a ``date_format``, a column whose every value
   reads by it is a date column too. Native dates (Excel, Parquet, Stata, SAS) are taken as they are;
   whole numbers in a date column of a SAS file are SAS dates (days since
   1960-01-01), as pandas does not always see a SAS column's date format.
6. Numbers: a text column whose every value is a number becomes numeric
   (``int64`` when whole and complete, else ``float64``); spaces, U+00A0 and
   U+202F are thousands separators and ``,`` is a decimal mark (so ``1,234``
   reads 1.234). ``participant_id``, ``arm``, ``rupture_initiative``,
   ``stratum`` and ``site`` stay text.
   The canonical date columns and the plan's meeting columns must lie within
   ``[data] date_min`` .. ``date_max`` (default 1990-01-01 .. 2099-12-31;
   :class:`~evalexp.errors.DateRangeError`), other date columns within what
   ``datetime64[ns]`` holds (1677-09-22 .. 2262-04-11).
7. Checks: dates in order, ``support_received`` and the plan's binary outcomes
   0/1, no stray non-number in a mostly numeric covariate
   (:func:`_check_numeric_covariates`), each ``[reference]`` level present in its
   column (:func:`evalexp.levels.check_references`); warnings for non-fatal oddities.
8. Pseudonyms (:mod:`evalexp.pseudonym`), then
   :func:`evalexp.cohort.derive_survival`.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .cohort import Cohort, derive_survival
from .errors import (
    AmbiguousDateError,
    DateParseError,
    DateRangeError,
    EmptyFileError,
    NotANumberError,
    UnreadableFileError,
    listed_values,
    shown_value,
)
from .guards import check_horizon, require, require_path
from .levels import check_references
from .plan import Plan, default_plan
from .pseudonym import new_key, pseudonymise
from .readers import RawTable, read_table
from .recode import recode
from .validate import (
    DATE_COLUMNS,
    TEXT_COLUMNS,
    Table,
    check_binary,
    check_columns,
    check_dates,
    check_ids,
    data_warnings,
    map_arms,
)

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
#: A time of day after a date, as exports write it.
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_THOUSANDS = re.compile("[ \u00a0\u202f]")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_DATE_TYPES = (dt.date, np.datetime64)
_SAS_EPOCH = pd.Timestamp("1960-01-01")
#: Days that ``datetime64[ns]`` can hold: the bounds of the date columns the plan does not bound.
_REPRESENTABLE = ((pd.Timestamp.min + pd.Timedelta(days=1)).date(), pd.Timestamp.max.date())


def _is_text(column: pd.Series) -> bool:
    return column.dtype == object or isinstance(column.dtype, pd.StringDtype)


def _strptime(value: str, date_format: str) -> dt.date | None:
    """``value`` read by ``date_format``, a time of day on either side dropped when the other has none."""
    date_only = date_format.split(" %H")[0]
    for text, fmt in ((value, date_format), (_TIME.sub("", value), date_only)):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _looks_like_dates(column: pd.Series, date_format: str = "auto") -> bool:
    values = column.dropna().unique()
    if len(values) == 0:
        return False
    return all(isinstance(v, _DATE_TYPES) or (isinstance(v, str) and (
        _ISO.fullmatch(v) or _SLASH.fullmatch(v) or (date_format != "auto" and _strptime(v, date_format))))
        for v in values)


def _as_date(value) -> dt.date | None:
    """A native date cell (``datetime.date``, ``Timestamp``, ``numpy.datetime64``) as a day, or None."""
    if isinstance(value, np.datetime64):
        value = value.astype("datetime64[D]").item()  # an int beyond Python's years 1-9999
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


class _DateReader:
    """Parse the date columns of one table with one day-first decision.

    Each distinct value becomes a :class:`datetime.date` first (years 1-9999,
    so that a typo such as 1011 or 9999 is seen as such rather than overflowing
    pandas' nanosecond range), then is checked against its column's bounds.
    """

    def __init__(self, table: Table, columns: list[str], date_format: str, bounds: tuple[dt.date, dt.date],
                 sas: bool = False):
        self.table = table
        self.format = date_format
        self.sas = sas
        self.bounds = bounds
        slash_columns, day_above_12 = [], False
        for column in columns:
            uniques = [u for u in table.data[column].dropna().unique() if isinstance(u, str)]
            firsts = [int(m.group(1)) for m in map(_SLASH.fullmatch, uniques) if m]
            if firsts:
                slash_columns.append(column)
                day_above_12 = day_above_12 or max(firsts) > 12
        if slash_columns and date_format == "auto" and not day_above_12:
            column = slash_columns[0]
            mask = table.data[column].map(lambda v: isinstance(v, str) and bool(_SLASH.fullmatch(v))).to_numpy()
            raise table.refuse(
                AmbiguousDateError, column,
                f"slash dates that could be DD/MM/YYYY or MM/DD/YYYY (no day above 12 in "
                f"{', '.join(repr(table.label(c)) for c in slash_columns)}); set [data] date_format = "
                f"\"%d/%m/%Y\" in the plan", mask)

    def _parse_text(self, value: str) -> dt.date | None:
        if m := _ISO.fullmatch(value):
            year, month, day = (int(g) for g in m.groups())
        elif self.format != "auto":
            return _strptime(value, self.format)
        elif m := _SLASH.fullmatch(value):
            day, month, year = (int(g) for g in m.groups())
        else:
            return None
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None

    def _parse_value(self, value) -> dt.date | None:
        if isinstance(value, str):
            return self._parse_text(value)
        if self.sas and isinstance(value, (float, int, np.number)) and float(value).is_integer():
            try:
                return _SAS_EPOCH.date() + dt.timedelta(days=int(value))
            except OverflowError:
                return None
        return _as_date(value)

    def parse(self, column: str, bounds: tuple[dt.date, dt.date] | None = None) -> pd.Series:
        """The column as ``datetime64[ns]`` (NaT where missing); raises on a bad value.

        ``bounds`` (default: the reader's, i.e. the plan's ``date_min``,
        ``date_max``) is the range of accepted days; a day outside it raises
        :class:`~evalexp.errors.DateRangeError` naming the rows by line.
        """
        values = self.table.data[column]
        if pd.api.types.is_datetime64_any_dtype(values) and values.dt.tz is not None:
            values = values.dt.tz_localize(None)
        codes, uniques = pd.factorize(values)
        parsed = [self._parse_value(u) for u in uniques]
        bad_unique = np.array([p is None for p in parsed] + [False], dtype=bool)
        bad = bad_unique[codes]
        if bad.any():
            shown = ", ".join(repr(shown_value(v)) for v in pd.unique(values[bad])[:3])
            expected = (f"'{self.format}' or YYYY-MM-DD" if self.format != "auto"
                        else "YYYY-MM-DD or DD/MM/YYYY")
            raise self.table.refuse(DateParseError, column, f"unparseable date {shown} (expected {expected})", bad)
        low, high = bounds or self.bounds
        outside_unique = np.array([p is not None and not low <= p <= high for p in parsed] + [False], dtype=np.bool_)
        outside = outside_unique[codes]
        if outside.any():
            shown = ", ".join(str(p) for p in pd.unique(np.array(parsed, dtype=object)[outside_unique[:-1]])[:3])
            raise self.table.refuse(DateRangeError, column, f"date outside {low}..{high} ({shown})", outside,
                                    "a typo? The plan's [data] date_min and date_max move the bounds")
        result = np.array([np.datetime64(p, "D") for p in parsed] + [np.datetime64("NaT")], dtype="datetime64[ns]")
        return pd.Series(result[codes], index=values.index)


def _to_number(value) -> float:
    """A finite number from a text or numeric cell, else NaN."""
    if isinstance(value, str):
        text = _THOUSANDS.sub("", value)
        if "," in text and "." not in text:
            text = text.replace(",", ".", 1)
        number = float(text) if _NUMBER.fullmatch(text) else np.nan
    elif isinstance(value, (bool, np.bool_, int, np.integer, float, np.floating)):
        number = float(value)
    else:
        number = np.nan
    return number if np.isfinite(number) else np.nan


def _numeric(column: pd.Series) -> pd.Series | None:
    """The column as numbers if every value is one, else ``None``."""
    if pd.api.types.is_bool_dtype(column):
        column = column.astype(np.int64)
    if not pd.api.types.is_numeric_dtype(column):
        codes, uniques = pd.factorize(column)
        numbers = np.array([_to_number(u) for u in uniques] + [np.nan])
        if np.isnan(numbers[:-1]).any():
            return None
        column = pd.Series(numbers[codes], index=column.index)
    values = column.to_numpy(dtype=float)
    if np.isfinite(values).all() and np.all(values == np.round(values)) and np.all(np.abs(values) < 2**53):
        return pd.Series(values.astype(np.int64), index=column.index)
    return pd.Series(values, index=column.index)


def _text(value) -> str | float:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return np.nan
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _as_text(column: pd.Series) -> pd.Series:
    """Text cells (numbers written without a spurious ``.0``), NaN where missing."""
    if column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        return column.where(column.notna(), np.nan)
    codes, uniques = pd.factorize(column)
    texts = np.array([_text(u) for u in uniques] + [np.nan], dtype=object)
    return pd.Series(texts[codes], index=column.index, dtype=object)


def _check_numeric_covariates(table: Table, plan: Plan) -> None:
    """Refuse a covariate whose values are mostly numbers but not all.

    One value that is not a number (``2O`` for ``20``, ``n.c.``, ``#N/A``)
    would make a whole column text, and a text covariate enters a model as
    categorical, each number a level of its own. The rule: a covariate the
    plan names (``[survival] covariates``, ``[outcomes] adjust``,
    ``[integrity] balance`` and ``subgroups``) read as text in which at least
    half of the present values are numbers is refused
    (:class:`~evalexp.errors.NotANumberError`, naming the values and the rows
    by line). A categorical covariate written in words, or whose numbers are
    fewer than half of its values, is read as categorical. Binary outcomes
    are held to 0/1 by :func:`evalexp.validate.check_binary`.
    """
    covariates = (*plan.survival.covariates, *plan.outcomes.adjust, *plan.integrity.balance,
                  *plan.integrity.subgroups)
    for column in dict.fromkeys(covariates):
        values = table.data[column]
        if column in TEXT_COLUMNS or not _is_text(values):
            continue
        present = values.notna().to_numpy()
        codes, uniques = pd.factorize(values)
        number_unique = np.array([isinstance(u, str) and not np.isnan(_to_number(u)) for u in uniques] + [False])
        is_number = number_unique[codes]
        if 2 * is_number.sum() >= present.sum() > is_number.sum():
            offending = listed_values([u for u, number in zip(uniques, number_unique) if not number])
            raise table.refuse(
                NotANumberError, column, f"not a number in a numeric covariate: {offending}", present & ~is_number,
                "write a number, or leave the cell empty if the value is missing")


def _rename(raw: RawTable, plan: Plan) -> tuple[pd.DataFrame, dict[str, str]]:
    renamed = [plan.columns.get(name, name) for name in raw.data.columns]
    seen = {name for name in renamed if renamed.count(name) > 1}
    if seen:
        clash = sorted(seen)[0]
        sources = [src for src, new in zip(raw.data.columns, renamed) if new == clash]
        raise UnreadableFileError(raw.source, None, f"columns {', '.join(repr(s) for s in sources)} would all "
                                                    f"become '{clash}' under the plan's [columns]")
    names = {new: src for src, new in zip(raw.data.columns, renamed) if new != src}
    return raw.data.set_axis(renamed, axis=1), names


def _load(raw: RawTable, plan: Plan | None, key: bytes | None) -> Cohort:
    given = plan is not None
    plan = plan or default_plan()
    if len(raw.data) == 0:
        raise EmptyFileError(raw.source, None, "no data rows (only a header)")
    data, names = _rename(raw, plan)
    ids = data["participant_id"] if "participant_id" in data else pd.Series("?", index=data.index)
    raw_ids = _as_text(ids).fillna("?").to_numpy()
    table = Table(data, raw.lines, raw_ids, raw.source, names)
    check_columns(table, plan)
    if plan.recode:
        data = data.assign(**recode(table, {c: _as_text(data[c]) for c in plan.recode if c in data}, plan))
        table = Table(data, raw.lines, raw_ids, raw.source, names)

    converted: dict[str, pd.Series] = {}
    for column in TEXT_COLUMNS:
        if column in data:
            converted[column] = _as_text(data[column])
    table = Table(data.assign(**converted), raw.lines, raw_ids, raw.source, names)
    check_ids(table)
    converted["arm"] = map_arms(table, plan)

    date_columns = [c for c in data.columns if c in DATE_COLUMNS or c in plan.integrity.meetings
                    or (c not in TEXT_COLUMNS and (pd.api.types.is_datetime64_any_dtype(data[c])
                                                   or (_is_text(data[c])
                                                       and _looks_like_dates(data[c], plan.data.date_format))))]
    dates = _DateReader(table, date_columns, plan.data.date_format, (plan.data.date_min, plan.data.date_max),
                        sas=raw.format == "sas7bdat")
    for column in date_columns:
        bounded = column in DATE_COLUMNS or column in plan.integrity.meetings
        converted[column] = dates.parse(column, None if bounded else _REPRESENTABLE)
    for column in data.columns:
        if column not in converted:
            numbers = _numeric(data[column])
            converted[column] = numbers if numbers is not None else _as_text(data[column])
    data = pd.DataFrame(converted, index=data.index)[list(data.columns)]
    if "rupture_date" not in data:
        data["rupture_date"] = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
    table = Table(data, raw.lines, raw_ids, raw.source, names)

    for column in ("support_received", *plan.outcomes.binary):
        if column in data:
            check_binary(table, column)
    check_dates(table)
    _check_numeric_covariates(table, plan)
    check_references(data, plan.reference, raw.source, {c: table.label(c) for c in plan.reference})
    warnings = data_warnings(table, plan)

    data["participant_id"] = pseudonymise(data["participant_id"], key or new_key())
    cohort = Cohort(data=derive_survival(data).reset_index(drop=True), source=raw.source, warnings=tuple(warnings))
    if given:
        check_horizon(cohort, plan)
    return cohort


def load_cohort(path: str | Path, plan: Plan | None = None, *, key: bytes | None = None) -> Cohort:
    """Read, check and pseudonymise a cohort file.

    Parameters
    ----------
    path : str or Path
        CSV, XLSX, XLS, ODS, Parquet, DTA or SAS7BDAT file (see :mod:`evalexp.readers`).
    plan : Plan, optional
        Maps columns and arm labels and names the columns to check; default:
        canonical names and labels (:func:`evalexp.plan.default_plan`).
    key : bytes, optional
        Key of the HMAC-SHA256 pseudonyms; default a random key (pseudonyms
        then differ from run to run).

    Returns
    -------
    Cohort
        Canonical columns with pseudonymised ``participant_id``, the derived
        ``end``, ``event``, ``time_days``, ``treated``, and the warnings.

    Raises
    ------
    InputError
        A subclass per problem (see :mod:`evalexp.validate`); the message names
        the file, the column and the first rows by source line.
    HorizonError
        The plan's ``horizon_days`` is beyond the longest follow-up (:mod:`evalexp.guards`).
    EvalexpTypeError
        An argument of the wrong type (e.g. a plan file's path instead of a Plan).
    """
    require_path("load_cohort", "path", path)
    require("load_cohort", "plan", plan, Plan, optional=True)
    require("load_cohort", "key", key, bytes, optional=True)
    data_plan = (plan or default_plan()).data
    return _load(read_table(path, sheet=data_plan.sheet, header_row=data_plan.header_row), plan, key)


def load_frame(data: pd.DataFrame, plan: Plan | None = None, source: str = "<memory>",
               key: bytes | None = None) -> Cohort:
    """:func:`load_cohort` for a DataFrame in memory (notebooks, tests, simulations).

    Row ``i`` (0-based position) is reported as line ``i + 2``, as if the
    frame were written to CSV with a header.
    """
    require("load_frame", "data", data, pd.DataFrame)
    require("load_frame", "plan", plan, Plan, optional=True)
    require("load_frame", "key", key, bytes, optional=True)
    frame = data.reset_index(drop=True).copy()
    frame.columns = [str(c) for c in frame.columns]
    raw = RawTable(frame, np.arange(len(frame), dtype=np.int64) + 2, source, "frame")
    return _load(raw, plan, key)
