"""The driver's storage: the trials it creates, kept in memory and written in a few batches.

Only the sweep's driver creates, asks for and tells trials (`sweep.driver`); workers train and
report steps. So the driver knows every trial it created better than the store does, yet
`MlflowStorage` reads the run back before each param it sets, numbers a new trial through a
metric history on the study's run, and sends the trial's parent, number, params, value and end
as separate requests: about 19 a trial. This storage writes the same runs, tags, params and
metrics in 4: `create_run` with the parent, the number and the directions as tags; one batch
of the trial's params and tags (the driver's own tags joined to it, `tag`) once it is asked
for; one batch of its value and the driver's labels when it is told; and its end.

A trial it created is read from memory, unless a worker reported its steps (a pruned
sweep): `forget` it, and it is read from the store like any other. Trials it did not create
(a resumed study's, another storage's) are read and written as `FewerReadsStorage` does.
Numbers go on from the highest the study's trials hold, read once: the driver is the only one
creating trials, and a trial run deleted from the store leaves its number unused.
MLflow's storage flushes its own batches from a thread of its own, every second, and drops
what fails there: that thread (`flush_all_batches`) never writes this queue. The driver writes
it (`flush`, `write_queued`), where a failure raises; a batch leaves the queue only once it is
written, under the lock that every change to the queue takes.
"""

from __future__ import annotations

import copy
import datetime
import json
import threading
import time
from dataclasses import dataclass, field

from mlflow.entities import Metric, Param, RunTag
from mlflow.optuna.storage import optuna_mlflow_status_map
from optuna.distributions import check_distribution_compatibility, distribution_to_json
from optuna.trial import FrozenTrial, TrialState

from mlflow_lab.sweep.storage import MLFLOW_PARENT_RUN_ID, PARAM_PREFIX, STEP_METRIC, FewerReadsStorage

WAITING_STATUS = optuna_mlflow_status_map[TrialState.WAITING]


@dataclass
class Queued:
    """What the next batch of one trial's run writes."""

    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: list[Metric] = field(default_factory=list)


class DriverStorage(FewerReadsStorage):
    """`FewerReadsStorage` for the one process that creates and ends the study's trials."""

    def __init__(self, experiment_id: str):
        super().__init__(experiment_id)
        self.mine: dict[str, FrozenTrial] = {}  # run id -> the trial as this driver made it
        self.pending: dict[str, Queued] = {}  # run id -> what its next batch writes
        self.next_number: dict[str, int] = {}  # study id -> the number of its next trial
        self.created: dict[tuple[str, int], str] = {}  # (study id, number) -> the run this driver made
        self.queue_lock = threading.RLock()  # `pending`, between the driver's threads

    def create_new_trial(self, study_id, template_trial: FrozenTrial | None = None) -> str:
        number = self.next_number.get(study_id)
        if number is None:
            numbers = [int(run.data.tags.get("numbers", -1)) for run in self.trial_runs(study_id)]
            number = max(numbers, default=-1) + 1
        self.next_number[study_id] = number + 1
        template = template_trial or FrozenTrial(
            number=number, state=TrialState.RUNNING, value=None, datetime_start=None,
            datetime_complete=None, params={}, distributions={}, user_attrs={}, system_attrs={},
            intermediate_values={}, trial_id=None)
        directions = json.dumps({name: distribution_to_json(d) for name, d in template.distributions.items()})
        run = self.reader.create_run(self.experiment_id, tags={
            MLFLOW_PARENT_RUN_ID: study_id, "numbers": str(number), "param_directions": directions})
        run_id = run.info.run_id
        trial = FrozenTrial(
            number=number, state=template.state, value=None, values=template.values,
            datetime_start=datetime.datetime.fromtimestamp(run.info.start_time / 1000),
            datetime_complete=template.datetime_complete, params=copy.deepcopy(template.params),
            distributions=copy.deepcopy(template.distributions),
            user_attrs=copy.deepcopy(template.user_attrs), system_attrs=copy.deepcopy(template.system_attrs),
            intermediate_values=dict(template.intermediate_values), trial_id=run_id)
        self.mine[run_id] = trial
        self.ids_by_number[(study_id, number)] = self.created[(study_id, number)] = run_id
        if template_trial is not None:  # an enqueued or added trial: what it holds already
            self.write_template(run_id, trial)
        return run_id

    def get_trial_id_from_study_id_trial_number(self, study_id, trial_number: int) -> str:
        created = self.created.get((study_id, trial_number))  # never another run read with that number
        return created or super().get_trial_id_from_study_id_trial_number(study_id, trial_number)

    def write_template(self, run_id: str, trial: FrozenTrial) -> None:
        """Queue what a trial made from a template holds, and set its state."""
        internal = {name: trial.distributions[name].to_internal_repr(value)
                    for name, value in trial.params.items()}
        now = int(time.time() * 1000)
        with self.queue_lock:
            queued = self.pending.setdefault(run_id, Queued())
            queued.params.update({name: str(value) for name, value in trial.params.items()})
            queued.tags.update({f"{PARAM_PREFIX}{name}": json.dumps(value)
                                for name, value in internal.items()})
            queued.tags.update({f"user_{k}": json.dumps(v) for k, v in trial.user_attrs.items()})
            queued.tags.update({f"sys_{k}": json.dumps(v) for k, v in trial.system_attrs.items()})
            queued.metrics.extend(Metric(STEP_METRIC, value, now, int(step))
                                  for step, value in trial.intermediate_values.items())
        values = trial.values
        trial.state, state = TrialState.RUNNING, trial.state
        if state != TrialState.RUNNING:
            self.set_trial_state_values(run_id, state, values)

    def set_trial_param(self, trial_id, param_name: str, param_value_internal: float, distribution) -> None:
        trial = self.mine.get(trial_id)
        if trial is None:
            self.flush(trial_id)
            return super().set_trial_param(trial_id, param_name, param_value_internal, distribution)
        self.check_trial_is_updatable(trial_id, trial.state)
        if param_name in trial.distributions:
            check_distribution_compatibility(trial.distributions[param_name], distribution)
        external = distribution.to_external_repr(param_value_internal)
        trial.params = {**trial.params, param_name: external}
        trial.distributions = {**trial.distributions, param_name: distribution}
        directions = {name: distribution_to_json(d) for name, d in trial.distributions.items()}
        self.tag(trial_id, {f"{PARAM_PREFIX}{param_name}": json.dumps(param_value_internal),
                            "param_directions": json.dumps(directions)},
                 params={param_name: str(external)})

    def tag(self, trial_id: str, tags: dict[str, str], params: dict[str, str] | None = None) -> None:
        """Queue `tags` (and `params`) for the trial's run; the next flush or tell writes them."""
        with self.queue_lock:
            queued = self.pending.setdefault(trial_id, Queued())
            queued.params.update(params or {})
            queued.tags.update(tags)

    def flush(self, trial_id: str, metrics: list[Metric] | None = None) -> None:
        """Write what is queued for the trial (and `metrics`) in one request; it leaves the queue
        once written."""
        with self.queue_lock:
            queued = self.pending.get(trial_id, Queued())
            metrics = [*queued.metrics, *(metrics or [])]
            if queued.params or queued.tags or metrics:
                self.reader.log_batch(trial_id, metrics=metrics,
                                      params=[Param(k, v) for k, v in queued.params.items()],
                                      tags=[RunTag(k, v) for k, v in queued.tags.items()], synchronous=True)
            self.pending.pop(trial_id, None)

    def set_trial_intermediate_value(self, trial_id, step: int, intermediate_value: float) -> None:
        trial = self.mine.get(trial_id)
        if trial is None:
            return super().set_trial_intermediate_value(trial_id, step, intermediate_value)
        trial.intermediate_values = {**trial.intermediate_values, step: intermediate_value}
        with self.queue_lock:
            self.pending.setdefault(trial_id, Queued()).metrics.append(
                Metric(STEP_METRIC, intermediate_value, int(time.time() * 1000), step))

    def set_trial_user_attr(self, trial_id, key: str, value) -> None:
        trial = self.mine.get(trial_id)
        if trial is None:
            return super().set_trial_user_attr(trial_id, key, value)
        trial.user_attrs = {**trial.user_attrs, key: value}
        self.tag(trial_id, {f"user_{key}": json.dumps(value)})

    def set_trial_system_attr(self, trial_id, key: str, value) -> None:
        trial = self.mine.get(trial_id)
        if trial is None:
            return super().set_trial_system_attr(trial_id, key, value)
        trial.system_attrs = {**trial.system_attrs, key: value}
        self.tag(trial_id, {f"sys_{key}": json.dumps(value)})

    def write_queued(self) -> None:
        """Write every trial's queued batch, then MLflow's own batches."""
        with self.queue_lock:
            for trial_id in list(self.pending):
                self.flush(trial_id)
        self.flush_all_batches()

    def get_trial(self, trial_id) -> FrozenTrial:
        trial = self.mine.get(trial_id)
        if trial is None:
            self.flush(trial_id)
            return super().get_trial(trial_id)
        return copy.deepcopy(trial)

    def forget(self, trial_id: str) -> None:
        """Read the trial from the store from now on (a worker wrote to it: its steps)."""
        self.flush(trial_id)
        self.mine.pop(trial_id, None)

    def set_trial_state_values(self, trial_id, state: TrialState, values=None) -> bool:
        trial = self.mine.get(trial_id)
        if trial is None:
            self.flush(trial_id)
            return super().set_trial_state_values(trial_id, state, values)
        if state == TrialState.RUNNING and trial.state != TrialState.WAITING:
            return False  # only a waiting trial can be taken
        self.check_trial_is_updatable(trial_id, trial.state)
        now = int(time.time() * 1000)
        if values is None:
            metrics = []
        elif len(values) == 1:
            metrics = [Metric("value", values[0], now, 1)]
        else:
            metrics = [Metric(f"value_{index}", value, now, 1) for index, value in enumerate(values)]
        self.flush(trial_id, metrics)  # the value with the trial's last tags, before its state
        status = optuna_mlflow_status_map[state]
        if state.is_finished():
            self.reader.set_terminated(trial_id, status=status, end_time=now)
            trial.datetime_complete = datetime.datetime.fromtimestamp(now / 1000)
        else:
            self.reader.update_run(trial_id, status=status)
        trial.state, trial.values = state, values
        return True

    def get_all_trials(self, study_id, deepcopy: bool = True, states=None) -> list[FrozenTrial]:
        self.write_queued()
        if tuple(states or ()) == (TrialState.WAITING,):  # every ask looks for an enqueued trial
            runs = self.reader.search_runs([self.experiment_id], filter_string=(
                f"tags.{MLFLOW_PARENT_RUN_ID} = '{study_id}' and attributes.status = '{WAITING_STATUS}'"))
            return [self.frozen(run) for run in runs]
        return super().get_all_trials(study_id, deepcopy, states)
