"""diab logs its forest with MLflow's own `mlflow.sklearn.log_model`: skops, a serving example,
the pinned requirements, linked to its run, and it loads back to the same predictions."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import yaml


def test_the_forest_logs_as_mlflow_sklearn_logs_it(sqlite_uri, tmp_path, monkeypatch):
    import mlflow

    from diab import tracking
    from diab.params import DiabParams
    from diab.train import fit_and_evaluate
    from mlflow_lab.requirements import pinned

    monkeypatch.chdir(tmp_path)
    mlflow.set_tracking_uri(sqlite_uri)
    params = DiabParams(n_estimators=5)
    result = fit_and_evaluate(params)
    with mlflow.start_run():
        logged = tracking.log_model(params, result)

    folder = mlflow.artifacts.download_artifacts(logged.model_uri)
    assert {"serving_input_example.json", "input_example.json", "requirements.txt"} <= set(os.listdir(folder))
    described = yaml.safe_load(Path(folder, "MLmodel").read_text())
    assert described["flavors"]["sklearn"]["serialization_format"] == "skops"
    assert described["signature"]["inputs"] and described["saved_input_example_info"]
    assert Path(folder, "requirements.txt").read_text().split() == pinned(*tracking.MODEL_REQUIREMENTS)
    assert mlflow.MlflowClient().get_logged_model(logged.model_id).source_run_id == logged.run_id
    rows = result.data.x_test
    np.testing.assert_array_equal(mlflow.pyfunc.load_model(logged.model_uri).predict(rows),
                                  result.model.predict(rows))
