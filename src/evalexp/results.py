"""Shared behaviour of evalexp's results objects.

Every estimator returns a frozen dataclass deriving from :class:`Result`. A
subclass implements :meth:`tidy` (a DataFrame with the stable columns of
:data:`TIDY_COLUMNS`, one row per estimated quantity) and :meth:`to_dict` (the
JSON-ready mapping, matching docs/CONTRACT.md section 4 where the contract fixes it);
:meth:`summary` and :meth:`_repr_html_` come from here and may be refined.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

#: Stable column names of every ``tidy()`` DataFrame (after ``term``).
TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"]


def json_number(value: Any) -> float | int | None:
    """A JSON-safe number: NaN, infinities and None become ``None``; numpy scalars become Python ones."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else None


def tidy_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build a tidy DataFrame with exactly :data:`TIDY_COLUMNS` (missing cells are NaN)."""
    frame = pd.DataFrame(rows, columns=TIDY_COLUMNS)
    for col in TIDY_COLUMNS[1:]:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


class Result:
    """Mixin of the frozen results dataclasses: ``summary()``, ``tidy()``, ``to_dict()``, ``_repr_html_``."""

    #: One-line title used by :meth:`summary` and :meth:`_repr_html_`.
    title: str = "Result"

    def tidy(self) -> pd.DataFrame:
        """One row per estimated quantity, columns :data:`TIDY_COLUMNS`."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (plain numbers, ``None`` for missing)."""
        raise NotImplementedError

    def conventions(self) -> str:
        """The statistical conventions behind the numbers, one line (shown under the table)."""
        return ""

    def summary(self) -> str:
        """Plain-text summary: the title, the tidy table, the conventions."""
        table = self.tidy().to_string(index=False, float_format=lambda x: f"{x:.4g}")
        lines = [self.title, "=" * len(self.title), table]
        if self.conventions():
            lines += ["", self.conventions()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        table = self.tidy().to_html(index=False, float_format=lambda x: f"{x:.4g}", border=0)
        note = f"<p><small>{self.conventions()}</small></p>" if self.conventions() else ""
        return f"<div><strong>{self.title}</strong>{table}{note}</div>"

    def __str__(self) -> str:
        return self.summary()
