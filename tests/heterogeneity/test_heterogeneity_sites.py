"""Heterogeneity across sites: the plan key, exclusions, guard rails, results.json (CONTRACT §8)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalexp.analysis import analyze
from evalexp.cohort import Cohort
from evalexp.errors import AnalysisError, PlanError
from evalexp.heterogeneity import heterogeneity, random_effects_meta, simulate_sites
from evalexp.heterogeneity.sites import MONOTONE, NO_EVENT
from evalexp.load import load_cohort
from evalexp.plan import plan_from_dict
from evalexp.schema import result_problems

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "synthetic" / "agir_demo.csv"
CONTRACT_KEYS = {"by", "k", "method", "test", "tau2", "i2", "q", "q_df", "q_p_value", "pooled",
                 "prediction_interval", "sites", "interaction_test"}
SITE_KEYS = {"site", "n", "events", "log_hr", "se", "shrunken_log_hr", "risk_difference", "rupture_risk"}


def make_plan(by: str = "site", **survival):
    return plan_from_dict({"title": "t", "survival": {"horizon_days": 365, **survival},
                           "heterogeneity": {"by": by}, "inference": {"permutations": 50}})


def test_plan_reads_the_site_column_and_defaults_to_none():
    assert make_plan("centre").heterogeneity.by == "centre"
    assert plan_from_dict({"title": "t", "survival": {"horizon_days": 365}}).heterogeneity.by is None
    with pytest.raises(PlanError) as err:
        plan_from_dict({"title": "t", "survival": {"horizon_days": 365}, "heterogeneity": {"site": "x"}})
    assert str(err.value) == "<plan>: unknown key 'site' in [heterogeneity] (known: by)"


def test_a_site_column_missing_from_the_cohort_is_refused_by_name():
    data, _ = simulate_sites(k=3, n_per_site=20, seed=1)
    with pytest.raises(AnalysisError) as err:
        heterogeneity(Cohort(data, source="cohort.csv"), make_plan("centre"))
    assert str(err.value) == "cohort.csv: heterogeneity column 'centre' is not a column of the cohort"


def test_meta_analysis_guard_rails():
    with pytest.raises(AnalysisError) as err:
        random_effects_meta([0.1], [0.2])
    assert str(err.value) == ("random-effects meta-analysis: needs at least two estimates with one variance each, "
                              "got 1 estimates and 1 variances")
    with pytest.raises(AnalysisError) as err:
        random_effects_meta([0.1, 0.2], [0.2, 0.0])
    assert str(err.value) == "random-effects meta-analysis: estimates must be finite and variances positive"


def test_reml_root_solves_the_reml_equation_and_zero_is_a_boundary():
    """At an interior REML estimate the fixed-point form of the REML equation holds
    (tau2 = sum w^2 ((y - mu)^2 - v) / sum w^2 + 1 / sum w); equal estimates give tau2 = 0."""
    y = np.array([-0.9, -0.1, 0.4, -1.2, 0.3, -0.5])
    v = np.array([0.04, 0.09, 0.05, 0.12, 0.03, 0.07])
    tau2 = random_effects_meta(y, v).tau2
    w = 1 / (v + tau2)
    mu = w @ y / w.sum()
    assert tau2 > 0
    assert tau2 == pytest.approx((w ** 2 @ ((y - mu) ** 2 - v)) / (w ** 2).sum() + 1 / w.sum(), rel=1e-12)
    flat = random_effects_meta([0.2, 0.2, 0.2], [0.1, 0.2, 0.3])
    assert flat.tau2 == 0.0 and flat.i2 == 0.0 and flat.q == pytest.approx(0.0, abs=1e-15)


def _small_cohort() -> pd.DataFrame:
    """Three simulated sites, one with no rupture in the treatment arm, one whose likelihood is
    monotone (every control rupture comes while treated contracts are at risk, the treated ones
    only after every control has left), and some rows without a site."""
    data, _ = simulate_sites(k=3, n_per_site=40, seed=3)
    data = data[data["site"] != "S03"]
    no_event = data[data["site"] == "S02"].assign(site="S09")
    no_event.loc[no_event["treated"] == 1, "event"] = 0
    monotone = pd.DataFrame({"site": "S10", "stratum": "A", "treated": [0] * 6 + [1] * 6,
                             "time_days": [1, 2, 3, 4, 5, 6] + [50, 60, 70, 80, 90, 100],
                             "event": [1, 1, 1, 0, 0, 0] + [1, 0, 0, 0, 0, 0]})
    unsited = data.head(5).assign(site=None)
    out = pd.concat([data, no_event, monotone, unsited], ignore_index=True)
    out["arm"] = np.where(out["treated"] == 1, "treatment", "control")
    return out


def test_sites_without_a_finite_hazard_ratio_are_listed_with_the_reason():
    result = heterogeneity(Cohort(_small_cohort()), make_plan())
    out = result.to_dict()
    by_site = {s["site"]: s for s in out["sites"]}
    assert list(by_site) == ["S01", "S02", "S09", "S10"]
    assert by_site["S09"]["excluded"] == NO_EVENT and by_site["S09"]["log_hr"] is None
    assert by_site["S10"]["excluded"] == MONOTONE and by_site["S10"]["shrunken_log_hr"] is None
    assert by_site["S09"]["events"]["treatment"] == 0
    assert by_site["S09"]["rupture_risk"]["treatment"] == 0.0  # risks are published for every site
    assert out["k"] == 2 and out["n_missing"] == 5
    assert out["interaction_test"]["df"] == 1
    assert result.meta.labels == ("S01", "S02")


def test_fewer_than_two_sites_entering_gives_null_pooled_numbers():
    data = _small_cohort()
    data = data[data["site"].isin(["S01", "S09"])]
    out = heterogeneity(Cohort(data), make_plan()).to_dict()
    assert out["k"] == 1 and out["tau2"] is None and out["pooled"]["hr"] is None
    assert out["prediction_interval"] == {"hr_low": None, "hr_high": None}
    assert out["interaction_test"]["df"] == 0 and out["interaction_test"]["p_value"] is None


def test_results_json_has_the_contract_block_and_follows_the_packaged_schema():
    plan = make_plan(strata="stratum")
    result = analyze(load_cohort(DEMO, plan), plan)
    out = result.to_dict()
    block = out["heterogeneity"]
    assert set(block) >= CONTRACT_KEYS and block["by"] == "site"
    assert block["method"] == "REML" and block["test"] == "knha"
    assert set(block["pooled"]) >= {"log_hr", "se", "hr", "ci_low", "ci_high", "p_value"}
    assert set(block["interaction_test"]) >= {"statistic", "df", "p_value"}
    assert all(set(s) >= SITE_KEYS for s in block["sites"])
    assert [s["site"] for s in block["sites"]] == ["ML001", "ML002", "ML003", "ML004"]
    assert sum(s["n"]["treatment"] + s["n"]["control"] for s in block["sites"]) == 150
    assert result_problems(json.loads(json.dumps(out))) == []
    assert "heterogeneity" in set(result.tidy()["part"])


def test_plot_draws_every_site_and_the_pooled_diamond():
    data, _ = simulate_sites(k=6, n_per_site=60, seed=5)
    result = heterogeneity(Cohort(data), make_plan())
    ax = result.plot()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"S0{i}" for i in range(1, 7)] + ["Pooled (random effects)", "Prediction interval"]
    assert len(ax.patches) == 1  # the diamond
    assert "<table" in result._repr_html_() and "interaction" in result.summary()


def test_importing_evalexp_does_not_import_matplotlib():
    """The heterogeneity part is in every analysis; its forest plot imports matplotlib only when drawn."""
    code = "import sys, evalexp, evalexp.heterogeneity; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_a_one_stage_model_too_large_is_not_fitted_and_says_why(monkeypatch):
    """The interaction model has 2k - 1 dense columns; above MAX_INTERACTION_WORK (n p^2) it is
    skipped, the rest of the analysis unchanged."""
    data, _ = simulate_sites(k=4, n_per_site=50, seed=1)
    full = heterogeneity(Cohort(data), make_plan()).to_dict()
    monkeypatch.setattr("evalexp.heterogeneity.sites.MAX_INTERACTION_WORK", 200 * 7 ** 2 - 1)
    out = heterogeneity(Cohort(data), make_plan()).to_dict()
    test = out["interaction_test"]
    assert test["statistic"] is None and test["p_value"] is None and test["df"] == 0
    assert test["definition"] == ("not computed: 4 sites and 200 participants exceed the size limit of the "
                                  "one-stage model")
    assert full["interaction_test"]["df"] == 3 and out["tau2"] == full["tau2"]


def test_numeric_site_codes_are_named_as_written():
    data, _ = simulate_sites(k=3, n_per_site=40, seed=3)
    data["site"] = data["site"].str[1:].astype(float)
    data.loc[0, "site"] = np.nan
    out = heterogeneity(Cohort(data), make_plan()).to_dict()
    assert [s["site"] for s in out["sites"]] == ["1", "2", "3"] and out["n_missing"] == 1
