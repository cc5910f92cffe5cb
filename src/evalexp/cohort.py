"""The cohort: one row per participant (= one contract), canonical columns, derived survival data.

A :class:`Cohort` is what every analysis consumes. It is built by
:func:`evalexp.load.load_cohort` (read, map, validate, pseudonymise, derive) and
never holds a raw participant identifier.

Derived columns (docs/CONTRACT.md section 1)::

    end       = min(contract_end_planned, followup_end)
    event     = 1 if rupture_date is present and rupture_date <= end else 0
    time_days = (rupture_date if event else end) - contract_start, whole days
    treated   = 1 for arm == "treatment", 0 for "control"
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import DataWarning


def derive_survival(data: pd.DataFrame) -> pd.DataFrame:
    """Add ``end``, ``event``, ``time_days`` and ``treated`` to canonical data (a new frame).

    The date columns must already be ``datetime64``; ``rupture_date`` may be NaT.
    """
    out = data.copy()
    out["end"] = out[["contract_end_planned", "followup_end"]].min(axis=1)
    rupture = out["rupture_date"] if "rupture_date" in out else pd.Series(pd.NaT, index=out.index)
    event = rupture.notna() & (rupture <= out["end"])
    out["event"] = event.astype(np.int8)
    stop = rupture.where(event, out["end"])
    out["time_days"] = (stop - out["contract_start"]).dt.days.astype(np.int64)
    out["treated"] = (out["arm"] == "treatment").astype(np.int8)
    return out


@dataclass(frozen=True)
class Cohort:
    """A validated, pseudonymised cohort.

    Attributes
    ----------
    data : pandas.DataFrame
        Canonical columns (docs/CONTRACT.md section 1, ``participant_id`` pseudonymised),
        any other source columns under their mapped names, and the derived
        ``end``, ``event``, ``time_days``, ``treated``.
    source : str
        The file it was read from.
    warnings : tuple of DataWarning
        Non-fatal oddities found at load time.
    """

    data: pd.DataFrame
    source: str = "<memory>"
    warnings: tuple[DataWarning, ...] = field(default_factory=tuple)

    @property
    def n(self) -> dict[str, int]:
        """Participants per arm, ``{"treatment": .., "control": ..}``."""
        counts = self.data["arm"].value_counts()
        return {arm: int(counts.get(arm, 0)) for arm in ("treatment", "control")}

    @property
    def events(self) -> dict[str, int]:
        """Observed ruptures per arm."""
        sums = self.data.groupby("arm")["event"].sum()
        return {arm: int(sums.get(arm, 0)) for arm in ("treatment", "control")}

    def __len__(self) -> int:
        return len(self.data)
