"""mnist end to end with the real `mlflow` CLI on tiny data, and once on the real MNIST."""

from __future__ import annotations

import numpy as np
import pytest

from mnist.data import load_data
from mnist.tracking import MODEL_NAME
from tests.mnist_fixtures import write_idx_folder, write_npz
from tests.processes import REPO, dash_p, mlflow_run, project_env, run
from tests.tracking_reads import assert_refused, client_for, load_model, logged_models, only_run

pytestmark = pytest.mark.slow  # end to end: real processes, servers and training

FULL_MNIST = REPO.parent / "shared" / "data" / "mnist.npz"
TINY = {"epochs": "2", "batch_size": "32", "num_hidden_units": "64"}


def test_mlflow_run_logs_epochs_metrics_and_a_servable_model(tmp_path, sqlite_uri):
    data_path = write_npz(tmp_path / "tiny.npz")
    done = mlflow_run(str(REPO), "-e", "mnist", "--experiment-name", "digits",
                      *dash_p({**TINY, "data_path": data_path}),
                      env=project_env(sqlite_uri), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(sqlite_uri)
    logged = only_run(client, "digits")
    assert logged.info.status == "FINISHED" and logged.info.run_name == "mnist bs32-e2-lr0.05-u64"
    # -P batch_size and autolog's batch_size agree instead of crashing the run
    assert logged.data.params["batch_size"] == "32" and logged.data.params["epochs"] == "2"
    assert logged.data.params["num_hidden_layers"] == "1"
    for key in ("loss", "accuracy"):
        assert [m.step for m in client.get_metric_history(logged.info.run_id, key)] == [0, 1]
    accuracy = logged.data.metrics["test_accuracy"]
    assert 0.5 < accuracy <= 1 and logged.data.metrics["test_loss"] > 0
    assert done.stdout.strip().splitlines()[-1] == f"test_accuracy {accuracy}"
    assert [d.dataset.name for d in logged.inputs.dataset_inputs] == ["mnist"]

    [model_info] = logged_models(client, logged)
    assert model_info.name == MODEL_NAME
    model = load_model(sqlite_uri, f"models:/{model_info.model_id}")
    images = load_data(str(data_path)).x_test[:7]
    probabilities = np.asarray(model.predict(images))
    assert probabilities.shape == (7, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    assert client.search_registered_models() == []


def test_direct_run_from_an_idx_folder_registers(tmp_path, sqlite_uri):
    folder = write_idx_folder(tmp_path / "idx", gz=True)
    command = ["python", "-m", "mnist", "--epochs", "1", "--num_hidden_layers", "2",
               "--num_hidden_units", "32", "--data_path", str(folder), "--register_as", "digits-mlp"]
    done = run(command, project_env(sqlite_uri), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(sqlite_uri)
    logged = only_run(client, "keras-mnist")
    assert logged.info.status == "FINISHED"
    [version] = client.search_model_versions("name = 'digits-mlp'")
    assert version.run_id == logged.info.run_id


@pytest.mark.parametrize(("assignment", "message"), [  # the other bad values: test_params.py, in process
    ("batch_size=0", "argument --batch_size: must be an integer in [1, 60000], got '0'"),
    ("data_path=/no/such/mnist.npz", "data_path: /no/such/mnist.npz does not exist"),
])
def test_bad_input_under_mlflow_run_fails_before_training(tmp_path, sqlite_uri, assignment, message):
    done = mlflow_run(str(REPO), "-e", "mnist", "-P", assignment, "-P", "register_as=never",
                      env=project_env(sqlite_uri), cwd=tmp_path)
    assert_refused(done, "mnist", message, sqlite_uri)
    assert "Epoch 1/" not in done.stdout


def test_full_mnist_reaches_the_labs_accuracy(tmp_path, sqlite_uri):
    if not FULL_MNIST.exists():
        pytest.skip(f"{FULL_MNIST} not found: the full-MNIST check needs the real data")
    done = run(["python", "-m", "mnist", "--batch_size", "256", "--epochs", "3",
                "--data_path", str(FULL_MNIST)], project_env(sqlite_uri), cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    accuracy = float(done.stdout.split()[-1])
    assert accuracy > 0.96  # the lab reaches 0.9778 after 8 epochs
