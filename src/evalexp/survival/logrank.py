"""Log-rank (Mantel-Haenszel) test of treatment vs control, optionally stratified."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from ..results import Result, json_number, tidy_frame
from .cells import CellStatistics, build_cells


@dataclass(frozen=True, eq=False)
class LogRankTest(Result):
    """Log-rank test.

    Attributes
    ----------
    statistic : float
        ``(O - E)^2 / V`` for the treated arm, O - E and V summed over strata.
    p_value : float
        Chi-square (1 df) upper tail.
    observed, expected, variance : float
        Treated events O, their expectation E and the hypergeometric variance V.
    stratified : bool
    n_strata : int
    """

    statistic: float
    p_value: float
    observed: float
    expected: float
    variance: float
    stratified: bool
    n_strata: int
    title: ClassVar[str] = "Log-rank test"

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([{"term": "treated", "estimate": self.observed - self.expected,
                            "std_error": float(np.sqrt(self.variance)), "statistic": self.statistic,
                            "p_value": self.p_value}])

    def to_dict(self) -> dict[str, Any]:
        """The contract's ``logrank`` object (plus O, E, V)."""
        return {"statistic": json_number(self.statistic), "p_value": json_number(self.p_value),
                "stratified": self.stratified, "observed": json_number(self.observed),
                "expected": json_number(self.expected), "variance": json_number(self.variance)}

    def conventions(self) -> str:
        strata = f", stratified ({self.n_strata} strata: O - E and V summed)" if self.stratified else ""
        return f"Mantel-Haenszel log-rank (R survdiff, rho = 0){strata}; chi-square 1 df."


def logrank_test(time, event, treated, *, strata=None, weights=None) -> LogRankTest:
    """Mantel-Haenszel log-rank test, stratified by summing O - E and V over strata.

    At each event time t of stratum s: ``E1 = d n1 / n``, ``V = d (n1 / n)(1 - n1 / n)(n - d)/(n - 1)``;
    statistic ``(sum (d1 - E1))^2 / sum V``. Reference: R ``survdiff(Surv(time, event) ~ treated
    [+ strata(s)])``. Optional frequency ``weights`` (a row counts that many times). With
    ``sum V = 0`` (no rupture at all) the statistic is 0 and p = 1, where ``survdiff`` gives
    chi-square 0 and p NaN (its degrees of freedom are then -1).
    """
    cells = build_cells(time, event, treated, strata, weights)
    calc = CellStatistics(cells)
    observed, expected, variance = calc.logrank_parts(calc.observed())
    # V = 0 (no rupture, or never both arms at risk at a rupture, where O = E): R survdiff gives chi-square
    # 0 and p NaN (its degrees of freedom are then -1); here p = 1, the test has no information to reject
    stat = float((observed[0] - expected[0]) ** 2 / variance[0]) if variance[0] > 0 else 0.0
    return LogRankTest(statistic=stat, p_value=float(stats.chi2.sf(stat, 1)), observed=float(observed[0]),
                       expected=float(expected[0]), variance=float(variance[0]),
                       stratified=strata is not None, n_strata=cells.n_strata)
