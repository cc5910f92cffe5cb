"""The whole pre-specified analysis of a cohort, composed in one pass.

:func:`analyze` runs, in this order, each part that the plan requests and
returns an :class:`Analysis` whose :meth:`Analysis.to_dict` is ``results.json``
(docs/CONTRACT.md section 4, ``schema_version`` 2: version 1 unchanged, extended with the integrity keys
``consort``, ``baseline`` (Table 1), ``balance``, ``attrition``, ``compliance``, ``subgroups``,
``fidelity``, ``power`` and ``data_quality``):

1. data quality of the loaded cohort (:mod:`evalexp.quality`);
2. the primary survival analysis of ruptures (:mod:`evalexp.survival`);
3. competing risks by initiative, when the plan names ``causes`` (:mod:`evalexp.competing`);
4. experiment integrity and employment outcomes (:mod:`evalexp.integrity`);
5. heterogeneity of the effect across sites, when the plan names ``[heterogeneity] by``
   (:mod:`evalexp.heterogeneity`);
6. cost per rupture avoided, when the plan gives ``[report] cost_per_participant`` (:mod:`evalexp.cost`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any, ClassVar

import pandas as pd

from . import __version__
from .alerts import AnalysisWarning
from .cohort import Cohort
from .competing.competing_risks import CompetingRisksAnalysis, analyze_competing
from .cost import CostEffectiveness, cost_effectiveness
from .fingerprint import cohort_fingerprint
from .guards import check_horizon, require
from .heterogeneity import HeterogeneityResult, heterogeneity
from .integrity.attrition import AttritionResult, attrition
from .integrity.balance import BalanceTable, baseline_balance
from .integrity.baseline import BaselineTable, baseline_table, baseline_variables
from .integrity.compliance import ComplianceResult, complier_effects
from .integrity.consort import ConsortFlow, consort_flow
from .integrity.fidelity import FidelityResult, fidelity
from .integrity.outcomes import BinaryOutcomes, binary_outcomes
from .integrity.power import PowerResult, power_for_cohort
from .integrity.subgroups import SubgroupEffects, subgroup_effects
from .integrity.wwc import with_wwc
from .plan import Plan
from .provenance import provenance as provenance_record
from .quality import QualitySummary, quality_summary
from .results import Result
from .stored import results_tidy
from .survival.survival_analysis import SurvivalAnalysis, analyze_survival

SCHEMA_VERSION = 2


@dataclass(frozen=True, eq=False)
class Analysis(Result):
    """Every result of the plan for one cohort. Parts the plan does not request are ``None``."""

    plan: Plan
    n: dict[str, int]
    events: dict[str, int]
    quality: QualitySummary
    consort: ConsortFlow
    survival: SurvivalAnalysis
    power: PowerResult
    competing: CompetingRisksAnalysis | None = None
    outcomes: BinaryOutcomes | None = None
    balance: BalanceTable | None = None
    baseline: BaselineTable | None = None
    attrition: AttritionResult | None = None
    compliance: ComplianceResult | None = None
    subgroups: SubgroupEffects | None = None
    fidelity: FidelityResult | None = None
    heterogeneity: HeterogeneityResult | None = None
    cost_effectiveness: CostEffectiveness | None = None
    #: :func:`evalexp.fingerprint.cohort_fingerprint` of the cohort analysed (not in results.json).
    cohort_fingerprint: str | None = None
    #: ``results.json["provenance"]`` (:func:`evalexp.provenance.provenance`).
    provenance: dict[str, Any] | None = None

    title: ClassVar[str] = "evalexp analysis"

    def parts(self) -> dict[str, Result]:
        """The results objects present, by their ``results.json`` key, in reading order."""
        named = {
            "data_quality": self.quality, "consort": self.consort, "baseline": self.baseline, "balance": self.balance,
            "attrition": self.attrition, "survival": self.survival, "competing_risks": self.competing,
            "binary_outcomes": self.outcomes, "compliance": self.compliance,
            "subgroups": self.subgroups, "fidelity": self.fidelity, "power": self.power,
            "heterogeneity": self.heterogeneity, "cost_effectiveness": self.cost_effectiveness,
        }
        return {key: part for key, part in named.items() if part is not None}

    def to_dict(self) -> dict[str, Any]:
        """``results.json``: docs/CONTRACT.md section 4 plus the integrity keys."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "title": self.plan.title,
            "software": {"evalexp": __version__},
            "alpha": self.plan.inference.alpha,
            "n": dict(self.n),
            "events": dict(self.events),
            "primary": self.plan.survival.primary,
        }
        for key, part in self.parts().items():
            out[key] = part.to_dict()
        out["warnings"] = [w.to_dict() for w in self.warnings()]
        if self.provenance is not None:
            out["provenance"] = self.provenance
        return out

    def warnings(self) -> list[AnalysisWarning]:
        """``results.json["warnings"]``: those of the survival, competing-risks and subgroup models
        (CONTRACT.md section 8)."""
        return [*self.survival.warnings, *(self.competing.warnings if self.competing is not None else ()),
                *(self.subgroups.warnings if self.subgroups is not None else ())]

    def tidy(self) -> pd.DataFrame:
        """One row per estimated quantity of ``results.json``, by part
        (:func:`evalexp.stored.results_tidy`): the same table as ``read_results(...).tidy()``
        on the file this analysis writes. Each part's own ``tidy()`` has its model's terms."""
        return results_tidy(json.loads(json.dumps(self.to_dict())))

    def heading(self) -> str:
        return f"{self.title}: {self.plan.title}"

    def summary(self) -> str:
        head = f"{self.heading()}\n{'=' * len(self.heading())}\n" + \
            f"n: treatment {self.n['treatment']}, control {self.n['control']}; " + \
            f"ruptures: treatment {self.events['treatment']}, control {self.events['control']}"
        return "\n\n".join([head, *(part.summary() for part in self.parts().values())])

    def _repr_html_(self) -> str:
        parts = "".join(part._repr_html_() for part in self.parts().values())
        return f"<div><strong>{escape(self.heading())}</strong>{parts}</div>"


def analyze(cohort: Cohort, plan: Plan, *, progress: bool = False,
            command_line: list[str] | None = None) -> Analysis:
    """Run the plan's analysis on a loaded cohort.

    Parameters
    ----------
    cohort : Cohort
        From :func:`evalexp.load.load_cohort` with the same plan.
    plan : Plan
        From :func:`evalexp.plan.load_plan`.
    progress : bool
        Show a progress bar on stderr for the long steps (randomisation inference).
    command_line : list of str, optional
        The command that ran the analysis, recorded (paths cut to base names) in
        ``results.json["provenance"]`` with the input's and the plan's SHA-256.

    Returns
    -------
    Analysis

    Raises
    ------
    EvalexpTypeError
        ``cohort`` or ``plan`` of the wrong type.
    HorizonError
        The plan's horizon is beyond the cohort's longest follow-up.
    """
    require("analyze", "cohort", cohort, Cohort)
    require("analyze", "plan", plan, Plan)
    check_horizon(cohort, plan)
    survival = analyze_survival(cohort, plan, progress=progress)
    columns = cohort.data.columns
    balance = baseline_balance(cohort, plan) if plan.balance_covariates else None
    return Analysis(
        plan=plan,
        n=cohort.n,
        events=cohort.events,
        quality=quality_summary(cohort),
        consort=consort_flow(cohort, plan),
        survival=survival,
        power=power_for_cohort(cohort, plan),
        competing=analyze_competing(cohort, plan) if plan.survival.causes else None,
        outcomes=with_wwc(binary_outcomes(cohort, plan), cohort, plan) if plan.outcomes.binary else None,
        balance=balance,
        baseline=baseline_table(cohort, plan, balance) if baseline_variables(plan) else None,
        attrition=attrition(cohort, plan),
        compliance=complier_effects(cohort, plan) if "support_received" in columns else None,
        subgroups=subgroup_effects(cohort, plan) if plan.integrity.subgroups else None,
        fidelity=fidelity(cohort, plan) if plan.integrity.meetings else None,
        heterogeneity=heterogeneity(cohort, plan) if plan.heterogeneity.by else None,
        cohort_fingerprint=cohort_fingerprint(cohort),
        cost_effectiveness=_cost(plan, survival),
        provenance=provenance_record(cohort.source, plan.source, plan.inference.seed, command_line),
    )


def _cost(plan: Plan, survival: SurvivalAnalysis) -> CostEffectiveness | None:
    """Cost per rupture avoided from the risk difference at the horizon, when the plan gives a cost."""
    if plan.report.cost_per_participant is None:
        return None
    rd = survival.risk_difference
    return cost_effectiveness(plan.report.cost_per_participant, plan.report.currency, rd.day, rd.difference,
                              rd.ci_low, rd.ci_high)
