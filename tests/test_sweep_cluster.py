"""Sweeps on a real standalone Spark cluster (a master and a worker started with pyspark's own
`spark-class`, all on 127.0.0.1) against MLflow's real `basic-auth` tracking server.

The worker runs with no MLflow credentials in its environment; the driver has them. Each trial
must log anyway, and the password must show up nowhere a user or an operator could read it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.processes import (
    HELD_SITE,
    held_pid,
    java_missing,
    project_env,
    start_mlflow_server,
    stop,
    without_mlflow,
)
from tests.spark_services import Cluster, master_state, standalone_cluster
from tests.tracking_reads import all_runs, client_for, logged_models

pytestmark = [pytest.mark.slow,
              pytest.mark.xdist_group("sweep_cluster"),  # its Spark services start once, on one worker
              pytest.mark.skipif(java_missing(), reason="Spark needs Java 17 or later; none on this machine")]
USER, PASSWORD = "ana", "pw-only-the-driver-holds-7f3a"


class AuthServer(NamedTuple):
    url: str
    root: Path  # its store and artifacts


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with standalone_cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory):
    """MLflow's basic-auth server, with the user the driver logs as."""
    root = tmp_path_factory.mktemp("auth")
    config = root / "basic_auth.ini"  # MLflow's defaults, with its credential cache on (PBKDF2 per request)
    config.write_text("[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///basic_auth.db\n"
                      "admin_username = admin\nauthorization_function = "
                      "mlflow.server.auth:authenticate_request_basic_auth\nauth_cache_ttl_seconds = 600\n")
    env = dict(without_mlflow(os.environ), MLFLOW_FLASK_SERVER_SECRET_KEY="test-only-secret-key",
               MLFLOW_AUTH_ADMIN_PASSWORD="admin-pw-for-tests", MLFLOW_AUTH_CONFIG_PATH=str(config))
    process, url = start_mlflow_server(root, env=env, app="basic-auth")
    try:
        body = json.dumps({"username": USER, "password": PASSWORD}).encode()
        request = urllib.request.Request(f"{url}/api/2.0/mlflow/users/create", data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": basic("admin", "admin-pw-for-tests")})
        urllib.request.urlopen(request, timeout=30).close()
        yield AuthServer(url, root)
    finally:
        stop(process)


def basic(user: str, password: str) -> str:
    return "Basic " + b64encode(f"{user}:{password}".encode()).decode()


def driver_env(auth: AuthServer, events: Path, held: Path | None = None, depths: str = "",
               **extra: str) -> dict[str, str]:
    """The driver's environment: the user's credentials, and Spark's event log switched on.
    With `held`, the executors' trials of the max_depths in `depths` wait there to be killed
    (tests/held_trial_site), or until `held/release` appears."""
    events.mkdir(exist_ok=True)
    hold = (f"--conf spark.executorEnv.PYTHONPATH={HELD_SITE} "
            f"--conf spark.executorEnv.HELD_TRIALS_DIR={held} "
            f"--conf spark.executorEnv.HELD_MAX_DEPTHS={depths} ") if held else ""
    submit = (f"--conf spark.eventLog.enabled=true --conf spark.eventLog.dir={events} "
              f"--conf spark.eventLog.compress=false {hold}pyspark-shell")
    return project_env(auth.url, MLFLOW_TRACKING_USERNAME=USER, MLFLOW_TRACKING_PASSWORD=PASSWORD,
                       PYSPARK_SUBMIT_ARGS=submit, SPARK_LOCAL_IP="127.0.0.1", **extra)


def reader(auth: AuthServer, monkeypatch):
    """A client that reads the server as the user (the test's own reads need credentials too)."""
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", USER)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", PASSWORD)
    return client_for(auth.url)


def trials_of(client) -> list:
    return [r for r in all_runs(client) if r.data.tags.get("mlflow.parentRunId")]


def files_holding(text: str, *folders: Path) -> list[str]:
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and text.encode() in path.read_bytes():
                found.append(str(path))
    return found


def test_a_grid_runs_on_the_cluster_and_its_executors_log_with_the_driver_credentials(
        cluster, auth_server, tmp_path, monkeypatch):
    with pytest.raises(urllib.error.HTTPError) as refused:  # the server does need credentials
        urllib.request.urlopen(f"{auth_server.url}/api/2.0/mlflow/experiments/search?max_results=1",
                               timeout=10)
    assert refused.value.code == 401
    assert f"MLFLOW_TRACKING_PASSWORD={PASSWORD}".encode() not in Path(
        f"/proc/{cluster.worker.pid}/environ").read_bytes()
    events = tmp_path / "events"
    args = ["--model", "diab", "--max_depth", "3,4", "--n_estimators", "10,20", "--workers", "auto",
            "--backend", cluster.url]

    done = subprocess.run([sys.executable, "-m", "mlflow_lab.sweep", *args],
                          env=driver_env(auth_server, events),
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)

    assert done.returncode == 0, done.stderr[-3000:]
    client = reader(auth_server, monkeypatch)
    trials = trials_of(client)
    cells = sorted((t.data.params["max_depth"], t.data.params["n_estimators"]) for t in trials)
    assert cells == [("3", "10"), ("3", "20"), ("4", "10"), ("4", "20")]  # each cell once
    assert {t.info.status for t in trials} == {"FINISHED"}
    assert all("mse" in t.data.metrics for t in trials)
    [parent] = [r for r in all_runs(client) if "sweep.plan" in r.data.params]
    assert parent.data.params["sweep.workers"] == "2"  # auto: the worker's two cores, asked of the cluster
    apps = master_state(cluster.web)
    assert "sweep" in [app["name"] for app in apps["activeapps"] + apps["completedapps"]]
    for run in all_runs(client):
        assert PASSWORD not in json.dumps([run.data.params, run.data.tags])
    assert PASSWORD not in done.stdout + done.stderr
    assert list(events.iterdir()), "Spark wrote no event log"
    assert files_holding(PASSWORD, events, cluster.folder, auth_server.root) == []


def descendants(pid: int) -> list[int]:
    """`pid`'s child processes, their children, and so on, read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def executor_pid(cluster: Cluster) -> int | None:
    for pid in descendants(cluster.worker.pid):
        try:
            if b"CoarseGrainedExecutorBackend" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    return None


def let_go(held: Path, process: subprocess.Popen) -> None:
    """After a test, held or failed: release its held trials and end its sweep (the cluster's
    two cores are the next test's)."""
    (held / "release").touch()
    if process.poll() is None:
        process.kill()
        process.wait(timeout=60)


def test_a_trial_whose_executor_is_lost_runs_once_and_resume_finishes_the_grid(
        cluster, auth_server, tmp_path, monkeypatch, request):
    client = reader(auth_server, monkeypatch)
    before = {t.info.run_id for t in trials_of(client)}
    held = tmp_path / "held"
    held.mkdir()
    args = ["--model", "diab", "--max_depth", "5,6", "--n_estimators", "10", "--workers", "1",
            "--backend", cluster.url]
    env = driver_env(auth_server, tmp_path / "events", held=held, depths="5")
    process = subprocess.Popen([sys.executable, "-m", "mlflow_lab.sweep", *args], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    request.addfinalizer(lambda: let_go(held, process))
    held_pid(held, 5, process, seconds=240)  # it has claimed its run: it is training now
    [claimed] = [t for t in trials_of(client) if t.info.run_id not in before
                 and "sweep.attempt" in t.data.params]
    assert claimed.data.params["max_depth"] == "5"
    executor = executor_pid(cluster)
    for pid in [executor, *descendants(executor)]:  # the executor's JVM and its Python workers
        os.kill(pid, signal.SIGKILL)
    out, err = process.communicate(timeout=600)

    assert process.returncode == 1, err[-3000:]  # one trial failed: said, and nothing registered
    assert "1 of 2 trials failed" in err
    lost = client.get_run(claimed.info.run_id)
    assert lost.info.status == "FAILED"
    assert lost.data.tags["sweep.error"].startswith("not run again")  # Spark's retry, refused
    assert len(client.get_metric_history(lost.info.run_id, "mse")) <= 1
    [parent] = [r for r in all_runs(client) if r.info.run_id == lost.data.tags["mlflow.parentRunId"]]
    (held / "release").touch()  # the lost cell trains when resumed

    resumed = subprocess.run([sys.executable, "-m", "mlflow_lab.sweep", "--resume", parent.info.run_id,
                              "--workers", "1",
                              "--backend", cluster.url], env=env, cwd=tmp_path, capture_output=True,
                             text=True, timeout=600)

    assert resumed.returncode == 0, resumed.stderr[-3000:]
    trials = [t for t in trials_of(client) if t.data.tags["mlflow.parentRunId"] == parent.info.run_id]
    finished = sorted(t.data.params["max_depth"] for t in trials if t.info.status == "FINISHED")
    assert finished == ["5", "6"]  # each cell FINISHED exactly once
    assert "RUNNING" not in {t.info.status for t in trials}
    for trial in trials:  # never two histories, never two models; a FINISHED trial has all of its own
        history, models = client.get_metric_history(trial.info.run_id, "mse"), logged_models(client, trial)
        if trial.info.status == "FINISHED":
            assert len(history) == 1 and history[0].value == trial.data.metrics["value"]
            assert len(models) == (trial.data.tags["sweep.model_logged"] == "true")
        else:
            assert len(history) <= 1 and len(models) <= 1  # the lost attempt may have logged before dying


def test_ctrl_c_cancels_the_cluster_trials_and_exits_130(cluster, auth_server, tmp_path, monkeypatch,
                                                          request):
    client = reader(auth_server, monkeypatch)
    before = {t.info.run_id for t in trials_of(client)}
    held = tmp_path / "held"
    held.mkdir()
    args = ["--model", "diab", "--max_depth", "20,30", "--n_estimators", "10", "--workers", "2",
            "--backend", cluster.url]
    process = subprocess.Popen([sys.executable, "-m", "mlflow_lab.sweep", *args],
                               env=driver_env(auth_server, tmp_path / "events", held=held, depths="20,30"),
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    request.addfinalizer(lambda: let_go(held, process))
    held_pids = [held_pid(held, depth, process, seconds=240)
                 for depth in (20, 30)]  # both training on the executor
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)

    assert process.returncode == 130, err[-2000:]
    trials = [t for t in trials_of(client) if t.info.run_id not in before]
    assert {t.info.status for t in trials} == {"FAILED"}
    apps = master_state(cluster.web)
    assert not [app for app in apps["activeapps"] if app["name"] == "sweep"]  # its jobs and executors gone
    deadline = time.monotonic() + 30
    while executor_pid(cluster) is not None or any(Path(f"/proc/{pid}").exists() for pid in held_pids):
        assert time.monotonic() < deadline, "an executor (or a trial's Python worker) is still running"
        time.sleep(0.5)  # the worker stops the executors it ran for the sweep, and their Python workers
