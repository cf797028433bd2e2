"""A model logged through `mlflow_lab.model_log` is what the flavor's own `log_model` logs."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import yaml


def test_the_forest_logs_as_mlflow_sklearn_logs_it(sqlite_uri, tmp_path, monkeypatch):
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature

    from diab import tracking
    from diab.params import DiabParams
    from diab.train import fit_and_evaluate
    from mlflow_lab.requirements import pinned

    monkeypatch.chdir(tmp_path)
    mlflow.set_tracking_uri(sqlite_uri)
    params = DiabParams(n_estimators=5)
    result = fit_and_evaluate(params)
    example = result.data.x_test.head(5)
    with mlflow.start_run():
        ours = tracking.log_model(params, result)
    with mlflow.start_run():
        theirs = mlflow.sklearn.log_model(
            result.model, name=tracking.MODEL_NAME, input_example=example,
            signature=infer_signature(example, result.model.predict(example)),
            pip_requirements=pinned(*tracking.MODEL_REQUIREMENTS), serialization_format="skops",
            skops_trusted_types=tracking.TRUSTED_TYPES)

    folders = [mlflow.artifacts.download_artifacts(info.model_uri) for info in (ours, theirs)]
    assert sorted(os.listdir(folders[0])) == sorted(os.listdir(folders[1]))
    assert "serving_input_example.json" in os.listdir(folders[0])
    described = [yaml.safe_load(Path(folder, "MLmodel").read_text()) for folder in folders]
    for key in ("flavors", "signature", "saved_input_example_info", "model_size_bytes"):
        assert described[0][key] == described[1][key], key
    for name in ("requirements.txt", "serving_input_example.json", "input_example.json"):
        first, second = (Path(folder, name).read_text() for folder in folders)
        assert first == second, name
    assert mlflow.MlflowClient().get_logged_model(ours.model_id).source_run_id == ours.run_id
    rows = result.data.x_test
    np.testing.assert_array_equal(mlflow.pyfunc.load_model(ours.model_uri).predict(rows),
                                  result.model.predict(rows))
