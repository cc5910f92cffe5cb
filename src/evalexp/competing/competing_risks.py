"""Competing-risks analysis of a cohort by rupture initiative (docs/CONTRACT.md §4 ``competing_risks``).

For each cause of rupture (the plan's ``survival.causes`` column, read only where
``event == 1``; a rupture whose cause is missing becomes the cause ``"unknown"``, which
the loader has already warned about), with arm as the only covariate:

* Aalen-Johansen cumulative incidence per arm (:func:`~evalexp.competing.cif.cumulative_incidence`,
  R ``cmprsk::cuminc``), reported at ``plan.survival.landmarks_days``;
* Gray's test treatment vs control (:func:`~evalexp.competing.gray.gray_test`), stratified by
  ``plan.survival.strata`` when the plan names it;
* cause-specific Cox model (ruptures from the other causes censored;
  :func:`evalexp.survival.cox.cox_ph`), with the plan's ties, strata and cluster-robust
  standard errors, as the primary Cox model;
* Fine-Gray subdistribution hazard ratio (:func:`~evalexp.competing.finegray.fine_gray`,
  R ``cmprsk::crr``): unstratified, model-based sandwich SE (crr has neither strata
  nor clusters).

Small causes: when a cause has no rupture in one of the arms, both hazard-ratio models
are undefined (monotone likelihood, the estimate runs to ±∞): their numbers are
``null`` and a ``note`` says why. The incidences and Gray's test are still reported.
A model that fails for another reason (singular information, no convergence, or a
cause-specific Cox coefficient that is infinite within strata although both arms have
ruptures) is reported the same way, on its own: the other model keeps its numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .. import alerts
from ..alerts import AnalysisWarning, run_quietly
from ..cohort import Cohort
from ..errors import AnalysisError
from ..grouping import group_labels
from ..plan import ARMS, Plan
from ..results import Result, json_number, tidy_frame
from ..survival.cox import FEW_CLUSTERS, cox_ph
from ..survival.firth import firth_cox
from .cif import CumulativeIncidence, cumulative_incidence
from .finegray import FineGrayResult, fine_gray
from .gray import GrayTest, gray_test

#: The cause given to a rupture whose cause is missing.
UNKNOWN_CAUSE = "unknown"
_RATIO_KEYS = ("log_hr", "se", "hr", "ci_low", "ci_high", "p_value")
_SHR_KEYS = ("log_shr", "se", "shr", "ci_low", "ci_high", "p_value")


@dataclass(frozen=True, eq=False)
class CauseAnalysis(Result):
    """The four analyses of one cause of rupture.

    Attributes
    ----------
    cause : str
    cif : dict of str to CumulativeIncidence
        By arm.
    gray : GrayTest
    cause_specific_cox : dict or None
        The contract's ratio object of ``treated`` (``evalexp.survival.cox.CoxResult.ratio``);
        None when the model is undefined (see ``note``).
    fine_gray : FineGrayResult or None
        None when the model is undefined (see ``note``).
    landmarks : tuple of int
        Days of the ``cif`` points of :meth:`to_dict`.
    events : dict of str to int
        Ruptures from this cause per arm.
    robust : bool
        Whether the cause-specific Cox SE is cluster-robust.
    note : str
        Why a model is missing ("" when both are there).
    warnings : tuple of AnalysisWarning
        A model that diverged or could not be fitted (:mod:`evalexp.alerts`).
    small_sample : dict or None
        With ``[survival] firth = true``: the cause-specific Firth estimate
        (:mod:`evalexp.survival.firth`), the ``small_sample`` sibling of
        ``cause_specific_cox`` — finite even when an arm has no rupture of the cause.
    """

    cause: str
    cif: dict[str, CumulativeIncidence]
    gray: GrayTest
    cause_specific_cox: dict[str, Any] | None
    fine_gray: FineGrayResult | None
    landmarks: tuple[int, ...]
    events: dict[str, int]
    robust: bool = False
    note: str = ""
    warnings: tuple[AnalysisWarning, ...] = ()
    small_sample: dict[str, Any] | None = None

    title: ClassVar[str] = "Competing risks"

    def heading(self) -> str:
        return f"{self.title}: {self.cause}"

    def cif_points(self, arm: str) -> list[dict[str, Any]]:
        """The arm's incidence at the landmarks: day, cif, std_err, ci_low, ci_high."""
        at = self.cif[arm].at(list(self.landmarks))
        return [{"day": int(day), "cif": json_number(r.cif), "std_err": json_number(r.std_err),
                 "ci_low": json_number(r.ci_low), "ci_high": json_number(r.ci_high)}
                for day, r in zip(self.landmarks, at.itertuples())]

    def to_dict(self) -> dict[str, Any]:
        csc = self.cause_specific_cox or {**{k: None for k in _RATIO_KEYS}, "robust": self.robust}
        if self.small_sample is not None:
            csc = {**csc, "small_sample": self.small_sample}
        fg = ({k: json_number(v) for k, v in self.fine_gray.ratio("treated").items()}
              if self.fine_gray is not None else {k: None for k in _SHR_KEYS})
        out: dict[str, Any] = {"cif": {arm: self.cif_points(arm) for arm in ARMS},
                               "gray_test": self.gray.to_dict(),
                               "cause_specific_cox": csc,
                               "fine_gray": fg,
                               "events": dict(self.events)}
        if self.note:
            out["note"] = self.note
        return out

    def tidy(self) -> pd.DataFrame:
        rows = []
        for arm in ARMS:
            for point in self.cif_points(arm):
                rows.append({"term": f"{self.cause}: cif {arm} day {point['day']}", "estimate": point["cif"],
                             "std_error": point["std_err"], "ci_low": point["ci_low"], "ci_high": point["ci_high"]})
        rows.append({"term": f"{self.cause}: Gray's test", "statistic": self.gray.statistic,
                     "p_value": self.gray.p_value})
        csc = self.cause_specific_cox
        fg = self.fine_gray.ratio("treated") if self.fine_gray is not None else None
        for term, ratio, log_key in (("cause-specific log HR", csc, "log_hr"),
                                     ("Fine-Gray log subdistribution HR", fg, "log_shr")):
            row: dict[str, Any] = {"term": f"{self.cause}: {term}"}
            if ratio is not None:
                # the Cox ratio object is JSON-ready: None for a non-finite number
                v = {k: np.nan if ratio[k] is None else float(ratio[k])
                     for k in (log_key, "se", "p_value", "ci_low", "ci_high")}
                with np.errstate(divide="ignore", invalid="ignore"):
                    row.update(estimate=v[log_key], std_error=v["se"], p_value=v["p_value"],
                               statistic=v[log_key] / v["se"] if v["se"] > 0 else np.nan,
                               ci_low=np.log(v["ci_low"]), ci_high=np.log(v["ci_high"]))
            rows.append(row)
        return tidy_frame(rows)

    def conventions(self) -> str:
        return ("CIF: Aalen-Johansen (cmprsk::cuminc), log(-log) CI; Gray's test rho = 0; "
                "ratios on the log scale, Wald CI; cause-specific Cox as the "
                "primary Cox; Fine-Gray as cmprsk::crr." + (f" Note: {self.note}" if self.note else ""))


@dataclass(frozen=True, eq=False)
class CompetingRisksAnalysis(Result):
    """Competing-risks results for every cause (see the module docstring).

    Attributes
    ----------
    by_cause : dict of str to CauseAnalysis
        Sorted by cause.
    alpha : float
    """

    by_cause: dict[str, CauseAnalysis] = field(default_factory=dict)
    alpha: float = 0.05

    title: ClassVar[str] = "Competing risks by initiative of the rupture"

    @property
    def warnings(self) -> tuple[AnalysisWarning, ...]:
        """The warnings of every cause."""
        return tuple(w for part in self.by_cause.values() for w in part.warnings)

    @property
    def causes(self) -> tuple[str, ...]:
        """The causes, sorted."""
        return tuple(self.by_cause)

    def __getitem__(self, cause: str) -> CauseAnalysis:
        return self.by_cause[cause]

    def to_dict(self) -> dict[str, Any]:
        """Exactly the contract's ``competing_risks`` block (plus ``events`` and ``note`` per cause)."""
        return {cause: part.to_dict() for cause, part in self.by_cause.items()}

    def plot(self, ax=None):
        """Cumulative incidence by cause and arm (:func:`evalexp.plotting.plot_cif`).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: the current pyplot Axes).

        Returns
        -------
        matplotlib Axes
        """
        from ..plotting import plot_cif

        return plot_cif(self, ax)

    def tidy(self) -> pd.DataFrame:
        frames = [part.tidy() for part in self.by_cause.values()]
        return pd.concat(frames, ignore_index=True) if frames else tidy_frame([])

    def cif_table(self) -> pd.DataFrame:
        """Step functions for a stacked cumulative-incidence figure: columns cause, arm, time, cif.

        Within an arm every cause is evaluated on the same grid (0, every jump time of
        any cause, and the arm's last follow-up time), so the curves stack by adding
        ``cif`` over causes at equal ``time``; between grid points the curves are flat
        (right-continuous steps).
        """
        frames = []
        for arm in ARMS:
            curves = [part.cif[arm] for part in self.by_cause.values()]
            if not curves:
                continue
            last = curves[0].last_time
            grid = np.unique(np.concatenate([[0.0, last], *[c.table["time"].to_numpy() for c in curves]]))
            for cause, curve in zip(self.by_cause, curves):
                frames.append(pd.DataFrame({"cause": cause, "arm": arm, "time": grid,
                                            "cif": curve.at(grid)["cif"].to_numpy()}))
        if not frames:
            return pd.DataFrame({"cause": [], "arm": [], "time": [], "cif": []})
        return pd.concat(frames, ignore_index=True)

    def summary(self) -> str:
        head = f"{self.heading()}\n{'=' * len(self.heading())}"
        if not self.by_cause:
            return f"{head}\nno rupture"
        return "\n\n".join([head, *(part.summary() for part in self.by_cause.values())])

    def conventions(self) -> str:
        return next(iter(self.by_cause.values())).conventions() if self.by_cause else ""


def _column(data: pd.DataFrame, plan: Plan, name: str, key: str) -> pd.Series:
    """The cohort column the plan names (canonical name, or a source name the plan maps)."""
    for candidate in (name, plan.columns.get(name)):
        if candidate is not None and candidate in data.columns:
            return data[candidate]
    raise AnalysisError(f"column '{name}' named by [survival] {key} is not in the cohort")


def rupture_causes(cohort: Cohort, plan: Plan) -> pd.Series:
    """The cause of each rupture as a string; ``None`` where ``event == 0``.

    A rupture with a missing (empty) cause gets :data:`UNKNOWN_CAUSE`.
    """
    raw = _column(cohort.data, plan, str(plan.survival.causes), "causes")
    text = raw.astype("string").str.strip()
    cause = text.where(text.notna() & (text != ""), UNKNOWN_CAUSE).astype(object)
    return cause.where(cohort.data["event"] == 1, None)


def _undefined(events: dict[str, int]) -> str:
    missing = [arm for arm in ARMS if events[arm] == 0]
    return f"no rupture of this cause in the {' and '.join(missing)} arm" if missing else ""


def analyze_cause(time: np.ndarray, status: np.ndarray, treated: np.ndarray, cause: int, label: str, *,
                  strata: np.ndarray | None, cluster: np.ndarray | None, ties: str, alpha: float,
                  landmarks: tuple[int, ...], firth: bool = False) -> CauseAnalysis:
    """The analyses of one cause; ``status`` is 0 for censored, else the integer code of the cause.

    With ``firth``, the cause-specific Firth estimate is added (also when an arm has no
    rupture of the cause, where it is the only finite hazard ratio)."""
    arms = {"treatment": treated == 1, "control": treated == 0}
    cif = {arm: cumulative_incidence(time[rows], status[rows], cause, alpha=alpha) for arm, rows in arms.items()}
    events = {arm: int((status[rows] == cause).sum()) for arm, rows in arms.items()}
    gray = gray_test(time, status, treated, cause=cause, strata=strata)
    note = _undefined(events)
    found: list[AnalysisWarning] = []
    csc = fg = None
    if not note:
        X = pd.DataFrame({"treated": treated.astype(float)})
        failures = []
        fit, caught = run_quietly(f"cause '{label}', cause-specific Cox model", lambda: cox_ph(
            time, (status == cause).astype(int), X, strata=strata, cluster=cluster, ties=ties, alpha=alpha))
        found += caught
        if fit is not None and fit.estimable("treated"):
            csc = fit.ratio("treated")
        else:
            # an infinite coefficient within strata (monotone likelihood) or no fit at all
            failures += [f"cause-specific Cox: {w.message.split(': ', 1)[1]}" for w in caught]
        try:
            fg = fine_gray(time, status, X, cause=cause, alpha=alpha)
        except AnalysisError as exc:
            failures.append(str(exc))
            found.append(AnalysisWarning(alerts.NOT_ESTIMABLE, f"cause '{label}', Fine-Gray model: {exc}"))
        if csc is not None and csc.get("n_clusters", FEW_CLUSTERS) < FEW_CLUSTERS:
            failures.append(f"cause-specific Cox: cluster-robust standard errors rest on only "
                            f"{csc['n_clusters']} clusters; with fewer than {FEW_CLUSTERS} they tend to be too small")
        note = "; ".join(failures)
    small_sample = None
    if firth:
        small_sample, caught = run_quietly(f"cause '{label}', cause-specific Cox model, Firth", lambda: firth_cox(
            time, (status == cause).astype(int), pd.DataFrame({"treated": treated.astype(float)}), strata=strata,
            alpha=alpha).small_sample("treated"))
        found += caught
    return CauseAnalysis(cause=label, cif=cif, gray=gray, cause_specific_cox=csc, fine_gray=fg,
                         landmarks=tuple(landmarks), events=events, robust=cluster is not None, note=note,
                         warnings=tuple(found), small_sample=small_sample)


def analyze_competing(cohort: Cohort, plan: Plan) -> CompetingRisksAnalysis | None:
    """Competing-risks analysis by cause of rupture; None when the plan names no ``causes``.

    Parameters
    ----------
    cohort : Cohort
        Needs ``time_days``, ``event``, ``treated`` and the plan's causes column (and its
        strata and cluster columns when named).
    plan : Plan
        ``survival.causes``, ``.strata``, ``.cluster``, ``.ties``, ``.landmarks_days``;
        ``inference.alpha``.

    Returns
    -------
    CompetingRisksAnalysis or None

    Raises
    ------
    AnalysisError
        A column the plan names is not in the cohort.
    """
    if plan.survival.causes is None:
        return None
    data = cohort.data
    cause = rupture_causes(cohort, plan)
    labels = sorted(set(cause.dropna()))
    codes = {label: code for code, label in enumerate(labels, start=1)}
    status = cause.map(codes).fillna(0).to_numpy(dtype=np.int64)
    time = data["time_days"].to_numpy(dtype=float)
    treated = data["treated"].to_numpy(dtype=np.int64)
    # integer codes of the labels (evalexp.grouping: the missing ones one level): fast for Gray's test and Cox
    strata = (pd.factorize(group_labels(_column(data, plan, plan.survival.strata, "strata")))[0]
              if plan.survival.strata else None)
    cluster = (pd.factorize(group_labels(_column(data, plan, plan.survival.cluster, "cluster")))[0]
               if plan.survival.cluster else None)
    alpha = plan.inference.alpha
    by_cause = {label: analyze_cause(time, status, treated, codes[label], label, strata=strata,
                                     cluster=cluster, ties=plan.survival.ties, alpha=alpha,
                                     landmarks=plan.survival.landmarks_days, firth=plan.survival.firth)
                for label in labels}
    return CompetingRisksAnalysis(by_cause=by_cause, alpha=alpha)
