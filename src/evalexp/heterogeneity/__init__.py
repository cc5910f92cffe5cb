"""Heterogeneity of the effect of the support across sites (Missions locales, training centres).

- :mod:`.meta` — REML random-effects meta-analysis (Knapp-Hartung, prediction interval, BLUPs);
- :mod:`.sites` — per-site Cox hazard ratios and risks, the site x arm interaction test, the plan's analysis;
- :mod:`.plot` — the forest plot of sites;
- :mod:`.simulate` — multi-site cohorts with a known between-site variance of the log hazard ratio.
"""
from .meta import RandomEffectsMeta, random_effects_meta
from .simulate import simulate_sites
from .sites import HeterogeneityResult, SiteEffect, heterogeneity, site_effect, site_interaction_test

__all__ = ["HeterogeneityResult", "RandomEffectsMeta", "SiteEffect", "heterogeneity", "random_effects_meta",
           "simulate_sites", "site_effect", "site_interaction_test"]
