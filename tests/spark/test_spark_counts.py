"""The Spark engine's counts equal the memory engine's, participant for participant.

The standalone cluster of conftest.py runs the aggregation of evalexp.engine.sql (Spark dialect); the
reference is the memory engine (evalexp.load.load_cohort) grouped by the same keys with pandas.
"""
from pathlib import Path

import pandas as pd
import pytest

from evalexp.competing.competing_risks import rupture_causes
from evalexp.engine.spark import load_counts
from evalexp.engine.sql import COUNT, group_columns
from evalexp.errors import UnreadableFileError
from evalexp.load import load_cohort
from evalexp.plan import load_plan
from evalexp.simulate import simulate_to_file

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"
EXPORT = ROOT / "data" / "synthetic" / "agir_demo_export_fr.csv"
EXPORT_PLAN = ROOT / "data" / "synthetic" / "agir_demo_export_fr.toml"
CLUSTERED_PLAN = """title = "simulated, clustered"
[survival]
horizon_days = 365
strata = "stratum"
cluster = "site"
causes = "rupture_initiative"
covariates = ["female", "diploma"]
[outcomes]
binary = ["employed_6m", "employed_12m"]
"""


def memory_counts(path, plan, exclude=()):
    """Participants per key of the aggregate (less the ``exclude`` covariates), from the memory engine's cohort."""
    cohort = load_cohort(path, plan)
    data = cohort.data
    keys = {"arm": data["arm"], "time_days": data["time_days"], "event": data["event"]}
    for key, column in group_columns(plan, exclude):
        keys[key] = rupture_causes(cohort, plan) if key == "cause" else data[column]
    frame = pd.DataFrame(keys)
    return frame.groupby(list(keys), dropna=False, sort=False).size().rename(COUNT).reset_index()


def assert_same_counts(spark_counts, memory):
    keys = [c for c in memory.columns if c != COUNT]
    assert list(spark_counts.columns) == list(memory.columns)
    ordered = [frame.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)
               for frame in (spark_counts, memory)]
    pd.testing.assert_frame_equal(*ordered, check_dtype=False, check_exact=True)


def test_demo_counts_equal_the_memory_engine(spark):
    plan = load_plan(DEMO_PLAN)
    counts = load_counts(str(DEMO), plan, spark)
    assert counts.continuous == ("age",) and counts.engine == "spark"
    assert counts.counts[COUNT].sum() == 150
    assert_same_counts(counts.counts, memory_counts(DEMO, plan, ("age",)))


def test_french_export_renamed_day_first_semicolons(spark, tmp_path):
    """The demo as a French export ([columns] renames, 'Accompagné'/'Témoin', DD/MM/YYYY, ';', 18,5) in UTF-8."""
    utf8 = tmp_path / "export_utf8.csv"
    utf8.write_text(EXPORT.read_bytes().decode("cp1252"), encoding="utf-8")
    plan = load_plan(EXPORT_PLAN)
    counts = load_counts(str(utf8), plan, spark).counts
    assert_same_counts(counts, memory_counts(utf8, plan, ("age",)))
    demo = load_counts(str(DEMO), load_plan(DEMO_PLAN), spark).counts
    assert counts[["arm", "time_days", "event", COUNT]].equals(demo[["arm", "time_days", "event", COUNT]])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_simulated_clusters_and_causes(spark, tmp_path, suffix):
    cohort = tmp_path / f"sim{suffix}"
    simulate_to_file(cohort, n=3000, seed=17, hazard_ratio=0.7, n_sites=40, n_strata=8)
    plan_file = tmp_path / "sim.toml"
    plan_file.write_text(CLUSTERED_PLAN)
    plan = load_plan(plan_file)
    counts = load_counts(str(cohort), plan, spark).counts
    assert counts[COUNT].sum() == 3000
    assert counts["cluster"].nunique() == 40
    assert counts["cause"].nunique() >= 3
    assert_same_counts(counts, memory_counts(cohort, plan))


def test_not_utf8_is_refused(spark):
    with pytest.raises(UnreadableFileError) as refused:
        load_counts(str(EXPORT), load_plan(EXPORT_PLAN), spark)
    assert str(refused.value) == (
        f"{EXPORT}: the header line is not UTF-8 text: --engine spark reads CSV in UTF-8 only; "
        f"transcode the file first (e.g. iconv -f cp1252 -t utf-8)")


def test_unsupported_suffix_is_refused(spark, tmp_path):
    path = tmp_path / "cohort.xlsx"
    path.write_bytes(b"")
    with pytest.raises(UnreadableFileError) as refused:
        load_counts(str(path), load_plan(DEMO_PLAN), spark)
    assert str(refused.value) == (
        f"{path}: unsupported file type '.xlsx' for --engine spark (CSV: .csv, .txt, .tsv; "
        f"Parquet: .parquet, .pq)")


def test_missing_file_and_malformed_record_are_unreadable(spark, tmp_path):
    missing = tmp_path / "absent.csv"
    with pytest.raises(UnreadableFileError) as refused:
        load_counts(str(missing), load_plan(DEMO_PLAN), spark)
    assert str(refused.value).startswith(f"{missing}: Spark cannot read the file: ")
    ragged = tmp_path / "ragged.csv"
    lines = DEMO.read_text().splitlines()
    ragged.write_text("\n".join([*lines[:30], lines[30] + ",extra,cells", *lines[31:]]) + "\n")
    with pytest.raises(UnreadableFileError) as refused:
        load_counts(str(ragged), load_plan(DEMO_PLAN), spark)
    assert str(refused.value).startswith(f"{ragged}: Spark cannot read the file: ")
    assert "\n" not in str(refused.value)
