"""``evalexp analyze --engine spark --spark-master URL`` against the standalone test cluster."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalexp.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "synthetic" / "agir_demo.csv"
DEMO_PLAN = ROOT / "data" / "synthetic" / "agir_demo.toml"


def test_analyze_in_process(spark, spark_cluster, tmp_path):
    """In the test process the session of the fixture is reused (getOrCreate)."""
    out = tmp_path / "results.json"
    code = main(["analyze", str(DEMO), "--plan", str(DEMO_PLAN), "--json", str(out), "--engine", "spark",
                 "--spark-master", spark_cluster.master_url])
    assert code == 0
    results = json.loads(out.read_text())
    assert results["engine"]["name"] == "spark"
    assert results["n"] == {"treatment": 75, "control": 75}
    assert results["provenance"]["input"]["name"] == "agir_demo.csv"


def test_analyze_in_a_child_process_is_its_own_spark_application(spark_cluster, tmp_path):
    """A fresh driver (its own JVM) registers with the master and gets an executor on the worker."""
    env = {k: v for k, v in os.environ.items() if k != "SPARK_REMOTE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "evalexp", "analyze", str(DEMO), "--plan", str(DEMO_PLAN), "--json", "-",
         "--engine", "spark", "--spark-master", spark_cluster.master_url],
        capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    assert results["engine"]["name"] == "spark" and results["events"] == {"treatment": 15, "control": 26}
    assert results["provenance"]["input"]["name"] == "agir_demo.csv"
    assert "Registering app evalexp" in (spark_cluster.log_dir / "master.log").read_text()


def test_spark_master_in_analyze_help(capsys):
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "--spark-master URL with --engine spark: the cluster's master URL (spark://host:7077" in shown
    assert "Spark Connect at $SPARK_REMOTE (sc://host:15002)" in shown
