"""Read back what a run logged, the way a user would check it in the UI or from Python."""

from __future__ import annotations

import mlflow
from mlflow.entities import Run


def client_for(uri: str) -> mlflow.MlflowClient:
    """A client reading runs and registered models from the store at `uri`."""
    return mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)


def only_run(client: mlflow.MlflowClient, experiment_name: str) -> Run:
    """The single run of an experiment (fails if there is not exactly one)."""
    experiment = client.get_experiment_by_name(experiment_name)
    assert experiment is not None, f"no experiment {experiment_name!r}"
    runs = client.search_runs([experiment.experiment_id])
    assert len(runs) == 1, [r.info.run_id for r in runs]
    return runs[0]


def all_runs(client: mlflow.MlflowClient) -> list[Run]:
    """Every run in every experiment of the store."""
    experiments = [e.experiment_id for e in client.search_experiments()]
    return client.search_runs(experiments) if experiments else []


def logged_models(client: mlflow.MlflowClient, run: Run) -> list:
    """The LoggedModels that `run` produced."""
    return client.search_logged_models(
        experiment_ids=[run.info.experiment_id],
        filter_string=f"source_run_id = '{run.info.run_id}'")


def load_model(tracking_uri: str, model_uri: str):
    """Load a model through mlflow.pyfunc from the store at `tracking_uri`."""
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    return mlflow.pyfunc.load_model(model_uri)


def assert_refused(done, prog: str, message: str, tracking_uri: str) -> Run:
    """A refusal under `mlflow run`: non-zero exit, one `prog: error:` line holding `message`,
    no traceback, the launcher's run FAILED with no metrics and no model, nothing registered."""
    assert done.returncode == 1  # the launcher's status for a run that failed, whatever the entry's own
    errors = [line for line in done.stderr.splitlines() if line.startswith(f"{prog}: error:")]
    assert len(errors) == 1 and message in errors[0], done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    client = client_for(tracking_uri)
    [logged] = all_runs(client)
    assert logged.info.status == "FAILED" and logged.data.metrics == {}
    assert logged_models(client, logged) == []
    assert client.search_registered_models() == []
    return logged
