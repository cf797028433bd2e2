"""The sweep as an Optuna study in MLflow: repeatable searches, resuming, failing trials, Spark.

Each test runs the real `python -m mlflow_lab.sweep` or `mlflow run` against a sqlite store or a real
`mlflow server`; the Spark tests run a real local Spark (`local[2]`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import pytest

from tests.mnist_fixtures import write_npz
from tests.processes import copy_project_files, dash_p, java_missing, mlflow_run, project_env, run
from tests.tracking_reads import all_runs, client_for, logged_models

SEARCH = ["--model", "diab", "--max_depth", "2:16", "--n_estimators", "20:60", "--max_features", "2:10"]
pytestmark = pytest.mark.slow


def sweep(uri: str, cwd, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return run(["python", "-m", "mlflow_lab.sweep", *args], project_env(uri), cwd=cwd, timeout=timeout)


def study(client, parent_id: str):
    """The study run and its trials, by trial number."""
    trials = [r for r in all_runs(client) if r.data.tags.get("mlflow.parentRunId") == parent_id]
    return client.get_run(parent_id), {int(t.data.tags["sweep.trial_number"]): t for t in trials}


def parent_id_of(client) -> str:
    [parent] = [r for r in all_runs(client) if "sweep.plan" in r.data.params]
    return parent.info.run_id


def settings(trials: dict) -> list[tuple]:
    return [tuple(trials[n].data.params[k] for k in ("max_depth", "n_estimators", "max_features"))
            for n in sorted(trials)]


def test_one_worker_and_one_seed_give_the_same_trials(tmp_path, empty_store):
    picked = {}
    runs = (("a", "tpe", "3"), ("b", "tpe", "3"))  # which sampler a name gives: test_sweep_space.py
    for store, sampler, seed in runs:
        uri = empty_store(tmp_path, f"{store}.db")
        done = sweep(uri, tmp_path, *SEARCH, "--trials", "6", "--workers", "1", "--sampler", sampler,
                     "--sampler_seed", seed)
        assert done.returncode == 0, done.stderr[-3000:]
        client = client_for(uri)
        parent, trials = study(client, parent_id_of(client))
        assert sorted(trials) == list(range(6))
        for trial in trials.values():  # the trial's value came back through Optuna's tell
            assert trial.info.status == "FINISHED"
            assert trial.data.metrics["value"] == trial.data.metrics["mse"]
            assert 2 <= int(trial.data.params["max_depth"]) <= 16
        assert parent.data.params["sweep.sampler"] == sampler
        best = min(trials.values(), key=lambda t: t.data.metrics["mse"])
        assert parent.data.tags["best_run_id"] == best.info.run_id
        picked[store] = settings(trials)
    assert picked["a"] == picked["b"]  # one worker, one sampler, one seed: the same trials
    assert len(set(picked["a"])) > 1  # ... drawn, not one setting repeated


def start_and_kill(uri: str, cwd, args: list[str], after: str) -> None:
    """Start a sweep, wait until its progress shows `after`, then kill it hard (no clean-up)."""
    process = subprocess.Popen(["python", "-m", "mlflow_lab.sweep", *args], env=project_env(uri), cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = threading.Event()

    def watch() -> None:
        for line in process.stderr:
            if after in line:
                seen.set()

    threading.Thread(target=watch, daemon=True).start()
    reached = seen.wait(timeout=300)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert reached, f"the sweep never printed {after!r}"


def test_resume_after_a_killed_search_runs_only_what_is_owed(tmp_path, sqlite_uri):
    start_and_kill(sqlite_uri, tmp_path, [*SEARCH, "--trials", "10", "--workers", "2"], after="sweep 3/10")
    client = client_for(sqlite_uri)
    parent_id = parent_id_of(client)
    _, before = study(client, parent_id)
    finished_before = {n: t.info.run_id for n, t in before.items() if t.info.status == "FINISHED"}
    left_open = [n for n, t in before.items() if t.info.status == "RUNNING"]
    assert len(finished_before) >= 3 and left_open

    done = sweep(sqlite_uri, tmp_path, "--model", "diab", "--resume", parent_id, "--workers", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    parent, after = study(client, parent_id)
    assert parent.info.status == "FINISHED"
    for number in left_open:  # what the killed sweep left RUNNING ends FAILED, marked
        assert after[number].info.status == "FAILED"
        assert after[number].data.tags["sweep.interrupted"] == "true"
    finished = [t for t in after.values() if t.info.status == "FINISHED"]
    assert len(finished) == 10  # the trial count is kept; failed ones were made up
    assert all(after[n].info.run_id == run_id for n, run_id in finished_before.items())
    best = min(finished, key=lambda t: t.data.metrics["mse"])  # over all trials, old and new
    assert parent.data.tags["best_run_id"] == best.info.run_id
    assert parent.data.metrics["best_mse"] == best.data.metrics["mse"]


def test_resumed_grid_runs_each_cell_once(tmp_path, sqlite_uri):
    grid = ["--model", "diab", "--max_depth", "3,5,7", "--n_estimators", "40,60,80", "--workers", "1"]
    start_and_kill(sqlite_uri, tmp_path, grid, after="sweep 4/9")
    client = client_for(sqlite_uri)
    parent_id = parent_id_of(client)
    # the command that started it, `--name=value` flags and all, with --resume added: the same space
    done = sweep(sqlite_uri, tmp_path, "--model=diab", "--max_depth=3,5,7", "--n_estimators", "40,60,80",
                 "--workers=2", "--resume", parent_id)
    assert done.returncode == 0, done.stderr[-3000:]
    _, trials = study(client, parent_id)
    cells = sorted((t.data.params["max_depth"], t.data.params["n_estimators"])
                   for t in trials.values() if t.info.status == "FINISHED")
    assert cells == sorted((d, n) for d in ("3", "5", "7") for n in ("40", "60", "80"))


def test_resume_refuses_what_is_not_a_sweep_of_this_model(tmp_path, sqlite_uri):
    done = sweep(sqlite_uri, tmp_path, "--model", "diab", "--max_depth", "3,4")
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(sqlite_uri)
    parent_id = parent_id_of(client)
    trial_id = next(r.info.run_id for r in all_runs(client) if r.data.tags.get("mlflow.parentRunId"))
    for args, message in (
        (["--model", "mnist", "--resume", parent_id], f"run {parent_id} is a sweep of diab, not mnist"),
        (["--model", "diab", "--resume", trial_id], f"run {trial_id} is not a sweep"),
        (["--model", "diab", "--resume", parent_id, "--max_depth", "5"],
         "a resumed sweep keeps the space it was started with"),
    ):
        before = len(all_runs(client))
        refused = sweep(sqlite_uri, tmp_path, *args)
        assert refused.returncode == 2
        [line] = [x for x in refused.stderr.splitlines() if x.startswith("sweep: error:")]
        assert f"argument --resume: {message}" in line
        assert len(all_runs(client)) == before + 1  # only the refused session's own run, FAILED
        assert client.search_registered_models() == []


def test_failing_trials_end_failed_and_nothing_is_registered(tmp_path, sqlite_uri):
    done = sweep(sqlite_uri, tmp_path, "--model", "mnist", "--epochs", "1,2", "--workers", "1",
                 "--data_path", str(tmp_path / "missing.npz"), "--register_as", "never")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == "sweep: error: 2 of 2 trials failed; nothing registered"
    client = client_for(sqlite_uri)
    parent, trials = study(client, parent_id_of(client))
    assert parent.info.status == "FAILED"
    for trial in trials.values():
        assert trial.info.status == "FAILED" and trial.data.tags["sweep.trial_state"] == "FAIL"
        assert "does not exist" in trial.data.tags["sweep.error"]
    assert client.search_registered_models() == []


def test_hyperband_prunes_too(tmp_path, sqlite_uri):
    data = write_npz(tmp_path / "tiny.npz")
    done = sweep(sqlite_uri, tmp_path, "--model", "mnist", "--trials", "9", "--workers", "1",
                 "--learning_rate", "0.000001:0.3:log", "--epochs", "6", "--batch_size", "64",
                 "--num_hidden_units", "16", "--data_path", str(data), "--prune", "true",
                 "--pruner", "hyperband", "--sampler_seed", "1")
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(sqlite_uri)
    _, trials = study(client, parent_id_of(client))
    pruned = [t for t in trials.values() if t.info.status == "KILLED"]
    assert pruned, [(t.data.params["learning_rate"], t.info.status) for t in trials.values()]
    for trial in pruned:
        epochs = int(trial.data.tags["sweep.pruned_after_epoch"])
        assert 1 <= epochs < 6
        assert len(client.get_metric_history(trial.info.run_id, "accuracy")) == epochs


def spark_trials(client, experiment_name: str):
    experiment = client.get_experiment_by_name(experiment_name)
    runs = client.search_runs([experiment.experiment_id])
    [parent] = [r for r in runs if "sweep.plan" in r.data.params]
    return parent, [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]


needs_java = pytest.mark.skipif(java_missing(), reason="Spark needs Java 17 or later; none on this machine")
SPARK_GRID = {"model": "diab", "max_depth": "3,5", "n_estimators": "10,20", "backend": "spark",
              "workers": "2"}


@needs_java
def test_spark_under_mlflow_run_on_a_relative_sqlite_path_keeps_the_best_model(tmp_path):
    """Executors run in Spark's own folders: the sweep hands them the store's absolute path (the
    relative one works under `mlflow run` started in the project's folder). With parallel trials
    and the default log_models=improving, the best trial has its model."""
    project = copy_project_files(tmp_path / "project")
    done = mlflow_run(".", "-e", "sweep", "--experiment-name", "spark", *dash_p(SPARK_GRID),
                      env=project_env("sqlite:///mlflow.db"), cwd=project, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(f"sqlite:///{project}/mlflow.db")
    parent, trials = spark_trials(client, "spark")
    assert len(trials) == 4 and {t.info.status for t in trials} == {"FINISHED"}
    assert len({(t.data.params["max_depth"], t.data.params["n_estimators"]) for t in trials}) == 4
    assert all("mse" in t.data.metrics for t in trials)
    assert "mse" not in parent.data.metrics  # `mlflow run`'s MLFLOW_RUN_ID did not leak into executors
    assert parent.data.params["sweep.backend"] == "spark" and parent.info.status == "FINISHED"
    assert parent.data.params["sweep.log_models"] == "improving"
    best = min(trials, key=lambda t: t.data.metrics["mse"])
    assert parent.data.tags["best_run_id"] == best.info.run_id and len(logged_models(client, best)) == 1
    for trial in trials:  # the tag says what was logged
        assert len(logged_models(client, trial)) == (trial.data.tags["sweep.model_logged"] == "true")


@needs_java
def test_ctrl_c_cancels_the_spark_trials(tmp_path, sqlite_uri):
    args = ["--model", "diab", "--max_depth", "20,30", "--n_estimators", "4000,4500", "--backend", "spark",
            "--workers", "2"]
    client = client_for(sqlite_uri)
    all_runs(client)  # the store's tables exist before the sweep and this poller both open it
    process = subprocess.Popen(["python", "-m", "mlflow_lab.sweep", *args], env=project_env(sqlite_uri),
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline, training = time.monotonic() + 240, []
    while time.monotonic() < deadline and len(training) < 2:  # both trials claimed on executors
        time.sleep(0.3)
        training = [r for r in all_runs(client)
                    if r.data.tags.get("mlflow.parentRunId") and "sweep.attempt" in r.data.params]
    assert len(training) == 2, "the trials never started training on the executors"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err[-2000:]
    parent, trials = study(client, parent_id_of(client))
    assert parent.info.status == "KILLED"
    assert {t.info.status for t in trials.values()} == {"FAILED"}
    assert all(t.data.tags["sweep.interrupted"] == "true" for t in trials.values())
