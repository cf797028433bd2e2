"""`mlflow run -b databricks-jobs`: Jobs API 2.2 runs from git, against a stand-in workspace.

The stand-in (tests/databricks_workspace.py) accepts only bodies that round-trip through
databricks-sdk's dataclasses, checks the commit out from a real `git daemon`, requires
every library to be a satisfied pin, and runs the task against a real `mlflow server`.
The submission is driven by the real `mlflow` CLI, through MLflow's plugin point, with
databricks-sdk's own `WorkspaceClient`.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlflow_lab.requirements import classic_pins
from tests.databricks_workspace import DIAB_EXPERIMENT, TOKEN, Workspace, spec
from tests.mnist_fixtures import write_npz
from tests.processes import BIN, REPO, project_env, run
from tests.tracking_reads import client_for

pytestmark = [pytest.mark.slow,
              pytest.mark.xdist_group("workspace")]  # the stand-in workspace starts on one worker
MNIST_EXPERIMENT = "/Users/me@example.com/keras-mnist"


def submit(workspace, project: str | Path, spec_path: Path, entry_point: str, *args: str,
           experiment: str = DIAB_EXPERIMENT, **env: str) -> subprocess.CompletedProcess:
    command = [str(BIN / "mlflow"), "run", str(project), "-b", "databricks-jobs", "--backend-config",
               str(spec_path), "-e", entry_point, "--experiment-name", experiment, *args]
    environment = project_env("databricks", DATABRICKS_HOST=workspace.url, DATABRICKS_TOKEN=TOKEN,
                              DBJOBS_POLL_SECONDS="0.3", **env)
    return run(command, environment, cwd=Path(project).parent if Path(project).exists() else REPO,
               timeout=600)


def runs_of(workspace, experiment: str):
    client = client_for(workspace.store)
    found = client.get_experiment_by_name(experiment)
    return client, (client.search_runs([found.experiment_id]) if found else [])


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
            for artifact in client.list_artifacts(logged.info.run_id):
                assert TOKEN not in artifact.path


def test_diab_runs_from_git_on_the_cpu_spec(workspace, checkout, git_daemon, tmp_path):
    url, sha = git_daemon
    done = submit(workspace, checkout, spec(tmp_path, "cpu"), "diab", "-P", "n_estimators=20",
                  "-P", "max_depth=8")
    assert done.returncode == 0, done.stderr[-3000:] + "".join(j.log for j in workspace.jobs.values())
    calls = [(r.method, r.path) for r in workspace.job_calls()]
    assert calls[0] == ("POST", "/api/2.2/jobs/runs/submit")
    assert not any("dbfs" in r.path.lower() or b"dbfs:" in r.body for r in workspace.requests)
    [job] = workspace.jobs.values()
    body = job.request
    assert body["git_source"] == {"git_url": url, "git_provider": "gitHubEnterprise", "git_commit": sha}
    [task] = body["tasks"]
    assert task["new_cluster"] == json.loads((REPO / "jobs/cpu.json").read_text())["new_cluster"]
    packages = [library["pypi"]["package"] for library in task["libraries"]]
    assert packages == classic_pins() and f"mlflow=={metadata.version('mlflow')}" in packages
    assert not any(p.startswith("tensorflow") for p in packages)  # the ML runtime's own build
    python = task["spark_python_task"]
    assert python["source"] == "GIT" and python["python_file"] == "jobs/entry.py"

    client, [logged] = runs_of(workspace, DIAB_EXPERIMENT)  # one MLflow run per job run
    assert python["parameters"][:3] == ["diab", "--mlflow_run_id", logged.info.run_id]
    assert logged.info.status == "FINISHED" and logged.info.run_name == "diab n20-d8-f4"
    assert logged.data.params["max_depth"] == "8" and logged.data.params["n_estimators"] == "20"
    assert set(logged.data.metrics) == {"mse", "rmse", "mae", "r2"}
    assert logged.inputs.dataset_inputs[0].dataset.name == "diabetes"
    assert logged.data.tags["databricks.job_run_id"] == str(job.run_id)
    assert logged.data.tags["databricks.job_run_url"] == f"{workspace.url}/#job/runs/{job.run_id}"
    assert logged.data.tags["mlflow.source.git.commit"] == sha
    assert logged.data.tags["mlflow.project.backend"] == "databricks-jobs"
    assert client.search_logged_models([logged.info.experiment_id])[0].name == "random-forest-model"
    assert_token_nowhere(workspace, done.stdout, done.stderr)


def test_mnist_on_the_gpu_spec_from_a_git_url(workspace, git_daemon, tmp_path):
    url, sha = git_daemon
    data = write_npz(tmp_path / "mnist.npz")  # stands for /Volumes/<catalog>/<schema>/<volume>/mnist.npz
    done = submit(workspace, url, spec(tmp_path, "gpu"), "mnist", "-v", sha, "-P", "epochs=2",
                  "-P", "num_hidden_units=16", "-P", f"data_path={data}", experiment=MNIST_EXPERIMENT)
    assert done.returncode == 0, done.stderr[-3000:] + "".join(j.log for j in workspace.jobs.values())
    [job] = workspace.jobs.values()
    assert job.request["tasks"][0]["new_cluster"]["node_type_id"] == "g5.xlarge"
    assert job.request["git_source"]["git_commit"] == sha
    client, [logged] = runs_of(workspace, MNIST_EXPERIMENT)
    assert logged.info.status == "FINISHED" and "test_accuracy" in logged.data.metrics
    assert len(client.get_metric_history(logged.info.run_id, "accuracy")) == 2
    assert_token_nowhere(workspace, done.stdout, done.stderr)


def test_failing_jobs_end_the_run_failed_with_one_line(workspace, checkout, tmp_path):
    missing = tmp_path / "missing.npz"
    failed = submit(workspace, checkout, spec(tmp_path, "cpu"), "mnist", "-P", f"data_path={missing}",
                    experiment=MNIST_EXPERIMENT)
    assert failed.returncode == 1
    [line] = [x for x in failed.stderr.splitlines() if "===" in x]
    assert "Databricks job run 1 FAILED: RUN_EXECUTION_ERROR" in line and "does not exist" in line
    uninstallable = submit(workspace, checkout, spec(tmp_path, "cpu", libraries=[
        {"pypi": {"package": "no-such-package==1.0"}}]), "diab", experiment=MNIST_EXPERIMENT)
    assert uninstallable.returncode == 1
    assert "Databricks job run 2 FAILED: LIBRARY_INSTALLATION_ERROR" in uninstallable.stderr
    _, runs = runs_of(workspace, MNIST_EXPERIMENT)
    assert [r.info.status for r in runs] == ["FAILED", "FAILED"]  # neither entry point ever ended them
    for logged, code in zip(runs, ("LIBRARY_INSTALLATION_ERROR", "RUN_EXECUTION_ERROR"), strict=True):
        assert logged.data.tags["databricks.termination"].startswith(code)
    assert_token_nowhere(workspace, failed.stderr, uninstallable.stderr)


def test_ctrl_c_while_following_cancels_the_job(workspace, checkout, tmp_path):
    command = [str(BIN / "mlflow"), "run", str(checkout), "-b", "databricks-jobs", "--backend-config",
               str(spec(tmp_path, "cpu")), "-e", "diab", "-P", "n_estimators=5000",
               "--experiment-name", DIAB_EXPERIMENT]
    env = project_env("databricks", DATABRICKS_HOST=workspace.url, DATABRICKS_TOKEN=TOKEN,
                      DBJOBS_POLL_SECONDS="0.3")
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not ([r for r in workspace.job_calls() if r.path.endswith("/runs/get")]
               and any(j.state == "RUNNING" for j in workspace.jobs.values())):
        assert time.monotonic() < deadline, "the job never trained while the backend followed it"
        time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1 and err.rstrip().endswith("Aborted!"), err[-2000:]  # click's Ctrl-C
    [job] = workspace.jobs.values()
    assert job.state == "TERMINATED" and job.code == "CANCELED"
    _, [logged] = runs_of(workspace, DIAB_EXPERIMENT)
    assert logged.info.status == "KILLED"


def no_submission(workspace) -> None:
    assert workspace.job_calls() == []
    _, runs = runs_of(workspace, DIAB_EXPERIMENT)
    assert runs == []


def test_dirty_or_unpushed_work_is_refused_before_any_request(workspace, checkout, tmp_path):
    (checkout / "diab" / "params.py").write_text("# changed\n")
    dirty = submit(workspace, checkout, spec(tmp_path, "cpu"), "diab")
    assert dirty.returncode == 1
    [line] = [x for x in dirty.stderr.splitlines() if "===" in x]
    assert "has uncommitted changes (diab/params.py): commit and push them" in line
    subprocess.run(["git", "-C", str(checkout), "-c", "user.email=a@b", "-c", "user.name=a", "commit",
                    "--quiet", "-am", "local only"], check=True)
    unpushed = submit(workspace, checkout, spec(tmp_path, "cpu"), "diab")
    assert unpushed.returncode == 1
    assert "is not on the remote yet: push it (git push)" in unpushed.stderr
    no_submission(workspace)


MALFORMED = [
    ({"new_cluster": {"spark_version": "17.3.x-scala2.13", "use_ml_runtime": True, "nodetype_id": "i3"}},
     "new_cluster is not a Databricks cluster spec (unknown fields nodetype_id)"),
    ({"new_cluster": {"spark_version": "12.2.x-cpu-ml-scala2.12", "node_type_id": "i3.xlarge"}},
     "is older than 13.3 LTS"),
    ({"environment": {"environment_version": "4"}}, "needs exactly one of"),
    ({"clusters": 1}, "unknown keys clusters"),
]


@pytest.mark.parametrize(("change", "problem"), MALFORMED)
def test_malformed_spec_is_refused_naming_the_file(tmp_path, change, problem):
    """What the backend checks before any request (the launcher's side: the test below)."""
    from mlflow_lab.databricks_jobs.spec import SpecError, load_spec

    path = spec(tmp_path, "cpu", **change)
    with pytest.raises(SpecError) as refused:
        load_spec(json.loads(path.read_text()), name=str(path))
    assert str(refused.value).startswith(f"{path}: ") and problem in str(refused.value)


def test_a_malformed_spec_under_mlflow_run_is_one_line_and_no_request(workspace, checkout, tmp_path):
    change, problem = MALFORMED[0]
    path = spec(tmp_path, "cpu", **change)
    done = submit(workspace, checkout, path, "diab")
    assert done.returncode == 1
    [line] = [x for x in done.stderr.splitlines() if "===" in x]
    assert f"=== {path}: " in line and problem in line
    no_submission(workspace)


def test_bad_parameter_is_refused_before_any_request(workspace, checkout, tmp_path):
    done = submit(workspace, checkout, spec(tmp_path, "cpu"), "diab", "-P", "max_depth=0")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == \
        "diab: error: argument --max_depth: must be an integer in [1, 100], got '0'"
    no_submission(workspace)


def test_the_stand_in_refuses_what_databricks_would(workspace):
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import InvalidParameterValue

    client = WorkspaceClient(host=workspace.url, token=TOKEN)
    with pytest.raises(InvalidParameterValue, match="Unknown fields: tasks_list"):
        client.api_client.do("POST", "/api/2.2/jobs/runs/submit", body={"tasks_list": []})
    with pytest.raises(InvalidParameterValue, match="Invalid value for tasks"):
        client.api_client.do("POST", "/api/2.2/jobs/runs/submit", body={"tasks": [
            {"task_key": "a", "new_cluster": {"spark_versoin": "17.3.x-scala2.13"},
             "spark_python_task": {"python_file": "a.py"}}]})
    assert workspace.jobs == {}


@pytest.mark.parametrize("entry_point", ["diab", "mnist"])
def test_notebook_runs_as_a_script_against_a_local_store(tmp_path, sqlite_uri, entry_point):
    notebook = REPO / "jobs" / "notebooks" / f"{entry_point}.py"
    source = notebook.read_text()
    assert source.startswith("# Databricks notebook source\n") and "# COMMAND ----------" in source
    assert source.count("run_notebook(") == 1  # the notebook is one call into the project
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
    names = {"diab": "diab n10-d6-f4", "mnist": "mnist bs128-e1-lr0.05-u16"}
    assert logged.info.run_name == names[entry_point]
    assert {"diab": "mse", "mnist": "test_accuracy"}[entry_point] in logged.data.metrics


def test_register_then_score_with_the_champion_on_the_workspace(workspace, checkout, tmp_path):
    """diab registers through the gate in a job, then a `predict` job scores a table with
    the champion: both through `-b databricks-jobs`, the files on the job's shared disk."""
    from sklearn.datasets import load_diabetes

    from tests.tracking_reads import load_model

    trained = submit(workspace, checkout, spec(tmp_path, "cpu"), "diab", "-P", "n_estimators=20",
                     "-P", "register_as=diab-rf")
    assert trained.returncode == 0, trained.stderr[-3000:] + "".join(j.log for j in workspace.jobs.values())
    client = client_for(workspace.store)
    champion = client.get_model_version_by_alias("diab-rf", "champion")
    assert str(champion.version) == "1" and champion.tags["gate.decision"] == "champion"

    rows = load_diabetes(as_frame=True).frame.drop(columns=["target"]).head(30)
    rows.to_csv(tmp_path / "new.csv", index=False)
    scored = submit(workspace, checkout, spec(tmp_path, "cpu"), "predict", "-P",
                    "model_uri=models:/diab-rf@champion", "-P", f"input={tmp_path / 'new.csv'}",
                    "-P", f"output={tmp_path / 'scored.csv'}", "-P", "backend=local",
                    experiment="/Users/me@example.com/batch-scoring")
    assert scored.returncode == 0, scored.stderr[-3000:] + "".join(j.log for j in workspace.jobs.values())
    table = pd.read_csv(tmp_path / "scored.csv")
    expected = load_model(workspace.store, "models:/diab-rf@champion").predict(rows)
    np.testing.assert_allclose(table["prediction"], expected, rtol=1e-12)
    _, [logged] = runs_of(workspace, "/Users/me@example.com/batch-scoring")
    assert logged.info.status == "FINISHED" and logged.data.metrics["rows"] == 30
    assert logged.data.tags["predict.model_version"] == "1"

    again = submit(workspace, checkout, spec(tmp_path, "cpu"), "reproduce", "-P",
                   "model_uri=models:/diab-rf@champion", experiment="/Users/me@example.com/reproductions")
    job_logs = "".join(j.log for j in workspace.jobs.values())
    assert again.returncode == 0, again.stderr[-3000:] + job_logs
    version = client.get_model_version("diab-rf", "1")
    assert version.tags["reproduced"] == "true"
    assert f"SAME metric mse: {client.get_run(version.run_id).data.metrics['mse']!r}" in job_logs
    assert_token_nowhere(workspace, trained.stdout, trained.stderr, scored.stdout, scored.stderr,
                         again.stdout, again.stderr)


def test_the_doctor_reports_the_compute_and_fails_on_an_unreadable_volume(workspace, checkout, tmp_path):
    """The preflight on the workspace's compute: each line OK, WARN or FAIL, printed by the submitter
    and logged as one run; a Volume path that does not exist is the one FAIL, with what to change."""
    volume = tmp_path / "volume"  # stands for /Volumes/<catalog>/<schema>/<volume>
    volume.mkdir()
    (volume / "mnist.npz").write_bytes(b"\0")
    experiment = "/Users/me@example.com/doctor"
    healthy = submit(workspace, checkout, spec(tmp_path, "cpu"), "doctor", "-P", f"volume_path={volume}",
                     experiment=experiment)
    missing = submit(workspace, checkout, spec(tmp_path, "cpu"), "doctor", "-P",
                     f"volume_path={volume / 'nope'}", "-P", "executor=false", experiment=experiment)

    assert healthy.returncode == 0, healthy.stderr[-3000:] + "".join(j.log for j in workspace.jobs.values())
    lines = healthy.stdout.splitlines()
    assert "OK   runtime: Databricks runtime 17.3, pyspark 4.3.0" in lines
    assert f"OK   package mlflow: {metadata.version('mlflow')}" in lines
    assert f"OK   package optuna: {metadata.version('optuna')}" in lines
    assert any(line.startswith("OK   tensorflow+keras: tensorflow 2.21.0, keras 3.15.1") for line in lines)
    assert "OK   driver logging: logged to databricks" in lines
    assert ("OK   executor logging: classic Spark: a task logged to the run with the driver's credentials"
            in lines)
    assert f"OK   volume: {volume} is a folder of 1 entries, readable" in lines
    assert missing.returncode == 1  # the launcher's status for a run that failed
    assert (f"FAIL volume: {volume / 'nope'} does not exist: check the catalog, schema and volume names "
            "(Catalog Explorer shows a file's path)") in missing.stdout
    assert "executor logging" not in missing.stdout
    client, runs = runs_of(workspace, experiment)
    by_status = {run.info.status: run for run in runs}
    assert set(by_status) == {"FINISHED", "FAILED"}
    good, bad = by_status["FINISHED"], by_status["FAILED"]
    assert good.data.tags["doctor.executor logging"] == "OK" and good.data.metrics["doctor_executor"] == 1.0
    assert bad.data.tags["doctor.volume"] == "FAIL" and bad.data.tags["doctor.driver logging"] == "OK"
    report = client.download_artifacts(good.info.run_id, "doctor.txt", str(tmp_path))
    assert Path(report).read_text().splitlines() == [line for line in lines if line[:4] in ("OK  ", "WARN")]
    assert_token_nowhere(workspace, healthy.stdout, healthy.stderr, missing.stdout, missing.stderr)


@pytest.mark.usefixtures("connect_port")  # its job starts pyspark's Connect server
def test_a_serverless_sweep_gets_the_pins_and_runs_its_trials_on_the_connect_session_it_is_given(
        workspace, checkout, tmp_path):
    """Serverless installs the pins as the environment's dependencies and hands the job a Spark
    Connect session without saying so: the sweep asks the session."""
    done = submit(workspace, checkout, spec(tmp_path, "serverless"), "sweep", "-P", "model=diab",
                  "-P", "max_depth=3,4", "-P", "n_estimators=10", "-P", "backend=spark", "-P", "workers=2")
    assert done.returncode == 0, done.stderr[-3000:] + "".join(j.log for j in workspace.jobs.values())
    [job] = workspace.jobs.values()
    assert "SPARK_REMOTE" not in job.log
    [task] = job.request["tasks"]  # serverless: the pins as the environment's dependencies
    assert "new_cluster" not in task and "libraries" not in task
    [environment] = job.request["environments"]
    assert task["environment_key"] == environment["environment_key"]
    assert environment["spec"]["environment_version"] == "4"
    assert "tensorflow-cpu==2.21.0" in environment["spec"]["dependencies"]  # no ML runtime here
    _, runs = runs_of(workspace, DIAB_EXPERIMENT)
    [parent] = [r for r in runs if "sweep.plan" in r.data.params]
    assert parent.data.tags["sweep.spark"] == "Spark Connect"
    trials = sorted((r.data.params["max_depth"], r.info.status) for r in runs
                    if "mlflow.parentRunId" in r.data.tags)
    assert trials == [("3", "FINISHED"), ("4", "FINISHED")]
    assert all("mse" in r.data.metrics for r in runs if "mlflow.parentRunId" in r.data.tags)


@pytest.mark.usefixtures("connect_port")  # its job starts pyspark's Connect server
def test_the_doctor_on_standard_access_sees_spark_connect(workspace, checkout, tmp_path):
    cluster = json.loads((REPO / "jobs" / "cpu.json").read_text())["new_cluster"]
    standard = spec(tmp_path, "cpu",
                    new_cluster={**cluster, "data_security_mode": "DATA_SECURITY_MODE_STANDARD"})
    done = submit(workspace, checkout, standard, "doctor", experiment="/Users/me@example.com/doctor")
    assert done.returncode == 0, done.stderr[-3000:] + "".join(j.log for j in workspace.jobs.values())
    assert ("OK   executor logging: Spark Connect: a task logged to the run with the driver's credentials"
            in done.stdout.splitlines())


PROJECTS_RUN = ("import sys, mlflow.projects; submitted = mlflow.projects.run(sys.argv[1], 'diab', "
                "backend='databricks-jobs', backend_config=sys.argv[2], parameters={'n_estimators': 10}, "
                "experiment_name=sys.argv[3], synchronous=True); print('returned', submitted.run_id)")


def test_mlflow_projects_run_from_python_follows_the_job_once_and_a_detached_one_is_followed_later(
        workspace, checkout, tmp_path):
    """`mlflow.projects.run(synchronous=True)` calls the backend, then waits on what it returned;
    with DBJOBS_DETACH it returns once submitted, and `follow` re-attaches."""
    environment = project_env("databricks", DATABRICKS_HOST=workspace.url, DATABRICKS_TOKEN=TOKEN,
                              DBJOBS_POLL_SECONDS="0.3")
    command = ["python", "-c", PROJECTS_RUN, str(checkout), str(spec(tmp_path, "cpu")), DIAB_EXPERIMENT]
    followed = run(command, environment, cwd=tmp_path, timeout=600)
    assert followed.returncode == 0, followed.stderr[-3000:]
    assert followed.stderr.count("TERMINATED") == 1, followed.stderr[-3000:]
    detached = run(command, environment | {"DBJOBS_DETACH": "1"}, cwd=tmp_path, timeout=600)
    assert detached.returncode == 0, detached.stderr[-3000:]
    assert "databricks: job run 2 " not in detached.stderr  # submitted, not followed
    [run_id] = [line.split()[1] for line in detached.stdout.splitlines() if line.startswith("returned ")]

    followed_later = run(["python", "-m", "mlflow_lab.databricks_jobs", "follow", run_id], environment,
                         cwd=tmp_path, timeout=300)  # a detached job, re-attached

    assert followed_later.returncode == 0, followed_later.stderr[-3000:]
    assert workspace.jobs[2].state == "TERMINATED" and workspace.jobs[2].code == "SUCCESS"
    client = client_for(workspace.store)
    logged = client.get_run(run_id)
    assert logged.info.status == "FINISHED" and "mse" in logged.data.metrics
