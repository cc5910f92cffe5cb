"""The standalone test cluster itself: prerequisites, the master and worker processes, a GROUP BY on them."""
import pytest
from _spark_cluster import missing_prerequisites, require_spark


def test_prerequisites_present_or_reported():
    """Java and pyspark are there; outside CI their absence skips with the reason, under CI=true it fails."""
    require_spark()
    assert missing_prerequisites() == []


def test_missing_java_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(pytest.fail.Exception, match=r"Spark tests need Java .*under CI=true they must run"):
        require_spark()


def test_missing_java_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"^Spark tests need Java \(no java on PATH"):
        require_spark()


def test_master_and_worker_are_separate_live_processes(spark_cluster):
    assert len(spark_cluster.processes) == 2
    assert all(p.poll() is None for p in spark_cluster.processes)
    assert "Successfully registered with master" in (spark_cluster.log_dir / "worker.log").read_text()


def test_group_by_runs_on_the_worker(spark, spark_cluster):
    assert spark.sparkContext.master == spark_cluster.master_url
    rows = spark.sql(
        "SELECT arm, COUNT(*) AS n, SUM(event) AS events "
        "FROM VALUES ('T', 1), ('T', 0), ('C', 1), ('C', 1), ('C', 0) AS t(arm, event) "
        "GROUP BY arm ORDER BY arm").collect()
    assert [tuple(r) for r in rows] == [("C", 3, 2), ("T", 2, 1)]
    executors = spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
    assert executors == 2  # the driver's block manager and the worker's executor
