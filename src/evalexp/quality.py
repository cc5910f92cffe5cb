"""Data-quality summary of a loaded cohort (what ``evalexp validate`` prints).

Counts per arm of participants, ruptures and censored contracts by reason,
median follow-up, missing values per column and the load-time warnings. The
JSON form (:meth:`QualitySummary.to_dict`) holds counts only, never an
identifier nor a source line, for the report's data-quality annex.

Censoring reasons of a contract without observed rupture::

    planned_end   contract_end_planned <= followup_end (the contract ran its course)
    extraction    followup_end < contract_end_planned and followup_end is the
                  latest followup_end of the file (the data extraction date)
    lost          followup_end earlier than both (lost to follow-up)

Median follow-up is the reverse Kaplan-Meier median (Schemper & Smith 1996:
censoring is the event, ruptures censor), R
``survfit(Surv(time_days, 1 - event) ~ arm)``; ``None`` when the curve stays
above one half.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .cohort import Cohort
from .errors import DataWarning
from .guards import require
from .plan import ARMS
from .results import Result, json_number, tidy_frame
from .survival.km import kaplan_meier

CENSORING_REASONS = ("planned_end", "extraction", "lost")
_DERIVED = ("end", "event", "time_days", "treated")
_LABELS = {"n": "participants", "events": "ruptures (events)", "planned_end": "censored: planned end reached",
           "extraction": "censored: data extraction", "lost": "censored: lost to follow-up",
           "median_followup_days": "median follow-up (days)"}


def reverse_km_median(time: np.ndarray, event: np.ndarray) -> float:
    """Median follow-up by reverse Kaplan-Meier: the median of the curve whose events are the censorings.

    The median is the smallest time at which the curve is at most 1/2; where
    it equals 1/2 exactly on an interval, the midpoint of that interval (R
    ``survfit``'s convention, as :attr:`evalexp.survival.km.KaplanMeier.median_`).
    NaN if the curve never reaches 1/2.
    """
    return kaplan_meier(np.asarray(time, dtype=float), 1 - np.asarray(event)).median_


@dataclass(frozen=True, eq=False)
class QualitySummary(Result):
    """Counts that describe a cohort's data quality.

    Attributes
    ----------
    source : str
        The file.
    counts : dict
        ``{arm: {"n", "events", "planned_end", "extraction", "lost"}}`` for
        ``treatment``, ``control`` and ``total``.
    median_followup_days : dict
        Reverse Kaplan-Meier median per arm and ``total`` (NaN if not reached).
    missing : dict
        Missing values per column (columns with at least one).
    warnings : tuple of DataWarning
    """

    source: str
    counts: dict[str, dict[str, int]]
    median_followup_days: dict[str, float]
    missing: dict[str, int]
    warnings: tuple[DataWarning, ...]
    title: ClassVar[str] = "Data quality"

    def tidy(self) -> pd.DataFrame:
        """One row per count (``term`` like ``events[control]``), the count in ``estimate``."""
        rows = [{"term": f"{key}[{arm}]", "estimate": value}
                for arm, counts in self.counts.items() for key, value in counts.items()]
        rows += [{"term": f"median_followup_days[{arm}]", "estimate": value}
                 for arm, value in self.median_followup_days.items()]
        rows += [{"term": f"missing[{column}]", "estimate": value} for column, value in self.missing.items()]
        return tidy_frame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Counts only (no identifiers, no source lines)."""
        return {
            "counts": {arm: {k: int(v) for k, v in c.items()} for arm, c in self.counts.items()},
            "median_followup_days": {arm: json_number(v) for arm, v in self.median_followup_days.items()},
            "missing": {column: int(v) for column, v in self.missing.items()},
            "warnings": [{"code": w.code, "column": w.column, "count": w.count} for w in self.warnings],
        }

    def conventions(self) -> str:
        return ("Median follow-up: reverse Kaplan-Meier (R survfit on 1 - event). Censoring: planned end reached, "
                "data extraction (latest end of follow-up), lost to follow-up (earlier).")

    def heading(self) -> str:
        return f"{self.title}: {self.source}"

    def summary(self) -> str:
        """The console report of ``evalexp validate``."""
        columns = ("treatment", "control", "total")
        table = pd.DataFrame({arm: {_LABELS[k]: str(v) for k, v in self.counts[arm].items()} for arm in columns})
        table.loc[_LABELS["median_followup_days"]] = [
            "not reached" if np.isnan(self.median_followup_days[arm]) else f"{self.median_followup_days[arm]:g}"
            for arm in columns]
        lines = [self.heading(), "=" * len(self.heading()), table.to_string(), ""]
        if self.missing:
            lines.append("Missing values: " + ", ".join(f"{c} {n}" for c, n in self.missing.items()))
        else:
            lines.append("Missing values: none")
        lines.append(f"Warnings ({len(self.warnings)})" + (":" if self.warnings else ": none"))
        lines += [f"  - {w.message}" for w in self.warnings]
        lines += ["", self.conventions()]
        return "\n".join(lines)


def quality_summary(cohort: Cohort) -> QualitySummary:
    """Count participants, ruptures, censoring reasons and missing values per arm."""
    require("quality_summary", "cohort", cohort, Cohort)
    data = cohort.data
    censored = data["event"] == 0
    planned_end = censored & (data["contract_end_planned"] <= data["followup_end"])
    early = censored & ~planned_end
    extraction = early & (data["followup_end"] == data["followup_end"].max())
    reasons = {"n": pd.Series(True, index=data.index), "events": data["event"] == 1,
               "planned_end": planned_end, "extraction": extraction, "lost": early & ~extraction}
    counts, medians = {}, {}
    for arm in (*ARMS, "total"):
        in_arm = data["arm"] == arm if arm != "total" else pd.Series(True, index=data.index)
        counts[arm] = {key: int((mask & in_arm).sum()) for key, mask in reasons.items()}
        medians[arm] = reverse_km_median(data.loc[in_arm, "time_days"].to_numpy(),
                                         data.loc[in_arm, "event"].to_numpy())
    missing = data.drop(columns=[c for c in _DERIVED if c in data]).isna().sum()
    return QualitySummary(source=cohort.source, counts=counts, median_followup_days=medians,
                          missing={str(c): int(n) for c, n in missing.items() if n > 0}, warnings=cohort.warnings)
