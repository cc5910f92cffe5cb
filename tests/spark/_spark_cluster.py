"""A throw-away Spark standalone cluster for the tests: one master and one worker, separate processes.

The master and the worker are started from pyspark's bundled jars (``bin/spark-class
org.apache.spark.deploy.master.Master`` / ``...worker.Worker spark://127.0.0.1:PORT``) on free
loopback ports, their logs in a temporary folder, and stopped (process group terminated, then
killed) at the end. Memory is kept small because the machine running the tests is shared:
256 MB for each daemon; the worker offers two cores and 2 GB, so that two applications (the
tests' session and a command-line run in a child process) get one executor each (one core, 1 GB).

Outside CI a machine without Java or pyspark skips the Spark tests with the reason; under
``CI=true`` (set by the CI runner, which installs both) a missing prerequisite is a failure.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

import pytest

START_TIMEOUT_S = 300.0
STOP_TIMEOUT_S = 30.0
DAEMON_MEMORY = "256m"
WORKER_MEMORY = "2g"
WORKER_CORES = "2"


def missing_prerequisites() -> list[str]:
    """What the Spark tests lack on this machine: Java and/or pyspark (empty when nothing)."""
    missing = []
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and shutil.which("java") is None:
        missing.append("Java (no java on PATH and no JAVA_HOME; .ci/run installs openjdk-17-jre-headless)")
    if find_spec("pyspark") is None:
        missing.append("pyspark (pip install -e '.[spark]')")
    return missing


def require_spark() -> None:
    """Skip (outside CI) or fail (under ``CI=true``) when Java or pyspark is missing."""
    missing = missing_prerequisites()
    if not missing:
        return
    reason = "Spark tests need " + " and ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; under CI=true they must run", pytrace=False)
    pytest.skip(reason)


def spark_home() -> Path:
    """The folder of pyspark's bundled Spark distribution (``bin/spark-class``, ``jars/``)."""
    from pyspark.find_spark_home import _find_spark_home

    return Path(_find_spark_home())


def free_port() -> int:
    """A TCP port free on the loopback interface at the time of the call."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def daemon_environment(home: Path) -> dict[str, str]:
    """Environment of the master and worker processes: loopback only, small heaps, no REST server."""
    env = dict(os.environ)
    env.update({
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_DAEMON_MEMORY": DAEMON_MEMORY,
        "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",
    })
    env.pop("SPARK_REMOTE", None)
    return env


@dataclass
class StandaloneCluster:
    """One Spark standalone master and one worker, each its own process, logs under ``log_dir``."""

    log_dir: Path
    master_port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    start_seconds: float = 0.0

    @property
    def master_url(self) -> str:
        return f"spark://127.0.0.1:{self.master_port}"

    def start(self) -> StandaloneCluster:
        """Start the master, wait until it leads; start the worker, wait until it registered."""
        home = spark_home()
        spark_class = str(home / "bin" / "spark-class")
        env = daemon_environment(home)
        began = time.perf_counter()
        self._launch("master", env, [
            spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
            "--port", str(self.master_port), "--webui-port", str(free_port())])
        self._wait_for("master", "I have been elected leader")
        work_dir = self.log_dir / "work"
        work_dir.mkdir(parents=True, exist_ok=True)
        self._launch("worker", env, [
            spark_class, "org.apache.spark.deploy.worker.Worker", self.master_url, "--host", "127.0.0.1",
            "--cores", WORKER_CORES, "--memory", WORKER_MEMORY, "--webui-port", str(free_port()),
            "--work-dir", str(work_dir)])
        self._wait_for("worker", "Successfully registered with master")
        self.start_seconds = time.perf_counter() - began
        return self

    def _launch(self, name: str, env: dict[str, str], command: list[str]) -> None:
        with open(self.log_dir / f"{name}.log", "wb") as log:
            self.processes.append(subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=self.log_dir, start_new_session=True))

    def _wait_for(self, name: str, line: str) -> None:
        log = self.log_dir / f"{name}.log"
        process = self.processes[-1]
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            text = log.read_text(errors="replace")
            if line in text:
                return
            if process.poll() is not None:
                break
            time.sleep(0.25)
        self.stop()
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"the Spark {name} did not report {line!r} (log {log}):\n{tail}")

    def stop(self) -> None:
        """Terminate the worker then the master (their whole process groups); kill what lingers."""
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()
