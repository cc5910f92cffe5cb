"""Competing risks: who broke the contract (docs/CONTRACT.md §4 ``competing_risks``).

* :func:`cumulative_incidence` — Aalen-Johansen cumulative incidence with cmprsk's variance
  (R ``cmprsk::cuminc``), :mod:`evalexp.competing.cif`;
* :func:`gray_test` — Gray's K-sample test, stratified if asked (``cuminc(...)$Tests``),
  :mod:`evalexp.competing.gray`;
* :func:`fine_gray` — Fine-Gray subdistribution hazards with crr's sandwich variance
  (R ``cmprsk::crr``), :mod:`evalexp.competing.finegray`;
* :func:`analyze_competing` — the four analyses per cause of rupture for a cohort and plan,
  :mod:`evalexp.competing.competing_risks`.
"""
from .cif import CumulativeIncidence, cumulative_incidence
from .competing_risks import CauseAnalysis, CompetingRisksAnalysis, analyze_competing
from .finegray import FineGrayResult, fine_gray
from .gray import GrayTest, gray_test

__all__ = [
    "CauseAnalysis", "CompetingRisksAnalysis", "CumulativeIncidence", "FineGrayResult", "GrayTest",
    "analyze_competing", "cumulative_incidence", "fine_gray", "gray_test",
]
