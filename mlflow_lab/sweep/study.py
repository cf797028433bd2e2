"""The sweep's Optuna study, kept in MLflow by MLflow's own `MlflowStorage` (`sweep.storage`).

The sweep's parent run IS the study: it carries the tags `MlflowStorage` looks a study up
by (its run name and `optuna.study_direction`), and each trial is a child run that the
storage creates under it. Only the sweep's driver asks for trials; workers and Spark
executors load the same study to report per-epoch values to the pruner.
"""

from __future__ import annotations

PRUNER_STARTUP_TRIALS = 2  # finished trials the median pruner waits for before it prunes


def study_name(parent_run_id: str) -> str:
    """The study's name, unique in the store: it is the parent run's name too."""
    return f"sweep-{parent_run_id}"


def mark_as_study(client, parent_run_id: str, direction: str) -> None:
    """Tag the parent run so that `MlflowStorage` finds it as a study."""
    client.set_tag(parent_run_id, "mlflow.runName", study_name(parent_run_id))
    client.set_tag(parent_run_id, "optuna.study_direction", direction.upper())


def make_sampler(name: str, seed: int):
    """Optuna's seeded random or TPE sampler, or for a grid the `CellSampler`.

    Optuna's GridSampler is not used: it picks cells at random once some have finished, counts
    failed cells as done, and ends a grid with `study.stop()`, which raises outside `optimize`
    (the driver asks and tells itself).
    """
    import optuna

    if name == "grid":
        from mlflow_lab.sweep.cells import CellSampler

        return CellSampler()
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def make_pruner(name: str, prune: bool, steps: int):
    """The pruner that judges each step's held-out score; NopPruner when not pruning."""
    import optuna

    if not prune:
        return optuna.pruners.NopPruner()
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(steps, 1),
                                              reduction_factor=3)
    return optuna.pruners.MedianPruner(n_startup_trials=PRUNER_STARTUP_TRIALS, n_warmup_steps=0)


def load_study(name: str, experiment_id: str, sampler=None, pruner=None, driver: bool = False):
    """The study `name` from the active tracking store; returns (study, storage). The `driver`
    (the one process creating trials) keeps its trials in memory (`sweep.driver_storage`)."""
    import optuna

    from mlflow_lab.sweep.driver_storage import DriverStorage
    from mlflow_lab.sweep.storage import FewerReadsStorage

    storage = DriverStorage(experiment_id) if driver else FewerReadsStorage(experiment_id)
    return optuna.load_study(study_name=name, storage=storage, sampler=sampler, pruner=pruner), storage
