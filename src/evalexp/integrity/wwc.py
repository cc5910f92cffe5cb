"""Per-outcome evidence rating as a What Works Clearinghouse reviewer applies it.

WWC Procedures and Standards Handbook, Version 5.0 (2022), applied to each binary
outcome separately, on that outcome's *analysed sample* (participants whose outcome is
observed), not once on everyone randomised:

1. **Attrition** (Standards, ch. "Randomized controlled trials", the attrition boundary
   table; unchanged from v4.1 Table II.1): overall = missing / assigned, differential =
   ``|rate_t - rate_c|``, rated *low* or *high* against the plan's boundary by
   :func:`evalexp.integrity.attrition.rate_attrition` (overall rounded half-up to a whole
   percent, no interpolation).
2. **Baseline equivalence** on the analysed sample, for each of the plan's balance
   covariates (Procedures, "Effect size computations" — Hedges' g with the
   small-sample factor ``omega = 1 - 3 / (4N - 9)`` for continuous measures; the Cox
   index ``omega (logit p_t - logit p_c) / 1.65`` for dichotomous ones, with 0.5 added to
   each cell when one is empty, :mod:`evalexp.integrity.balance`): ``|d| <= 0.05``
   satisfies; ``0.05 < |d| <= 0.25`` satisfied only if the outcome's analysis adjusts for
   that covariate; ``> 0.25`` not satisfied.
3. **Rating** (randomised controlled trial): low attrition -> ``meets`` ("Meets WWC
   standards without reservations"); high attrition -> ``meets_with_reservations`` when
   every balance covariate satisfies equivalence on the analysed sample (directly or by
   adjustment), else ``does_not_meet``. High attrition with no balance covariate, or
   with a covariate whose difference cannot be computed, does not meet (equivalence is
   not shown).

Departures from the handbook (listed in the report's methods annex): equivalence is
assessed on the plan's balance covariates, not on a review protocol's required
baseline measures; the adjustment counted is the outcome's own analysis (Lin 2013 on
``plan.adjust_covariates``); a categorical covariate is judged level by level (each
level's indicator a dichotomous measure).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..plan import Plan
from ..results import json_number
from .attrition import max_differential, overall_row, rate_attrition
from .balance import FAILS, SATISFIES, balance_rows
from .outcomes import BinaryOutcomes, binary_column

MEETS = "meets"
WITH_RESERVATIONS = "meets_with_reservations"
DOES_NOT_MEET = "does_not_meet"

#: Reason codes of a rating, in the order they are listed.
REASONS = ("low_attrition", "high_attrition", "equivalence_satisfied", "adjusted_for", "not_adjusted_for",
           "exceeds_025", "difference_undefined", "no_baseline_measure")


@dataclass(frozen=True)
class OutcomeWWC:
    """The WWC judgement of one binary outcome.

    Attributes
    ----------
    outcome : str
    n_assigned, n_analysed : dict
        Participants assigned and with the outcome observed, per arm.
    overall, differential : float
        Attrition rates (proportions; differential absolute).
    attrition_rating : str
        ``low`` or ``high``.
    max_differential : float
        The boundary's highest differential (points) at this overall rate, NaN beyond the table.
    equivalence : pandas.DataFrame
        Balance rows (:func:`evalexp.integrity.balance.balance_rows`) on the analysed
        sample, with ``adjusted`` (the outcome's analysis adjusts for it) and ``judgement``
        (``satisfied``, ``adjusted``, ``not_adjusted``, ``fails``, ``undefined``).
    rating : str
        ``meets``, ``meets_with_reservations`` or ``does_not_meet``.
    reasons : tuple of str
        Reason codes (:data:`REASONS`), each ``code`` or ``code:term``.
    """

    outcome: str
    n_assigned: dict[str, int]
    n_analysed: dict[str, int]
    overall: float
    differential: float
    attrition_rating: str
    max_differential: float
    equivalence: pd.DataFrame
    rating: str
    reasons: tuple[str, ...]

    def equivalence_status(self) -> str:
        """``satisfied`` (every covariate), ``adjusted`` (some by adjustment), ``not_satisfied`` or ``none``."""
        judged = set(self.equivalence["judgement"])
        if not judged:
            return "none"
        if judged <= {"satisfied"}:
            return "satisfied"
        if judged <= {"satisfied", "adjusted"}:
            return "adjusted"
        return "not_satisfied"

    def to_dict(self) -> dict[str, Any]:
        """``binary_outcomes.<name>.wwc``."""
        covariates = []
        row: Any  # an itertuples() row: pandas-stubs types its fields as any scalar
        for row in self.equivalence.itertuples(index=False):
            covariates.append({"covariate": row.covariate, "level": row.level, "measure": row.measure,
                               "n": {"treatment": int(row.n_treatment), "control": int(row.n_control)},
                               "std_difference": json_number(row.std_difference),
                               "adjusted": bool(row.adjusted), "judgement": row.judgement})
        return {
            "standard": "WWC Procedures and Standards Handbook v5.0",
            "attrition": {"n_assigned": dict(self.n_assigned), "n_analysed": dict(self.n_analysed),
                          "overall": json_number(self.overall), "differential": json_number(self.differential),
                          "overall_row_percent": overall_row(self.overall),
                          "max_differential_points": json_number(self.max_differential),
                          "rating": self.attrition_rating},
            "baseline_equivalence": {"sample": "analysed", "status": self.equivalence_status(),
                                     "thresholds": {"satisfies": SATISFIES, "fails": FAILS},
                                     "covariates": covariates},
            "rating": self.rating,
            "reasons": list(self.reasons),
        }


def _judgement(d: float, adjusted: bool) -> str:
    if math.isnan(d):
        return "undefined"
    d = abs(d)
    if d <= SATISFIES:
        return "satisfied"
    if d <= FAILS:
        return "adjusted" if adjusted else "not_adjusted"
    return "fails"


def _term(row: Any) -> str:
    return row.covariate if row.level is None else f"{row.covariate}[{row.level}]"


def outcome_wwc(data: pd.DataFrame, outcome: str, observed: np.ndarray, balance_covariates: Any,
                adjusted_for: Any, boundary: str) -> OutcomeWWC:
    """The WWC rating of one outcome (see the module docstring).

    Parameters
    ----------
    data : pandas.DataFrame
        The cohort's rows (``arm`` and the balance covariates).
    outcome : str
    observed : (n,) bool array
        Rows whose outcome is observed (the analysed sample).
    balance_covariates : sequence of str
        The plan's balance covariates.
    adjusted_for : sequence of str
        Covariates the outcome's analysis adjusts for.
    boundary : str
        ``cautious`` or ``optimistic``.
    """
    treated = (data["arm"] == "treatment").to_numpy()
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    a_t, a_c = int(treated.sum() - (treated & observed).sum()), int((~treated).sum() - (~treated & observed).sum())
    rate_t, rate_c = a_t / n_t, a_c / n_c
    overall = (a_t + a_c) / (n_t + n_c)
    differential = abs(rate_t - rate_c)
    attrition = rate_attrition(overall, differential, boundary)
    limit = max_differential(overall, boundary)
    table = balance_rows(data[observed], balance_covariates)
    adjusted = set(adjusted_for)
    table["adjusted"] = table["covariate"].isin(adjusted)
    table["judgement"] = [_judgement(float(d), a) for d, a in zip(table["std_difference"], table["adjusted"])]
    reasons = [f"{attrition}_attrition"]
    row: Any  # an itertuples() row: pandas-stubs types its fields as any scalar
    for row in table.itertuples(index=False):
        code = {"adjusted": "adjusted_for", "not_adjusted": "not_adjusted_for", "fails": "exceeds_025",
                "undefined": "difference_undefined"}.get(row.judgement)
        if code:
            reasons.append(f"{code}:{_term(row)}")
    if attrition == "low":
        rating = MEETS
    elif table.empty:
        rating = DOES_NOT_MEET
        reasons.append("no_baseline_measure")
    elif set(table["judgement"]) <= {"satisfied", "adjusted"}:
        rating = WITH_RESERVATIONS
        if set(table["judgement"]) == {"satisfied"}:
            reasons.append("equivalence_satisfied")
    else:
        rating = DOES_NOT_MEET
    return OutcomeWWC(outcome=outcome, n_assigned={"treatment": n_t, "control": n_c},
                      n_analysed={"treatment": n_t - a_t, "control": n_c - a_c}, overall=overall,
                      differential=differential, attrition_rating=attrition,
                      max_differential=math.nan if limit is None else limit, equivalence=table,
                      rating=rating, reasons=tuple(reasons))


def with_wwc(outcomes: BinaryOutcomes, cohort: Cohort, plan: Plan) -> BinaryOutcomes:
    """``outcomes`` with each outcome's WWC judgement (:func:`outcome_wwc`) set.

    The analysed sample of an outcome is its observed rows; the adjustment counted is the
    outcome's own (``BinaryOutcome.adjusted``); the boundary is the plan's
    ``integrity.attrition_boundary``.
    """
    data = cohort.data.reset_index(drop=True)
    items = []
    for item in outcomes.outcomes:
        observed = binary_column(data, item.outcome).notna().to_numpy()
        judged = outcome_wwc(data, item.outcome, observed, plan.balance_covariates, item.adjusted,
                             plan.integrity.attrition_boundary)
        items.append(dataclasses.replace(item, wwc=judged))
    return dataclasses.replace(outcomes, outcomes=tuple(items))
