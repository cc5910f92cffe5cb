"""Disclosure control: the layer between the results and every publishable output.

:func:`publish` takes an :class:`~evalexp.analysis.Analysis` and an audience and
returns a :class:`Publication`: the results as they may be shown (withheld values
``None``), the curves as they may be drawn, and the list of decisions. The report
is composed from a publication only, so no renderer (HTML, PDF, figures, JSON)
can show what the layer withheld. The rules, and the statistical-agency practice
they follow, are in ``docs/disclosure.md``.

Audiences
---------
``"public"`` (the default) applies every rule; ``"evaluator"`` publishes every
number and exact curves, and every output says "not for publication".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EvalexpError
from . import results as rules
from .curves import GRID_DAYS, PublicCurve, at_risk_at, cif_bands, cif_curves, km_curve, km_times, time_ticks
from .ledger import RULES, Decision, Ledger

AUDIENCES = ("public", "evaluator")
#: The smallest threshold the layer accepts: below it, counts of 1 to 4 people would be published.
MIN_THRESHOLD = 5

__all__ = ["AUDIENCES", "MIN_THRESHOLD", "RULES", "Decision", "Publication", "check_audience", "publish"]


@dataclass(frozen=True)
class Publication:
    """What an audience may see of an analysis.

    Attributes
    ----------
    audience : {"public", "evaluator"}
    threshold : int
    results : dict
        ``results.json`` as published: withheld values are ``None``; in public mode
        ``results["suppressed"]`` lists their JSON pointers.
    decisions : tuple of Decision
        Every withheld, rounded or coarsened value, by JSON pointer and rule.
    km : dict of arm -> PublicCurve
        The Kaplan-Meier curves as they may be drawn.
    km_ticks : numpy.ndarray
        Days of the number-at-risk row under the KM figure; ``at_risk`` gives its values.
    at_risk : dict of arm -> list of (int or None)
        Numbers at risk at ``km_ticks`` (rounded, ``None`` when hidden).
    max_time : float
        Right end of the time axes.
    cif : DataFrame
        Columns ``group, arm, time, cif, ci_low, ci_high``: cumulative incidence of the published
        groups of causes and its pointwise confidence interval (``NaN`` for a group of merged causes).
    cif_stops : dict of arm -> float
        Where each arm's incidence curves stop.
    groups : dict of cause -> group
        Each cause's published group: itself, ``"other"`` (small causes merged) or ``"all"``.
    """

    audience: str
    threshold: int
    results: dict[str, Any]
    decisions: tuple[Decision, ...]
    km: dict[str, PublicCurve]
    km_ticks: np.ndarray
    at_risk: dict[str, list[int | None]]
    max_time: float
    cif: pd.DataFrame
    cif_stops: dict[str, float]
    groups: dict[str, str] = field(default_factory=dict)

    @property
    def public(self) -> bool:
        return self.audience == "public"

    def rule(self, pointer: str) -> str | None:
        """The rule that withheld the value at ``pointer`` (``None`` when it is published)."""
        for decision in self.decisions:
            if decision.pointer == pointer and decision.rule not in ("rounded", "precision"):
                return decision.rule
        return None

    def disclosure_log(self) -> dict[str, Any]:
        """``disclosure.json``: the audience, the threshold, the rules and every decision."""
        return {"audience": self.audience, "threshold": self.threshold,
                "curves": {"grid_days": GRID_DAYS, "min_events_per_step": self.threshold,
                           "censoring_marks": False, "at_risk_rounding_base": 5} if self.public else None,
                "rules": RULES, "decisions": [d.to_dict() for d in self.decisions]}


def check_audience(audience: str, threshold: Any) -> None:
    """Refuse an unknown audience, or a threshold that is not a whole number of at least
    :data:`MIN_THRESHOLD` (raises :class:`~evalexp.errors.EvalexpError`)."""
    if audience not in AUDIENCES:
        raise EvalexpError(f"audience {audience!r}: expected one of {', '.join(AUDIENCES)}")
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < MIN_THRESHOLD:
        raise EvalexpError(f"suppression_threshold = {threshold!r}: a public report needs a whole number of "
                           f"at least {MIN_THRESHOLD} (counts below it are withheld)")


def _cif_jumps(competing: Any) -> dict[tuple[str, str], np.ndarray]:
    """Jump times (each one event at least) of every cause's incidence, per arm."""
    jumps = {}
    for cause, part in competing.by_cause.items():
        for arm, curve in part.cif.items():
            table = curve.table
            steps = table["cif"].diff().fillna(table["cif"]).to_numpy() > 0
            jumps[(cause, arm)] = table["time"].to_numpy(dtype=float)[steps]
    return jumps


def _cif_tables(competing: Any) -> dict[tuple[str, str], pd.DataFrame]:
    """Every cause's Aalen-Johansen step table (with its confidence interval), per arm."""
    if competing is None:
        return {}
    return {(cause, arm): curve.table for cause, part in competing.by_cause.items() for arm, curve in part.cif.items()}


def _exact_cif(cif: pd.DataFrame, bands: dict[tuple[str, str], pd.DataFrame]) -> pd.DataFrame:
    """The evaluator's incidence steps, one group per cause, with each cause's interval."""
    frames = []
    for (cause, arm), part in cif.groupby(["cause", "arm"], sort=False):
        low, high = cif_bands(bands, str(cause), str(arm), part["time"].to_numpy(dtype=float))
        frames.append(part.assign(ci_low=low, ci_high=high))
    exact = pd.concat(frames, ignore_index=True) if frames else cif.assign(ci_low=[], ci_high=[])
    return exact.rename(columns={"cause": "group"})


def publish(analysis: Any, threshold: int, audience: str = "public") -> Publication:
    """The publication of ``analysis`` for ``audience`` under ``threshold``.

    Parameters
    ----------
    analysis : Analysis
        From :func:`evalexp.analysis.analyze`.
    threshold : int
        ``plan.report.suppression_threshold``: counts below it are withheld; at least 5.
    audience : {"public", "evaluator"}

    Returns
    -------
    Publication

    Raises
    ------
    EvalexpError
        An unknown audience, or a threshold that is not a whole number of at least 5.
    """
    check_audience(audience, threshold)
    exact = analysis.to_dict()
    km_tables = {arm: analysis.survival.km[arm].table for arm in rules.ARMS}
    last = max(float(t["time"].max()) if len(t) else 0.0 for t in km_tables.values())
    max_time = float(GRID_DAYS * np.ceil(last / GRID_DAYS))
    ticks = time_ticks(max_time)
    competing = analysis.competing
    cif = competing.cif_table() if competing is not None else pd.DataFrame(
        {"cause": [], "arm": [], "time": [], "cif": []})
    if audience == "evaluator":
        results = {**exact, "audience": "evaluator", "not_for_publication": True}
        km = {arm: PublicCurve(t[["time", "survival", "ci_low", "ci_high"]], float(t["time"].max()) if len(t) else 0.0)
              for arm, t in km_tables.items()}
        at_risk: dict[str, list[int | None]] = {arm: [int(c) for c in _exact_at_risk(t, ticks)]
                                                for arm, t in km_tables.items()}
        stops = {arm: c.stop for arm, c in km.items()}
        return Publication(audience, threshold, results, (), km, ticks, at_risk, max_time,
                           _exact_cif(cif, _cif_tables(competing)), stops,
                           {c: c for c in (competing.by_cause if competing is not None else {})})
    ledger = Ledger(exact, threshold)
    plan = analysis.plan.survival
    kept = {arm: km_times(t, threshold, tuple(plan.landmarks_days) + (plan.horizon_days,), plan.horizon_days)
            for arm, t in km_tables.items()}
    jumps = _cif_jumps(competing) if competing is not None else {}
    comparable, groups, cif_kept = rules.apply(ledger, km_tables, kept, jumps)
    results = {**ledger.data, "audience": "public", "suppressed": ledger.suppressed()}
    if comparable:
        km = {arm: km_curve(t, threshold, kept[arm]) for arm, t in km_tables.items()}
        at_risk = {arm: at_risk_at(t, ticks, threshold) for arm, t in km_tables.items()}
    else:
        km = {}
        at_risk = {arm: [None] * len(ticks) for arm in km_tables}
    stops = {arm: c.stop for arm, c in km.items()}
    public_cif = cif_curves(cif, groups, cif_kept, _cif_tables(competing))
    return Publication(audience, threshold, results, tuple(ledger.decisions), km, ticks, at_risk, max_time,
                       public_cif, stops, groups)


def _exact_at_risk(table: pd.DataFrame, ticks: np.ndarray) -> np.ndarray:
    times = table["time"].to_numpy(dtype=float)
    n_risk = table["n_risk"].to_numpy()
    pos = np.searchsorted(times, ticks, side="left")
    return np.where(pos < len(times), n_risk[np.minimum(pos, len(times) - 1)], 0)
