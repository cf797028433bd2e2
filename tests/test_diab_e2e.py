"""diab end to end with the real `mlflow` CLI: sqlite store, `mlflow server`, bad input (from a git URL
at a commit: tests/test_reproduce.py, whose original run takes that route)."""

from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pytest
import sklearn

from diab import DiabParams, fit_and_evaluate
from diab.tracking import MODEL_NAME
from tests.processes import REPO, copy_project_files, dash_p, mlflow_run, project_env, run
from tests.tracking_reads import assert_refused, client_for, load_model, logged_models, only_run

pytestmark = pytest.mark.slow  # end to end: real processes, servers and training

FAST = {"n_estimators": 30, "max_depth": 8}


def assert_model_matches_in_process(tracking_uri: str, model_uri: str, params: DiabParams):
    expected = fit_and_evaluate(params)
    model = load_model(tracking_uri, model_uri)
    x_test = expected.data.x_test
    np.testing.assert_array_equal(model.predict(x_test), expected.model.predict(x_test))
    assert model.metadata.get_input_schema().input_names() == list(x_test.columns)
    return expected


def test_mlflow_run_into_sqlite(tmp_path, new_sqlite_uri):
    sqlite_uri = new_sqlite_uri  # a new machine's route: the launcher creates the store
    typed = {**FAST, "max_depth": "08"}  # the launcher logs the value as typed
    done = mlflow_run(str(REPO), "-e", "diab", "--experiment-name", "lab-runs", *dash_p(typed),
                      env=project_env(sqlite_uri), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(sqlite_uri)
    logged = only_run(client, "lab-runs")  # the launcher's experiment, not sklearn-diab
    assert client.get_experiment_by_name("sklearn-diab") is None
    assert logged.info.status == "FINISHED"
    assert logged.info.run_name == "diab n30-d8-f4"  # no --run-name: the run says what ran
    assert {k: logged.data.params[k] for k in ("n_estimators", "max_depth", "max_features",
                                                "test_size", "seed")} == {
        "n_estimators": "30", "max_depth": "08", "max_features": "4", "test_size": "0.25", "seed": "42"}
    assert set(logged.data.metrics) == {"mse", "rmse", "mae", "r2"}
    assert float(done.stdout.strip().splitlines()[-1]) == logged.data.metrics["mse"]
    [mse] = client.get_metric_history(logged.info.run_id, "mse")  # shown in the UI at its timestamp
    assert logged.info.start_time <= mse.timestamp <= logged.info.end_time
    assert [d.dataset.name for d in logged.inputs.dataset_inputs] == ["diabetes"]

    [model] = logged_models(client, logged)
    assert model.name == MODEL_NAME
    expected = assert_model_matches_in_process(sqlite_uri, f"models:/{model.model_id}",
                                               DiabParams(**FAST))
    assert expected.metrics["mse"] == logged.data.metrics["mse"]
    requirements_file = mlflow.pyfunc.get_model_dependencies(f"models:/{model.model_id}")
    requirements = Path(requirements_file).read_text()
    assert all("==" in line for line in requirements.split())
    assert f"scikit-learn=={sklearn.__version__}" in requirements.split()
    assert any(line.startswith("skops==") for line in requirements.split())
    assert client.search_registered_models() == []


def test_direct_run_logs_to_sklearn_diab_and_repeats_to_the_digit(tmp_path, sqlite_uri):
    env = project_env(sqlite_uri)
    command = ["python", "-m", "diab", "--n_estimators", "30", "--max_depth", "8"]
    first, second = run(command, env, cwd=tmp_path), run(command, env, cwd=tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr[-3000:]
    assert first.stdout.split()[-1] == second.stdout.split()[-1]
    assert float(first.stdout.split()[-1]) == fit_and_evaluate(DiabParams(**FAST)).metrics["mse"]
    client = client_for(sqlite_uri)
    experiment = client.get_experiment_by_name("sklearn-diab")
    runs = client.search_runs([experiment.experiment_id])
    assert [r.info.status for r in runs] == ["FINISHED", "FINISHED"]
    assert [r.info.run_name for r in runs] == ["diab n30-d8-f4", "diab n30-d8-f4"]


def test_direct_run_honours_mlflow_experiment_name(tmp_path, sqlite_uri):
    env = project_env(sqlite_uri, MLFLOW_EXPERIMENT_NAME="my-forests")
    done = run(["python", "-m", "diab", "--n_estimators", "5"], env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(sqlite_uri)
    assert only_run(client, "my-forests").info.status == "FINISHED"
    assert client.get_experiment_by_name("sklearn-diab") is None


@pytest.mark.xdist_group("mlflow_server")  # the session's server starts on one worker
def test_mlflow_run_against_a_tracking_server_registers_the_model(tmp_path, mlflow_server):
    done = mlflow_run(str(REPO), "-e", "diab", "--experiment-name", "served", "--run-name", "my forest",
                      *dash_p({**FAST, "register_as": "diab-rf"}),
                      env=project_env(mlflow_server), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(mlflow_server)
    logged = only_run(client, "served")
    assert logged.info.status == "FINISHED"
    assert logged.info.run_name == "my forest"  # the user's name is kept
    assert logged.info.artifact_uri.startswith("mlflow-artifacts:")
    [version] = client.search_model_versions("name = 'diab-rf'")
    assert version.run_id == logged.info.run_id
    assert_model_matches_in_process(mlflow_server, f"models:/diab-rf/{version.version}",
                                    DiabParams(**FAST))


def test_bad_input_under_mlflow_run_fails_the_run(tmp_path, sqlite_uri):
    """The launcher's side of a refusal; every other bad value is checked in process (test_params.py)."""
    done = mlflow_run(str(REPO), "-e", "diab", "-P", "max_depth=abc", "-P", "register_as=never",
                      env=project_env(sqlite_uri), cwd=tmp_path)
    assert_refused(done, "diab", "argument --max_depth: must be an integer in [1, 100], got 'abc'",
                   sqlite_uri)


def test_bad_input_run_directly_creates_no_run(tmp_path, new_sqlite_uri):
    done = run(["python", "-m", "diab", "--max_depth", "0"], project_env(new_sqlite_uri), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "diab: error: argument --max_depth: must be an integer in [1, 100], got '0'\n"
    assert not (tmp_path / "mlflow.db").exists()


def test_a_relative_sqlite_uri_under_mlflow_run_is_refused_before_a_stray_store(tmp_path):
    """`mlflow run` hands its tracking URI to the entry unchanged and starts it in the project's
    folder: a relative sqlite path there names another file than the launcher's. (The sweep's and
    reproduce's own refusals of it: tests/test_error_lines.py, in process.)"""
    entry, params = "diab", ["-P", "n_estimators=10"]
    checkout = copy_project_files(tmp_path / "project")
    started_in = tmp_path / "elsewhere"
    started_in.mkdir()
    done = mlflow_run(str(checkout), "-e", entry, *params, env=project_env("sqlite:///mlflow.db"),
                      cwd=started_in)
    assert_refused(done, entry, "MLFLOW_TRACKING_URI=sqlite:///mlflow.db is a relative path",
                   f"sqlite:///{started_in}/mlflow.db")
    assert not (checkout / "mlflow.db").exists()
