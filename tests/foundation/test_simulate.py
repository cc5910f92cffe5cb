"""The synthetic-cohort generator: reproducible, canonical, and true to its stated truth."""
import json

import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter

from evalexp.cohort import derive_survival
from evalexp.errors import EvalexpError
from evalexp.plan import CANONICAL_COLUMNS
from evalexp.simulate import CAUSES, simulate, simulate_to_file


@pytest.fixture(scope="module")
def large():
    """200,000 contracts: large enough for sampling error of about 0.01 on the log hazard ratio."""
    sim = simulate(n=200_000, seed=11, hazard_ratio=0.6)
    return sim, derive_survival(sim.data)


def test_same_seed_gives_the_same_cohort():
    pd.testing.assert_frame_equal(simulate(n=300, seed=5).data, simulate(n=300, seed=5).data)


def test_different_seeds_give_different_cohorts():
    assert not simulate(n=300, seed=5).data.equals(simulate(n=300, seed=6).data)


def test_data_has_the_canonical_columns_and_ids():
    data = simulate(n=150, seed=1).data
    assert tuple(data.columns[:len(CANONICAL_COLUMNS)]) == CANONICAL_COLUMNS
    assert data["participant_id"].iloc[0] == "P000001"
    assert data["participant_id"].is_unique


def test_randomisation_is_one_to_one_within_each_stratum():
    data = simulate(n=10_001, seed=3, n_strata=7, n_sites=70).data
    counts = data.groupby(["stratum", "arm"]).size().unstack()
    assert (counts["treatment"] - counts["control"]).abs().max() <= 1
    assert data["stratum"].nunique() == 7 and data["site"].nunique() == 70


def test_sites_are_nested_in_strata():
    data = simulate(n=5_000, seed=3, n_strata=5, n_sites=50).data
    assert (data.groupby("site")["stratum"].nunique() == 1).all()


def test_dates_are_consistent():
    data = simulate(n=5_000, seed=4).data
    assert (data["contract_end_planned"] > data["contract_start"]).all()
    assert (data["followup_end"] > data["contract_start"]).all()
    ruptured = data["rupture_date"].notna()
    assert (data.loc[ruptured, "rupture_date"] > data.loc[ruptured, "contract_start"]).all()
    assert (data.loc[ruptured, "rupture_date"] <= data.loc[ruptured, ["contract_end_planned", "followup_end"]]
            .min(axis=1)).all()
    assert (data["assigned_on"] <= data["contract_start"]).all()


def test_every_recorded_rupture_has_a_cause_and_only_then():
    data = simulate(n=5_000, seed=4).data
    assert (data["rupture_date"].notna() == data["rupture_initiative"].notna()).all()
    assert set(data["rupture_initiative"].dropna()) == set(CAUSES)


def test_trial_period_ruptures_happen_in_the_first_30_days(large):
    _, data = large
    trial = data[data["rupture_initiative"] == "trial_period"]
    assert len(trial) > 1000 and trial["time_days"].max() == 30
    assert (data.loc[data["rupture_initiative"] != "trial_period", "time_days"] > 30).any()


def test_support_and_meetings_only_for_the_treatment_arm():
    data = simulate(n=5_000, seed=4).data
    control = data[data["arm"] == "control"]
    assert control["support_received"].sum() == 0
    assert control[["meeting1_date", "meeting2_date", "meeting3_date"]].isna().all().all()
    no_support = data[data["support_received"] == 0]
    assert no_support[["meeting1_date", "meeting2_date", "meeting3_date"]].isna().all().all()


def test_no_meeting_on_or_after_a_rupture():
    data = simulate(n=5_000, seed=4).data
    ruptured = data[data["rupture_date"].notna()]
    for column in ("meeting1_date", "meeting2_date", "meeting3_date"):
        held = ruptured[column].notna()
        assert (ruptured.loc[held, column] < ruptured.loc[held, "rupture_date"]).all()


def test_take_up_near_its_parameter(large):
    sim, data = large
    share = data.loc[data["arm"] == "treatment", "support_received"].mean()
    assert share == pytest.approx(sim.truth["take_up"], abs=0.01)  # binomial SE 0.0011


def test_cox_recovers_the_true_hazard_ratio(large):
    """Cox on treated and every covariate (the true model) recovers log HR within 3 SE."""
    sim, data = large
    design = pd.get_dummies(data[["time_days", "event", "treated", "age", "female", "qpv", "diploma", "sector",
                                  "company_size"]], drop_first=True, dtype=float)
    fit = CoxPHFitter().fit(design, "time_days", "event",
                            fit_options={"step_size": 1.0, "precision": 1e-10, "r_precision": 0.0})
    estimate, se = fit.params_["treated"], fit.standard_errors_["treated"]
    assert abs(estimate - sim.truth["log_hazard_ratio"]) < 3 * se


def test_kaplan_meier_recovers_the_control_rupture_share_by_365_days(large):
    sim, data = large
    control = data[data["arm"] == "control"]
    km = KaplanMeierFitter().fit(control["time_days"], control["event"])
    share = 1 - km.predict(365)
    # Greenwood SE at n = 100,000 controls is about 0.0016; tolerance 3 SE.
    assert share == pytest.approx(sim.truth["control_rupture_share_365"], abs=0.005)


def test_outcome_differences_match_truth(large):
    sim, data = large
    for name, truth in sim.truth["outcomes"].items():
        means = data.groupby("arm")[name].mean()
        # difference of two proportions at ~85,000 respondents per arm: SE about 0.002; tolerance 4 SE.
        assert means["treatment"] - means["control"] == pytest.approx(truth["difference"], abs=0.008), name


def test_differential_attrition_is_applied():
    sim = simulate(n=100_000, seed=8, attrition=0.2, differential_attrition=0.1)
    missing = sim.data["employed_6m"].isna().groupby(sim.data["arm"]).mean()
    assert missing["treatment"] == pytest.approx(0.25, abs=0.01)  # binomial SE 0.002
    assert missing["control"] == pytest.approx(0.15, abs=0.01)
    missing_12m = sim.data["employed_12m"].isna().groupby(sim.data["arm"]).mean()
    truth = sim.truth["missing_probability"]["employed_12m"]
    assert truth == pytest.approx({"treatment": 0.375, "control": 0.225})
    assert missing_12m.to_dict() == pytest.approx(truth, abs=0.01)


def test_truth_is_json_ready():
    truth = simulate(n=150, seed=1).truth
    assert json.loads(json.dumps(truth)) == truth
    assert truth["seed"] == 1 and truth["n"] == 150 and truth["hazard_ratio"] == 0.6


def test_control_rupture_share_is_realistic():
    """About a quarter to under a third of control contracts break within a year (DOMAIN.md)."""
    assert 0.25 <= simulate().truth["control_rupture_share_365"] <= 0.32


def test_simulate_to_file_writes_csv_and_truth(tmp_path):
    path = tmp_path / "sim.csv"
    sim = simulate_to_file(path, n=200, seed=2, hazard_ratio=0.7)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(back) == 200
    assert back.loc[0, "contract_start"] == sim.data.loc[0, "contract_start"].strftime("%Y-%m-%d")
    assert set(back["employed_6m"]) <= {"0", "1", ""}
    assert json.loads((tmp_path / "sim.truth.json").read_text())["hazard_ratio"] == 0.7


def test_simulate_to_file_writes_parquet(tmp_path):
    path = tmp_path / "sim.parquet"
    sim = simulate_to_file(path, n=100, seed=2)
    back = pd.read_parquet(path)
    assert back["participant_id"].tolist() == sim.data["participant_id"].tolist()
    assert (tmp_path / "sim.truth.json").exists()


def test_simulate_to_file_refuses_other_suffixes(tmp_path):
    with pytest.raises(EvalexpError, match=r"writes .csv or .parquet"):
        simulate_to_file(tmp_path / "sim.xlsx", n=10)
    assert not any(tmp_path.iterdir())


def test_invalid_parameters_raise():
    with pytest.raises(EvalexpError, match="n_strata <= n_sites"):
        simulate(n=100, n_strata=5, n_sites=3)
