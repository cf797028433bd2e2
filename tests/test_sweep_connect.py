"""Sweeps on a real Spark Connect server (Spark 4's client-server mode, what Databricks
serverless and standard access mode speak), started from pyspark's own `spark-submit`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.processes import java_missing, project_env, run
from tests.spark_services import connect_server as spark_connect_server
from tests.tracking_reads import all_runs, client_for

pytestmark = [pytest.mark.slow,
              pytest.mark.xdist_group("sweep_connect"),  # its Spark services start once, on one worker
              pytest.mark.skipif(java_missing(), reason="Spark needs Java 17 or later; none on this machine")]
GRID = ["--model", "diab", "--max_depth", "3,4", "--n_estimators", "10", "--workers", "2"]


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    """(URL, log file) of a Spark Connect server on local[2], bound to 127.0.0.1."""
    with spark_connect_server(tmp_path_factory.mktemp("connect")) as running:
        yield running


def finished_cells(uri: str) -> list[tuple[str, str]]:
    """(max_depth, state) of each trial in the store, sorted."""
    trials = [r for r in all_runs(client_for(uri)) if r.data.tags.get("mlflow.parentRunId")]
    return sorted((t.data.params["max_depth"], t.info.status) for t in trials)


def tasks_finished(log: Path) -> int:
    return log.read_text().count("Finished task")


@pytest.mark.parametrize("how", ["url", "SPARK_REMOTE"])
def test_a_grid_sweeps_on_a_spark_connect_server(connect_server, tmp_path, sqlite_uri, how):
    url, log = connect_server
    uri = sqlite_uri
    backend, extra = (url, {}) if how == "url" else ("spark", {"SPARK_REMOTE": url})
    before = tasks_finished(log)
    done = run(["python", "-m", "mlflow_lab.sweep", *GRID, "--backend", backend], project_env(uri, **extra),
               cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert finished_cells(uri) == [("3", "FINISHED"), ("4", "FINISHED")]  # each cell once
    assert tasks_finished(log) - before >= 2  # the trials ran on the server's executors
    [parent] = [r for r in all_runs(client_for(uri)) if "sweep.plan" in r.data.params]
    assert parent.data.params["sweep.backend"] == backend


def test_the_doctor_logs_from_a_spark_connect_executor(connect_server, tmp_path, sqlite_uri):
    """The preflight's executor line on Connect (what Databricks standard and serverless speak)."""
    url, _ = connect_server
    uri = sqlite_uri
    done = run(["python", "-m", "mlflow_lab.doctor", "--volume_path", str(tmp_path)],
               project_env(uri, SPARK_REMOTE=url),
               cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert ("OK   executor logging: Spark Connect: a task logged to the run with the driver's credentials"
            in done.stdout.splitlines())
    [logged] = all_runs(client_for(uri))
    assert logged.data.metrics["doctor_executor"] == 1.0
    assert logged.data.tags["doctor.executor logging"] == "OK"
