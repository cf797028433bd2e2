"""Submitting to Databricks, against a stand-in workspace that runs the submitted jobs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from databricks_workspace import Workspace
from mnist_fixtures import write_npz

from helpers import BIN, REPO, project_env, run, start_mlflow_server, stop
from tracking_reads import client_for

TOKEN = "dapi-test-0123456789abcdef"  # noqa: S105 (the stand-in's own)
EXPERIMENT = "/Users/me@example.com/sklearn-diab"


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "server"
    root.mkdir()
    server, url = start_mlflow_server(root, "--default-artifact-root", str(root / "artifacts"),
                                      "--no-serve-artifacts")  # the cluster shares the disk
    stand_in = Workspace(tmp_path / "workspace", TOKEN, url, BIN).start()
    stand_in.store = f"sqlite:///{root}/mlflow.db"
    yield stand_in
    stand_in.stop()
    stop(server)


@pytest.fixture
def bare_workspace(tmp_path):
    """A stand-in with no tracking server behind it: for what must be refused before any call."""
    stand_in = Workspace(tmp_path / "workspace", TOKEN, "http://127.0.0.1:9", BIN).start()
    yield stand_in
    stand_in.stop()


def client_env(workspace: Workspace) -> dict[str, str]:
    env = project_env("databricks", DATABRICKS_HOST=workspace.url, DATABRICKS_TOKEN=TOKEN,
                      DBJOB_POLL_SECONDS="1")
    return env


def dbjob(workspace, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return run(["python", "-m", "dbjob", *args], client_env(workspace), cwd=cwd, timeout=600)


def assert_token_nowhere(workspace: Workspace, *outputs: str) -> None:
    for recorded in workspace.requests:
        assert TOKEN.encode() not in recorded.body, recorded.path
        assert TOKEN not in json.dumps(recorded.query)
    for output in outputs:
        assert TOKEN not in output
    for job in workspace.jobs.values():
        assert TOKEN not in job.log
    client = client_for(workspace.store)
    for experiment in client.search_experiments():
        for logged in client.search_runs([experiment.experiment_id]):
            assert TOKEN not in json.dumps([logged.data.params, logged.data.tags])


def test_diab_spark_job_runs_on_the_cluster_and_finishes(workspace):
    done = dbjob(workspace, "diab", "--backend-config", "databricks/cpu.json", "--experiment-name",
                 EXPERIMENT, "-P", "n_estimators=20", "-P", "max_depth=8", "--wait")
    assert done.returncode == 0, done.stderr[-3000:] + "".join(j.log for j in workspace.jobs.values())
    calls = [(r.method, r.path) for r in workspace.requests
             if r.path.startswith(("/api/2.0/dbfs/", "/dbfs/", "/api/2.0/jobs/"))]
    assert calls[:5] == [("GET", "/api/2.0/dbfs/get-status"), ("POST", calls[1][1]),
                         ("GET", "/api/2.0/dbfs/get-status"), ("POST", calls[3][1]),
                         ("POST", "/api/2.0/jobs/runs/submit")]
    assert calls[1][1].startswith("/dbfs/mlflow-experiments/") and calls[1][1].endswith(".tar.gz")
    [job] = workspace.jobs.values()
    submitted = job.request
    shipped = json.loads(Path(REPO / "databricks/cpu.json").read_text())
    assert submitted["new_cluster"] == shipped["new_cluster"]
    packages = [lib["pypi"]["package"] for lib in submitted["libraries"]]
    assert "mlflow==3.17.2" in packages and "skops==0.16.0" in packages
    assert not any(p.startswith("tensorflow") for p in packages)  # the runtime's own build
    task = submitted["spark_python_task"]
    assert task["python_file"].startswith("dbfs:/mlflow-experiments/")
    assert task["parameters"][task["parameters"].index("--max_depth") + 1] == "8"

    client = client_for(workspace.store)
    [logged] = client.search_runs([client.get_experiment_by_name(EXPERIMENT).experiment_id])
    assert logged.info.status == "FINISHED"
    assert logged.data.params["max_depth"] == "8"
    assert set(logged.data.metrics) == {"mse", "rmse", "mae", "r2"}
    assert logged.data.tags["mlflow.project.backend"] == "databricks"
    assert client.search_logged_models([logged.info.experiment_id])[0].name == "random-forest-model"
    assert_token_nowhere(workspace, done.stdout, done.stderr)


def test_mnist_on_the_gpu_spec_and_a_failing_job_marks_the_run_failed(workspace, tmp_path):
    data = write_npz(tmp_path / "tiny.npz")
    unnamed = dbjob(workspace, "mnist", "-P", f"data_path={data}")
    assert unnamed.returncode == 2 and "argument --experiment-name: required" in unnamed.stderr
    experiment = ["--experiment-name", "/Users/me@example.com/keras-mnist"]
    done = dbjob(workspace, "mnist", "--backend-config", "databricks/gpu.json", "-P", "epochs=1",
                 "-P", "num_hidden_units=16", "-P", f"data_path={data}", "--wait", *experiment)
    assert done.returncode == 0, done.stderr[-3000:] + "".join(j.log for j in workspace.jobs.values())
    failed = dbjob(workspace, "mnist", "--backend-config", "databricks/gpu.json", "-P",
                   f"data_path={tmp_path / 'missing.npz'}", "--wait", *experiment)
    assert failed.returncode == 1
    assert "Databricks job run 2 failed" in failed.stderr.strip().splitlines()[-1]
    assert "data_path:" in workspace.jobs[2].log and "does not exist" in workspace.jobs[2].log
    client = client_for(workspace.store)
    experiment_id = client.get_experiment_by_name(experiment[1]).experiment_id
    statuses = sorted(r.info.status for r in client.search_runs([experiment_id]))
    assert statuses == ["FAILED", "FINISHED"]
    assert workspace.jobs[1].request["new_cluster"]["spark_version"].endswith("gpu-ml-scala2.13")
    assert_token_nowhere(workspace, done.stdout, done.stderr, failed.stdout, failed.stderr)


def test_classic_route_on_a_legacy_runtime(workspace, tmp_path):
    """MLflow's own route: it uploads the whole project folder, so submit from a clean clone."""
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(checkout)], check=True)
    command = [str(BIN / "mlflow"), "run", str(checkout), "-b", "databricks", "--backend-config",
               str(REPO / "databricks/legacy.json"), "-e", "diab", "-P", "n_estimators=10",
               "--env-manager", "local", "--experiment-name", EXPERIMENT]
    done = run(command, client_env(workspace), cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:] + "".join(j.log for j in workspace.jobs.values())
    workspace.wait_for_jobs()  # the CLI returns once the job is submitted
    [job] = workspace.jobs.values()
    assert job.result == "SUCCESS", job.log[-3000:]
    assert job.request["new_cluster"]["spark_version"].startswith("12.2.x")
    assert set(job.request["new_cluster"]) == set(json.loads((REPO / "databricks/legacy.json")
                                                             .read_text())["new_cluster"])
    assert "shell_command_task" in job.request
    client = client_for(workspace.store)
    [logged] = client.search_runs([client.get_experiment_by_name(EXPERIMENT).experiment_id])
    assert logged.info.status == "FINISHED" and "mse" in logged.data.metrics
    assert_token_nowhere(workspace, done.stdout, done.stderr)


@pytest.mark.parametrize(("content", "problem"), [
    (None, "backend config not found"),
    ("{not json", "not valid JSON"),
    ('{"spark_version": "17.3.x-cpu-ml-scala2.13", "num_workers": 0}', 'needs a "new_cluster" object'),
    ('{"existing_cluster_id": "abc"}', "existing_cluster_id is not supported"),
    ('{"new_cluster": {"num_workers": 0}}', 'new_cluster needs a "spark_version"'),
    ('{"new_cluster": {"spark_version": "x"}, "libraries": [{"jar": "a.jar"}]}', "is not"),
])
def test_bad_backend_config_is_refused_before_any_request(bare_workspace, tmp_path, content, problem):
    workspace = bare_workspace
    path = tmp_path / "spec.json"
    if content is not None:
        path.write_text(content)
    done = dbjob(workspace, "diab", "--backend-config", str(path))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"dbjob: error: {path}: ") and problem in line
    assert workspace.requests == []


def test_bad_parameter_is_refused_before_any_request(bare_workspace):
    workspace = bare_workspace
    done = dbjob(workspace, "diab", "-P", "max_depth=0")
    assert done.returncode == 2
    assert done.stderr.strip() == "diab: error: argument --max_depth: must be an integer in [1, 100], got '0'"
    assert workspace.requests == []


@pytest.mark.parametrize("entry_point", ["diab", "mnist"])
def test_notebook_runs_as_a_script_against_a_local_store(tmp_path, sqlite_uri, entry_point):
    notebook = REPO / "databricks" / "notebooks" / f"{entry_point}.py"
    source = notebook.read_text()
    assert source.startswith("# Databricks notebook source\n") and "# COMMAND ----------" in source
    flags = {"diab": ["--n_estimators", "10"],
             "mnist": ["--epochs", "1", "--num_hidden_units", "16",
                       "--data_path", str(write_npz(tmp_path / "tiny.npz"))]}[entry_point]
    env = project_env(sqlite_uri)
    env.pop("PYTHONPATH")  # the notebook finds the project's packages itself, as in a Git folder
    done = run(["python", str(notebook), *flags], env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    experiment = {"diab": "sklearn-diab", "mnist": "keras-mnist"}[entry_point]
    client = client_for(sqlite_uri)
    [logged] = client.search_runs([client.get_experiment_by_name(experiment).experiment_id])
    assert logged.info.status == "FINISHED"
    assert {"diab": "mse", "mnist": "test_accuracy"}[entry_point] in logged.data.metrics
