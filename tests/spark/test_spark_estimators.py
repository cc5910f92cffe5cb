"""Estimators on the Spark engine's counts equal the memory engine's on the same cohort (1e-9).

Each cohort is read twice: evalexp.load.load_cohort then the memory estimators (analyze_survival,
analyze_competing, binary_outcomes), and evalexp.engine.spark.load_counts on the standalone test
cluster then evalexp.engine.counts.analyze_counts. Compared: every number the counts determine
(docs/CONTRACT.md section 9): Kaplan-Meier, log-rank (stratified), Cox (Efron; strata; categorical
covariates; cluster-robust), cox.zph, RMST, risk difference, Aalen-Johansen, Gray, cause-specific
Cox, binary outcomes. The DuckDB engine's results on the same file are the same (1e-9).
"""
import dataclasses
from pathlib import Path

import pytest
from checks import assert_same_results

from evalexp.competing.competing_risks import analyze_competing
from evalexp.engine import duckdb_engine, spark
from evalexp.engine.counts import analyze_counts
from evalexp.integrity.outcomes import binary_outcomes
from evalexp.load import load_cohort
from evalexp.plan import load_plan
from evalexp.simulate import simulate_to_file
from evalexp.survival.survival_analysis import analyze_survival

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"
RATIO = ("log_hr", "se", "hr", "ci_low", "ci_high", "p_value", "robust")
BINARY = ("treatment", "control", "difference", "se", "ci_low", "ci_high", "p_value", "n_observed")
CLUSTERED_PLAN = """title = "simulated, clustered"
[survival]
horizon_days = 365
landmarks_days = [90, 180, 365]
strata = "stratum"
cluster = "site"
causes = "rupture_initiative"
covariates = ["female", "diploma"]
[outcomes]
binary = ["employed_6m", "employed_12m"]
"""


def counts_plan(path):
    """The plan without what counts cannot give (randomisation inference, small-sample siblings)."""
    plan = load_plan(path)
    return dataclasses.replace(
        plan, survival=dataclasses.replace(plan.survival, covariates=("female", "diploma")),
        inference=dataclasses.replace(plan.inference, statistics=(), permutations=0, small_sample="never"))


def both(path, plan, session):
    """(memory cohort, Spark counts analysis, DuckDB counts analysis) of one file."""
    return (load_cohort(path, plan), analyze_counts(spark.load_counts(str(path), plan, session)),
            analyze_counts(duckdb_engine.load_counts(path, plan)))


@pytest.fixture(scope="module")
def demo(spark):
    plan = counts_plan(DEMO_PLAN)
    return (plan, *both(DEMO, plan, spark))


@pytest.fixture(scope="module")
def clustered(spark, tmp_path_factory):
    folder = tmp_path_factory.mktemp("clustered")
    cohort = folder / "sim.parquet"
    simulate_to_file(cohort, n=1500, seed=1717, hazard_ratio=0.7, n_sites=30, n_strata=6)
    (folder / "sim.toml").write_text(CLUSTERED_PLAN)
    plan = counts_plan(folder / "sim.toml")
    return (plan, *both(cohort, plan, spark))


def compare_survival(memory, counts):
    for key in ("km", "km_median", "logrank", "ph_test"):
        assert_same_results(memory[key], counts[key], key)
    for model in ("unadjusted", "adjusted"):
        keys = RATIO + ("n", "events") + (("n_clusters",) if memory["cox"][model]["robust"] else ())
        assert_same_results({k: memory["cox"][model][k] for k in keys}, counts["cox"][model], f"cox.{model}")
    for key in ("rmst", "risk_difference"):
        assert_same_results({k: v for k, v in memory[key].items() if k != "small_sample"}, counts[key], key)


def compare_competing(memory, counts):
    assert sorted(memory) == sorted(counts)
    for cause, part in memory.items():
        for key in ("cif", "gray_test", "events"):
            assert_same_results(part[key], counts[cause][key], f"{cause}.{key}")
        assert_same_results({k: part["cause_specific_cox"][k] for k in RATIO}, counts[cause]["cause_specific_cox"],
                     f"{cause}.cause_specific_cox")


def compare_binary(memory, counts):
    assert sorted(memory) == sorted(counts)
    for name, outcome in memory.items():
        assert_same_results({k: outcome[k] for k in BINARY}, counts[name], name)


@pytest.mark.parametrize("name", ["demo", "clustered"])
def test_survival_equals_memory(name, request):
    """KM, stratified log-rank, Cox (Efron, strata, categorical covariates, cluster-robust), zph, RMST, RD."""
    plan, cohort, on_spark, _ = request.getfixturevalue(name)
    compare_survival(analyze_survival(cohort, plan).to_dict(), on_spark.survival.to_dict())
    assert on_spark.n == cohort.n and on_spark.events == cohort.events
    assert on_spark.survival.cox_adjusted is not None
    assert on_spark.survival.robust is (name == "clustered")


@pytest.mark.parametrize("name", ["demo", "clustered"])
def test_competing_risks_equal_memory(name, request):
    """Aalen-Johansen incidence, Gray's test and cause-specific Cox per cause."""
    plan, cohort, on_spark, _ = request.getfixturevalue(name)
    compare_competing(analyze_competing(cohort, plan).to_dict(), on_spark.competing.to_dict())


@pytest.mark.parametrize("name", ["demo", "clustered"])
def test_binary_outcomes_equal_memory(name, request):
    plan, cohort, on_spark, _ = request.getfixturevalue(name)
    compare_binary(binary_outcomes(cohort, plan).to_dict(), on_spark.outcomes)


@pytest.mark.parametrize("name", ["demo", "clustered"])
def test_spark_and_duckdb_results_are_identical(name, request):
    """The same SQL on two engines: the same counts, so the same results.json but for the engine's name
    (to 1e-9: the cells come in another order, the sums in another order)."""
    _, _, on_spark, on_duckdb = request.getfixturevalue(name)
    spark_dict, duckdb_dict = on_spark.to_dict(), on_duckdb.to_dict()
    assert spark_dict.pop("engine")["name"] == "spark"
    assert duckdb_dict.pop("engine")["name"] == "duckdb"
    for part in duckdb_dict.get("competing_risks", {}).values():
        if "note" in part:  # "Fine-Gray model: not computed by the duckdb engine"
            part["note"] = part["note"].replace("duckdb engine", "spark engine")
    # not bit-equal: NULLs sort first in Spark, last in DuckDB
    assert_same_results(duckdb_dict, spark_dict, names=("duckdb", "spark"))
