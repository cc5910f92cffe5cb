"""Synthetic AGIR-like cohorts with a known truth.

The generator reproduces the shape of the AGIR experiment (young people on
work-study contracts, support vs randomised control, outcome = contract
rupture) at any size, vectorised, deterministic per seed.

Model
-----
*Sites and strata.* ``n_sites`` sites (Missions locales / training centres,
unequal sizes drawn from a Dirichlet(5) distribution) grouped into ``n_strata``
contiguous randomisation blocks. Arms are assigned 1:1 by complete
randomisation within each stratum (odd strata give their extra participant to
a random arm).

*Contracts.* Start dates uniform over 2010-01-01 .. 2011-06-30 (18 months),
randomisation 0-14 days before the start, planned durations of 6, 9, 12, 18 or
24 months (one month = 30.4375 days), data extracted on 2012-03-31; a share
``lost_to_followup`` of participants leave observation at a uniform time
before the end of their contract.

*Ruptures.* Four causes (``rupture_initiative``): ``trial_period`` (hazard only
in the first 30 days, highest in the first two weeks), ``employer``,
``apprentice``, ``mutual`` (hazards decreasing with time). The hazard of cause
``k`` for participant ``i`` is::

    h_k(t | x_i, arm_i) = h0_k(t) * exp(x_i' beta) * HR ** [arm_i == treatment]

with ``h0_k`` piecewise constant on ``[0, 14, 30, 90, 180, 365, inf)`` days
(:data:`BASELINE_HAZARD`, per day, for the reference profile: age 20, male,
CAP-BEP, outside a QPV, trade, firm of 10-49) and ``beta`` in
:data:`LOG_HR`. The treatment hazard ratio acts on **assignment**
(intention to treat, the same for every cause): it is the conditional hazard
ratio that a Cox model on ``treated`` and all the covariates estimates. A
rupture is recorded (``rupture_date`` = start + ceil(T) days, day 1 at the
earliest) when it happens no later than the planned end and the end of
follow-up; otherwise the contract is censored.

*Take-up and meetings.* ``support_received`` ~ Bernoulli(``take_up``) in the
treatment arm, 0 in control; take-up is independent of the outcomes (the effect
acts on assignment, so complier analyses are not identified by this model).
The three tripartite meetings (start of contract, after one month, six months
after hiring or two weeks before a shorter contract's end) are dated for
recipients only, late by a few days, missed with probabilities 5 %, 15 %, 25 %,
and never after a rupture or the end of follow-up.

*Follow-up outcomes.* Linear-probability models (clipped to [0, 1])::

    employed_6m   = 0.88 - 0.45 R(6 months)  + 0.03 T + covariates
    employed_12m  = 0.80 - 0.35 R(12 months) + 0.05 T + covariates
    qualification = 0.85 - 0.60 R(contract)  + 0.00 T + covariates

``R(.)`` a rupture before that day (or before the planned end), whether or not
the data extraction saw it. Outcomes are missing completely at random within
arm: wave-6-month non-response ``attrition -/+ differential_attrition / 2``
(control / treatment), 1.5 times that at 12 months (nested), qualification
missing with the 12-month wave.

The truth (:attr:`SimulatedCohort.truth`) is computed exactly by summing over
the discrete covariate distribution, not by simulation.
"""
from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from . import __version__
from ._files import Target, check_target, read_json_object, sha256_file, staged_files, write_synced
from .errors import ArgumentError, EvalexpError

#: Version of the generating model (bump when the model changes).
MODEL_VERSION = 1

#: Latent rupture times are capped here (100 years, far beyond any contract and follow-up), so
#: that a tiny hazard ratio cannot overflow the dates of ruptures that are never observed anyway.
NEVER_OBSERVED_DAYS = 36525.0

#: The mark of a truth record written by :func:`simulate_to_file`.
GENERATOR = "evalexp simulate"

CAUSES = ("trial_period", "employer", "apprentice", "mutual")
#: Boundaries (days) of the pieces of the piecewise-constant baseline hazards.
BREAKS_DAYS = (0, 14, 30, 90, 180, 365)
#: Baseline hazard per day of each cause on each piece, reference profile.
BASELINE_HAZARD = {
    "trial_period": (0.00340, 0.00185, 0.0, 0.0, 0.0, 0.0),
    "employer":     (0.00034, 0.00034, 0.00034, 0.00025, 0.00017, 0.00008),
    "apprentice":   (0.00042, 0.00042, 0.00042, 0.00034, 0.00021, 0.00010),
    "mutual":       (0.00017, 0.00017, 0.00017, 0.00017, 0.00013, 0.00008),
}

#: Covariate categories and their probabilities (independent covariates).
FEMALE_P = 0.42
QPV_P = 0.25
DIPLOMA = {"none": 0.15, "CAP-BEP": 0.40, "bac": 0.30, "bac+2": 0.15}
SECTOR = {"trade": 0.25, "hospitality": 0.20, "construction": 0.15, "industry": 0.15, "services": 0.25}
COMPANY_SIZE = {"<10": 0.45, "10-49": 0.30, "50+": 0.25}
#: Age at contract start: uniform on 16.0, 16.1, ..., 25.9 years.
AGE_TENTHS = np.arange(160, 260)
#: Planned duration in months and its probability.
DURATION_MONTHS = {6: 0.15, 9: 0.10, 12: 0.35, 18: 0.15, 24: 0.25}
DAYS_PER_MONTH = 30.4375

#: Log hazard ratios of the covariates (the same for every cause).
LOG_HR: dict[str, Any] = {
    "age_per_year_from_20": -0.04,
    "female": -0.10,
    "qpv": 0.20,
    "diploma": {"none": 0.25, "CAP-BEP": 0.0, "bac": -0.25, "bac+2": -0.45},
    "sector": {"trade": 0.0, "hospitality": 0.45, "construction": 0.15, "industry": -0.10, "services": -0.05},
    "company_size": {"<10": 0.20, "10-49": 0.0, "50+": -0.20},
}

#: Linear-probability outcome models: intercept, rupture, treatment, covariates.
OUTCOME_MODELS: dict[str, dict[str, Any]] = {
    "employed_6m": {"intercept": 0.88, "rupture": -0.45, "treatment": 0.03, "rupture_by_day": 183,
                    "female": 0.0, "qpv": -0.05,
                    "diploma": {"none": -0.06, "CAP-BEP": 0.0, "bac": 0.03, "bac+2": 0.05}},
    "employed_12m": {"intercept": 0.80, "rupture": -0.35, "treatment": 0.05, "rupture_by_day": 365,
                     "female": 0.0, "qpv": -0.06,
                     "diploma": {"none": -0.08, "CAP-BEP": 0.0, "bac": 0.04, "bac+2": 0.07}},
    "qualification": {"intercept": 0.85, "rupture": -0.60, "treatment": 0.0, "rupture_by_day": None,
                      "female": 0.02, "qpv": -0.03,
                      "diploma": {"none": -0.10, "CAP-BEP": 0.0, "bac": 0.03, "bac+2": 0.05}},
}

START_FIRST = np.datetime64("2010-01-01")
START_DAYS = 546  # 2010-01-01 .. 2011-06-30
EXTRACTION = np.datetime64("2012-03-31")
#: Tripartite meetings: (target day after start, lateness range in days, probability missed).
MEETINGS = {"meeting1_date": (0, 7, 0.05), "meeting2_date": (30, 14, 0.15), "meeting3_date": (183, 21, 0.25)}


@dataclass(frozen=True)
class SimulatedCohort:
    """A synthetic cohort and the parameters that generated it.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per participant, canonical columns (docs/CONTRACT.md section 1, dates
        as ``datetime64``, ``rupture_date`` NaT when no rupture is observed)
        plus the covariates, meetings and follow-up outcomes.
    truth : dict
        JSON-ready true values: ``hazard_ratio``, ``baseline_hazard``,
        ``log_hr_covariates``, ``control_rupture_share_365`` (marginal
        ``1 - S(365)`` in control, what Kaplan-Meier estimates),
        ``treatment_rupture_share_365``, ``outcomes`` (expected ITT means and
        differences before attrition), ``missing_probability``, ``seed``, ``n``,
        ``version``.
    """

    data: pd.DataFrame
    truth: dict[str, Any]


def _default_sites(n: int) -> int:
    return int(max(3, min(400, round(n / 40))))


def _log_hr_covariates(age_tenths, female, qpv, diploma, sector, size) -> np.ndarray:
    """Linear predictor ``x' beta``; categorical arguments are integer codes."""
    b = LOG_HR
    return (b["age_per_year_from_20"] * (age_tenths / 10.0 - 20.0) + b["female"] * female + b["qpv"] * qpv
            + np.array(list(b["diploma"].values()))[diploma] + np.array(list(b["sector"].values()))[sector]
            + np.array(list(b["company_size"].values()))[size])


def _baseline_cumhaz() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breaks, total hazard per piece and cumulative hazard at each break (reference profile)."""
    breaks = np.array(BREAKS_DAYS, dtype=float)
    total = np.sum([BASELINE_HAZARD[c] for c in CAUSES], axis=0)
    cum = np.concatenate([[0.0], np.cumsum(total[:-1] * np.diff(breaks))])
    return breaks, total, cum


def _cumhaz(t: np.ndarray) -> np.ndarray:
    """Baseline cumulative hazard (all causes) at times ``t`` (days)."""
    breaks, total, cum = _baseline_cumhaz()
    j = np.searchsorted(breaks, t, side="right") - 1
    return cum[j] + total[j] * (t - breaks[j])


def _invert_cumhaz(target: np.ndarray) -> np.ndarray:
    """Time ``t`` with baseline cumulative hazard equal to ``target``."""
    breaks, total, cum = _baseline_cumhaz()
    j = np.searchsorted(cum, target, side="right") - 1
    return breaks[j] + (target - cum[j]) / total[j]


def _categorical(rng: np.random.Generator, probs: dict[Any, float], n: int) -> np.ndarray:
    return rng.choice(len(probs), size=n, p=np.array(list(probs.values())))


def _outcome_probability(model: dict, treated, ruptured, female, qpv, diploma) -> np.ndarray:
    p = (model["intercept"] + model["rupture"] * ruptured + model["treatment"] * treated
         + model["female"] * female + model["qpv"] * qpv + np.array(list(model["diploma"].values()))[diploma])
    return np.clip(p, 0.0, 1.0)


def _randomise_within(strata: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """1:1 complete randomisation within strata; returns 0/1 ``treated``."""
    n = len(strata)
    order = np.lexsort((rng.random(n), strata))
    sorted_strata = strata[order]
    first = np.searchsorted(sorted_strata, sorted_strata, side="left")
    rank = np.arange(n) - first
    size = np.bincount(strata, minlength=strata.max() + 1)[sorted_strata]
    extra = rng.random(strata.max() + 1) < 0.5  # odd strata: who gets the extra participant
    n_treated = size // 2 + (size % 2) * extra[sorted_strata]
    treated = np.empty(n, dtype=np.int8)
    treated[order] = rank < n_treated
    return treated


def _truth(hazard_ratio: float, take_up: float, attrition: dict[str, dict[str, float]], seed: int, n: int,
           n_sites: int, n_strata: int) -> dict[str, Any]:
    """Exact expectations over the discrete covariate and duration distribution."""
    grid = np.array(list(itertools.product(range(len(AGE_TENTHS)), (0, 1), (0, 1), range(len(DIPLOMA)),
                                           range(len(SECTOR)), range(len(COMPANY_SIZE)),
                                           range(len(DURATION_MONTHS)))))
    age_i, female, qpv, diploma, sector, size, dur_i = grid.T
    weight = (np.full(len(grid), 1 / len(AGE_TENTHS)) * np.where(female == 1, FEMALE_P, 1 - FEMALE_P)
              * np.where(qpv == 1, QPV_P, 1 - QPV_P) * np.array(list(DIPLOMA.values()))[diploma]
              * np.array(list(SECTOR.values()))[sector] * np.array(list(COMPANY_SIZE.values()))[size]
              * np.array(list(DURATION_MONTHS.values()))[dur_i])
    lp = _log_hr_covariates(AGE_TENTHS[age_i], female, qpv, diploma, sector, size)
    duration = np.round(np.array(list(DURATION_MONTHS))[dur_i] * DAYS_PER_MONTH)

    def rupture_prob(day, treated):
        # P(T < day): a rupture recorded on a day <= `day` (rupture day = ceil(T)).
        return 1 - np.exp(-_cumhaz(np.asarray(day, dtype=float)) * np.exp(lp) * hazard_ratio ** treated)

    share = {arm: float(weight @ rupture_prob(365.0, t)) for arm, t in (("control", 0), ("treatment", 1))}
    outcomes = {}
    for name, model in OUTCOME_MODELS.items():
        day = duration if model["rupture_by_day"] is None else np.minimum(duration, model["rupture_by_day"])
        means = {}
        for arm, t in (("control", 0), ("treatment", 1)):
            r = rupture_prob(day, t)
            p = (r * _outcome_probability(model, t, 1, female, qpv, diploma)
                 + (1 - r) * _outcome_probability(model, t, 0, female, qpv, diploma))
            means[arm] = float(weight @ p)
        outcomes[name] = {**means, "difference": means["treatment"] - means["control"],
                          "model": model}
    return {
        "version": f"evalexp {__version__}, simulate model {MODEL_VERSION}",
        "seed": seed, "n": n, "n_sites": n_sites, "n_strata": n_strata,
        "hazard_ratio": hazard_ratio, "log_hazard_ratio": float(np.log(hazard_ratio)),
        "effect_acts_on": "assignment",
        "baseline_hazard": {"breaks_days": list(BREAKS_DAYS), "per_day": {c: list(BASELINE_HAZARD[c]) for c in CAUSES},
                            "reference": "age 20, male, CAP-BEP, not QPV, trade, company 10-49"},
        "log_hr_covariates": LOG_HR,
        "control_rupture_share_365": share["control"],
        "treatment_rupture_share_365": share["treatment"],
        "rupture_risk_difference_365": share["treatment"] - share["control"],
        "take_up": take_up,
        "outcomes": outcomes,
        "missing_probability": attrition,
    }


def simulate(n: int = 150, seed: int = 1, hazard_ratio: float = 0.6, *, n_strata: int | None = None,
             n_sites: int | None = None, take_up: float = 0.85, attrition: float = 0.10,
             differential_attrition: float = 0.0, lost_to_followup: float = 0.04) -> SimulatedCohort:
    """Simulate an AGIR-like randomised cohort (see the module docstring for the model).

    Parameters
    ----------
    n : int
        Participants (contracts), at least 2.
    seed : int
        Seed of the :class:`numpy.random.Generator`; the same seed gives the same cohort.
    hazard_ratio : float
        True rupture hazard ratio, treatment vs control, conditional on the
        covariates, acting on assignment, the same for every cause.
    n_strata, n_sites : int, optional
        Randomisation blocks and sites; default ``n_sites = clip(round(n / 40), 3, 400)``
        and ``n_strata = min(n_sites, 10)`` (so strata are the sites for small ``n``).
    take_up : float
        Share of the treatment arm that receives the support.
    attrition, differential_attrition : float
        Non-response to the 6-month survey, overall and treatment minus control.
    lost_to_followup : float
        Share of contracts whose follow-up stops before the planned end.

    Returns
    -------
    SimulatedCohort
    """
    if n < 2:
        raise ArgumentError(f"simulate: n must be at least 2, got {n}")
    if not (hazard_ratio > 0 and math.isfinite(hazard_ratio)):
        raise ArgumentError(f"simulate: hazard_ratio must be a positive finite number, got {hazard_ratio}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ArgumentError(f"simulate: the seed must be a non-negative whole number, got {seed!r}")
    n_sites = _default_sites(n) if n_sites is None else int(n_sites)
    n_strata = min(n_sites, 10) if n_strata is None else int(n_strata)
    if not 1 <= n_strata <= n_sites:
        raise EvalexpError(f"simulate: need 1 <= n_strata <= n_sites, got {n_strata} and {n_sites}")
    rng = np.random.default_rng(seed)

    site = rng.choice(n_sites, size=n, p=rng.dirichlet(np.full(n_sites, 5.0)))
    stratum = site * n_strata // n_sites
    treated = _randomise_within(stratum, rng)

    age_i = rng.integers(0, len(AGE_TENTHS), size=n)
    female = (rng.random(n) < FEMALE_P).astype(np.int8)
    qpv = (rng.random(n) < QPV_P).astype(np.int8)
    diploma = _categorical(rng, DIPLOMA, n)
    sector = _categorical(rng, SECTOR, n)
    size = _categorical(rng, COMPANY_SIZE, n)
    months = np.array(list(DURATION_MONTHS))[_categorical(rng, DURATION_MONTHS, n)]
    duration = np.round(months * DAYS_PER_MONTH).astype(np.int64)

    start_day = rng.integers(0, START_DAYS, size=n)
    start = START_FIRST + start_day.astype("timedelta64[D]")
    assigned = start - rng.integers(0, 15, size=n).astype("timedelta64[D]")
    extraction_day = (EXTRACTION - start).astype(np.int64)
    observed_until = np.minimum(duration, extraction_day)
    lost = rng.random(n) < lost_to_followup
    followup_day = np.where(lost, 1 + np.floor(rng.random(n) * observed_until).astype(np.int64), extraction_day)

    lp = _log_hr_covariates(AGE_TENTHS[age_i], female, qpv, diploma, sector, size)
    multiplier = np.exp(lp) * hazard_ratio ** treated
    latent_t = _invert_cumhaz(rng.exponential(size=n) / multiplier)
    rupture_day = np.floor(np.minimum(latent_t, NEVER_OBSERVED_DAYS)).astype(np.int64) + 1
    breaks, _, _ = _baseline_cumhaz()
    piece = np.searchsorted(breaks, latent_t, side="right") - 1
    cause_hazard = np.array([BASELINE_HAZARD[c] for c in CAUSES])[:, piece]
    cause = (rng.random(n) * cause_hazard.sum(axis=0) > np.cumsum(cause_hazard, axis=0)).sum(axis=0)
    recorded = rupture_day <= np.minimum(duration, followup_day)

    support = (treated == 1) & (rng.random(n) < take_up)
    meetings = {}
    for name, (target, late, p_miss) in MEETINGS.items():
        day = np.minimum(target, duration - 14) + rng.integers(0, late + 1, size=n)
        held = support & (rng.random(n) >= p_miss) & (day < rupture_day) & (day <= followup_day)
        meetings[name] = np.where(held, start + day.astype("timedelta64[D]"), np.datetime64("NaT"))

    p_missing_6m = np.clip(attrition + np.where(treated == 1, 0.5, -0.5) * differential_attrition, 0, 1)
    response = rng.random(n)
    missing = {"employed_6m": response < p_missing_6m, "employed_12m": response < 1.5 * p_missing_6m}
    missing["qualification"] = missing["employed_12m"]
    outcome_draw = rng.random((len(OUTCOME_MODELS), n))
    outcomes = {}
    for k, (name, model) in enumerate(OUTCOME_MODELS.items()):
        by_day = duration if model["rupture_by_day"] is None else np.minimum(duration, model["rupture_by_day"])
        p = _outcome_probability(model, treated, rupture_day <= by_day, female, qpv, diploma)
        value = (outcome_draw[k] < p).astype(float)
        value[missing[name]] = np.nan
        outcomes[name] = value

    width = max(6, len(str(n)))
    data = pd.DataFrame({
        "participant_id": [f"P{i:0{width}d}" for i in range(1, n + 1)],
        "arm": np.where(treated == 1, "treatment", "control"),
        "contract_start": start,
        "contract_end_planned": start + duration.astype("timedelta64[D]"),
        "followup_end": start + followup_day.astype("timedelta64[D]"),
        "rupture_date": np.where(recorded, start + rupture_day.astype("timedelta64[D]"), np.datetime64("NaT")),
        "rupture_initiative": pd.Categorical.from_codes(np.where(recorded, cause, -1),
                                                        pd.Index(CAUSES)).astype(object),
        "stratum": pd.Categorical.from_codes(stratum,
                                             pd.Index([f"S{i + 1:02d}" for i in range(n_strata)])).astype(object),
        "site": pd.Categorical.from_codes(site, pd.Index([f"ML{i + 1:03d}" for i in range(n_sites)])).astype(object),
        "assigned_on": assigned,
        "support_received": support.astype(np.int8),
        "age": AGE_TENTHS[age_i] / 10.0,
        "female": female,
        "diploma": np.array(list(DIPLOMA), dtype=object)[diploma],
        "qpv": qpv,
        "sector": np.array(list(SECTOR), dtype=object)[sector],
        "company_size": np.array(list(COMPANY_SIZE), dtype=object)[size],
        **meetings,
        **outcomes,
    })
    for column in ("contract_start", "contract_end_planned", "followup_end", "rupture_date", "assigned_on",
                   *MEETINGS):
        data[column] = data[column].astype("datetime64[ns]")
    wave_6m = {"control": np.clip(attrition - differential_attrition / 2, 0, 1),
               "treatment": np.clip(attrition + differential_attrition / 2, 0, 1)}
    missing_p = {name: {arm: float(min(1.0, p * scale)) for arm, p in wave_6m.items()}
                 for name, scale in (("employed_6m", 1.0), ("employed_12m", 1.5), ("qualification", 1.5))}
    truth = _truth(hazard_ratio, take_up, missing_p, seed, n, n_sites, n_strata)
    return SimulatedCohort(data=data, truth=truth)


def _to_arrow(data: pd.DataFrame) -> pa.Table:
    """Arrow table with dates as ``date32`` (ISO ``YYYY-MM-DD`` in CSV) and 0/1 outcomes as integers."""
    columns = {}
    for name, column in data.items():
        if pd.api.types.is_datetime64_any_dtype(column):
            columns[name] = pa.array(column.to_numpy(dtype="datetime64[D]"), type=pa.date32(),
                                     mask=column.isna().to_numpy())
        elif column.dtype == float and name in OUTCOME_MODELS:
            columns[name] = pa.array(column.fillna(0).astype(np.int8), mask=column.isna().to_numpy())
        else:
            columns[name] = pa.array(column.to_numpy(), from_pandas=True)
    return pa.table(columns)


def truth_path(path: str | Path) -> Path:
    """Where the truth of the simulated cohort file ``path`` lives: ``<stem>.truth.json`` beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}.truth.json")


def _is_own_truth(path: Path) -> bool:
    """A truth record that :func:`simulate_to_file` wrote (``"generator": "evalexp simulate"``)."""
    record = read_json_object(path)
    return record is not None and record.get("generator") == GENERATOR


def _is_own_cohort(path: Path) -> bool:
    """A cohort file that :func:`simulate_to_file` wrote: its truth record names it with its SHA-256."""
    record = read_json_object(truth_path(path))
    written = record.get("file") if record is not None and record.get("generator") == GENERATOR else None
    return (isinstance(written, dict) and written.get("name") == path.name
            and written.get("sha256") == sha256_file(path))


def simulate_to_file(path: str | Path, n: int = 150, seed: int = 1, hazard_ratio: float = 0.6,
                     **options: Any) -> SimulatedCohort:
    """Simulate a cohort and write it to ``path`` with its truth beside it.

    The cohort goes to ``path`` as CSV (UTF-8, ``,``-separated, ISO dates, empty
    cells for missing values, no quotes: generated values never hold a comma or a
    quote) or Parquet (suffix ``.parquet``), the truth to ``<stem>.truth.json`` in
    the same directory (:func:`truth_path`), with ``"generator": "evalexp simulate"``
    and ``"file": {"name", "sha256"}`` added. Both are written together or not at
    all (:func:`evalexp._files.staged_files`); Arrow writes the CSV in record batches.
    The folder must exist; existing files are replaced only when this function wrote
    them (the truth record names the cohort file with its current SHA-256), anything
    else is refused with :class:`~evalexp.errors.OutputError`.

    Other keyword ``options`` go to :func:`simulate`.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise EvalexpError(f"{path}: simulate writes .csv or .parquet files, not '{path.suffix}'")
    targets = [Target(path, _is_own_cohort, "a cohort evalexp simulated (named with its SHA-256 by "
                                             f"{truth_path(path).name})"),
               Target(truth_path(path), _is_own_truth, "a truth record evalexp simulate wrote")]
    for target in targets:
        check_target(target)  # refused before simulating, and checked again when written
    sim = simulate(n=n, seed=seed, hazard_ratio=hazard_ratio, **options)
    table = _to_arrow(sim.data)
    with staged_files(targets) as (data_tmp, truth_tmp):
        if suffix == ".csv":
            with open(data_tmp, "wb") as handle:
                handle.write((",".join(table.column_names) + "\n").encode())
                pa_csv.write_csv(table, handle, pa_csv.WriteOptions(include_header=False, batch_size=65536,
                                                                   quoting_style="none"))
        else:
            pq.write_table(table, data_tmp)
        record = {**sim.truth, "generator": GENERATOR, "file": {"name": path.name, "sha256": sha256_file(data_tmp)}}
        write_synced(truth_tmp, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    return sim
