"""Warnings of an analysis: ``results.json["warnings"]`` (CONTRACT.md section 8).

A warning is a ``{"code", "message"}`` pair: the code is stable (scripts test it), the
message says what happened, in which model, and what it means for the estimate. A model
that runs into one of these situations still reports what can be estimated; the
analysis never aborts on them.

Codes
-----
``monotone_likelihood``
    A Cox coefficient is infinite (e.g. no rupture in one level of a covariate within
    every stratum): R ``coxph`` warns "Loglik converged before variable ...; coefficient
    may be infinite" and reports the other coefficients, as here.
``few_events_per_parameter``
    Fewer than :data:`EVENTS_PER_PARAMETER` ruptures per coefficient of the adjusted
    Cox model (Peduzzi et al. 1995, J. Clin. Epidemiol. 48(12):1503-1510: below 10
    events per variable, Cox coefficients are biased and their Wald intervals
    unreliable; Vittinghoff & McCulloch 2007, Am. J. Epidemiol. 165(6):710-718, find
    5-9 often acceptable). Every coefficient counts, the treatment's and each dummy of
    a categorical covariate included.
``few_clusters``
    Cluster-robust standard errors on fewer than
    :data:`evalexp.survival.cox.FEW_CLUSTERS` clusters.
``covariate_aliased``
    A covariate constant, or collinear with others, among the complete cases: left out
    of the model (R gives its coefficient ``NA``).
``not_converged``
    A model's iterations did not converge.
``not_estimable``
    A model could not be fitted at all; its numbers are null.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import AnalysisError

MONOTONE_LIKELIHOOD = "monotone_likelihood"
FEW_EVENTS_PER_PARAMETER = "few_events_per_parameter"
FEW_CLUSTERS = "few_clusters"
COVARIATE_ALIASED = "covariate_aliased"
NOT_CONVERGED = "not_converged"
NOT_ESTIMABLE = "not_estimable"
#: Events per coefficient below which an adjusted estimate is flagged (Peduzzi et al. 1995).
EVENTS_PER_PARAMETER = 10


@dataclass(frozen=True)
class AnalysisWarning:
    """One entry of ``results.json["warnings"]``."""

    code: str
    message: str

    @property
    def model(self) -> str:
        """The model the warning is about: the message's text before its first ``": "`` (as
        :func:`run_quietly` writes it), or "" when there is none or it holds a digit. Unlike the
        message, it carries no count, so a public report may show it."""
        where, sep, _ = self.message.partition(": ")
        return where if sep and not any(ch.isdigit() for ch in where) else ""

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "model": self.model}


def run_quietly(where: str, fit: Callable[[], Any]) -> tuple[Any, list[AnalysisWarning]]:
    """Call ``fit()``, turning its RuntimeWarnings and AnalysisError into warnings of ``where``.

    Returns ``(result, warnings)``; the result is None when ``fit`` raised
    :class:`~evalexp.errors.AnalysisError` (code ``not_estimable``). A RuntimeWarning
    mentioning a monotone likelihood, a singular matrix or no convergence gets the code
    ``monotone_likelihood``, ``covariate_aliased`` or ``not_converged``; the model's own
    ``diverged`` and ``aliased`` terms are the authoritative record.
    """
    failure = ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fit()
        except AnalysisError as exc:
            result, failure = None, str(exc).removeprefix("Cox model: ")
    out = []
    for item in caught:
        text = str(item.message).removeprefix("Cox model: ")  # ``where`` names the model
        if not issubclass(item.category, RuntimeWarning):
            continue
        if "monotone likelihood" in text:
            code = MONOTONE_LIKELIHOOD
        elif "singular" in text:
            code = COVARIATE_ALIASED
        elif "converge" in text:
            code = NOT_CONVERGED
        else:
            continue
        out.append(AnalysisWarning(code, f"{where}: {text}"))
    if failure:
        out.append(AnalysisWarning(NOT_ESTIMABLE, f"{where}: {failure}"))
    return result, out
