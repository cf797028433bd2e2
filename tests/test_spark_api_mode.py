"""A Spark Connect session that does not announce itself: Spark 4's `SPARK_API_MODE=connect`.

With it (and no SPARK_REMOTE), `SparkSession.builder...getOrCreate()` starts a local Connect
server and hands back a Connect session, which has no `sparkContext`: what Databricks
standard-access and serverless compute hand a job. The sweep and `predict backend=spark` must
know it from the session, not from the environment.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.processes import java_missing, project_env, run
from tests.tracking_reads import all_runs, client_for

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("connect_port"),  # pyspark's Connect server
              pytest.mark.skipif(java_missing(), reason="Spark needs Java 17 or later; none on this machine")]
GRID = ["--model", "diab", "--max_depth", "3,4", "--n_estimators", "10", "--workers", "2",
        "--backend", "spark"]


def connect_env(uri: str) -> dict[str, str]:
    env = project_env(uri, SPARK_API_MODE="connect", SPARK_LOCAL_IP="127.0.0.1")
    env.pop("SPARK_REMOTE", None)
    return env


def test_a_sweep_on_spark_uses_the_connect_session_it_was_given(tmp_path, sqlite_uri):
    uri = sqlite_uri
    done = run(["python", "-m", "mlflow_lab.sweep", *GRID], connect_env(uri), cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    runs = all_runs(client_for(uri))
    trials = sorted((r.data.params["max_depth"], r.info.status) for r in runs
                    if "mlflow.parentRunId" in r.data.tags)
    assert trials == [("3", "FINISHED"), ("4", "FINISHED")]
    [parent] = [r for r in runs if "sweep.plan" in r.data.params]
    assert parent.data.tags["sweep.spark"] == "Spark Connect"


def test_predict_on_spark_scores_with_the_connect_session_it_was_given(tmp_path, sqlite_uri):
    from sklearn.datasets import load_diabetes

    uri = sqlite_uri
    trained = run(["python", "-m", "diab", "--n_estimators", "10", "--register_as", "diab-rf"],
                  project_env(uri), cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr[-3000:]
    rows = load_diabetes(as_frame=True).frame.drop(columns=["target"]).head(40).assign(row_id=range(40))
    rows.to_parquet(tmp_path / "new.parquet")
    common = ["python", "-m", "mlflow_lab.predict", "--model_uri", "models:/diab-rf@champion",
              "--input", str(tmp_path / "new.parquet")]
    here = run([*common, "--output", str(tmp_path / "here.parquet")], project_env(uri), cwd=tmp_path)
    assert here.returncode == 0, here.stderr[-3000:]
    scored = run([*common, "--output", str(tmp_path / "spark.parquet"), "--backend", "spark"],
                 connect_env(uri), cwd=tmp_path, timeout=600)
    assert scored.returncode == 0, scored.stderr[-3000:]
    assert "scored 40 rows with diab-rf version 1" in scored.stdout
    on_spark = pd.read_parquet(tmp_path / "spark.parquet")
    local = pd.read_parquet(tmp_path / "here.parquet")
    pd.testing.assert_series_equal(on_spark.sort_values("row_id")["prediction"].reset_index(drop=True),
                                   local.sort_values("row_id")["prediction"].reset_index(drop=True))
