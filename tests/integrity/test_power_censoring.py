"""The minimum detectable risk difference with censoring before the horizon, against simulation.

Each simulated trial is analysed as results.json does (Kaplan-Meier risk difference at the
horizon, Greenwood SEs, Wald test, evalexp.survival.risk.risk_difference); at the MDE the share
of trials rejecting at 5 % must be 80 % within Monte Carlo error (3 SE), and the MDE that
ignores censoring must fall clearly short.
"""
import math

import numpy as np
import pytest

from evalexp.integrity import power as pw
from evalexp.survival.risk import risk_difference

HORIZON = 365
CONTROL_RATE = 0.3
SIMULATIONS = 600


def _trial(rng, n_arm, treated_rate, losses):
    """Exponential ruptures reaching ``CONTROL_RATE`` / ``treated_rate`` by the horizon; ``losses(rng, size)``
    gives each participant's censoring day (administrative end at 400 days)."""
    times, events, treated = [], [], []
    for arm, rate in ((1, treated_rate), (0, CONTROL_RATE)):
        hazard = -math.log(1 - rate) / HORIZON
        rupture = rng.exponential(1 / hazard, n_arm)
        censor = np.minimum(losses(rng, n_arm), 400.0)
        times.append(np.minimum(rupture, censor))
        events.append((rupture <= censor).astype(float))
        treated.append(np.full(n_arm, arm))
    return np.concatenate(times), np.concatenate(events), np.concatenate(treated)


def _rejection_share(n_arm, treated_rate, losses, seed):
    rng = np.random.default_rng(seed)
    rejected = 0
    for _ in range(SIMULATIONS):
        time, event, treated = _trial(rng, n_arm, treated_rate, losses)
        rejected += risk_difference(time, event, treated, HORIZON).p_value < 0.05
    share = rejected / SIMULATIONS
    return share, math.sqrt(0.8 * 0.2 / SIMULATIONS)


def early_losses(rng, size):
    """35 % lost in the first 30 days, the others followed past the horizon: G(horizon-) = 0.65."""
    return np.where(rng.random(size) < 0.35, rng.uniform(0, 30, size), np.inf)


def spread_losses(rng, size):
    """Losses spread over the follow-up: uniform on 0-900 days, G(horizon-) = 1 - 365/900."""
    return rng.uniform(0, 900, size)


def test_design_mde_with_the_share_observed_has_its_power():
    n = 500
    design = pw.power_calculation(n=n, control_rate=CONTROL_RATE, observed=0.65)
    naive = pw.power_calculation(n=n, control_rate=CONTROL_RATE)
    assert design.mde_risk_difference > naive.mde_risk_difference
    share, se = _rejection_share(n // 2, design.mde_treatment_rate, early_losses, seed=11)
    assert abs(share - 0.8) < 3 * se, share
    share_naive, _ = _rejection_share(n // 2, naive.mde_treatment_rate, early_losses, seed=12)
    assert share_naive < 0.8 - 3 * se, share_naive


def test_cohort_mde_uses_the_numbers_observed_to_the_horizon():
    """The observed-cohort calculation (power_for_cohort): n_eff = F(1-F)/Greenwood variance per arm,
    estimated here on a large pilot drawn under the same design, scaled to the trial's arm size."""
    n_arm = 250
    pilot = _trial(np.random.default_rng(5), 40_000, CONTROL_RATE, spread_losses)
    control = pilot[2] == 0
    share_eff = pw.observed_to_horizon(pilot[0][control], pilot[1][control], HORIZON) / 40_000
    g_tau = 1 - 365 / 900
    assert g_tau < share_eff < 1  # spread losses cost less than n G(tau)
    rd, treated_rate = pw.min_detectable_risk_difference(share_eff * n_arm, share_eff * n_arm, CONTROL_RATE)
    share, se = _rejection_share(n_arm, treated_rate, spread_losses, seed=13)
    assert abs(share - 0.8) < 3 * se, share
    naive, _ = pw.min_detectable_risk_difference(n_arm, n_arm, CONTROL_RATE)
    assert rd / naive - 1 == pytest.approx(1 / math.sqrt(share_eff) - 1, abs=0.02)
