"""A new, empty sweep study in a test's own store, made the way a sweep makes one."""

from __future__ import annotations


def fresh_study(tracking_uri: str, experiment: str, sampler, driver: bool = False):
    """(study, storage, experiment id, parent run id) of a new study at `tracking_uri`; the
    driver's storage (`driver`) or a worker's."""
    import mlflow

    from mlflow_lab.sweep.study import load_study, mark_as_study, study_name

    mlflow.set_tracking_uri(tracking_uri)
    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    experiment_id = client.create_experiment(experiment)
    parent = client.create_run(experiment_id).info.run_id
    mark_as_study(client, parent, "minimize")
    study, storage = load_study(study_name(parent), experiment_id, sampler, driver=driver)
    return study, storage, experiment_id, parent


def run_id_of(storage, study, trial) -> str:
    """A trial's MLflow run, asked as the sweep's driver asks it (Optuna's public storage calls)."""
    study_id = storage.get_study_id_from_name(study.study_name)
    return storage.get_trial_id_from_study_id_trial_number(study_id, trial.number)
