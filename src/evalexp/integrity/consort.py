"""The CONSORT 2010 flow of participants, per arm, with the data of its diagram.

Stages and counts (CONSORT 2010, item 13a and the flow diagram):

- *Enrolment*: participants randomised (the cohort holds only randomised participants;
  eligibility screening happens before it).
- *Allocation*: assigned to each arm; received the support (``support_received == 1``),
  did not receive it (``0``), unknown (missing) — when the cohort has the column. In the
  control arm a participant who received the support is a crossover.
- *Follow-up*: lost to follow-up for the rupture outcome — no rupture observed and
  observation ended before the earlier of the planned contract end and the horizon, and
  before the data extraction date (:func:`evalexp.integrity.attrition.lost_to_followup`);
  the data record the end of observation, not why it ended. Shown beside it, not as a
  loss: participants censored at the data extraction before their horizon
  (:func:`evalexp.integrity.attrition.censored_at_extraction`).
- *Analysis*: the rupture outcome is analysed by intention to treat for every randomised
  participant (those lost to follow-up are censored, none excluded); each binary outcome is
  analysed among participants whose outcome is known (excluded: outcome missing).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..errors import AnalysisError
from ..plan import ARMS, Plan
from ..results import Result, tidy_frame
from .attrition import censored_at_extraction, lost_to_followup

PRIMARY = "rupture"


def _by_arm(mask: np.ndarray, treated: np.ndarray) -> dict[str, int]:
    return {"treatment": int(mask[treated].sum()), "control": int(mask[~treated].sum())}


@dataclass(frozen=True, eq=False)
class ConsortFlow(Result):
    """Counts of the CONSORT flow per arm (the ``consort`` key of ``results.json``).

    Attributes
    ----------
    assigned : dict
        Randomised to each arm.
    support : dict or None
        ``{"received": {...}, "not_received": {...}, "unknown": {...}}`` per arm, ``None``
        without a ``support_received`` column.
    lost_to_followup : dict
        Lost to follow-up for the rupture outcome, per arm.
    censored_at_extraction : dict
        Observed until the data extraction, which came before their horizon, per arm.
    analysed, excluded : dict
        Per outcome (``rupture`` first, then the plan's binary outcomes), per arm.
    reasons : dict
        Per outcome, the reason for exclusion from its analysis; ``lost_to_followup``: the
        definition used.
    horizon_days : int
        Horizon of the lost-to-follow-up definition.
    """

    assigned: dict[str, int]
    support: dict[str, dict[str, int]] | None
    lost_to_followup: dict[str, int]
    censored_at_extraction: dict[str, int]
    analysed: dict[str, dict[str, int]]
    excluded: dict[str, dict[str, int]]
    reasons: dict[str, str]
    horizon_days: int

    title: ClassVar[str] = "CONSORT flow"

    def conventions(self) -> str:
        return ("CONSORT 2010. Lost to follow-up: no rupture observed and observation ended before the data "
                f"extraction and before the earlier of the planned contract end and day {self.horizon_days}; the "
                "rupture outcome is analysed by intention to treat (lost participants censored); binary outcomes "
                "among participants with a known outcome.")

    def table(self) -> pd.DataFrame:
        """Long table: ``stage``, ``item``, ``outcome``, ``arm``, ``n``, ``reason``."""
        rows: list[tuple[str, str, str | None, str, int, str | None]] = []
        for arm in ARMS:
            rows.append(("allocation", "assigned", None, arm, self.assigned[arm], None))
            if self.support is not None:
                for item in ("received", "not_received", "unknown"):
                    rows.append(("allocation", f"support_{item}", None, arm, self.support[item][arm], None))
            rows.append(("follow-up", "lost_to_followup", PRIMARY, arm, self.lost_to_followup[arm],
                         self.reasons["lost_to_followup"]))
            rows.append(("follow-up", "censored_at_extraction", PRIMARY, arm, self.censored_at_extraction[arm],
                         self.reasons["censored_at_extraction"]))
            for outcome in self.analysed:
                rows.append(("analysis", "analysed", outcome, arm, self.analysed[outcome][arm], None))
                rows.append(("analysis", "excluded", outcome, arm, self.excluded[outcome][arm],
                             self.reasons[outcome]))
        return pd.DataFrame(rows, columns=["stage", "item", "outcome", "arm", "n", "reason"])

    def boxes(self) -> list[dict[str, Any]]:
        """The boxes of the flow diagram, top to bottom, each arm's boxes side by side.

        Each box: ``stage`` (enrolment/allocation/follow-up/analysis), ``arm`` (``None``
        for the enrolment box), ``key`` (stable, for translation), ``label`` (English),
        ``n``, ``details`` (list of ``{"key", "label", "n"}``).
        """
        boxes: list[dict[str, Any]] = [{"stage": "enrolment", "arm": None, "key": "randomised",
                                        "label": "Randomised", "n": sum(self.assigned.values()), "details": []}]
        for arm in ARMS:
            details = []
            if self.support is not None:
                names = {"received": "Received the support" if arm == "treatment"
                         else "Received the support (crossover)",
                         "not_received": "Did not receive the support", "unknown": "Support not recorded"}
                details = [{"key": f"support_{item}", "label": label, "n": self.support[item][arm]}
                           for item, label in names.items() if item != "unknown" or self.support[item][arm]]
            boxes.append({"stage": "allocation", "arm": arm, "key": f"allocated_{arm}",
                          "label": "Allocated to the support" if arm == "treatment" else "Allocated to control",
                          "n": self.assigned[arm], "details": details})
        for arm in ARMS:
            boxes.append({"stage": "follow-up", "arm": arm, "key": "lost_to_followup",
                          "label": "Lost to follow-up", "n": self.lost_to_followup[arm],
                          "details": [{"key": "lost_reason", "label": self.reasons["lost_to_followup"],
                                       "n": self.lost_to_followup[arm]},
                                      {"key": "censored_at_extraction",
                                       "label": "Followed until the data extraction, before the horizon "
                                                "(censored, not lost)",
                                       "n": self.censored_at_extraction[arm]}]})
        for arm in ARMS:
            for outcome in self.analysed:
                label = "Analysed: rupture (intention to treat)" if outcome == PRIMARY else f"Analysed: {outcome}"
                boxes.append({"stage": "analysis", "arm": arm, "key": "analysed", "outcome": outcome, "label": label,
                              "n": self.analysed[outcome][arm],
                              "details": [{"key": "excluded", "label": f"Excluded: {self.reasons[outcome]}",
                                           "n": self.excluded[outcome][arm]}]})
        return boxes

    def tidy(self) -> pd.DataFrame:
        table = self.table()
        terms = [f"{item}:{arm}" if outcome is None or item in ("lost_to_followup", "censored_at_extraction")
                 else f"{item}[{outcome}]:{arm}"
                 for item, outcome, arm in zip(table["item"], table["outcome"], table["arm"])]
        return tidy_frame([{"term": term, "estimate": n} for term, n in zip(terms, table["n"])])

    def to_dict(self) -> dict[str, Any]:
        return {"assigned": dict(self.assigned),
                "support": None if self.support is None else {k: dict(v) for k, v in self.support.items()},
                "lost_to_followup": dict(self.lost_to_followup),
                "censored_at_extraction": dict(self.censored_at_extraction),
                "analysed": {k: dict(v) for k, v in self.analysed.items()},
                "excluded": {k: dict(v) for k, v in self.excluded.items()},
                "reasons": dict(self.reasons),
                "horizon_days": int(self.horizon_days),
                "boxes": self.boxes()}


def consort_flow(cohort: Cohort, plan: Plan) -> ConsortFlow:
    """Count the CONSORT 2010 flow of a cohort, per arm (see the module docstring).

    Raises
    ------
    AnalysisError
        A binary outcome named by the plan is not a column of the cohort.
    """
    data = cohort.data
    treated = (data["arm"] == "treatment").to_numpy()
    everyone = np.ones(len(data), dtype=bool)
    support = None
    if "support_received" in data.columns:
        received = pd.to_numeric(data["support_received"], errors="coerce").to_numpy(float)
        support = {"received": _by_arm(received == 1, treated), "not_received": _by_arm(received == 0, treated),
                   "unknown": _by_arm(np.isnan(received), treated)}
    horizon = plan.survival.horizon_days
    analysed = {PRIMARY: _by_arm(everyone, treated)}
    excluded = {PRIMARY: _by_arm(~everyone, treated)}
    reasons = {"lost_to_followup": f"follow-up ended before the planned end of the contract, day {horizon} "
                                   "and the data extraction, without rupture",
               "censored_at_extraction": f"data extracted before day {horizon} or the planned end of the contract",
               PRIMARY: "none (intention to treat; participants lost to follow-up are censored)"}
    for outcome in plan.outcomes.binary:
        if outcome not in data.columns:
            raise AnalysisError(f"binary outcome '{outcome}' is not a column of the cohort")
        missing = data[outcome].isna().to_numpy()
        analysed[outcome] = _by_arm(~missing, treated)
        excluded[outcome] = _by_arm(missing, treated)
        reasons[outcome] = "outcome missing"
    return ConsortFlow(assigned=_by_arm(everyone, treated), support=support,
                       lost_to_followup=_by_arm(lost_to_followup(data, horizon), treated),
                       censored_at_extraction=_by_arm(censored_at_extraction(data, horizon), treated),
                       analysed=analysed, excluded=excluded, reasons=reasons, horizon_days=horizon)
