"""Guard rails at the public entry points (docs/CONTRACT.md section 6).

- Argument types: :func:`load_cohort`, :func:`load_frame`, :func:`analyze`,
  :func:`~evalexp.report.build_report` and :func:`~evalexp.quality.quality_summary`
  check what they are given before using it, and raise
  :class:`~evalexp.errors.EvalexpTypeError` (an :class:`~evalexp.errors.EvalexpError`
  and a :class:`TypeError`) naming the function, the argument, what it expects
  and the type it got, never the value (which may hold personal data).
  :func:`~evalexp.plan.load_plan` and :func:`~evalexp.plan.plan_from_dict`
  check their own.
- The horizon: ``[survival] horizon_days`` beyond the cohort's longest
  follow-up, ``max(followup_end - contract_start)`` in days (``followup_end``
  is the last day a participant is observed, docs/CONTRACT.md section 1), lies
  where no one was observed; :func:`check_horizon` refuses it with
  :class:`~evalexp.errors.HorizonError`. A horizon within the follow-up but
  beyond an arm's last time at risk (e.g. 365 days for one-year contracts
  ending on day 364) is kept: the survival analysis notes the curve carried
  flat.
"""
from __future__ import annotations

import os
from typing import Any

from .cohort import Cohort
from .errors import EvalexpTypeError, HorizonError
from .plan import Plan

#: What each checked kind of argument is, for messages.
_EXPECTED = {
    Cohort: "a Cohort (from evalexp.load_cohort)",
    Plan: "a Plan (from evalexp.load_plan)",
}


def require(function: str, name: str, value: Any, kind: type, *, optional: bool = False) -> None:
    """Raise :class:`EvalexpTypeError` unless ``value`` is a ``kind`` (or None when ``optional``)."""
    if isinstance(value, kind) or (optional and value is None):
        return
    expected = _EXPECTED.get(kind, f"a {kind.__name__}")
    hint = " (load it with evalexp.load_plan first)" if kind is Plan and isinstance(value, (str, os.PathLike)) else ""
    raise EvalexpTypeError(f"{function}(): '{name}' must be {expected}{' or None' if optional else ''}, "
                           f"got {type(value).__name__}{hint}")


def require_path(function: str, name: str, value: Any) -> None:
    """Raise :class:`EvalexpTypeError` unless ``value`` is a path (``str`` or :class:`os.PathLike`)."""
    if not isinstance(value, (str, os.PathLike)):
        raise EvalexpTypeError(f"{function}(): '{name}' must be a path (str or pathlib.Path), "
                               f"got {type(value).__name__}")


def check_horizon(cohort: Cohort, plan: Plan) -> None:
    """Refuse a horizon beyond the longest follow-up of the cohort (see the module docstring)."""
    data = cohort.data
    check_horizon_days(plan, cohort.source, int((data["followup_end"] - data["contract_start"]).dt.days.max()))


def check_horizon_days(plan: Plan, source: str, longest: int) -> None:
    """:func:`check_horizon` given the longest follow-up in days (the out-of-core engines compute it in SQL)."""
    horizon = plan.survival.horizon_days
    if horizon > longest:
        raise HorizonError(f"{plan.source}: 'horizon_days' in [survival] is {horizon} days, beyond the longest "
                           f"follow-up in {source} ({longest} days from contract start to end of "
                           f"follow-up): no one is observed at that horizon")
