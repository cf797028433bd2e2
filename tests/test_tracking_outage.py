"""A tracking server that blinks: stopped mid-work and started again on the same store and port.

A sweep and a single mnist run, through one outage, wait for it (MLflow's retries, for up to
the patience) and end as if nothing happened, with each cell finished once and nothing left
RUNNING; stopped for longer than a short patience, the sweep ends in one line saying how to
resume, and resume finishes it. Every wait has a deadline.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.mnist_fixtures import write_npz
from tests.processes import held_env, last_words, project_env, start_mlflow_server, stop
from tests.tracking_reads import all_runs, client_for

pytestmark = pytest.mark.slow
GRID = ["--model", "diab", "--max_depth", "3,4,5,6", "--n_estimators", "10,20", "--workers", "2"]
OUTAGE_S = 20
DEADLINE_S = 240


class Server:
    """A real `mlflow server` that can be stopped and started again where it was."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir()
        self.process, self.url = start_mlflow_server(root)
        self.port = int(self.url.rsplit(":", 1)[1])
        self.store = f"sqlite:///{root}/mlflow.db"

    def stop(self) -> None:
        stop(self.process)

    def start_again(self) -> None:
        self.process, _ = start_mlflow_server(self.root, port=self.port)


@pytest.fixture
def server(tmp_path):
    running = Server(tmp_path / "server")
    yield running
    running.stop()


def trials(store: str) -> list:
    return [r for r in all_runs(client_for(store)) if "mlflow.parentRunId" in r.data.tags]


def wait_until(condition, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert process.poll() is None, f"ended before {what}: {last_words(process)[-3000:]}"
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE_S} s"
        time.sleep(0.3)


def start_sweep(server: Server, tmp_path: Path, **env: str) -> tuple[subprocess.Popen, Path]:
    """The grid, its max_depth=6 cells held inside training until `<held>/release` exists."""
    held = tmp_path / "held"
    held.mkdir()
    environment = held_env(server.url, held, HELD_MAX_DEPTHS="6", **env)
    sweep = subprocess.Popen([sys.executable, "-m", "mlflow_lab.sweep", *GRID], env=environment,
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             stdin=subprocess.DEVNULL)
    wait_until(lambda: any(held.glob("*.pid")), "a trial held in training", sweep)
    return sweep, held


def finished(process: subprocess.Popen) -> tuple[int, str]:
    try:
        _, stderr = process.communicate(timeout=DEADLINE_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {DEADLINE_S} s later: {last_words(process)[-3000:]}")
    return process.returncode, stderr


def blink(server: Server, held: Path, seconds: float) -> None:
    """Stop the server, let the held trial train and log into the outage, start it again."""
    server.stop()
    (held / "release").touch()
    time.sleep(seconds)
    server.start_again()


def test_a_sweep_and_a_mnist_run_wait_for_a_server_stopped_for_20_seconds(server, tmp_path):
    """One outage for both: the sweep's held trial and the mnist run, held after its third epoch,
    are let go when the server stops, and train and log into the outage."""
    sweep, held = start_sweep(server, tmp_path)
    data = write_npz(tmp_path / "tiny.npz")
    environment = held_env(server.url, held, HELD_AFTER_EPOCH="3")
    run = subprocess.Popen([sys.executable, "-m", "mnist", "--data_path", str(data), "--epochs", "12",
                            "--batch_size", "16", "--num_hidden_units", "16"], env=environment,
                           cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           stdin=subprocess.DEVNULL)
    client = client_for(server.store)

    def mnist_runs() -> list:
        experiment = client.get_experiment_by_name("keras-mnist")
        return client.search_runs([experiment.experiment_id]) if experiment else []

    def epochs_logged() -> int:
        runs = mnist_runs()
        return len(client.get_metric_history(runs[0].info.run_id, "accuracy")) if runs else 0

    try:
        wait_until(lambda: (held / "mnist.held").exists() and epochs_logged() >= 2, "two epochs logged",
                   run)
        assert epochs_logged() < 12, "the mnist run ended its epochs before the outage"
        blink(server, held, OUTAGE_S)

        status, stderr = finished(sweep)
        assert status == 0, stderr[-3000:]
        assert "is unreachable since" in stderr
        status, stderr = finished(run)
        assert status == 0, stderr[-3000:]
        assert "is unreachable since" in stderr
    finally:
        (held / "release").touch()
        for process in (sweep, run):
            if process.poll() is None:
                last_words(process)
    cells = sorted((t.data.params["max_depth"], t.data.params["n_estimators"], t.info.status)
                   for t in trials(server.store))
    assert cells == sorted((str(d), str(n), "FINISHED") for d in (3, 4, 5, 6) for n in (10, 20))
    [logged] = mnist_runs()
    assert logged.info.status == "FINISHED" and "test_accuracy" in logged.data.metrics
    assert [m.step for m in client.get_metric_history(logged.info.run_id, "accuracy")] == list(range(12))
    assert not [r for r in all_runs(client) if r.info.status == "RUNNING"]


def test_past_its_patience_a_sweep_ends_in_one_line_and_resume_finishes_it(server, tmp_path):
    sweep, held = start_sweep(server, tmp_path, MLFLOW_LAB_TRACKING_PATIENCE="5")
    [parent] = [r for r in all_runs(client_for(server.store)) if "sweep.plan" in r.data.params]
    server.stop()
    (held / "release").touch()
    stopped = time.monotonic()
    status, stderr = finished(sweep)
    assert status == 1 and time.monotonic() - stopped < 5 + 40, stderr[-3000:]
    last = stderr.strip().splitlines()[-1]
    assert "results are lost" in last and f"resume={parent.info.run_id}" in last, last
    server.start_again()
    resumed = subprocess.run([sys.executable, "-m", "mlflow_lab.sweep", "--resume", parent.info.run_id],
                             env=project_env(server.url), cwd=tmp_path, capture_output=True, text=True,
                             timeout=DEADLINE_S)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    done = [t for t in trials(server.store) if t.info.status == "FINISHED"]
    assert sorted((t.data.params["max_depth"], t.data.params["n_estimators"]) for t in done) == sorted(
        (str(d), str(n)) for d in (3, 4, 5, 6) for n in (10, 20))
    assert not [r for r in all_runs(client_for(server.store)) if r.info.status == "RUNNING"]
