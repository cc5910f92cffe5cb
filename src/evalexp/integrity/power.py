"""Power, required events and minimum detectable effects of a two-arm trial.

The primary outcome is a time to rupture compared by the log-rank test; the
secondary outcomes are proportions. Every function is two-sided at level
``alpha``; ``ratio`` is the allocation ratio treated : control (``r = n_t / n_c``),
so the treated share is ``p = r / (1 + r)``. With ``z = z_{1-alpha/2} + z_{power}``:

Schoenfeld (1981), the events of the log-rank test (R: ``gsDesign::nEvents``)::

    D = z^2 / (p (1 - p) log(HR)^2)

Freedman (1982)::

    D = z^2 (1 + r HR)^2 / (r (1 - HR)^2)

Minimum detectable hazard ratio for ``D`` events (Schoenfeld inverted, a
protective effect)::

    HR_min = exp(-z / sqrt(p (1 - p) D))

Proportions use the arcsine transformation (Cohen's ``h = 2 asin(sqrt(p1)) -
2 asin(sqrt(p2))``) with the power function of R ``pwr::pwr.2p2n.test``, both
tails counted::

    power(h) = Phi(h sqrt(n1 n2 / (n1 + n2)) - z_{1-alpha/2}) + Phi(-h sqrt(n1 n2 / (n1 + n2)) - z_{1-alpha/2})

The expected share of participants with a rupture by the horizon under
proportional hazards, every participant followed to the horizon, is
``(p_c + r p_t) / (1 + r)`` with ``p_t = 1 - (1 - p_c)^HR``.

Censoring before the horizon. The risk at the horizon is a Kaplan-Meier estimate, whose
variance exceeds the binomial ``F (1 - F) / n`` when participants are censored before the
horizon: asymptotically ``Var F(tau) = S(tau)^2 int_0^tau dLambda(t) / (n S(t) G(t-))``
with ``G`` the censoring survivor function (the Greenwood formula estimates it). The
minimum detectable risk difference of an observed cohort therefore uses, per arm, the
*binomial-equivalent number observed to the horizon* ``n_eff = F (1 - F) / Var_Greenwood
F(tau)``, between ``n G(tau-)`` (all censoring early) and ``n`` (none before the horizon);
when it is undefined (no rupture by the horizon in the arm) ``n G(tau-)``, ``G`` the
Kaplan-Meier of censoring. This is the effective-sample-size device of the KM-based power
formulas (Lachin 1981, Controlled Clin. Trials 2:93-113; Lakatos 1988, Biometrics
44:229-241, who discount the information by the share lost to follow-up).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..cohort import Cohort
from ..errors import AnalysisError, ArgumentError, EvalexpError
from ..plan import Plan
from ..results import Result, json_number, tidy_frame
from ..survival.km import kaplan_meier
from ..survival.risk import risk_difference

#: Target hazard ratios a design calculation accepts (beyond, the event counts are meaningless
#: and Freedman's formula overflows).
HAZARD_RATIO_RANGE = (1e-6, 1e6)

#: Allocation ratios treated : control accepted (beyond, one arm is empty in floating point).
RATIO_RANGE = (1e-3, 1e3)


def _z_sum(alpha: float, power: float) -> float:
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ArgumentError(f"alpha and power must be between 0 and 1, got alpha={alpha}, power={power}")
    if not power > alpha:
        raise ArgumentError(f"the power must exceed alpha (a test rejects with probability alpha when there is "
                            f"no effect), got alpha={alpha}, power={power}")
    return float(stats.norm.isf(alpha / 2) + stats.norm.ppf(power))


def _treated_share(ratio: float) -> float:
    if not (ratio > 0 and math.isfinite(ratio)):
        raise ArgumentError(f"the allocation ratio must be a positive finite number, got {ratio}")
    if not RATIO_RANGE[0] <= ratio <= RATIO_RANGE[1]:
        raise ArgumentError(f"the allocation ratio must be between {RATIO_RANGE[0]:g} and {RATIO_RANGE[1]:g}, "
                            f"got {ratio:g}")
    return ratio / (1.0 + ratio)


def _check_hazard_ratio(hazard_ratio: float) -> None:
    if not (hazard_ratio > 0 and math.isfinite(hazard_ratio)) or hazard_ratio == 1:
        raise ArgumentError(f"the hazard ratio must be a positive finite number different from 1, "
                            f"got {hazard_ratio}")


def schoenfeld_events(hazard_ratio: float, *, alpha: float = 0.05, power: float = 0.8,
                      ratio: float = 1.0) -> float:
    """Events needed by the log-rank test (Schoenfeld 1981), unrounded.

    ``D = (z_{1-alpha/2} + z_power)^2 / (p (1 - p) log(HR)^2)``, ``p = ratio / (1 + ratio)``.
    HR 0.5, 1:1, 5 %, 80 %: 65.3 events (round up to 66).
    """
    _check_hazard_ratio(hazard_ratio)
    p = _treated_share(ratio)
    return _z_sum(alpha, power) ** 2 / (p * (1 - p) * math.log(hazard_ratio) ** 2)


def freedman_events(hazard_ratio: float, *, alpha: float = 0.05, power: float = 0.8,
                    ratio: float = 1.0) -> float:
    """Events needed by the log-rank test (Freedman 1982), unrounded.

    ``D = (z_{1-alpha/2} + z_power)^2 (1 + r HR)^2 / (r (1 - HR)^2)``, ``r = ratio``.
    HR 0.5, 1:1, 5 %, 80 %: 70.6 events.
    """
    _check_hazard_ratio(hazard_ratio)
    _treated_share(ratio)
    return _z_sum(alpha, power) ** 2 * (1 + ratio * hazard_ratio) ** 2 / (ratio * (1 - hazard_ratio) ** 2)


def schoenfeld_power(hazard_ratio: float, events: float, *, alpha: float = 0.05,
                     ratio: float = 1.0) -> float:
    """Power of the log-rank test with ``events`` events (Schoenfeld; the far tail neglected).

    ``Phi(sqrt(p (1 - p) D) |log HR| - z_{1-alpha/2})``.
    """
    _check_hazard_ratio(hazard_ratio)
    p = _treated_share(ratio)
    drift = math.sqrt(p * (1 - p) * events) * abs(math.log(hazard_ratio))
    return float(stats.norm.cdf(drift - stats.norm.isf(alpha / 2)))


def min_detectable_hazard_ratio(events: float, *, alpha: float = 0.05, power: float = 0.8,
                                ratio: float = 1.0) -> float:
    """Smallest protective hazard ratio detectable with ``events`` events (Schoenfeld inverted).

    ``HR = exp(-(z_{1-alpha/2} + z_power) / sqrt(p (1 - p) D))``: 33 events, 1:1 -> 0.377.
    """
    if not events > 0:
        raise AnalysisError("no event: the minimum detectable hazard ratio is undefined")
    p = _treated_share(ratio)
    return math.exp(-_z_sum(alpha, power) / math.sqrt(p * (1 - p) * events))


def expected_event_probability(control_rate: float, hazard_ratio: float, ratio: float = 1.0) -> float:
    """Share of all participants with a rupture by the horizon, under proportional hazards.

    ``(p_c + r p_t) / (1 + r)`` with ``p_t = 1 - (1 - p_c)^HR`` (everyone followed to the horizon).
    """
    if not 0 < control_rate < 1:
        raise ArgumentError(f"the control rate must be between 0 and 1, got {control_rate}")
    treated_rate = 1 - (1 - control_rate) ** hazard_ratio
    return (control_rate + ratio * treated_rate) / (1 + ratio)


def sample_size(events: float, event_probability: float, ratio: float = 1.0) -> dict[str, int]:
    """Participants needed to observe ``events`` ruptures: ``n = D / P(event)``, each arm rounded up.

    Returns ``{"treatment": n_t, "control": n_c, "total": n_t + n_c}``.
    """
    if not 0 < event_probability <= 1:
        raise EvalexpError(f"the event probability must be in (0, 1], got {event_probability}")
    total = events / event_probability
    if not math.isfinite(total * max(ratio, 1.0)):
        raise ArgumentError(f"the expected rupture share {event_probability:.3g} is too small for a sample size: "
                            f"{events:.3g} ruptures would need more participants than can be counted")
    n_t = math.ceil(total * ratio / (1 + ratio) - 1e-9)
    n_c = math.ceil(total / (1 + ratio) - 1e-9)
    return {"treatment": n_t, "control": n_c, "total": n_t + n_c}


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's ``h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2))`` (R ``pwr::ES.h``)."""
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def two_proportions_power(h: float, n1: float, n2: float, *, alpha: float = 0.05) -> float:
    """Power of the two-sided arcsine test of two proportions (R ``pwr::pwr.2p2n.test``, both tails)."""
    shift = h * math.sqrt(n1 * n2 / (n1 + n2))
    crit = stats.norm.isf(alpha / 2)
    return float(stats.norm.sf(crit - shift) + stats.norm.cdf(-crit - shift))


def min_detectable_effect_size_h(n1: float, n2: float, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Cohen's ``h`` reaching ``power`` with ``n1`` and ``n2`` participants (root of :func:`two_proportions_power`).

    NaN when even ``h = 10`` (beyond the largest possible ``h``, pi) falls short of ``power``.
    """
    _z_sum(alpha, power)
    if two_proportions_power(10.0, n1, n2, alpha=alpha) < power:
        return math.nan
    return float(optimize.brentq(lambda h: two_proportions_power(h, n1, n2, alpha=alpha) - power,
                                 1e-10, 10.0, xtol=1e-14, rtol=1e-14))


def min_detectable_risk_difference(n_treatment: float, n_control: float, control_rate: float, *,
                                   alpha: float = 0.05, power: float = 0.8) -> tuple[float, float]:
    """Smallest reduction of the rupture share detectable with these arm sizes (arcsine test).

    Returns ``(difference, treated_rate)``: the magnitude ``control_rate - treated_rate`` of
    the detectable reduction and the treated-arm rate it implies,
    ``treated_rate = sin((2 asin(sqrt(p_c)) - h) / 2)^2``; both NaN when ``h`` exceeds
    ``2 asin(sqrt(p_c))``, i.e. not even a drop to 0 % reaches ``power``.
    75 vs 75, control 25 %: h = 0.4575, treated 8.4 %, a 16.6-point reduction.
    """
    if not 0 < control_rate < 1:
        raise ArgumentError(f"the control rate must be between 0 and 1, got {control_rate}")
    h = min_detectable_effect_size_h(n_treatment, n_control, alpha=alpha, power=power)
    angle = 2 * math.asin(math.sqrt(control_rate)) - h
    if angle <= 0:
        return math.nan, math.nan
    treated = math.sin(angle / 2) ** 2
    return control_rate - treated, treated


def min_detectable_hazard_ratio_for_n(n: int, control_rate: float, *, alpha: float = 0.05,
                                      power: float = 0.8, ratio: float = 1.0) -> float:
    """Smallest protective hazard ratio detectable with ``n`` participants.

    The root in HR of ``schoenfeld_events(HR) = n * expected_event_probability(control_rate, HR)``:
    the events expected under that very HR give it power ``power``. NaN when there is no
    root above ``1e-9`` (too few events expected for any hazard ratio to be detectable).
    """
    def gap(hr: float) -> float:
        return schoenfeld_events(hr, alpha=alpha, power=power, ratio=ratio) - \
            n * expected_event_probability(control_rate, hr, ratio)
    if gap(1e-9) >= 0:
        return math.nan
    return float(optimize.brentq(gap, 1e-9, 1 - 1e-9, xtol=1e-14, rtol=1e-14))


def simulated_power(hazard_ratio: float, n: int, *, simulations: int, seed: int = 1,
                    alpha: float = 0.05, control_rate: float = 0.25, ratio: float = 1.0,
                    progress: bool = False) -> tuple[float, float]:
    """Power of the unstratified log-rank test by simulation, at the given control rupture share.

    Each of ``simulations`` trials has ``n`` participants, ``round(n * ratio / (1 + ratio))``
    of them treated; rupture times are exponential with the control hazard
    ``-log(1 - control_rate)`` per unit of time (so a share ``control_rate`` of the control
    arm ruptures by the horizon, time 1) and ``hazard_ratio`` times it in the treatment arm;
    everyone is followed to the horizon (the assumptions of :func:`schoenfeld_power` and
    :func:`expected_event_probability`). Each trial is tested with the log-rank test
    (statsmodels ``survdiff``, = R ``survdiff``). Draws come from
    ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    tuple of float
        ``(share rejected at alpha, Monte Carlo standard error sqrt(p (1 - p) / simulations))``.
    """
    from statsmodels.duration.survfunc import survdiff

    from .._progress import ProgressBar

    if simulations < 1:
        raise ArgumentError(f"the number of simulations must be positive, got {simulations}")
    rng = np.random.default_rng(seed)
    n_treated = round(n * ratio / (1 + ratio))
    treated = np.repeat([1, 0], [n_treated, n - n_treated])
    hazard = -math.log1p(-control_rate) * np.where(treated == 1, hazard_ratio, 1.0)
    bar = ProgressBar("simulated trials", simulations, progress)
    rejected = 0
    for k in range(simulations):
        times = rng.exponential(1.0 / hazard)
        _, p_value = survdiff(np.minimum(times, 1.0), (times < 1.0).astype(float), treated)
        rejected += int(p_value < alpha)
        bar.update(k + 1)
    bar.close()
    share = rejected / simulations
    return share, math.sqrt(share * (1 - share) / simulations)


@dataclass(frozen=True, eq=False)
class PowerResult(Result):
    """What the evaluated experiment could detect (the ``power`` key of ``results.json``).

    Attributes
    ----------
    alpha, power : float
        Two-sided level and target power (plan ``inference.alpha``, ``integrity.power``).
    n : dict
        Participants per arm.
    events : int
        Ruptures observed (both arms, whole follow-up: the log-rank test's information).
    horizon_days : int
        Day at which the control rupture share is read.
    control_rate : float or None
        Kaplan-Meier rupture share of the control arm at the horizon, ``1 - S_c(horizon)``.
    mde_hazard_ratio : float or None
        Smallest protective hazard ratio detectable with ``events`` (Schoenfeld).
    mde_risk_difference : float or None
        Magnitude of the smallest detectable reduction of the rupture share at the horizon
        (arcsine test with the observed arm sizes and ``control_rate``).
    mde_treatment_rate : float or None
        The treated rupture share that reduction implies.
    n_effective : dict or None
        Binomial-equivalent number observed to the horizon per arm (:func:`observed_to_horizon`),
        the sizes the risk-difference calculation uses.
    """

    alpha: float
    power: float
    n: dict[str, int]
    events: int
    horizon_days: int
    control_rate: float | None
    mde_hazard_ratio: float | None
    mde_risk_difference: float | None
    mde_treatment_rate: float | None
    n_effective: dict[str, float] | None = None

    title: ClassVar[str] = "Minimum detectable effects"

    def conventions(self) -> str:
        return (f"Two-sided {self.alpha:g}, power {self.power:g}. Hazard ratio: Schoenfeld (1981) with the "
                "observed events and allocation; risk difference: arcsine test (R pwr::pwr.2p2n.test) with "
                "the binomial-equivalent numbers observed to the horizon (F(1 - F) / Greenwood variance, "
                "censoring before the horizon discounted) and the control arm's Kaplan-Meier rupture share at "
                "the horizon.")

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([
            {"term": "mde_hazard_ratio", "estimate": self.mde_hazard_ratio},
            {"term": "mde_risk_difference", "estimate": self.mde_risk_difference},
            {"term": "control_rate", "estimate": self.control_rate},
        ])

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": json_number(self.alpha),
            "power": json_number(self.power),
            "n": dict(self.n),
            "events": int(self.events),
            "hazard_ratio": {"method": "schoenfeld", "events": int(self.events),
                             "minimum_detectable": json_number(self.mde_hazard_ratio)},
            "risk_difference": {"method": "arcsine", "day": int(self.horizon_days),
                                "control_rate": json_number(self.control_rate),
                                "treatment_rate": json_number(self.mde_treatment_rate),
                                "minimum_detectable": json_number(self.mde_risk_difference),
                                "n_effective": None if self.n_effective is None else
                                {a: json_number(v) for a, v in self.n_effective.items()}},
        }


def observed_to_horizon(time: Any, event: Any, day: int) -> float:
    """Binomial-equivalent number of participants observed to ``day`` (module docstring).

    ``F (1 - F) / Var_Greenwood(F(day))`` with ``F = 1 - S(day)`` the Kaplan-Meier risk;
    where undefined (``F`` 0 or 1), ``n G(day-)`` with ``G`` the Kaplan-Meier of censoring
    (censorings as events), read just before ``day``.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=float)
    fit = kaplan_meier(time, event)
    risk = 1.0 - fit.survival_at(day)
    variance = fit.variance_at(day)
    if 0 < risk < 1 and variance > 0:
        return float(risk * (1 - risk) / variance)
    return float(len(time) * kaplan_meier(time, 1.0 - event).survival_at(day - 0.5))


def power_for_cohort(cohort: Cohort, plan: Plan) -> PowerResult:
    """The minimum detectable effects of the experiment being evaluated.

    The hazard ratio detectable with the observed number of ruptures (Schoenfeld) and the
    reduction of the rupture share at ``plan.survival.horizon_days`` detectable with the
    observed arm sizes given the control arm's observed (Kaplan-Meier) share. Both use the
    plan's ``alpha`` and ``integrity.power`` and the observed allocation ratio; either is
    ``None`` when undefined (no rupture; control share 0 or 1; not even a drop to 0 %
    detectable).
    """
    data = cohort.data
    n = cohort.n
    alpha, target = plan.inference.alpha, plan.integrity.power
    events = int(data["event"].sum())
    ratio = n["treatment"] / n["control"]
    mde_hr = min_detectable_hazard_ratio(events, alpha=alpha, power=target, ratio=ratio) if events else None
    horizon = plan.survival.horizon_days
    control_rate = risk_difference(data["time_days"], data["event"], data["treated"], horizon).control
    mde_rd = treated_rate = None
    effective = None
    if 0 < control_rate < 1:
        treated = data["treated"].to_numpy() == 1
        time, event = data["time_days"].to_numpy(float), data["event"].to_numpy(float)
        effective = {"treatment": observed_to_horizon(time[treated], event[treated], horizon),
                     "control": observed_to_horizon(time[~treated], event[~treated], horizon)}
        mde_rd, treated_rate = min_detectable_risk_difference(
            effective["treatment"], effective["control"], control_rate, alpha=alpha, power=target)
        if math.isnan(mde_rd):
            mde_rd = treated_rate = None
    return PowerResult(alpha=alpha, power=target, n=n, events=events, horizon_days=horizon,
                       control_rate=control_rate, mde_hazard_ratio=mde_hr,
                       mde_risk_difference=mde_rd, mde_treatment_rate=treated_rate, n_effective=effective)


@dataclass(frozen=True, eq=False)
class PowerCalculation(Result):
    """A design calculation (``evalexp power``): events, sample size, minimum detectable effects.

    Fields that the inputs do not determine are ``None``: the events and sample sizes need a
    hazard ratio; the minimum detectable effects need ``n``; the simulated power needs both.
    """

    alpha: float
    power: float
    ratio: float
    control_rate: float
    hazard_ratio: float | None = None
    n: int | None = None
    event_probability: float | None = None
    schoenfeld_events: float | None = None
    freedman_events: float | None = None
    schoenfeld_n: dict[str, int] | None = None
    freedman_n: dict[str, int] | None = None
    power_at_n: float | None = None
    mde_hazard_ratio: float | None = None
    mde_risk_difference: float | None = None
    mde_treatment_rate: float | None = None
    simulations: int = 0
    simulated_power: float | None = None
    simulated_power_se: float | None = None

    title: ClassVar[str] = "Power and sample size"

    def conventions(self) -> str:
        return (f"Two-sided {self.alpha:g}, power {self.power:g}, allocation {self.ratio:g}:1, control rupture "
                f"share {self.control_rate:g} by the horizon. Events: Schoenfeld (1981) and Freedman (1982); "
                "n = events / expected rupture share under proportional hazards; risk difference: arcsine "
                "test (R pwr::pwr.2p2n.test).")

    def tidy(self) -> pd.DataFrame:
        rows = [
            ("schoenfeld_events", self.schoenfeld_events, None),
            ("freedman_events", self.freedman_events, None),
            ("schoenfeld_n", self.schoenfeld_n and self.schoenfeld_n["total"], None),
            ("freedman_n", self.freedman_n and self.freedman_n["total"], None),
            ("power_at_n", self.power_at_n, None),
            ("mde_hazard_ratio", self.mde_hazard_ratio, None),
            ("mde_risk_difference", self.mde_risk_difference, None),
            ("simulated_power", self.simulated_power, self.simulated_power_se),
        ]
        return tidy_frame([{"term": term, "estimate": value, "std_error": se}
                           for term, value, se in rows if value is not None])

    def to_dict(self) -> dict[str, Any]:
        def events(value: float | None) -> dict[str, Any] | None:
            return None if value is None else {"exact": json_number(value), "required": math.ceil(value - 1e-9)}
        return {
            "alpha": self.alpha, "power": self.power, "ratio": self.ratio, "control_rate": self.control_rate,
            "hazard_ratio": json_number(self.hazard_ratio), "n": self.n,
            "event_probability": json_number(self.event_probability),
            "schoenfeld": {"events": events(self.schoenfeld_events), "n": self.schoenfeld_n},
            "freedman": {"events": events(self.freedman_events), "n": self.freedman_n},
            "power_at_n": json_number(self.power_at_n),
            "minimum_detectable": {"hazard_ratio": json_number(self.mde_hazard_ratio),
                                   "risk_difference": json_number(self.mde_risk_difference),
                                   "treatment_rate": json_number(self.mde_treatment_rate)},
            "simulation": {"simulations": self.simulations, "power": json_number(self.simulated_power),
                           "se": json_number(self.simulated_power_se)},
        }

    def summary(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        if self.hazard_ratio is not None:
            lines.append(f"Target hazard ratio {self.hazard_ratio:g}: expected rupture share "
                         f"{self.event_probability:.3f}")
            for name, value, n in (("Schoenfeld", self.schoenfeld_events, self.schoenfeld_n),
                                   ("Freedman", self.freedman_events, self.freedman_n)):
                assert value is not None and n is not None  # computed with every target hazard ratio
                lines.append(f"  {name:<10} {math.ceil(value - 1e-9)} events ({value:.1f}), n = {n['total']} "
                             f"({n['treatment']} treated, {n['control']} control)")
        if self.n is not None:
            if self.power_at_n is not None:
                lines.append(f"With n = {self.n}: power {self.power_at_n:.3f} for HR {self.hazard_ratio:g} "
                             "(Schoenfeld, expected events)")
            assert self.mde_hazard_ratio is not None and self.mde_risk_difference is not None  # computed with n
            assert self.control_rate is not None and self.mde_treatment_rate is not None
            hr = ("none (too few ruptures expected)" if math.isnan(self.mde_hazard_ratio)
                  else f"{self.mde_hazard_ratio:.3f}")
            rd = (f"none (not even {100 * self.control_rate:.1f} % -> 0 %)" if math.isnan(self.mde_risk_difference)
                  else f"{100 * self.mde_risk_difference:.1f} points ({100 * self.control_rate:.1f} % -> "
                       f"{100 * self.mde_treatment_rate:.1f} %)")
            lines.append(f"With n = {self.n}: minimum detectable hazard ratio {hr}; "
                         f"minimum detectable reduction of the rupture share {rd}")
        if self.simulations:
            lines.append(f"Simulated power ({self.simulations} trials, exponential ruptures at the control "
                         f"rate {self.control_rate:g} by the horizon, log-rank): {self.simulated_power:.3f} "
                         f"(Monte Carlo SE {self.simulated_power_se:.3f})")
        return "\n".join(lines + ["", self.conventions()])


def power_calculation(*, hazard_ratio: float | None = None, n: int | None = None, control_rate: float = 0.25,
                      alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0, simulations: int = 0,
                      seed: int = 1, observed: float = 1.0, progress: bool = False) -> PowerCalculation:
    """Events, sample size and minimum detectable effects of a planned trial.

    Parameters
    ----------
    hazard_ratio : float, optional
        Target hazard ratio: Schoenfeld and Freedman events, and the sample sizes that give
        them (``n = D / expected rupture share``, see :func:`expected_event_probability`).
    n : int, optional
        Total sample size: minimum detectable hazard ratio
        (:func:`min_detectable_hazard_ratio_for_n`) and risk difference
        (:func:`min_detectable_risk_difference`), split by ``ratio``; with ``hazard_ratio``,
        the Schoenfeld power at the expected number of events.
    observed : float
        Share of participants expected to be followed up to the horizon (the censoring
        survivor function ``G(tau-)``): the minimum detectable risk difference uses
        ``observed * n`` participants (module docstring, censoring before the horizon; exact
        when the losses occur early, conservative when they are spread over the follow-up).
        Default 1: nobody censored before the horizon.
    control_rate : float
        Rupture share of the control arm by the horizon.
    alpha, power, ratio : float
        Two-sided level, target power, allocation ratio treated : control.
    simulations : int
        With ``hazard_ratio`` and ``n``, also the log-rank power over this many simulated
        trials (:func:`simulated_power`, seed ``seed``) at ``control_rate`` and ``ratio``.
    progress : bool
        Show a progress bar of the simulated trials on stderr.

    Raises
    ------
    ArgumentError
        An option outside its domain: ``hazard_ratio`` not finite, not in
        :data:`HAZARD_RATIO_RANGE` or equal to 1; ``ratio`` not in :data:`RATIO_RANGE`;
        ``control_rate``, ``alpha`` or ``power`` not in (0, 1), or ``power <= alpha``;
        ``n < 4``; ``simulations < 0``; a sample size beyond any number.
    """
    if hazard_ratio is None and n is None:
        raise ArgumentError("give a target hazard ratio (--hr), a sample size (--n), or both")
    if not 0 < observed <= 1:
        raise ArgumentError(f"the share observed to the horizon must be in (0, 1], got {observed}")
    if n is not None and n < 4:
        raise ArgumentError(f"the sample size must be at least 4, got {n}")
    if simulations < 0:
        raise ArgumentError(f"the number of simulations must be zero or positive, got {simulations}")
    if simulations and (hazard_ratio is None or n is None):
        raise ArgumentError("simulated power needs both a hazard ratio (--hr) and a sample size (--n)")
    low, high = HAZARD_RATIO_RANGE
    if hazard_ratio is not None:
        _check_hazard_ratio(hazard_ratio)
        if not low <= hazard_ratio <= high:
            raise ArgumentError(f"the hazard ratio must be between {low:g} and {high:g}, got {hazard_ratio:g}")
    _treated_share(ratio)
    expected_event_probability(control_rate, 1.0, ratio)  # checks control_rate
    _z_sum(alpha, power)
    fields: dict[str, Any] = {}
    if hazard_ratio is not None:
        prob = expected_event_probability(control_rate, hazard_ratio, ratio)
        d_s = schoenfeld_events(hazard_ratio, alpha=alpha, power=power, ratio=ratio)
        d_f = freedman_events(hazard_ratio, alpha=alpha, power=power, ratio=ratio)
        fields.update(event_probability=prob, schoenfeld_events=d_s, freedman_events=d_f,
                      schoenfeld_n=sample_size(d_s, prob, ratio), freedman_n=sample_size(d_f, prob, ratio))
        if n is not None:
            fields["power_at_n"] = schoenfeld_power(hazard_ratio, n * prob, alpha=alpha, ratio=ratio)
    if n is not None:
        n_t, n_c = n * ratio / (1 + ratio), n / (1 + ratio)
        rd, treated = min_detectable_risk_difference(observed * n_t, observed * n_c, control_rate, alpha=alpha,
                                                     power=power)
        fields.update(mde_hazard_ratio=min_detectable_hazard_ratio_for_n(n, control_rate, alpha=alpha, power=power,
                                                                         ratio=ratio),
                      mde_risk_difference=rd, mde_treatment_rate=treated)
    if simulations and hazard_ratio is not None and n is not None:  # both given: checked above
        share, se = simulated_power(hazard_ratio, n, simulations=simulations, seed=seed, alpha=alpha,
                                    control_rate=control_rate, ratio=ratio, progress=progress)
        fields.update(simulations=simulations, simulated_power=share, simulated_power_se=se)
    return PowerCalculation(alpha=alpha, power=power, ratio=ratio, control_rate=control_rate,
                            hazard_ratio=hazard_ratio, n=n, **fields)
