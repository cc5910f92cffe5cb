"""Calibration by simulation: trials shaped like the user's cohort, analysed by the user's plan
(CONTRACT.md section 10).

:func:`calibrate` fits a :class:`TrialModel` to a cohort, simulates ``reps`` trials from it
under no effect and under a hazard ratio, runs the plan's survival analysis on each, and
scores every test and confidence interval that the results hold (the table of
:mod:`evalexp.calibration_methods`): rejection rate (type-I error under no effect, power
otherwise), CI coverage of the true value, Monte Carlo standard error, and the number of
replicates where the method could not be computed.

The simulation model
--------------------
*Design.* Every simulated trial has the cohort's rows, strata and clusters: position ``i``
keeps row ``i``'s stratum and cluster labels; its covariates are those of a row drawn
with replacement among the cohort's rows of the same (stratum, cluster) group, and its
potential follow-up (``end - contract_start``, days) is drawn independently among the same
group's rows, so censoring is independent of the covariates and of the arm. The arm is
the cohort's assignment re-randomised within the plan's strata (each stratum's arm sizes
kept).

*Ruptures.* ``h(t | x, arm) = h0(t) exp(x' beta) HR^arm`` with ``beta`` the covariate
coefficients of the cohort's adjusted Cox model (the plan's covariates, strata and ties;
complete cases; a row with a missing covariate gets the mean linear predictor; when that
model diverges, a ridge-penalised fit, see :func:`_ridge_cox`) and ``h0``
piecewise constant, its pieces cut at quantiles of the observed rupture days (about ten
ruptures a piece, at most eight pieces), estimated by maximum likelihood with ``beta``
and the fitted treatment coefficient as offsets (the control arm's hazard under the fitted
model; no stratum effect on the baseline). A latent time ``T`` gives the rupture day
``floor(T) + 1``, observed when it is no later than the potential follow-up.

*Truth.* ``HR`` is the conditional hazard ratio (the adjusted Cox models' estimand). The
marginal estimands are those of the simulated population (the cohort's rows with equal
weights): survival ``S_a(k) = mean_i exp(-H0(k) exp(x_i' beta) HR^a)``, risk difference at
the horizon ``S_0(h) - S_1(h)`` and RMST difference ``sum_{k < tau} S_1(k) - S_0(k)`` (the
Kaplan-Meier limits on whole days), computed exactly; the marginal log hazard ratio is the
unadjusted (plan-stratified) Cox estimate on one simulated population of
:data:`POPULATION_SIZE` participants, its standard error reported as the Monte Carlo error.

Reproducibility: replicate ``r`` of scenario ``s`` draws from
``SeedSequence(seed).spawn(2)[s].spawn(reps)[r]``, so results do not depend on the number of
worker processes. The same generator gives the replicate's seed of the permutation methods
(randomisation inference, studentised RMST permutation), so that their Monte Carlo error
averages out over replicates instead of being shared by all of them.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import time as _time
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from ._files import atomic_write_text
from ._progress import ProgressBar
from .calibration_methods import ESTIMANDS, METHODS, Score, score
from .cohort import Cohort
from .errors import EvalexpError
from .grouping import group_labels
from .plan import Plan
from .survival.cox import cox_ph, evaluate, prepare
from .survival.design import design_matrix
from .survival.survival_analysis import analyze_survival

#: Participants of the simulated population giving the true marginal hazard ratio.
POPULATION_SIZE = 400_000
#: Ruptures per piece of the piecewise-constant baseline hazard, and the most pieces.
EVENTS_PER_PIECE = 10
MAX_PIECES = 8
#: Ridge penalty (per standardised covariate) of the fallback fit when the cohort's adjusted Cox
#: model diverges (monotone likelihood).
RIDGE = 1.0
#: Default re-randomisations of randomisation inference in each simulated trial.
CALIBRATION_PERMUTATIONS = 1000
#: Calibration bounds (CONTRACT.md section 10), for alpha = 0.05: type-I error in
#: [0.6 alpha, alpha + 3 MC SE] and coverage in [1 - alpha - 3 MC SE, 1 - alpha + 0.02].
TYPE_I_FLOOR = 0.6
COVERAGE_SLACK = 0.02
#: Replicates sent to a worker process at once.
CHUNK = 25


@dataclass(frozen=True, eq=False)
class TrialModel:
    """What a simulated trial is drawn from (see the module docstring).

    Attributes
    ----------
    rows : pandas.DataFrame
        The cohort's plan columns (covariates, strata, cluster), positional index.
    linear_predictor : ndarray
        ``x_i' beta`` of each row.
    follow_up : ndarray
        Potential follow-up of each row, days (``end - contract_start``).
    treated : ndarray
        The cohort's 0/1 assignment.
    blocks : ndarray
        Randomisation block code of each row (the plan's strata; one block without).
    groups : ndarray
        Resampling group code of each row (stratum x cluster).
    breaks : ndarray
        Start day of each piece of the baseline hazard.
    hazard : ndarray
        Baseline hazard per day on each piece (control arm, linear predictor 0).
    beta : dict
        Covariate coefficients (design-matrix columns) of the cohort's adjusted Cox model.
    fitted_log_hr : float
        The treatment coefficient of the cohort's Cox model used as offset.
    penalised : bool
        Whether the cohort's adjusted Cox model diverged (monotone likelihood), so that the
        coefficients come from the ridge-penalised fit of :func:`_ridge_cox` instead.
    """

    rows: pd.DataFrame
    linear_predictor: np.ndarray
    follow_up: np.ndarray
    treated: np.ndarray
    blocks: np.ndarray
    groups: np.ndarray
    breaks: np.ndarray
    hazard: np.ndarray
    beta: dict[str, float]
    fitted_log_hr: float
    penalised: bool = False

    def cumulative_hazard(self, t: np.ndarray) -> np.ndarray:
        """Baseline cumulative hazard ``H0(t)``."""
        t = np.asarray(t, dtype=float)
        cum = np.r_[0.0, np.cumsum(self.hazard[:-1] * np.diff(self.breaks))]
        j = np.searchsorted(self.breaks, t, side="right") - 1
        return cum[j] + self.hazard[j] * (t - self.breaks[j])

    def inverse_cumulative_hazard(self, target: np.ndarray) -> np.ndarray:
        """The time ``t`` with ``H0(t) = target`` (infinite beyond a zero-hazard last piece)."""
        cum = np.r_[0.0, np.cumsum(self.hazard[:-1] * np.diff(self.breaks))]
        j = np.searchsorted(cum, target, side="right") - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            t = self.breaks[j] + (target - cum[j]) / self.hazard[j]
        return np.where(np.isfinite(t), t, np.inf)

    def survival(self, days: np.ndarray, hazard_ratio: float, treated: int) -> np.ndarray:
        """Marginal survival ``S_a(days)`` of the population (the rows with equal weights)."""
        scale = np.exp(self.linear_predictor) * hazard_ratio ** treated
        return np.exp(-np.outer(self.cumulative_hazard(days), scale)).mean(axis=1)

    def to_dict(self) -> dict[str, Any]:
        return {"baseline_hazard": {"breaks_days": [float(b) for b in self.breaks],
                                    "per_day": [float(h) for h in self.hazard]},
                "log_hr_covariates": {k: float(v) for k, v in self.beta.items()},
                "cohort_log_hr_offset": float(self.fitted_log_hr),
                "covariate_fit": "ridge-penalised Cox (the adjusted model diverges)" if self.penalised
                else "adjusted Cox model",
                "n": int(self.treated.size), "blocks": int(self.blocks.max()) + 1,
                "groups": int(self.groups.max()) + 1}


def _codes(data: pd.DataFrame, column: str | None) -> np.ndarray:
    if column is None:
        return np.zeros(len(data), dtype=np.int64)
    return pd.factorize(group_labels(data[column]))[0]


def _piecewise_hazard(time: np.ndarray, event: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood piecewise-constant hazard with a known log-linear ``offset``."""
    event_days = np.sort(time[event == 1])
    pieces = int(np.clip(event_days.size // EVENTS_PER_PIECE, 1, MAX_PIECES))
    cuts = np.unique(np.quantile(event_days, np.arange(1, pieces) / pieces)) if pieces > 1 else np.array([])
    breaks = np.r_[0.0, cuts]
    upper = np.r_[breaks[1:], np.inf]
    exposure = np.clip(time[:, None], breaks, upper) - breaks  # (n, pieces)
    piece = np.searchsorted(breaks, time, side="right") - 1
    deaths = np.bincount(piece[event == 1], minlength=breaks.size)
    hazard = deaths / (np.exp(offset) @ exposure)
    return breaks, hazard


def _ridge_cox(time: np.ndarray, event: np.ndarray, X: pd.DataFrame, strata, ties: str) -> dict[str, float]:
    """Cox coefficients maximising ``loglik(beta) - RIDGE / 2 sum_j (sd_j beta_j)^2`` over the covariates.

    ``treated`` is not penalised; Newton-Raphson with step halving from 0.
    """
    cd = prepare(time, event, X.to_numpy(dtype=float), strata=strata, ties=ties)
    weight = RIDGE * X.to_numpy(dtype=float).var(axis=0)
    weight[list(X.columns).index("treated")] = 0.0
    beta = np.zeros(X.shape[1])

    def objective(b):
        ev = evaluate(cd, b)
        return ev.loglik - 0.5 * np.sum(weight * b * b), ev

    value, ev = objective(beta)
    for _ in range(100):
        step = np.linalg.solve(ev.information + np.diag(weight), ev.score - weight * beta)
        candidate, cev = objective(beta + step)
        while candidate < value - 1e-12 * abs(value) and np.max(np.abs(step)) > 1e-12:
            step = step / 2.0
            candidate, cev = objective(beta + step)
        beta, value, ev = beta + step, candidate, cev
        if np.max(np.abs(step)) < 1e-9:
            break
    return dict(zip(X.columns, (float(b) for b in beta)))


def fit_model(cohort: Cohort, plan: Plan) -> TrialModel:
    """Fit the simulation model of the module docstring to ``cohort`` under ``plan``."""
    sv = plan.survival
    data = cohort.data.reset_index(drop=True)
    time = data["time_days"].to_numpy(dtype=float)
    event = data["event"].to_numpy(dtype=np.int64)
    treated = data["treated"].to_numpy(dtype=np.int64)
    if event.sum() == 0 or event[treated == 0].sum() == 0:
        raise EvalexpError("calibrate: the cohort's control arm has no rupture: its hazard cannot be estimated")
    blocks = _codes(data, sv.strata)
    groups = pd.factorize(pd.Series(list(zip(blocks, _codes(data, sv.cluster)))))[0]
    strata = None if sv.strata is None else blocks
    lp = np.zeros(len(data))
    X = design_matrix(data.assign(treated=treated), ["treated", *sv.covariates], plan.reference)
    rows = X.index.to_numpy()
    stratum_rows = None if strata is None else strata[rows]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # a monotone likelihood warns
            fit = cox_ph(time[rows], event[rows], X, strata=stratum_rows, ties=sv.ties)
        coefficients = {term: float(fit.params_[term]) for term in fit.terms}
        penalised = False
    except (EvalexpError, RuntimeWarning):
        coefficients = _ridge_cox(time[rows], event[rows], X, stratum_rows, sv.ties)
        penalised = True
    beta = {term: value for term, value in coefficients.items() if term != "treated"}
    if beta:
        lp_rows = X[list(beta)].to_numpy() @ np.array(list(beta.values()))
        lp[:] = lp_rows.mean()
        lp[rows] = lp_rows
    fitted = coefficients["treated"]
    breaks, hazard = _piecewise_hazard(time, event, lp + fitted * treated)
    follow_up = (data["end"] - data["contract_start"]).dt.days.to_numpy(dtype=np.int64)
    columns = [c for c in dict.fromkeys([*sv.covariates, sv.strata, sv.cluster]) if c is not None]
    return TrialModel(rows=data[columns].copy(), linear_predictor=lp, follow_up=follow_up, treated=treated,
                      blocks=blocks, groups=groups, breaks=breaks, hazard=hazard, beta=beta,
                      fitted_log_hr=fitted, penalised=penalised)


def _within(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each position, a row index drawn with replacement among the rows of its group."""
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    return order[starts[codes] + np.floor(rng.random(codes.size) * sizes[codes]).astype(np.int64)]


def _shuffle_within(values: np.ndarray, codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``values`` permuted at random within each group of ``codes``."""
    order = np.lexsort((rng.random(codes.size), codes))
    target = np.argsort(codes, kind="stable")
    out = np.empty_like(values)
    out[target] = values[order]
    return out


def simulate_trial(model: TrialModel, hazard_ratio: float, rng: np.random.Generator) -> pd.DataFrame:
    """One simulated trial: the plan's columns plus ``time_days``, ``event``, ``treated``, ``arm``."""
    pick = _within(model.groups, rng)
    follow = model.follow_up[_within(model.groups, rng)]
    treated = _shuffle_within(model.treated, model.blocks, rng)
    scale = np.exp(model.linear_predictor[pick]) * hazard_ratio ** treated
    latent = model.inverse_cumulative_hazard(rng.exponential(size=pick.size) / scale)
    day = np.floor(np.minimum(latent, 1e9)).astype(np.int64) + 1
    event = day <= follow
    data = model.rows.iloc[pick].reset_index(drop=True)  # same stratum and cluster as the position
    return data.assign(time_days=np.where(event, day, follow), event=event.astype(np.int8),
                       treated=treated.astype(np.int8), arm=np.where(treated == 1, "treatment", "control"))


def true_values(model: TrialModel, plan: Plan, hazard_ratio: float, seed: int,
                population: int = POPULATION_SIZE) -> tuple[dict[str, float], dict[str, Any]]:
    """True values of the estimands (:data:`~evalexp.calibration_methods.ESTIMANDS`) and how they were obtained."""
    horizon = plan.survival.horizon_days
    log_hr = math.log(hazard_ratio)
    if hazard_ratio == 1.0:
        return dict.fromkeys(ESTIMANDS, 0.0), {"method": "exact (no effect: identical arms)"}
    days = np.arange(horizon + 1, dtype=float)
    s1, s0 = model.survival(days, hazard_ratio, 1), model.survival(days, hazard_ratio, 0)
    copies = max(1, population // model.treated.size)
    big = dataclasses.replace(model, rows=pd.DataFrame(index=range(copies * model.treated.size)),
                              linear_predictor=np.tile(model.linear_predictor, copies),
                              follow_up=np.tile(model.follow_up, copies), treated=np.tile(model.treated, copies),
                              blocks=np.tile(model.blocks, copies), groups=np.tile(model.groups, copies))
    trial = simulate_trial(big, hazard_ratio, np.random.default_rng(np.random.SeedSequence([seed, 1])))
    strata = big.blocks if plan.survival.strata else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = cox_ph(trial["time_days"].to_numpy(float), trial["event"].to_numpy(float),
                     pd.DataFrame({"treated": trial["treated"].to_numpy(float)}), strata=strata,
                     ties=plan.survival.ties)
    truth = {"conditional_log_hr": log_hr, "marginal_log_hr": float(fit.params_["treated"]),
             "rmst_difference": float(np.sum(s1[:-1] - s0[:-1])),
             "risk_difference": float(s0[horizon] - s1[horizon])}
    how = {"method": "risk and RMST differences exact over the cohort's covariate rows; marginal log HR "
                     "from the unadjusted Cox model of one simulated population",
           "population": int(copies * model.treated.size),
           "marginal_log_hr_mc_se": float(fit.se_["treated"])}
    return truth, how


# ----------------------------------------------------------------------------- running the replicates

_WORKER: dict[str, Any] = {}


def _init_worker(model: TrialModel, plan: Plan, hazard_ratio: float, truth: dict[str, float]) -> None:
    _WORKER.update(model=model, plan=plan, hazard_ratio=hazard_ratio, truth=truth)
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _replicate(seed: np.random.SeedSequence) -> dict[str, Score] | str:
    """Simulate and analyse one trial; its scores by method, or the error message when the analysis raised."""
    model, plan = _WORKER["model"], _WORKER["plan"]
    rng = np.random.default_rng(seed)
    data = simulate_trial(model, _WORKER["hazard_ratio"], rng)
    # the permutation methods' own seed, drawn per replicate: with one fixed seed every replicate
    # would share the same re-randomisations, and their Monte Carlo error would not average out
    plan = dataclasses.replace(plan, inference=dataclasses.replace(plan.inference,
                                                                   seed=int(rng.integers(0, 2**31 - 1))))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = {"survival": analyze_survival(Cohort(data=data), plan).to_dict()}
    except Exception as exc:  # a replicate whose analysis aborts counts as not computed
        return f"{type(exc).__name__}: {exc}"
    scores = {}
    for spec in METHODS:
        s = score(spec, results, _WORKER["truth"], plan.inference.alpha)
        if s is not None:
            scores[spec.name] = s
    return scores


def _chunk(seeds: Sequence[np.random.SeedSequence]) -> list[dict[str, Score] | str]:
    return [_replicate(s) for s in seeds]


def run_replicates(model: TrialModel, plan: Plan, hazard_ratio: float, truth: dict[str, float],
                   seeds: Sequence[np.random.SeedSequence], *, workers: int = 1,
                   label: str = "calibrate", quiet: bool = True) -> list[dict[str, Score] | str]:
    """Scores of every replicate, in seed order (the same for any ``workers``)."""
    chunks = [seeds[i:i + CHUNK] for i in range(0, len(seeds), CHUNK)]
    bar = ProgressBar(label, len(seeds), not quiet and sys.stderr.isatty(), timed=True)
    out: list[dict[str, Score] | str] = []
    if workers <= 1:
        _init_worker(model, plan, hazard_ratio, truth)
        for chunk in chunks:
            out += _chunk(chunk)
            bar.update(len(out))
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                 initargs=(model, plan, hazard_ratio, truth)) as pool:
            for result in pool.map(_chunk, chunks):
                out += result
                bar.update(len(out))
    bar.close()
    return out


def summarise(replicates: list[dict[str, Score] | str], truth: dict[str, float], alpha: float,
              null: bool) -> dict[str, dict[str, Any]]:
    """Per method: estimand, truth, rejection rate, coverage, MC SE, not computed, calibrated.

    ``mc_se = sqrt(alpha (1 - alpha) / computed)``, the Monte Carlo standard error of a
    rejection rate at the nominal level (and of a coverage at the nominal ``1 - alpha``).
    ``calibrated`` (CONTRACT.md section 10): every replicate computed, the type-I error (no-effect
    scenario) in ``[0.6 alpha, alpha + 3 mc_se]`` and the coverage in
    ``[1 - alpha - 3 mc_se, 1 - alpha + 0.02]``; None for a test under an effect.
    """
    reps = len(replicates)
    out: dict[str, dict[str, Any]] = {}
    for spec in METHODS:
        scored = [r[spec.name] for r in replicates if isinstance(r, dict) and spec.name in r]
        if not scored:
            continue
        done = [s for s in scored if s.computed]
        n = len(done)
        rejection = float(np.mean([s.rejected for s in done])) if n else None
        covers = [s.covered for s in done if s.covered is not None]
        coverage = float(np.mean(covers)) if covers else None
        mc_se = math.sqrt(alpha * (1 - alpha) / n) if n else None
        estimates = [s.estimate for s in done if s.estimate is not None]
        labels = sorted({s.label for s in scored if s.label})
        checks = []
        if rejection is not None and mc_se is not None and null:  # some replicates done
            checks.append(TYPE_I_FLOOR * alpha <= rejection <= alpha + 3 * mc_se)
        if coverage is not None and mc_se is not None:
            checks.append(1 - alpha - 3 * mc_se <= coverage <= 1 - alpha + COVERAGE_SLACK)
        out[spec.name] = {
            "estimand": ESTIMANDS[spec.estimand] if spec.estimand else "no effect (test)",
            "truth": truth[spec.estimand] if spec.estimand else None,
            "rejection_rate": rejection, "coverage": coverage, "mc_se": mc_se,
            "not_computed": reps - n,
            "mean_estimate": float(np.mean(estimates)) if estimates else None,
            "method": labels[0] if len(labels) == 1 else (labels or None),
            "pointer": spec.pointer,
            "calibrated": (bool(all(checks)) and n == reps) if checks else None,
        }
    return out


def _errors(replicates: list[dict[str, Score] | str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in replicates:
        if isinstance(r, str):
            counts[r] = counts.get(r, 0) + 1
    return counts


def calibrate(cohort: Cohort, plan: Plan, *, reps: int = 2000, hazard_ratio: float = 0.7,
              seed: int | None = None, workers: int | None = None,
              permutations: int = CALIBRATION_PERMUTATIONS, quiet: bool = True,
              population: int = POPULATION_SIZE) -> dict[str, Any]:
    """Calibrate the plan's survival analysis on trials shaped like ``cohort`` (CONTRACT.md section 10).

    Parameters
    ----------
    cohort, plan : Cohort, Plan
    reps : int
        Simulated trials per scenario (no effect, and ``hazard_ratio``).
    hazard_ratio : float
        The conditional hazard ratio of the second scenario.
    seed : int, optional
        Default: the plan's seed.
    workers : int, optional
        Worker processes (default: the CPU count); results do not depend on it.
    permutations : int
        Re-randomisations of randomisation inference in each trial: the plan's number, at most
        this (the randomisation p-value's Monte Carlo error then adds to the rejection rate's
        by at most ``sqrt(alpha (1 - alpha) / permutations)`` per trial, averaging out over
        replicates).
    quiet : bool
        No progress bar (it is drawn only on a terminal anyway).
    population : int
        Size of the simulated population giving the true marginal hazard ratio.

    Returns
    -------
    dict
        The ``calibration.json`` mapping.
    """
    if reps < 1:
        raise EvalexpError(f"calibrate: --reps must be at least 1, got {reps}")
    if not hazard_ratio > 0:
        raise EvalexpError(f"calibrate: --hr must be positive, got {hazard_ratio}")
    if permutations < 1:
        raise EvalexpError(f"calibrate: --permutations must be at least 1, got {permutations}")
    seed = plan.inference.seed if seed is None else int(seed)
    if seed < 0:
        raise EvalexpError(f"calibrate: --seed must be non-negative, got {seed}")
    workers = max(1, os.cpu_count() or 1) if workers is None else max(1, int(workers))
    used = min(plan.inference.permutations, permutations)
    run_plan = dataclasses.replace(plan, inference=dataclasses.replace(plan.inference, permutations=used))
    model = fit_model(cohort, plan)
    alpha = plan.inference.alpha
    start = _time.perf_counter()
    scenarios = []
    for k, (hr, sequence) in enumerate(zip((1.0, float(hazard_ratio)), np.random.SeedSequence(seed).spawn(2))):
        truth, how = true_values(model, plan, hr, seed + k, population)
        replicates = run_replicates(model, run_plan, hr, truth, sequence.spawn(reps), workers=workers,
                                    label=f"calibrate HR {hr:g}", quiet=quiet)
        scenarios.append({"hazard_ratio": hr, "truth": truth, "truth_computation": how,
                          "failed_replicates": _errors(replicates),
                          "methods": summarise(replicates, truth, alpha, null=hr == 1.0)})
    return {
        "reps": int(reps), "seed": int(seed), "alpha": alpha,
        "software": {"evalexp": __version__},
        "plan": {"title": plan.title, "source": Path(plan.source).name},
        "permutations": {"used": int(used), "plan": int(plan.inference.permutations),
                         "note": ("randomisation inference run with fewer re-randomisations than the plan"
                                  if used < plan.inference.permutations else "the plan's number"),
                         "seeds": "one per replicate, drawn from the replicate's generator"},
        "rule": ("calibrated: every replicate computed; type-I error in [0.6 alpha, alpha + 3 mc_se]; "
                 "coverage in [1 - alpha - 3 mc_se, 1 - alpha + 0.02]; "
                 "mc_se = sqrt(alpha (1 - alpha) / computed replicates)"),
        "model": model.to_dict(),
        "workers": int(workers),
        "seconds": round(_time.perf_counter() - start, 1),
        "scenarios": scenarios,
    }


def _is_calibration_file(path: Path) -> bool:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(content, dict) and "scenarios" in content and "reps" in content


def write_calibration(result: dict[str, Any], path: str | Path) -> None:
    """Write ``calibration.json`` atomically.

    An existing ``path`` is replaced only when it is a calibration file (a JSON object with
    ``reps`` and ``scenarios``); anything else is refused, as is a path that cannot be written.
    """
    path = Path(path)
    if path.is_dir():
        raise EvalexpError(f"{path}: is a folder; --out names the calibration file to write")
    if path.exists() and not _is_calibration_file(path):
        raise EvalexpError(f"{path}: exists and is not an evalexp calibration file; refusing to replace it")
    try:
        atomic_write_text(path, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise EvalexpError(f"{path}: cannot write the calibration file: {exc.strerror or exc}") from None
