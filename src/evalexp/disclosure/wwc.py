"""Public rules for each employment outcome's WWC judgement (``binary_outcomes.<name>.wwc``).

The rating, the reasons, the attrition rating, the equivalence status and each covariate's
judgement are labels: always published (the reasons name covariates, never people). The
numbers follow the small-count rules of the outcome they belong to:

- the arm sizes assigned are withheld with ``n`` (:func:`evalexp.disclosure.results.arm_counts`);
- when the outcome's numbers observed are withheld (a small number missing in an arm,
  :func:`evalexp.disclosure.results.binary_outcomes`), the numbers analysed, the overall and
  differential attrition rates and the boundary row (which give them back through the arm
  sizes) are withheld, and so are the covariates' numbers and standardised differences;
- when the outcome's statistics are withheld (a small cell), every number is withheld;
- a covariate's number known among the analysed follows the missing-value rule against the
  numbers analysed; its standardised difference is withheld with it.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..plan import ARMS
from .counts import small_missing
from .ledger import Ledger

_ATTRITION_NUMBERS = ("overall", "differential", "overall_row_percent", "max_differential_points")


def wwc(ledger: Ledger, observed_hidden: Mapping[str, bool]) -> None:
    """Apply the module's rules to every outcome's ``wwc`` block."""
    t = ledger.threshold
    for name, out in (ledger.source("binary_outcomes") or {}).items():
        block = out.get("wwc")
        if not block:
            continue
        path = ("binary_outcomes", name, "wwc")
        statistics_hidden = ledger.withheld("binary_outcomes", name, "difference")
        all_hidden = statistics_hidden or observed_hidden.get(name, False)
        for a in ARMS:
            if ledger.withheld("n", a):
                ledger.hide(path + ("attrition", "n_assigned", a), "secondary")
            if all_hidden:
                ledger.hide(path + ("attrition", "n_analysed", a), "secondary")
        if all_hidden:
            for key in _ATTRITION_NUMBERS:
                ledger.hide(path + ("attrition", key), "derived")
        analysed = block["attrition"]["n_analysed"]
        for i, row in enumerate(block["baseline_equivalence"]["covariates"]):
            hide = all_hidden
            for a in ARMS:
                if all_hidden or small_missing(analysed[a] - row["n"][a], analysed[a], t):
                    ledger.hide(path + ("baseline_equivalence", "covariates", i, "n", a),
                                "secondary" if all_hidden else "complement")
                    hide = True
            if hide:
                ledger.hide(path + ("baseline_equivalence", "covariates", i, "std_difference"), "derived")
