"""One trial, trained where a worker runs it: a local worker process or a Spark executor.

`run_trial(task)` trains the trial's setting with the model's own training function
inside the trial's child run, and returns how it ended. It leaves the run RUNNING: the
driver's `tell` ends it (FINISHED, KILLED for pruned, FAILED). Ending it here would make
that `tell` fail, and the trial would have no value.

A trial runs at most once. Spark runs a task again when its executor is lost (and may run a
speculative copy); the copy would train into the same run: two metric histories, a second
model. So each attempt first claims the run by logging the param `sweep.attempt` with a value
of its own. MLflow refuses to change a param in every store, so only the first attempt gets
it; a later one ends without touching the run, and the trial ends FAILED, saying why. The
guard is on the run, not on Spark's attempt number: a stage re-run after a lost executor
starts its tasks at attempt 0 again.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any, NamedTuple

from mlflow_lab.credentials import Credentials, lent
from mlflow_lab.sweep.keep import KeepModel

ATTEMPT = "sweep.attempt"  # write-once: the attempt that took the trial's run
REPEATED = ("not run again: an earlier attempt of this trial already started its run (a retried "
            "or speculative Spark task); resume the sweep to run the setting anew")


class Task(NamedTuple):
    """What a worker needs to train one trial, with nothing it must inherit from the driver."""

    model: str
    trial_id: str  # the trial's MLflow run id
    number: int
    setting: dict[str, Any]
    study_name: str
    experiment_id: str
    tracking_uri: str  # absolute: executors run in other folders
    prune: bool
    pruner: str
    steps: int  # the most steps any trial trains (pruning's budget)
    credentials: Credentials  # the driver's, for an executor started without any
    patience: float = 600.0  # the driver's tracking patience (an executor has no environment of ours)
    log_models: str = "all"  # the sweep's policy (mlflow_lab.sweep.keep)
    best_known: float | None = None  # the study's best value when the driver handed this trial out


class Outcome(NamedTuple):
    """How a trial ended: COMPLETE, PRUNED or FAIL."""

    task: Task
    state: str
    value: float | None = None
    error: str = ""
    pruned_after_epoch: int | None = None
    store_lost: bool = False  # the tracking store failed past the patience, not the training
    model_logged: bool | None = None  # None: the training function logs its model as it likes


def run_trial(task: Task) -> Outcome:
    """Train `task`'s setting into its trial run; never raises for a training failure."""
    os.environ.pop("MLFLOW_RUN_ID", None)  # `mlflow run`'s run would otherwise leak into workers
    import mlflow

    from mlflow_lab.entries import MODELS
    from mlflow_lab.faults import tracking_uri
    from mlflow_lab.patience import PATIENCE_VARIABLE, notice_outages
    from mlflow_lab.tracking import tracking_defaults

    os.environ.setdefault(PATIENCE_VARIABLE, str(task.patience))
    tracking_defaults()
    notice_outages("sweep", tracking_uri)
    mlflow.set_tracking_uri(task.tracking_uri)
    with lent(task.credentials):
        return _train(task, MODELS[task.model])


def _train(task: Task, target) -> Outcome:
    """`run_trial`'s work, with the tracking client set up and the credentials lent."""
    import mlflow
    import optuna

    storage = reporter = None
    try:
        if not claimed(task.trial_id):
            return Outcome(task, "FAIL", error=REPEATED)
        if task.prune:
            storage, reporter = step_reporter(task, target)
        keep = KeepModel(task.log_models, target, task.best_known)
        told = {"keep_model": keep} if target.takes_keep_model() else {}
        run = mlflow.start_run(run_id=task.trial_id)
        try:
            metrics = target.trainer()(run, target.params(**task.setting), reporter, **told)
        finally:
            mlflow.end_run("RUNNING")  # the driver's tell ends it
            if storage is not None:
                storage.flush_all_batches()  # the reported values, before the driver reads them
        return Outcome(task, "COMPLETE", metrics[target.metric], model_logged=keep.logged)
    except optuna.TrialPruned:
        return Outcome(task, "PRUNED", pruned_after_epoch=reporter.pruned_after_step)
    except Exception as error:
        from mlflow_lab.patience import store_lost

        return Outcome(task, "FAIL", error=one_line(error), store_lost=store_lost(error))


def task_text(task: Task) -> str:
    """`task` as one JSON string: what a Spark task carries to its executor."""
    return json.dumps(task._asdict())


def task_from_text(text: str) -> Task:
    """The `Task` an executor reads from `task_text`."""
    fields = json.loads(text)
    return Task(**{**fields, "credentials": Credentials(fields["credentials"])})


def outcome_from_text(task: Task, text: str) -> Outcome:
    """The driver's `Outcome` of `task` from the JSON an executor returned."""
    return Outcome(task, **json.loads(text))


def run_trial_rows(batches):
    """`mapInPandas` over rows of `task_text`s: run each trial, yield its outcome as JSON."""
    import pandas as pd

    for batch in batches:
        outcomes = [run_trial(task_from_text(text)) for text in batch["task"]]
        reported = [{k: v for k, v in o._asdict().items() if k != "task"} for o in outcomes]
        yield pd.DataFrame({"outcome": [json.dumps(r) for r in reported]}, dtype=object)


def claimed(run_id: str) -> bool:
    """Claim the trial's run for this attempt; False when an earlier attempt claimed it."""
    import mlflow
    from mlflow.exceptions import MlflowException

    client, attempt = mlflow.MlflowClient(), uuid.uuid4().hex
    try:
        client.log_param(run_id, ATTEMPT, attempt, synchronous=True)
    except MlflowException as error:  # a param changed is INVALID_PARAMETER_VALUE; so is much else
        if error.error_code == "INVALID_PARAMETER_VALUE":
            taken = client.get_run(run_id).data.params.get(ATTEMPT)
            if taken is not None and taken != attempt:
                return False
        raise
    return True


def step_reporter(task: Task, target):
    """The study's storage, and the reporter the trial's training reports each step to."""
    from mlflow_lab.sweep.pruning import OptunaReporter
    from mlflow_lab.sweep.study import load_study, make_pruner

    study, storage = load_study(task.study_name, task.experiment_id,
                                pruner=make_pruner(task.pruner, True, task.steps))
    steps = int(task.setting.get(target.pruning.steps, task.steps))
    return storage, OptunaReporter(study, storage, task.trial_id, steps)


def one_line(error: BaseException) -> str:
    """`Type: first line of the message`."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else 'no detail'}"
