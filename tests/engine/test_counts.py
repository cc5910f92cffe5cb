"""The DuckDB engine's estimators on counts equal the memory engine's on the same cohort (1e-9).

Each test reads one cohort both ways: :func:`evalexp.load.load_cohort` then the memory estimators,
:func:`evalexp.engine.duckdb_engine.load_counts` then :func:`evalexp.engine.counts.analyze_counts`.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from checks import assert_same_results

from evalexp.competing.competing_risks import analyze_competing
from evalexp.engine.counts import analyze_counts
from evalexp.engine.duckdb_engine import load_counts
from evalexp.integrity.outcomes import binary_outcomes
from evalexp.load import load_cohort
from evalexp.plan import load_plan
from evalexp.simulate import simulate_to_file
from evalexp.survival.survival_analysis import analyze_survival

DEMO = Path(__file__).resolve().parents[2] / "data" / "synthetic"


def _plan(path: Path, **survival):
    plan = load_plan(path)
    return dataclasses.replace(
        plan, survival=dataclasses.replace(plan.survival, **survival),
        inference=dataclasses.replace(plan.inference, statistics=(), permutations=0, small_sample="never"))


SURVIVAL_KEYS = ("km", "km_median", "logrank", "ph_test")
CORE = ("log_hr", "se", "hr", "ci_low", "ci_high", "p_value", "robust", "n", "events")
CONTRACT = ("treatment", "control", "difference", "se", "ci_low", "ci_high", "p_value")


def _compare_survival(memory: dict, counts: dict) -> None:
    for key in SURVIVAL_KEYS:
        assert_same_results(memory[key], counts[key], key)
    for model in ("unadjusted", "adjusted"):
        keys = CORE + (("n_clusters",) if memory["cox"][model]["robust"] else ())
        assert_same_results({k: memory["cox"][model][k] for k in keys}, counts["cox"][model], f"cox.{model}")
    for key in ("rmst", "risk_difference"):
        assert_same_results({k: v for k, v in memory[key].items() if k not in ("small_sample",)}, counts[key], key)


@pytest.fixture(scope="module")
def demo():
    """The demo cohort under a plan whose covariates are categorical (age is continuous)."""
    plan = _plan(DEMO / "agir_demo.toml", covariates=("female", "diploma"))
    cohort = load_cohort(DEMO / "agir_demo.csv", plan)
    return plan, cohort, analyze_counts(load_counts(DEMO / "agir_demo.csv", plan))


def test_demo_survival_equals_memory(demo):
    """KM, stratified log-rank, Cox (Efron, strata, categorical covariates), cox.zph, RMST, risk difference."""
    plan, cohort, counts = demo
    _compare_survival(analyze_survival(cohort, plan).to_dict(), counts.survival.to_dict())
    assert counts.n == cohort.n and counts.events == cohort.events


def test_demo_competing_risks_equal_memory(demo):
    """Aalen-Johansen, Gray's test and cause-specific Cox per cause."""
    plan, cohort, counts = demo
    memory = analyze_competing(cohort, plan).to_dict()
    duck = counts.competing.to_dict()
    assert sorted(memory) == sorted(duck)
    for cause, block in memory.items():
        for key in ("cif", "gray_test", "cause_specific_cox", "events"):
            assert_same_results(block[key], duck[cause][key], f"{cause}.{key}")


def test_demo_binary_outcomes_equal_memory(demo):
    plan, cohort, counts = demo
    memory = binary_outcomes(cohort, plan).to_dict()
    for name, block in counts.outcomes.items():
        assert_same_results({k: memory[name][k] for k in CONTRACT}, block, name)
        assert block["n_observed"] == memory[name]["n_observed"]


def test_cp1252_export_equals_utf8(demo):
    """The French export (cp1252, ';', DD/MM/YYYY, decimal comma, renamed columns) gives the same counts."""
    _, _, counts = demo
    export_plan = _plan(DEMO / "agir_demo_export_fr.toml", covariates=("female", "diploma"))
    export = analyze_counts(load_counts(DEMO / "agir_demo_export_fr.csv", export_plan))
    _compare_survival(counts.survival.to_dict(), export.survival.to_dict())


def test_continuous_covariate_skipped_with_message(demo):
    plan = _plan(DEMO / "agir_demo.toml")
    result = analyze_counts(load_counts(DEMO / "agir_demo.csv", plan)).to_dict()
    assert "adjusted" not in result["survival"]["cox"]
    assert result["engine"]["skipped"][0] == (
        "adjusted Cox model: covariates with more than 50 distinct values (age) are continuous, which counts "
        "cannot carry; use the memory engine")
    assert "randomization_inference" not in result["survival"]


@pytest.fixture(scope="module")
def clustered(tmp_path_factory):
    """A simulated cohort of 3,000 with 75 sites (clusters), 10 strata and four causes, as Parquet."""
    path = tmp_path_factory.mktemp("engine") / "sim.parquet"
    simulate_to_file(path, n=3000, seed=17)
    plan = _plan(DEMO / "agir_demo.toml", covariates=("female", "diploma", "sector"), cluster="site")
    return plan, load_cohort(path, plan), analyze_counts(load_counts(path, plan))


def test_clustered_survival_equals_memory(clustered):
    """Cluster-robust Cox (sandwich from weighted score residuals) and the rest, on 3,000 participants."""
    plan, cohort, counts = clustered
    memory = analyze_survival(cohort, plan).to_dict()
    assert memory["cox"]["unadjusted"]["robust"] and memory["cox"]["adjusted"]["n_clusters"] == 75
    _compare_survival(memory, counts.survival.to_dict())
    assert counts.cells < len(cohort)
    # the few-clusters sibling's bias corrections need each participant's row: left out on counts
    assert "few_clusters" in memory["cox"]["unadjusted"]
    assert "few_clusters" not in counts.survival.to_dict()["cox"]["unadjusted"]


def test_clustered_competing_and_outcomes_equal_memory(clustered):
    plan, cohort, counts = clustered
    memory = analyze_competing(cohort, plan).to_dict()
    duck = counts.competing.to_dict()
    assert sorted(memory) == sorted(duck) and len(duck) >= 3
    for cause, block in memory.items():
        for key in ("cif", "gray_test", "cause_specific_cox", "events"):
            assert_same_results(block[key], duck[cause][key], f"{cause}.{key}")
    outcomes = binary_outcomes(cohort, plan).to_dict()
    for name, block in counts.outcomes.items():
        assert_same_results({k: outcomes[name][k] for k in CONTRACT}, block, name)


def test_padded_cells_and_missing_markers_read_as_memory(demo, tmp_path):
    """Cells are stripped and NA, N/A, NaN and '.' are missing, as :mod:`evalexp.readers` reads them."""
    plan, _, counts = demo
    lines = (DEMO / "agir_demo.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], [line.split(",") for line in lines[1:]]
    names = header.split(",")
    for i, row in enumerate(rows):
        row[names.index("stratum")] = f"  {row[names.index('stratum')]} "
        if row[names.index("rupture_date")] == "":
            row[names.index("rupture_date")] = ("NA", "N/A", "NaN", ".", " ")[i % 5]
        if row[names.index("employed_6m")] == "":
            row[names.index("employed_6m")] = "NA"
    path = tmp_path / "padded.csv"
    path.write_text("\n".join([header, *(",".join(row) for row in rows)]) + "\n", encoding="utf-8")
    padded = analyze_counts(load_counts(path, plan))
    _compare_survival(counts.survival.to_dict(), padded.survival.to_dict())
    assert padded.outcomes == counts.outcomes
    memory = analyze_survival(load_cohort(path, plan), plan).to_dict()
    _compare_survival(memory, padded.survival.to_dict())


def _nulls(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell an object, every missing one None (DuckDB gives NaN or None by column type)."""
    frame = frame.reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None)


def test_outcomes_apart_same_counts_as_outcome_keys():
    """``aggregate_query(outcomes_apart=True)`` (grouping sets) and the default (outcomes as keys) count alike."""
    import duckdb

    from evalexp.engine.sql import COUNT, DUCKDB, aggregate_query, split_aggregate

    plan = _plan(DEMO / "agir_demo.toml", covariates=("female", "diploma"))
    con = duckdb.connect()
    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_csv('{DEMO / 'agir_demo.csv'}', all_varchar=true)")
    columns = [name for name, *_ in con.execute("DESCRIBE raw").fetchall()]
    keyed = con.execute(aggregate_query(plan, "raw", DUCKDB, columns=columns)).df()
    cells, apart = split_aggregate(con.execute(aggregate_query(plan, "raw", DUCKDB, columns=columns,
                                                               outcomes_apart=True)).df(), plan)
    keys = ["arm", "time_days", "event", "stratum", "cause", "female", "diploma"]
    pooled = keyed.groupby(keys, dropna=False)[COUNT].sum().reset_index()
    pd.testing.assert_frame_equal(_nulls(pooled.sort_values(keys)), _nulls(cells.sort_values(keys)[[*keys, COUNT]]))
    for name in plan.outcomes.binary:
        by_value = keyed.groupby(["arm", name], dropna=False)[COUNT].sum().reset_index()
        pd.testing.assert_frame_equal(_nulls(by_value.sort_values(["arm", name])),
                                      _nulls(apart[name].sort_values(["arm", name])))
