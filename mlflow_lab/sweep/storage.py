"""The study's storage: MLflow's `MlflowStorage`, reading trials in far fewer requests.

`MlflowStorage.get_all_trials` searches the study's trial runs, then reads each one again:
three `get_run`s and a metric history per trial. Optuna calls it on every `ask` (to pop an
enqueued trial) and the TPE sampler on every suggestion, so a sweep's driver made
O(trials²) requests, each a round trip to the tracking server. This subclass builds each
`FrozenTrial` from the run the search already returned, and asks for the per-step metric
history only of a trial that reported steps (a pruned sweep). It reads the same tags
`MlflowStorage` writes and returns the same trials, in the same order; writes are MLflow's.
"""

from __future__ import annotations

import datetime
import json

from mlflow import MlflowClient
from mlflow.optuna.storage import MlflowStorage, mlflow_optuna_status_map
from optuna.distributions import json_to_distribution
from optuna.trial import FrozenTrial

MLFLOW_PARENT_RUN_ID = "mlflow.parentRunId"  # MLflow's documented system tag of a nested run
STEP_METRIC = "intermediate_value"  # what `MlflowStorage` logs a reported step as
PARAM_PREFIX = "param_internal_val_"
PAGE_SIZE = 1000


class FewerReadsStorage(MlflowStorage):
    """`MlflowStorage` whose trial reads cost one request (two for a trial with steps)."""

    def __init__(self, experiment_id: str):
        super().__init__(experiment_id=experiment_id)
        self.reader = MlflowClient()
        self.experiment_id = experiment_id
        self.ids_by_number: dict[tuple[str, int], str] = {}  # (study id, trial number) -> run id, as read

    def get_trial(self, trial_id) -> FrozenTrial:
        self.flush_all_batches()
        return self.frozen(self.reader.get_run(trial_id))

    def get_trial_id_from_study_id_trial_number(self, study_id, trial_number: int) -> str:
        """The run of trial `trial_number`: Optuna's public way from a trial to its storage id.

        `MlflowStorage` raises for it. Every trial read here is remembered (Optuna reads a trial
        as it hands it out), so the driver's look-up after `ask` costs no request; another is
        one search of the study's runs by the trial's number tag.
        """
        known = self.ids_by_number.get((study_id, trial_number))
        if known is not None:
            return known
        self.flush_all_batches()
        found = self.reader.search_runs([self.experiment_id], max_results=2, filter_string=(
            f"tags.{MLFLOW_PARENT_RUN_ID} = '{study_id}' and tags.numbers = '{trial_number}'"))
        if len(found) != 1:
            raise KeyError(f"study {study_id} has {len(found)} runs for trial {trial_number}")
        return found[0].info.run_id

    def get_all_trials(self, study_id, deepcopy: bool = True, states=None) -> list[FrozenTrial]:
        self.flush_all_batches()
        runs = self.trial_runs(study_id)
        return [self.frozen(run) for run in runs
                if states is None or mlflow_optuna_status_map[run.info.status] in states]

    def trial_runs(self, study_id) -> list:
        """The study's trial runs, every page, in the search's own order."""
        runs, token = [], None
        while True:
            page = self.reader.search_runs([self.experiment_id],
                                           filter_string=f"tags.{MLFLOW_PARENT_RUN_ID} = '{study_id}'",
                                           max_results=PAGE_SIZE, page_token=token)
            runs.extend(page)
            token = page.token
            if not token:
                return runs

    def frozen(self, run) -> FrozenTrial:
        """The Optuna trial that `run` holds."""
        tags, metrics = run.data.tags, run.data.metrics
        distributions = {name: json_to_distribution(text)
                         for name, text in json.loads(tags["param_directions"]).items()}
        params = {name: distributions[name].to_external_repr(float(internal))
                  for name, internal in prefixed(tags, PARAM_PREFIX).items()}
        steps = {}
        if STEP_METRIC in metrics:
            steps = {m.step: m.value for m in self.reader.get_metric_history(run.info.run_id, STEP_METRIC)}
        study_id = tags.get(MLFLOW_PARENT_RUN_ID)
        if study_id and "numbers" in tags:
            self.ids_by_number[(study_id, int(tags["numbers"]))] = run.info.run_id
        return FrozenTrial(
            trial_id=run.info.run_id,
            number=int(tags.get("numbers", 0)),
            state=mlflow_optuna_status_map[run.info.status],
            value=None,
            values=objective_values(metrics),
            datetime_start=timestamp(run.info.start_time),
            datetime_complete=timestamp(run.info.end_time),
            params=params,
            distributions=distributions,
            user_attrs=prefixed(tags, "user_"),
            system_attrs=prefixed(tags, "sys_"),
            intermediate_values=steps,
        )


def objective_values(metrics: dict[str, float]) -> list[float] | None:
    """The trial's objective values: `value`, or `value_0`, `value_1`... for several."""
    if "value" in metrics:
        return [metrics["value"]]
    count = 0
    while f"value_{count}" in metrics:
        count += 1
    return [metrics[f"value_{index}"] for index in range(count)] or None


def prefixed(tags: dict[str, str], prefix: str) -> dict:
    """The JSON values of the tags named `prefix...`, keyed by the rest of the name."""
    return {key[len(prefix):]: json.loads(value) for key, value in tags.items() if key.startswith(prefix)}


def timestamp(milliseconds: int | None) -> datetime.datetime | None:
    """A run's start or end time as Optuna keeps it (local time, like `MlflowStorage`)."""
    return datetime.datetime.fromtimestamp(milliseconds / 1000) if milliseconds else None
