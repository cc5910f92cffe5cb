"""The Spark engine refuses bad input with the memory engine's error, word for word.

The fifteen kinds of bad input are those of tests/engine/test_validation.py (the DuckDB engine's
test), loaded from that file so that both engines face the same cases.
"""
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from evalexp.engine.spark import load_counts
from evalexp.errors import InputError
from evalexp.load import load_cohort
from evalexp.plan import load_plan

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "synthetic"
_spec = importlib.util.spec_from_file_location("duckdb_validation_cases", ROOT / "tests" / "engine" /
                                               "test_validation.py")
assert _spec is not None and _spec.loader is not None
CASES = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CASES)


def refusals(path, plan, spark):
    with pytest.raises(InputError) as memory:
        load_cohort(path, plan)
    with pytest.raises(InputError) as on_spark:
        load_counts(str(path), plan, spark)
    return memory.value, on_spark.value


@pytest.mark.parametrize("kind", CASES.KINDS)
def test_same_refusal_as_memory(kind, spark, tmp_path):
    path = tmp_path / "cohort.csv"
    CASES._spoil(CASES._demo(), kind).to_csv(path, index=False)
    memory, on_spark = refusals(path, load_plan(DEMO / "agir_demo.toml"), spark)
    assert type(on_spark) is type(memory)
    assert str(on_spark) == str(memory)


def test_renamed_columns_named_as_in_the_file(spark, tmp_path):
    """With the plan's [columns], the message names the source column (``'Date rupture' (rupture_date)``)."""
    frame = pd.read_csv(DEMO / "agir_demo_export_fr.csv", dtype=str, keep_default_na=False, sep=";",
                        encoding="cp1252")
    frame.loc[[3], "Date rupture"] = "01/01/2000"
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, sep=";", encoding="utf-8")
    memory, on_spark = refusals(path, load_plan(DEMO / "agir_demo_export_fr.toml"), spark)
    assert str(on_spark) == str(memory)
    assert "'Date rupture (rupture_date)'" in str(on_spark)


def test_lines_across_many_partitions(spark, tmp_path):
    """Rows split over many partitions (4 KB each): the lines still count from the top of the file."""
    frame = CASES._demo()
    frame.loc[[3, 97, 148], "participant_id"] = frame.loc[2, "participant_id"]
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        assert spark.read.csv(str(path)).rdd.getNumPartitions() >= 4
        memory, on_spark = refusals(path, load_plan(DEMO / "agir_demo.toml"), spark)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert str(on_spark) == str(memory)
    assert "line 4, line 5, line 99, line 150" in str(on_spark)


RECODE = CASES.RECODE.replace("\n[data]\nheader_row = 3\n", "")


def recoded_demo(tmp_path, labels=None):
    frame = CASES._demo()
    frame["employed_6m"] = frame["employed_6m"].map({"1": " oui", "0": "NON", "": ""})
    for row, label in (labels or {}).items():
        frame.loc[row, "employed_6m"] = label
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    return path


def test_recode_and_reference_as_memory(spark, tmp_path):
    """[recode.COLUMN] and [reference] read from the same plan objects as the memory engine."""
    from evalexp.engine.counts import analyze_counts
    from evalexp.integrity.outcomes import binary_outcomes
    from evalexp.survival.survival_analysis import analyze_survival

    path, plan = recoded_demo(tmp_path), load_plan(CASES._loading_plan(tmp_path, RECODE))
    cohort = load_cohort(path, plan)
    counts = analyze_counts(load_counts(str(path), plan, spark))
    fit = analyze_survival(cohort, plan).cox_adjusted
    assert counts.survival.cox_adjusted.terms == fit.terms and "diploma[bac]" not in fit.terms
    assert counts.survival.cox_adjusted.params_.to_numpy() == pytest.approx(fit.params_.to_numpy(), rel=1e-9)
    expected = binary_outcomes(cohort, plan).to_dict()["employed_6m"]
    assert counts.outcomes["employed_6m"]["difference"] == pytest.approx(expected["difference"], rel=1e-9)
    assert counts.outcomes["employed_6m"]["n_observed"] == expected["n_observed"]


@pytest.mark.parametrize("kind", ["unmapped label", "unknown reference"])
def test_loading_refusals_as_memory(kind, spark, tmp_path):
    labels = {4: "Peut-être", 9: "?"} if kind == "unmapped label" else {}
    extra = RECODE if kind == "unmapped label" else RECODE.replace('diploma = "bac"', 'diploma = "master"')
    path, plan = recoded_demo(tmp_path, labels), load_plan(CASES._loading_plan(tmp_path, extra))
    memory, on_spark = refusals(path, plan, spark)
    assert type(on_spark) is type(memory)
    assert str(on_spark) == str(memory)


def test_header_row_refused(spark, tmp_path):
    path = recoded_demo(tmp_path)
    plan = load_plan(CASES._loading_plan(tmp_path, RECODE + "\n[data]\nheader_row = 3\n"))
    with pytest.raises(InputError) as refused:
        load_counts(str(path), plan, spark)
    assert str(refused.value) == (f"{path}: [data] header_row = 3: --engine spark reads the header on the first "
                                  f"line; remove the 2 lines above it, or use --engine duckdb")


def test_labels_fold_on_spark_as_the_memory_engine_folds_them(spark):
    """[recode] and [arms] labels: accents, case, spaces and the right quote ignored, as plan_loading.fold_label."""
    from evalexp.engine.sql import SPARK
    from evalexp.plan_loading import fold_label

    labels = [" À l’initiative de l'Employeur ", "ÉLÈVE", "Ça", "naïve", "e\u0301te\u0301 (décomposé)", "Œuvre",
              "Straße", "Ĳssel", "Ångström", "ŁÓDŹ"]
    frame = spark.createDataFrame([(label,) for label in labels], ["label"])
    folded = [row[0] for row in frame.selectExpr(SPARK.fold_label("label")).collect()]
    assert folded == [fold_label(label) for label in labels]
    assert folded[0] == "a l'initiative de l'employeur" and folded[6] == "strasse"


def test_string_literals_keep_quotes_and_backslashes_on_both_engines(spark):
    """A label with an apostrophe or a backslash reaches SQL unchanged (Spark escapes, DuckDB doubles)."""
    import duckdb

    from evalexp.engine.sql import DUCKDB, SPARK

    texts = ["à l'initiative de l'employeur", "a\\b", "'", "plain"]
    on_spark = spark.sql("SELECT " + ", ".join(SPARK.literal(t) for t in texts)).collect()[0]
    with duckdb.connect() as connection:                   # its own connection, not the shared default one
        on_duckdb = connection.execute("SELECT " + ", ".join(DUCKDB.literal(t) for t in texts)).fetchall()[0]
    assert list(on_spark) == list(on_duckdb) == texts
