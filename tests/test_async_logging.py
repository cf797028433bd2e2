"""Metrics logged asynchronously (Keras autolog's epochs) all reach the run before it ends."""

from __future__ import annotations

import pytest

from mlflow_lab.patience import retry_defaults
from mlflow_lab.tracking import TRACKING_DEFAULTS

BUFFERING = "MLFLOW_ASYNC_LOGGING_BUFFERING_SECONDS"


@pytest.fixture
def mlflow_settings_restored(monkeypatch):
    """Whatever `tracking_defaults` sets in this process is taken back after the test."""
    for name in (*TRACKING_DEFAULTS, *retry_defaults()):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_every_async_epoch_is_in_the_ended_run(sqlite_uri, mlflow_settings_restored, tmp_path):
    import mlflow

    from mlflow_lab.tracking import active_run

    mlflow_settings_restored.chdir(tmp_path)
    # the store's Default experiment: `set_experiment` would leave its id active for later tests
    mlflow_settings_restored.setenv("MLFLOW_EXPERIMENT_ID", "0")
    mlflow.set_tracking_uri(sqlite_uri)
    for _ in range(2):  # a sweep's worker ends many runs in one process
        with active_run("unused: the experiment is given") as run:
            for epoch in range(5):
                mlflow.log_metrics({"loss": 1 / (epoch + 1), "accuracy": epoch / 5}, step=epoch,
                                   synchronous=False)
        ended = mlflow.MlflowClient().get_run(run.info.run_id)
        assert ended.info.status == "FINISHED"
        history = mlflow.MlflowClient().get_metric_history(run.info.run_id, "loss")
        assert sorted(m.step for m in history) == [0, 1, 2, 3, 4]
        assert ended.data.metrics["accuracy"] == pytest.approx(0.8)


def test_a_setting_the_user_chose_is_kept(mlflow_settings_restored):
    import os

    from mlflow_lab.tracking import tracking_defaults

    mlflow_settings_restored.setenv(BUFFERING, "3")
    tracking_defaults()
    assert os.environ[BUFFERING] == "3"
    timeout = "MLFLOW_HTTP_REQUEST_TIMEOUT"
    assert os.environ[timeout] == TRACKING_DEFAULTS[timeout]
