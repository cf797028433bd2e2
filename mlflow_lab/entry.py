"""What a model package declares about itself, so that sweeps, comparisons and jobs can run it.

A model package (each of the project's, and yours) holds one `Entry` in its `entry.py`; the registry
(`mlflow_lab.entries`) lists the packages. Nothing below the registry names a model: the sweep, compare
and the Databricks submission read everything they need from the entry.

The training function is named as `"package.module:function"` and imported only when a run
trains, so reading the registry stays cheap. It is called as `train(run, params, pruning)`:
`run` is the active MLflow run, `params` an instance of the entry's parameter class, and
`pruning` None, or (for an entry that declares `pruning`) a `StepReporter` to report each
step's score to; it returns the run's test metrics. A training function that also takes
`keep_model` lets a sweep skip logging the models nobody will use (`log_models`): it gets a
function of the test metrics saying whether to log the model (`model_wanted` asks it); one
that does not take it logs its model in every trial.

A model may name a `preload` function (`"module:function"`, no arguments) that imports the
libraries its training needs, in the order that imports them fastest. Its CLI calls it first,
and a sweep calls it once in the fork server its local workers are forked from, while the
driver still sets up the study.

A model that can be registered also declares its `Scoring`: how the promotion gate
(`mlflow_lab.gate`) gets the held-out rows a run's metric came from, and which of MLflow's
evaluation metrics is that metric.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol


def model_wanted(keep_model: Callable[[dict[str, float]], bool] | None, metrics: dict[str, float]) -> bool:
    """Whether a training function logs its model: always in a single run (`keep_model` None), in
    a sweep's trial as its `log_models` decides for the trial's test `metrics`."""
    return keep_model is None or keep_model(metrics)


def imported(name: str) -> Callable:
    """The function named `"module:function"`, its module imported now."""
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


class StepReporter(Protocol):
    """What a pruned sweep hands a model's training: report each step, stop when told."""

    def report(self, step: int, value: float) -> bool:
        """Record `value` after `step` (0-based); True: stop training after this step."""

    def raise_if_stopped(self) -> None:
        """Raise the sweep's pruned signal when `report` said stop (call when training ends)."""


@dataclass(frozen=True)
class Pruning:
    """How a model trains in steps that a sweep can judge and stop.

    `steps` is the parameter counting the steps (epochs), `monitor` the score reported after
    each step, and `holdout` the parameter holding out the data that score is measured on;
    a pruned sweep sets it to `holdout_default` unless the space gives it.
    """

    steps: str
    monitor: str
    holdout: str
    holdout_default: float


@dataclass(frozen=True)
class Scoring:
    """How the promotion gate scores a registered model of this entry with `mlflow.models.evaluate`.

    `holdout` names `"module:function"`, called as `holdout(params) -> (inputs, targets)`: the
    held-out rows the run with `params` measured its metric on (its own split), inputs as the
    model's signature takes them. `model_type` is evaluate's ("regressor" or "classifier") and
    `metric` the name evaluate gives the entry's metric (`mean_squared_error`, `accuracy_score`).
    `reader`, for a model whose inputs are not a table, names `"module:function"` called as
    `reader(path) -> inputs` to read a file of them for batch scoring (`predict`).
    """

    holdout: str
    model_type: str
    metric: str
    reader: str = ""

    def read(self, path: str):
        """The model's inputs from the file at `path`, by the entry's reader."""
        return imported(self.reader)(path)

    def held_out(self, params):
        """(inputs, targets) of the held-out rows for a run trained with `params`."""
        return imported(self.holdout)(params)


@dataclass(frozen=True)
class Entry:
    """One model, as sweeps, comparisons and submissions see it."""

    name: str  # its package, its MLproject entry point and its bundle job
    params: type  # the frozen dataclass declaring its parameters (mlflow_lab.params.param)
    experiment: str  # the experiment it logs to when run directly
    metric: str  # the test metric that ranks its runs
    direction: str  # "minimize" or "maximize": Optuna's words
    train: str  # "module:function", called as train(run, params, pruning[, keep_model]) -> metrics
    pruning: Pruning | None = None  # None: it trains in one step, a sweep cannot prune it
    epoch_metric: str = ""  # a metric logged once per step, drawn per run by compare; "": none
    labels: Mapping[str, str] = field(default_factory=dict)  # axis labels for params and metrics
    compute: str = "cpu"  # the bundle's cluster for it: "cpu" or "gpu"
    scoring: Scoring | None = None  # None: its models cannot go through the gate (no register_as)
    preload: str = ""  # "module:function" importing its training's libraries; "": nothing to do

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "maximize"

    def better(self, value: float, than: float | None) -> bool:
        """True when `value` beats `than` (None: nothing to beat yet)."""
        if than is None:
            return True
        return value > than if self.higher_is_better else value < than

    def trainer(self) -> Callable[..., dict[str, float]]:
        """The training function, imported now."""
        return imported(self.train)

    def takes_keep_model(self) -> bool:
        """Whether the training function can be told to skip its model (`keep_model`)."""
        import inspect

        return "keep_model" in inspect.signature(self.trainer()).parameters

    def import_libraries(self) -> None:
        """Import what the entry's training needs, by its `preload` function (if it names one)."""
        if self.preload:
            imported(self.preload)()

    def label(self, name: str) -> str:
        """A parameter's or metric's axis label: with its unit where the entry gives one."""
        return self.labels.get(name, name)
