"""`predict backend=spark` as a Databricks user runs it: per-class scores, storage URIs, big outputs.

A classifier whose pyfunc output is one score per class gets `probability` on Spark as it does
here; an output given as a URI (`file://` here, standing for `dbfs:/`, `s3://`, `abfss://`) is
written by Spark, and the run records where the rows went instead of copying them all into
its artifacts.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.processes import java_missing, project_env, run
from tests.tracking_reads import all_runs, client_for

pytestmark = [pytest.mark.slow,
              pytest.mark.xdist_group("predict_spark"),  # its Spark services start once, on one worker
              pytest.mark.skipif(java_missing(), reason="Spark needs Java 17 or later; none on this machine")]


@pytest.fixture(scope="module")
def classifier(tmp_path_factory, empty_store):
    """(folder, store, rows): iris-lr@champion, a logistic regression whose pyfunc gives class scores."""
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    folder = tmp_path_factory.mktemp("classifier")
    uri = empty_store(folder)
    frame = load_iris(as_frame=True).frame
    features = frame.drop(columns=["target"])
    model = LogisticRegression(max_iter=500).fit(features, frame["target"])
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)  # an earlier test in this process may have pointed it elsewhere
    with mlflow.start_run():
        mlflow.sklearn.log_model(model, name="model", pyfunc_predict_fn="predict_proba",
                                 signature=infer_signature(features, model.predict_proba(features)),
                                 registered_model_name="iris-lr", serialization_format="cloudpickle")
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.set_registered_model_alias("iris-lr", "champion", "1")
    features.assign(row_id=range(len(features))).to_parquet(folder / "rows.parquet")
    return folder, uri


def predict(uri: str, folder, output: str, *backend: str):
    return run(["python", "-m", "mlflow_lab.predict", "--model_uri", "models:/iris-lr@champion",
                "--input", str(folder / "rows.parquet"), "--output", output, *backend], project_env(uri),
               cwd=folder, timeout=600)


def test_spark_scoring_gives_each_rows_class_and_probability_as_scoring_here_does(classifier, tmp_path):
    folder, uri = classifier
    here = predict(uri, folder, str(tmp_path / "here.parquet"))
    assert here.returncode == 0, here.stderr[-3000:]
    spark = predict(uri, folder, str(tmp_path / "spark.parquet"), "--backend", "spark")
    assert spark.returncode == 0, spark.stderr[-3000:]
    local = pd.read_parquet(tmp_path / "here.parquet").sort_values("row_id").reset_index(drop=True)
    on_spark = pd.read_parquet(tmp_path / "spark.parquet").sort_values("row_id").reset_index(drop=True)
    assert {"prediction", "probability"} <= set(on_spark.columns)
    assert list(on_spark["prediction"].astype(int)) == list(local["prediction"].astype(int))
    pd.testing.assert_series_equal(on_spark["probability"], local["probability"], rtol=1e-12)


def test_spark_scoring_writes_to_a_uri_and_records_where_instead_of_copying_the_rows(classifier, tmp_path):
    folder, uri = classifier
    target = (tmp_path / "scored.parquet").as_uri()  # file:///...: a scheme, as dbfs:/ and s3:// have
    done = predict(uri, folder, target, "--backend", "spark")
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(pd.read_parquet(tmp_path / "scored.parquet")) == 150
    client = client_for(uri)
    [logged] = [r for r in all_runs(client) if r.data.tags.get("predict.output") == target]
    assert logged.info.status == "FINISHED" and logged.data.metrics["rows"] == 150
    assert client.list_artifacts(logged.info.run_id, "scored") == []


def test_a_uri_output_without_spark_is_one_line(classifier, tmp_path):
    folder, uri = classifier
    done = predict(uri, folder, "s3://bucket/scored.parquet")
    assert done.returncode == 1
    [line] = [text for text in done.stderr.splitlines() if text.startswith("predict: error:")]
    assert "output: s3://bucket/scored.parquet is a storage URI" in line and "backend=spark" in line
