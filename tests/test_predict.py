"""Batch scoring with the `predict` entry point: what it writes, what it refuses, and that it agrees
with `mlflow models serve`, with Spark, and (for mnist) with the model loaded in process.

One diab model and one tiny mnist model are trained and registered as champions for the module.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.mnist_fixtures import make_mnist, write_npz
from tests.processes import REPO, dash_p, invoke, java_missing, mlflow_run, project_env, run
from tests.tracking_reads import all_runs, client_for, load_model, logged_models

pytestmark = [pytest.mark.slow,  # real training, mlflow run, serving and Spark
              pytest.mark.xdist_group("predict")]  # one registry for the module: its tests on one worker

OUTPUT_COLUMNS = ["prediction", "model_name", "model_version", "model_id", "scored_at"]


@pytest.fixture(scope="module")
def registry(tmp_path_factory, empty_store):
    """A store holding diab-rf@champion and digits@champion; (folder, uri, npz of mnist)."""
    folder = tmp_path_factory.mktemp("predict")
    uri = empty_store(folder)
    env = project_env(uri)
    data = write_npz(folder / "tiny.npz", make_mnist(n_train=300, n_test=60))
    for command in (["python", "-m", "diab", "--n_estimators", "20", "--register_as", "diab-rf"],
                    ["python", "-m", "mnist", "--epochs", "1", "--num_hidden_units", "16", "--data_path",
                     str(data), "--register_as", "digits"]):
        done = run(command, env, cwd=folder)
        assert done.returncode == 0, done.stderr[-3000:]
    return folder, uri, data


def new_rows(count: int = 25) -> pd.DataFrame:
    """Diabetes feature rows, as a user's new data would come."""
    from sklearn.datasets import load_diabetes

    return load_diabetes(as_frame=True).frame.drop(columns=["target"]).tail(count).reset_index(drop=True)


def predict(uri: str, folder, **params) -> object:
    return mlflow_run(str(REPO), "-e", "predict", *dash_p(params), env=project_env(uri), cwd=folder)


def test_predict_writes_the_rows_with_the_champions_predictions_as_served(registry, served, tmp_path):
    folder, uri, _ = registry
    rows = new_rows()
    rows.to_csv(tmp_path / "new.csv", index=False)
    done = predict(uri, tmp_path, model_uri="models:/diab-rf@champion", input=tmp_path / "new.csv",
                   output=tmp_path / "scored.csv")
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"scored 25 rows with diab-rf version 1 into {tmp_path / 'scored.csv'}" in done.stdout

    scored = pd.read_csv(tmp_path / "scored.csv")
    assert list(scored.columns) == [*rows.columns, *OUTPUT_COLUMNS]
    pd.testing.assert_frame_equal(scored[rows.columns], rows)
    client = client_for(uri)
    champion = client.get_model_version_by_alias("diab-rf", "champion")
    assert set(scored["model_name"]) == {"diab-rf"} and set(scored["model_version"]) == {1}
    [logged_model] = logged_models(client, client.get_run(champion.run_id))
    assert set(scored["model_id"]) == {logged_model.model_id}

    url = served("models:/diab-rf@champion", uri, folder)
    body = json.dumps({"dataframe_split": {"columns": list(rows.columns), "data": rows.values.tolist()}})
    np.testing.assert_allclose(scored["prediction"], invoke(url, body), rtol=1e-12)

    [logged] = [r for r in all_runs(client) if r.data.tags.get("predict.model_name") == "diab-rf"]
    assert logged.info.status == "FINISHED" and logged.data.metrics["rows"] == 25
    assert logged.data.metrics["rows_per_second"] > 0
    [dataset] = logged.inputs.dataset_inputs
    assert dataset.dataset.name == "new" and dataset.tags[0].value == "inference"
    assert [a.path for a in client.list_artifacts(logged.info.run_id, "scored")] == ["scored/scored.csv"]


@pytest.mark.parametrize("broken, named", [
    ("missing", "input: missing column bmi"),
    ("text", "input: column bp holds text ('abc' in row 4) where the model needs double"),
])
def test_predict_refuses_rows_that_do_not_fit_the_signature(registry, tmp_path, broken, named):
    _, uri, _ = registry
    rows = new_rows()
    if broken == "missing":
        rows = rows.drop(columns=["bmi"])
    else:
        rows = rows.astype({"bp": object})
        rows.loc[3, "bp"] = "abc"
    rows.to_csv(tmp_path / "new.csv", index=False)
    experiment = f"refused-{broken}"
    done = mlflow_run(str(REPO), "-e", "predict", "--experiment-name", experiment,
                      *dash_p({"model_uri": "models:/diab-rf@champion", "input": tmp_path / "new.csv",
                               "output": tmp_path / "scored.csv"}), env=project_env(uri), cwd=tmp_path)
    assert done.returncode == 1  # the launcher's status for a run that failed
    errors = [line for line in done.stderr.splitlines() if line.startswith("predict: error:")]
    assert len(errors) == 1 and named in errors[0], done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.csv"]  # nothing written
    client = client_for(uri)
    [logged] = client.search_runs([client.get_experiment_by_name(experiment).experiment_id])
    assert logged.info.status == "FAILED" and "rows" not in logged.data.metrics


@pytest.mark.skipif(java_missing(), reason="Spark needs Java 17 or later; none on this machine")
def test_spark_scoring_gives_the_local_predictions(registry, tmp_path):
    _, uri, _ = registry
    rows = new_rows(300).assign(row_id=range(300))
    (tmp_path / "in").mkdir()
    rows.iloc[:150].to_parquet(tmp_path / "in" / "part-0.parquet")
    rows.iloc[150:].to_parquet(tmp_path / "in" / "part-1.parquet")
    env = project_env(uri)
    common = ["python", "-m", "mlflow_lab.predict", "--model_uri", "models:/diab-rf@champion",
              "--input", str(tmp_path / "in")]
    here = run([*common, "--output", str(tmp_path / "here.parquet")], env, cwd=tmp_path)
    assert here.returncode == 0, here.stderr[-3000:]
    spark = run([*common, "--output", str(tmp_path / "spark.parquet"), "--backend", "spark",
                 "--workers", "2"], env, cwd=tmp_path, timeout=400)
    assert spark.returncode == 0, spark.stderr[-3000:]
    assert "scored 300 rows with diab-rf version 1" in spark.stdout
    local = pd.read_parquet(tmp_path / "here.parquet").sort_values("row_id").reset_index(drop=True)
    on_spark = pd.read_parquet(tmp_path / "spark.parquet").sort_values("row_id").reset_index(drop=True)
    assert (tmp_path / "spark.parquet").is_dir() and len(on_spark) == 300
    np.testing.assert_allclose(on_spark["prediction"], local["prediction"], rtol=1e-12)
    assert list(on_spark.columns) == list(local.columns)
    pd.testing.assert_frame_equal(on_spark[rows.columns], local[rows.columns])


def test_mnist_predict_writes_the_digit_and_its_probability(registry, tmp_path):
    from mnist.data import to_unit_float

    _, uri, _ = registry
    images = make_mnist(n_train=10, n_test=30, seed=3).x_test
    np.savez(tmp_path / "new.npz", images=images)
    done = run(["python", "-m", "mlflow_lab.predict", "--model_uri", "models:/digits@champion",
                "--input", str(tmp_path / "new.npz"), "--output", str(tmp_path / "digits.csv")],
               project_env(uri), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    scored = pd.read_csv(tmp_path / "digits.csv")
    assert list(scored.columns) == ["row", "prediction", "probability", *OUTPUT_COLUMNS[1:]]
    scores = np.asarray(load_model(uri, "models:/digits@champion").predict(to_unit_float(images)))
    assert scored["prediction"].tolist() == scores.argmax(axis=1).tolist()
    np.testing.assert_allclose(scored["probability"], scores.max(axis=1), rtol=1e-5)
