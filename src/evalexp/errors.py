"""Typed exceptions and warnings of evalexp.

Every refusal of bad input derives from :class:`InputError`, itself an
:class:`EvalexpError`; the CLI turns any :class:`EvalexpError` into a message on
stderr and exit status 2. Messages name the file, the column and the first
offending rows by their source line, never by a participant identifier or a
row's content (docs/CONTRACT.md section 5); offending values are shown cut
short (:func:`shown_value`). The form::

    cohort.csv: column 'rupture_date': rupture before contract start in 2 rows: line 7, line 12
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: How many offending rows a message lists before it says "and N more".
MAX_ROWS_SHOWN = 5
#: How many characters of an offending value a message shows.
MAX_VALUE_SHOWN = 30


class EvalexpError(Exception):
    """Base class of every error evalexp raises on purpose."""


class PlanError(EvalexpError):
    """The analysis plan (TOML) is missing a required key or has an invalid value."""


class AnalysisError(EvalexpError):
    """An analysis cannot be computed on these data (e.g. no event at all)."""


class ArgumentError(EvalexpError):
    """A command-line option or function argument outside its domain (e.g. a negative seed)."""


class OutputError(EvalexpError):
    """An output that may not be written (it would replace or delete something evalexp did not
    write) or cannot be written (a missing folder, no permission, a full disk); nothing is changed."""


class MismatchError(EvalexpError):
    """Results given with a cohort or plan other than the ones they were computed from."""


def format_rows(rows: Sequence[tuple[int, str]], total: int | None = None) -> str:
    """Format ``(line, participant_id)`` pairs as ``line 7, line 12 and 3 more``: the line only,
    never the identifier."""
    total = len(rows) if total is None else total
    shown = ", ".join(f"line {line}" for line, _ in rows[:MAX_ROWS_SHOWN])
    more = total - min(len(rows), MAX_ROWS_SHOWN)
    return shown + (f" and {more} more" if more > 0 else "")


def shown_value(value) -> str:
    """An offending cell as a message shows it: its text, cut to :data:`MAX_VALUE_SHOWN` characters."""
    text = str(value)
    return text if len(text) <= MAX_VALUE_SHOWN else text[:MAX_VALUE_SHOWN - 1] + "…"


def listed_values(values: Sequence, show=repr) -> str:
    """The first :data:`MAX_ROWS_SHOWN` offending values, each cut short (:func:`shown_value`) and
    written by ``show``, then ``and N more``."""
    more = f" and {len(values) - MAX_ROWS_SHOWN} more" if len(values) > MAX_ROWS_SHOWN else ""
    return ", ".join(show(shown_value(v)) for v in values[:MAX_ROWS_SHOWN]) + more


class InputError(EvalexpError):
    """Bad input data: names the file, the column and the first rows at fault.

    Parameters
    ----------
    file : str
        The source file as given by the user.
    column : str or None
        The column at fault (its name in the source file when it differs from
        the canonical one, as ``'Date rupture' (rupture_date)``).
    problem : str
        What is wrong, in plain words.
    rows : sequence of (int, str)
        ``(line number in the source file, participant id)`` of offending rows;
        line numbers count the header as line 1.
    total : int, optional
        Number of offending rows when ``rows`` holds only the first few.
    hint : str, optional
        What to do about it, after the rows and a semicolon.
    """

    def __init__(self, file: str, column: str | None, problem: str,
                 rows: Sequence[tuple[int, str]] = (), total: int | None = None, hint: str = ""):
        self.file = str(file)
        self.column = column
        self.problem = problem
        self.rows = list(rows)
        self.total = len(self.rows) if total is None else total
        where = f"{self.file}: " + (f"column '{column}': " if column else "")
        message = where + problem
        if self.rows:
            message += f" in {self.total} row{'s' if self.total != 1 else ''}: " + format_rows(self.rows, self.total)
        super().__init__(message + (f"; {hint}" if hint else ""))


class UnreadableFileError(InputError):
    """The file does not exist, has an unsupported format, or cannot be decoded."""


class EmptyFileError(InputError):
    """The file has no data rows."""


class MissingColumnError(InputError):
    """A required column is absent (after the plan's column mapping)."""


class UnmappedArmError(InputError):
    """An arm label that neither the canonical labels nor the plan's ``[arms]`` map."""


class EmptyArmError(InputError):
    """One of the two arms has no participant."""


class DuplicateIdError(InputError):
    """The same ``participant_id`` appears on more than one row."""


class DateParseError(InputError):
    """A date that is neither ISO ``YYYY-MM-DD`` nor French ``DD/MM/YYYY``."""


class AmbiguousDateError(DateParseError):
    """A date column whose format cannot be told (e.g. only ``01/02/2011``-like
    values that could be month-first) and that the plan does not fix."""


class UnmappedLabelError(InputError):
    """A label of a column recoded by the plan's ``[recode.COLUMN]`` that its table does not map."""


class UnknownLevelError(InputError):
    """The plan's ``[reference]`` names a level its categorical covariate does not have."""


class InvalidValueError(InputError):
    """A value outside its column's domain (e.g. ``support_received`` not 0/1)."""


class DateRangeError(InputError):
    """A date of a canonical date column outside the plan's ``[data] date_min`` .. ``date_max``
    (default 1990-01-01 .. 2099-12-31), e.g. a typo such as year 1011 or 9999."""


class NotANumberError(InputError):
    """A value that is not a number in a column the plan uses as a numeric covariate or outcome."""


class RuptureBeforeStartError(InputError):
    """``rupture_date < contract_start``."""


class FollowupBeforeStartError(InputError):
    """``followup_end < contract_start``."""


@dataclass(frozen=True)
class DataWarning:
    """A non-fatal oddity found at load time, kept on the cohort and shown in
    the report's data-quality annex (counts only, no identifiers there).

    Attributes
    ----------
    code : str
        Stable machine-readable code, e.g. ``"rupture_after_planned_end"``.
    column : str or None
        Canonical column concerned.
    count : int
        Number of rows concerned.
    message : str
        Human-readable English message (with source lines, for the console).
    """

    code: str
    column: str | None
    count: int
    message: str


class ResultsSchemaError(EvalexpError):
    """A ``results.json`` document that does not follow the packaged schema (docs/CONTRACT.md §4, §8)."""


class EvalexpTypeError(EvalexpError, TypeError):
    """A library function called with an argument of the wrong type (a path where a plan is
    expected...). Also a :class:`TypeError`, so ``except TypeError`` still catches it."""


class HorizonError(PlanError):
    """The plan's ``horizon_days`` lies beyond the longest follow-up of the cohort."""
