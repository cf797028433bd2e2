"""sweep, compare and serving end to end with the real `mlflow` CLI.

One diab sweep (four workers against a real `mlflow server`) and one mnist sweep (a sqlite
store), module fixtures, feed the sweep, compare and serving tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from diab import DiabParams, fit_and_evaluate
from tests.mnist_fixtures import make_mnist, write_npz
from tests.processes import REPO, dash_p, invoke, mlflow_run, project_env, run
from tests.tracking_reads import all_runs, client_for, load_model

pytestmark = [pytest.mark.slow,  # end to end: real processes, servers and training
              pytest.mark.xdist_group("mlflow_server")]  # its sweeps are built once, on the worker that
# holds the session's `mlflow server` (test_diab_e2e and test_ui_link use it too)

DIAB_GRID = {"max_depth": "3,5", "n_estimators": "5,10", "max_features": "2,4"}  # 8 settings


def children_of(client, parent_id: str):
    return [r for r in all_runs(client) if r.data.tags.get("mlflow.parentRunId") == parent_id]


def parent_of(client, experiment: str):
    [parent] = [r for r in client.search_runs([client.get_experiment_by_name(experiment).experiment_id])
                if "sweep.settings" in r.data.tags]
    return parent


@pytest.fixture(scope="module")
def diab_sweep(tmp_path_factory, mlflow_server):
    """Four workers against a real `mlflow server` (the session's: its experiment and model names are
    this module's own), registering the best forest as swept-rf."""
    folder = tmp_path_factory.mktemp("diab-sweep")
    done = mlflow_run(str(REPO), "-e", "sweep", "--experiment-name", "forests",
                      *dash_p({"model": "diab", "workers": "4", "register_as": "swept-rf", **DIAB_GRID}),
                      env=project_env(mlflow_server), cwd=folder, timeout=600)
    return folder, mlflow_server, done


def test_diab_grid_sweep_logs_one_child_per_setting(diab_sweep):
    _, uri, done = diab_sweep
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(uri)
    parent = parent_of(client, "forests")
    assert parent.info.status == "FINISHED"
    children = children_of(client, parent.info.run_id)
    assert len(children) == 8 and all(c.info.status == "FINISHED" for c in children)
    settings = {(c.data.params["max_depth"], c.data.params["n_estimators"], c.data.params["max_features"])
                for c in children}
    assert settings == {(d, n, f) for d in ("3", "5") for n in ("5", "10") for f in ("2", "4")}
    for child in children:  # exactly what a single diab run logs, plus the study's own value
        assert set(child.data.metrics) == {"mse", "rmse", "mae", "r2", "value"}
        assert child.data.metrics["value"] == child.data.metrics["mse"]
        assert child.inputs.dataset_inputs[0].dataset.name == "diabetes"
        assert child.data.tags["sweep.trial_state"] == "COMPLETE"
    assert sorted(int(c.data.tags["sweep.trial_number"]) for c in children) == list(range(8))
    for child in children:  # named by trial number and setting, e.g. "#5 n10-d3-f4"
        params = child.data.params
        assert child.info.run_name == (f"#{child.data.tags['sweep.trial_number']} n{params['n_estimators']}"
                                       f"-d{params['max_depth']}-f{params['max_features']}")
    best = min(children, key=lambda c: c.data.metrics["mse"])
    assert parent.data.tags["best_run_id"] == best.info.run_id
    assert parent.data.metrics["best_mse"] == best.data.metrics["mse"]
    assert "8/8" in done.stderr and "best mse" in done.stderr
    assert "database is locked" not in done.stderr


def test_best_model_is_registered_as_champion(diab_sweep):
    _, uri, _ = diab_sweep
    client = client_for(uri)
    champion = client.get_model_version_by_alias("swept-rf", "champion")
    assert champion.run_id == parent_of(client, "forests").data.tags["best_run_id"]
    assert len(client.search_model_versions("name = 'swept-rf'")) == 1


def test_compare_writes_tables_and_plots(diab_sweep):
    folder, uri, _ = diab_sweep
    out = folder / "compare-out"
    done = mlflow_run(str(REPO), "-e", "compare", "--experiment-name", "forests",
                      *dash_p({"experiment_name": "forests", "output_dir": out}),
                      env=project_env(uri), cwd=folder)
    assert done.returncode == 0, done.stderr[-3000:]
    table = pd.read_csv(out / "runs.csv")
    assert len(table) == 8  # the children; neither the sweep's parent nor compare's own run
    assert {"max_depth", "n_estimators", "max_features", "mse"} <= set(table.columns)
    assert table["mse"].is_monotonic_increasing  # best first
    assert (out / "runs.md").read_text().count("\n") == 10
    for name in ("mse_vs_params.png", "parallel_coordinates.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    client = client_for(uri)
    [compare_run] = [r for r in all_runs(client) if "compare.output" in r.data.tags]
    assert compare_run.info.run_name == "compare diab"
    logged = {Path(a.path).name for a in client.list_artifacts(compare_run.info.run_id, "compare")}
    assert logged == {"runs.csv", "runs.md", "mse_vs_params.png", "parallel_coordinates.png"}


def test_champion_serves_its_input_example(diab_sweep, served):
    folder, uri, _ = diab_sweep
    url = served("models:/swept-rf@champion", uri, folder)
    model = load_model(uri, "models:/swept-rf@champion")
    client = client_for(uri)
    champion = client.get_model_version_by_alias("swept-rf", "champion")
    best = client.get_run(champion.run_id)
    params = DiabParams(**{k: int(best.data.params[k]) for k in ("n_estimators", "max_depth",
                                                                  "max_features")})
    expected = fit_and_evaluate(params)
    body = serving_example(uri, "models:/swept-rf@champion")
    rows = pd.DataFrame(**json.loads(body)["dataframe_split"])
    np.testing.assert_allclose(invoke(url, body), expected.model.predict(rows), rtol=1e-12)
    np.testing.assert_allclose(model.predict(rows), expected.model.predict(rows), rtol=1e-12)


def serving_example(tracking_uri: str, model_uri: str) -> str:
    """The model's own serving input example, as logged with it."""
    import mlflow

    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    local = mlflow.artifacts.download_artifacts(f"{model_uri}/serving_input_example.json")
    return Path(local).read_text()


@pytest.fixture(scope="module")
def mnist_sweep(tmp_path_factory, empty_store):
    """A pruned grid: the first two learning rates finish, hopeless smaller ones are pruned."""
    folder = tmp_path_factory.mktemp("mnist-sweep")
    uri = empty_store(folder)
    data_path = write_npz(folder / "tiny.npz", make_mnist(n_train=1000))
    done = mlflow_run(str(REPO), "-e", "sweep", "--experiment-name", "digits",
                      *dash_p({"model": "mnist", "learning_rate": "0.1,0.0001,0.00005,0.00002",
                               "epochs": "3", "batch_size": "64", "num_hidden_units": "16",
                               "data_path": data_path, "prune": "true", "workers": "1",
                               "register_as": "digits"}),
                      env=project_env(uri), cwd=folder, timeout=600)
    return folder, uri, done, data_path


def test_mnist_sweep_prunes_hopeless_trials_and_keeps_the_most_accurate(mnist_sweep):
    _, uri, done, _ = mnist_sweep
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(uri)
    parent = parent_of(client, "digits")
    children = {c.data.params["learning_rate"]: c for c in children_of(client, parent.info.run_id)}
    assert sorted(children) == ["0.0001", "0.1", "2e-05", "5e-05"]
    for rate in ("0.1", "0.0001"):  # the median pruner waits for two finished trials
        finished = children[rate]
        assert finished.info.status == "FINISHED" and "test_accuracy" in finished.data.metrics
        assert len(client.get_metric_history(finished.info.run_id, "accuracy")) == 3
        assert len(client.get_metric_history(finished.info.run_id, "val_accuracy")) == 3
        assert finished.data.params["validation_fraction"] == "0.1"
    for rate in ("5e-05", "2e-05"):  # far below the median after one epoch
        pruned = children[rate]
        assert pruned.info.status == "KILLED"
        assert pruned.data.tags["sweep.trial_state"] == "PRUNED"
        assert pruned.data.tags["sweep.pruned_after_epoch"] == "1"
        assert len(client.get_metric_history(pruned.info.run_id, "accuracy")) == 1
        assert "test_accuracy" not in pruned.data.metrics  # the test set only scores finished trials
        assert client.search_logged_models([parent.info.experiment_id],
                                           filter_string=f"source_run_id = '{pruned.info.run_id}'") == []
    best = client.get_run(parent.data.tags["best_run_id"])
    assert best.info.run_id == children["0.1"].info.run_id
    assert best.data.metrics["test_accuracy"] == parent.data.metrics["best_test_accuracy"]
    assert client.get_model_version_by_alias("digits", "champion").run_id == best.info.run_id
    assert "pruned 2, failed 0" in done.stderr


def test_compare_draws_accuracy_per_epoch(mnist_sweep):
    folder, uri, _, _ = mnist_sweep
    out = folder / "out"
    done = run(["python", "-m", "mlflow_lab.compare", "--model", "mnist", "--experiment_name", "digits",
                "--output_dir", str(out)], project_env(uri), cwd=folder)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (out / "accuracy_per_epoch.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "test_accuracy_vs_params.png").exists()
    table = pd.read_csv(out / "runs.csv")  # pruned trials have no test accuracy to compare
    assert sorted(table["learning_rate"]) == [0.0001, 0.1]
    assert not {"value", "intermediate_value"} & set(table.columns)


def test_mnist_champion_serves_probabilities(mnist_sweep, served):
    from mnist.data import load_data

    folder, uri, _, data_path = mnist_sweep
    url = served("models:/digits@champion", uri, folder)
    images = load_data(str(data_path)).x_test[:4]
    predictions = np.asarray(invoke(url, json.dumps({"inputs": images.tolist()})))
    assert predictions.shape == (4, 10)
    np.testing.assert_allclose(predictions.sum(axis=1), 1, atol=1e-5)
    in_process = np.asarray(load_model(uri, "models:/digits@champion").predict(images))
    np.testing.assert_allclose(predictions, in_process, atol=1e-6)


@pytest.mark.parametrize(("assignment", "message"), [  # the space's and sweep's others: test_sweep_space.py
    ("max_depth=4,,8", "--max_depth: '4,,8' is neither a list"),
    ("resume=0123456789abcdef0123456789abcdef", "argument --resume: no run with id"),
])
def test_bad_sweep_under_mlflow_run_registers_nothing(tmp_path, sqlite_uri, assignment, message):
    done = mlflow_run(str(REPO), "-e", "sweep", "-P", assignment, "-P", "register_as=never",
                      env=project_env(sqlite_uri), cwd=tmp_path)
    assert done.returncode == 1  # the launcher's status for a run that failed
    errors = [line for line in done.stderr.splitlines() if line.startswith("sweep: error:")]
    assert len(errors) == 1 and message in errors[0], done.stderr[-2000:]
    client = client_for(sqlite_uri)
    assert [r.info.status for r in all_runs(client)] == ["FAILED"]
    assert client.search_registered_models() == []


def test_compare_on_a_missing_experiment_is_one_line(tmp_path, sqlite_uri):
    command = ["python", "-m", "mlflow_lab.compare", "--experiment_name", "nope"]
    done = run(command, project_env(sqlite_uri), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == \
        "compare: error: argument --experiment_name: no experiment named 'nope'"
