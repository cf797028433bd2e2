"""Collect an experiment's training runs (sweep trials included) as tables.

Finished runs make the tables and scatter plots; pruned sweep trials (ended KILLED,
tagged `sweep.trial_state` PRUNED) have no test metric, so they appear only in the
per-epoch curves, where they stopped.
"""

from __future__ import annotations

import pandas as pd

from mlflow_lab.entry import Entry
from mlflow_lab.params import declared

COMPARE_TAG = "compare.output"  # marks compare's own runs, which are never compared
STUDY_METRICS = {"value", "intermediate_value", "trial_id"}  # Optuna's bookkeeping in MLflow


class CompareError(ValueError):
    """Nothing to compare; the message is one line."""


def collect(experiment_name: str, target: Entry) -> pd.DataFrame:
    """Finished training runs of the experiment: run id, name, params and metrics columns."""
    import mlflow

    experiment = mlflow.get_experiment_by_name(experiment_name)
    if experiment is None:
        raise CompareError(f"argument --experiment_name: no experiment named {experiment_name!r}")
    runs = mlflow.search_runs([experiment.experiment_id], filter_string="attributes.status = 'FINISHED'")
    if not runs.empty:
        trained = runs.get(f"metrics.{target.metric}", pd.Series(index=runs.index, dtype=float)).notna()
        not_sweep = runs.get("tags.sweep.settings", pd.Series(index=runs.index)).isna()
        runs = runs[trained & not_sweep]
    if runs.empty:
        raise CompareError(f"argument --experiment_name: experiment {experiment_name!r} has no finished "
                           f"{target.name} runs with metric {target.metric}")
    return tidy(runs, target)


def collect_pruned(experiment_name: str, target: Entry) -> pd.DataFrame:
    """Pruned sweep trials of the experiment: run id, name, `pruned_after_epoch`, params."""
    import mlflow

    experiment = mlflow.get_experiment_by_name(experiment_name)
    runs = mlflow.search_runs([experiment.experiment_id], filter_string=(
        "attributes.status = 'KILLED' and tags.`sweep.trial_state` = 'PRUNED'"))
    if runs.empty:
        return pd.DataFrame(columns=["run_id", "run_name", "pruned_after_epoch"])
    frame = tidy(runs, target, sort=False)
    frame["pruned_after_epoch"] = pd.to_numeric(runs["tags.sweep.pruned_after_epoch"]).to_numpy()
    return frame


def tidy(runs: pd.DataFrame, target: Entry, sort: bool = True) -> pd.DataFrame:
    """Keep the run id, its name, the model's parameters (as numbers) and the metrics."""
    names = [item.name for item in declared(target.params) if item.kind is not str]
    columns = {"run_id": runs["run_id"], "run_name": runs.get("tags.mlflow.runName", runs["run_id"])}
    for name in names:
        if f"params.{name}" in runs:
            columns[name] = pd.to_numeric(runs[f"params.{name}"], errors="coerce")
    for column in sorted(c for c in runs.columns if c.startswith("metrics.")
                         and c.removeprefix("metrics.") not in STUDY_METRICS):
        columns[column.removeprefix("metrics.")] = runs[column]
    frame = pd.DataFrame(columns).dropna(axis="columns", how="all")  # e.g. sweep parents' best_*
    return frame.sort_values(target.metric, ascending=not target.higher_is_better) if sort else frame


def varying(frame: pd.DataFrame, target: Entry) -> list[str]:
    """The model's parameters that take more than one value across the runs."""
    names = [item.name for item in declared(target.params)]
    return [name for name in names if name in frame and frame[name].nunique(dropna=True) > 1]


def epoch_histories(frame: pd.DataFrame, metric: str, minimum: int = 2) -> dict[str, list[float]]:
    """Per-epoch values of `metric` for each run that logged at least `minimum`, by run id."""
    import mlflow

    client = mlflow.MlflowClient()
    histories = {}
    for run_id in frame["run_id"]:
        points = sorted(client.get_metric_history(run_id, metric), key=lambda m: m.step)
        if len(points) >= minimum:
            histories[run_id] = [point.value for point in points]
    return histories
