"""The sweep's driver: it alone asks the study for trials, hands them out, and tells results.

Asking in one place keeps a grid exact (each cell once, however many workers) and one
worker with one seed repeatable. Up to `workers` trials are in flight; each ends with a
`tell` that closes its run, and tags saying its trial number and state.
"""

from __future__ import annotations

import queue
from typing import Any

from mlflow_lab.entries import MODELS
from mlflow_lab.naming import trial_name
from mlflow_lab.sweep.trial import Outcome, Task


class Driver:
    """One session of a study: the trials to start, the pool to run them in, the progress."""

    def __init__(self, study, storage, template: Task, distributions: dict[str, Any], progress,
                 best: float | None = None):
        self.study, self.storage, self.template = study, storage, template
        self.distributions, self.progress = distributions, progress
        self.best = best  # the best value told so far (a resumed study's too): `log_models`'s bar
        self.finished: queue.Queue[Outcome] = queue.Queue()
        self.in_flight: dict[str, Any] = {}  # trial run id -> optuna Trial
        self.outcomes: list[Outcome] = []
        self.study_id = storage.get_study_id_from_name(study.study_name)  # the parent run's id

    def run(self, pool, workers: int, count: int, cells: list[dict] | None = None) -> list[Outcome]:
        """Run `count` trials (the `cells`, in order, for a grid); return their outcomes."""
        started = 0
        try:
            while started < count or self.in_flight:
                while started < count and len(self.in_flight) < workers:
                    task = self.start(cells[started] if cells else None)
                    pool.submit(task, self.finished.put)
                    started += 1
                self.finish(self._next_outcome())
        except BaseException as error:  # Ctrl-C, SIGTERM, or the store failing: nothing left running
            from mlflow_lab.patience import give_up_after

            give_up_after(error)  # during an outage each request below would wait out the patience
            pool.abort()
            self.interrupt(interrupted=isinstance(error, KeyboardInterrupt))
            raise
        pool.close()
        return self.outcomes

    def _next_outcome(self) -> Outcome:
        while True:  # short waits, so that Ctrl-C and SIGTERM are seen at once
            try:
                return self.finished.get(timeout=0.5)
            except queue.Empty:
                continue

    def start(self, cell: dict | None) -> Task:
        """Ask the study for the next trial (a given grid cell, or the sampler's pick)."""
        if cell is not None:
            self.study.sampler.cell = cell  # sweep.cells.CellSampler
        trial = self.study.ask(fixed_distributions=self.distributions)
        run_id = self.storage.get_trial_id_from_study_id_trial_number(self.study_id, trial.number)
        setting = {**self.template.setting, **trial.params}
        name = trial_name(trial.number, MODELS[self.template.model].params(**setting))
        self.storage.tag(run_id, {"mlflow.runName": name, "sweep.trial_number": str(trial.number)})
        self.storage.flush(run_id)  # its params, tags and name in one request, before a worker opens it
        self.in_flight[run_id] = trial
        return self.template._replace(trial_id=run_id, number=trial.number, setting=setting,
                                      best_known=self.best)

    def finish(self, outcome: Outcome) -> None:
        """Tell the study how the trial ended; that also ends its run."""
        from optuna.trial import TrialState

        trial = self.in_flight.pop(outcome.task.trial_id)
        if outcome.task.prune:  # the worker reported its steps: the tell reads them from the store
            self.storage.forget(outcome.task.trial_id)
        self.label(outcome)  # queued: the tell writes the labels with the value
        if outcome.store_lost:  # a worker waited out the patience already: one try each from now on
            from mlflow_lab.patience import give_up

            give_up()
        if outcome.state == "COMPLETE":
            self.study.tell(trial, outcome.value)
            if MODELS[self.template.model].better(outcome.value, self.best):
                self.best = outcome.value
        else:
            self.study.tell(trial, state=TrialState[outcome.state])
        self.outcomes.append(outcome)
        self.progress.update(outcome)

    def label(self, outcome: Outcome, **extra: str) -> None:
        tags = {"sweep.trial_state": outcome.state, **extra}
        if outcome.pruned_after_epoch is not None:
            tags["sweep.pruned_after_epoch"] = str(outcome.pruned_after_epoch)
        if outcome.error:
            tags["sweep.error"] = outcome.error[:500]
        if outcome.model_logged is not None:
            tags["sweep.model_logged"] = str(outcome.model_logged).lower()
        self.storage.tag(outcome.task.trial_id, tags)

    def interrupt(self, interrupted: bool = True) -> None:
        """End every trial still in flight FAILED (tagged as interrupted when it was Ctrl-C)."""
        from contextlib import suppress

        from optuna.trial import TrialState

        for trial_id, trial in list(self.in_flight.items()):
            with suppress(Exception):  # the store may be what failed
                outcome = Outcome(self.template._replace(trial_id=trial_id, number=trial.number), "FAIL",
                                  error="interrupted" if interrupted else "the sweep stopped")
                self.label(outcome, **({"sweep.interrupted": "true"} if interrupted else {}))
                self.study.tell(trial, state=TrialState.FAIL)
        self.in_flight.clear()

