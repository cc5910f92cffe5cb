"""evalexp calibrate: the simulation model, its truth, reproducibility, calibration.json and the CLI."""
import json
import math
from pathlib import Path

import numpy as np
import pytest

from evalexp.calibrate import calibrate, fit_model, simulate_trial, true_values, write_calibration
from evalexp.cli import main
from evalexp.errors import EvalexpError

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"


@pytest.fixture(scope="module")
def model(demo_cohort, demo_plan):
    return fit_model(demo_cohort, demo_plan)


def test_a_simulated_trial_keeps_the_arm_sizes_of_every_stratum_and_the_design(model, demo_cohort):
    trial = simulate_trial(model, 0.7, np.random.default_rng(5))
    cohort = demo_cohort.data.reset_index(drop=True)
    assert (trial.groupby("stratum")["treated"].sum().to_dict()
            == cohort.groupby("stratum")["treated"].sum().to_dict())
    assert trial["stratum"].tolist() == cohort["stratum"].tolist()
    assert set(trial.columns) >= {"age", "female", "diploma", "time_days", "event", "treated", "arm"}
    follow = (cohort["end"] - cohort["contract_start"]).dt.days
    assert trial["time_days"].max() <= follow.max()
    assert trial["event"].isin([0, 1]).all() and trial["event"].sum() > 0


def test_the_fitted_baseline_hazard_reproduces_the_cohorts_ruptures(model, demo_cohort):
    # expected ruptures under the fitted model = observed ruptures (the piecewise MLE's score)
    data = demo_cohort.data.reset_index(drop=True)
    offset = model.linear_predictor + model.fitted_log_hr * model.treated
    expected = np.sum(np.exp(offset) * model.cumulative_hazard(data["time_days"].to_numpy(float)))
    assert expected == pytest.approx(data["event"].sum(), rel=1e-9)
    assert model.inverse_cumulative_hazard(model.cumulative_hazard(np.array([3.0, 100.0, 400.0]))) \
        == pytest.approx([3.0, 100.0, 400.0])


def test_the_true_risk_and_rmst_differences_match_a_large_uncensored_simulation(model, demo_plan):
    truth, how = true_values(model, demo_plan, 0.6, seed=1, population=20_000)
    assert truth["conditional_log_hr"] == math.log(0.6)
    assert how["population"] == 19_950 and how["marginal_log_hr_mc_se"] < 0.03
    # no censoring: the empirical risk and RMST of a big simulated population estimate the truth
    uncensored = type(model)(**{**model.__dict__, "follow_up": np.full(model.follow_up.size, 10_000)})
    day, tau = demo_plan.survival.horizon_days, demo_plan.survival.horizon_days
    rd, rmst = [], []
    rng = np.random.default_rng(2)
    for _ in range(200):
        trial = simulate_trial(uncensored, 0.6, rng)
        arm = trial["treated"] == 1
        t = trial["time_days"].to_numpy()
        rd.append(np.mean(t[arm] <= day) - np.mean(t[~arm] <= day))
        rmst.append(np.mean(np.minimum(t[arm], tau)) - np.mean(np.minimum(t[~arm], tau)))
    for values, key in ((rd, "risk_difference"), (rmst, "rmst_difference")):
        assert abs(np.mean(values) - truth[key]) < 4 * np.std(values) / np.sqrt(len(values))
    assert true_values(model, demo_plan, 1.0, seed=1)[0] == dict.fromkeys(truth, 0.0)


def test_results_do_not_depend_on_the_number_of_workers(demo_cohort, demo_plan):
    one = calibrate(demo_cohort, demo_plan, reps=8, hazard_ratio=0.6, seed=4, workers=1, population=3000)
    two = calibrate(demo_cohort, demo_plan, reps=8, hazard_ratio=0.6, seed=4, workers=2, population=3000)
    assert one["scenarios"] == two["scenarios"]
    other = calibrate(demo_cohort, demo_plan, reps=8, hazard_ratio=0.6, seed=5, workers=1, population=3000)
    assert other["scenarios"] != one["scenarios"]


def test_calibration_json_follows_the_contract(demo_cohort, demo_plan):
    result = calibrate(demo_cohort, demo_plan, reps=6, hazard_ratio=0.6, seed=4, workers=1, population=3000)
    assert result["reps"] == 6 and result["seed"] == 4
    assert result["permutations"] == {"used": 1000, "plan": 10000, "note": "randomisation inference run with "
                                      "fewer re-randomisations than the plan",
                                      "seeds": "one per replicate, drawn from the replicate's generator"}
    assert [s["hazard_ratio"] for s in result["scenarios"]] == [1.0, 0.6]
    methods = result["scenarios"][0]["methods"]
    assert {"cox_unadjusted", "cox_adjusted", "logrank", "randomization_logrank", "rmst",
            "risk_difference"} <= set(methods)
    entry = methods["cox_adjusted"]
    assert {"estimand", "truth", "rejection_rate", "coverage", "mc_se", "not_computed"} <= set(entry)
    assert entry["estimand"] == "conditional log HR" and entry["truth"] == 0.0
    computed = 6 - entry["not_computed"]
    assert entry["mc_se"] == pytest.approx(math.sqrt(0.05 * 0.95 / computed))
    assert result["scenarios"][1]["methods"]["logrank"]["calibrated"] is None
    json.dumps(result, allow_nan=False)


def test_the_cli_writes_calibration_json_and_refuses_to_replace_another_file(tmp_path, capsys):
    out = tmp_path / "calibration.json"
    common = ["calibrate", str(DEMO), "--plan", str(DEMO_PLAN), "--reps", "3", "--workers", "1", "--seed",
              "2", "--quiet"]
    args = [*common, "--out", str(out)]
    assert main(args) == 0
    assert json.loads(out.read_text())["reps"] == 3
    assert main(args) == 0  # its own output is replaced
    other = tmp_path / "notes.json"
    other.write_text('{"mine": 1}')
    assert main([*common, "--out", str(other)]) == 2
    assert capsys.readouterr().err == (f"evalexp calibrate: error: {other}: exists and is not an evalexp "
                                       "calibration file; refusing to replace it\n")
    assert other.read_text() == '{"mine": 1}'


def test_bad_arguments_are_refused(demo_cohort, demo_plan, tmp_path):
    with pytest.raises(EvalexpError, match=r"^calibrate: --reps must be at least 1, got 0$"):
        calibrate(demo_cohort, demo_plan, reps=0)
    with pytest.raises(EvalexpError, match=r"^calibrate: --hr must be positive, got -1$"):
        calibrate(demo_cohort, demo_plan, hazard_ratio=-1)
    with pytest.raises(EvalexpError, match="is a folder"):
        write_calibration({}, tmp_path)


def test_a_diverging_adjusted_model_falls_back_to_the_ridge_penalised_fit():
    from evalexp.calibrate import RIDGE
    from evalexp.load import load_frame
    from evalexp.plan import plan_from_dict
    from evalexp.simulate import simulate
    from evalexp.survival.cox import evaluate, prepare
    from evalexp.survival.design import design_matrix

    covariates = ["age", "female", "qpv", "diploma", "sector", "company_size"]
    plan = plan_from_dict({"title": "t", "survival": {"horizon_days": 365, "covariates": covariates,
                                                      "strata": "stratum"}})
    cohort = load_frame(simulate(n=60, seed=28, n_sites=3, n_strata=3).data, plan)
    model = fit_model(cohort, plan)
    assert model.penalised and model.to_dict()["covariate_fit"].startswith("ridge-penalised")
    # the penalised score vanishes at the returned coefficients
    data = cohort.data.reset_index(drop=True)
    X = design_matrix(data, ["treated", *covariates])
    beta = np.array([model.fitted_log_hr, *model.beta.values()])
    ev = evaluate(prepare(data["time_days"], data["event"], X.to_numpy(), strata=data["stratum"]), beta)
    weight = RIDGE * X.to_numpy().var(axis=0)
    weight[0] = 0.0
    assert np.abs(ev.score - weight * beta).max() < 1e-6


def test_no_progress_bar_when_stderr_is_not_a_terminal(demo_cohort, demo_plan, capsys):
    calibrate(demo_cohort, demo_plan, reps=2, workers=1, quiet=False, population=3000)
    assert capsys.readouterr().err == ""
