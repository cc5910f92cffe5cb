"""Fixtures of the Spark tests: a standalone master and worker (separate processes) and a session on them.

Session-scoped: the cluster starts once for the test run (about 10-30 s) and is torn down at the
end. Without Java or pyspark the tests skip with the reason, except under ``CI=true`` where they fail.
"""
import pytest
from _spark_cluster import StandaloneCluster, require_spark

from evalexp.engine.spark import spark_session

TEST_CONFIG = {
    "spark.driver.memory": "1g",
    "spark.executor.memory": "1g",
    "spark.executor.cores": "1",
    "spark.cores.max": "1",
    "spark.sql.shuffle.partitions": "2",
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory):
    """A running standalone cluster (master + one worker); stopped after the last test."""
    require_spark()
    cluster = StandaloneCluster(tmp_path_factory.mktemp("spark-cluster")).start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def spark(spark_cluster):
    """A SparkSession whose executors run on the standalone cluster's worker."""
    session = spark_session(spark_cluster.master_url, TEST_CONFIG)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
