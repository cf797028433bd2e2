"""Run a sweep's settings in a pool of worker processes, each as a nested child run.

Each worker process imports the entry point once and trains many settings; every setting
is a child run of the sweep's parent run, logging exactly what a single run logs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, NamedTuple

from sweep.models import TARGETS, SweepTarget


class Outcome(NamedTuple):
    """How one setting ended."""

    setting: dict[str, Any]
    run_id: str | None
    metrics: dict[str, float]
    error: str


def run_settings(target: SweepTarget, settings: list[dict[str, Any]], workers: int,
                 experiment_id: str, parent_run_id: str) -> list[Outcome]:
    """Train every setting; report progress on stderr; return the outcomes in finishing order."""
    progress = Progress(target, len(settings))
    context = multiprocessing.get_context("spawn")  # no sqlite connection crosses a fork
    with ProcessPoolExecutor(max_workers=min(workers, len(settings)), mp_context=context,
                             initializer=_start_worker) as pool:
        futures = [pool.submit(run_one, target.name, setting, experiment_id, parent_run_id)
                   for setting in settings]
        outcomes = []
        for future in as_completed(futures):
            outcomes.append(future.result())
            progress.update(outcomes[-1])
    progress.close()
    return outcomes


def _start_worker() -> None:
    """A worker logs into the child runs it creates, never into the launcher's run."""
    os.environ.pop("MLFLOW_RUN_ID", None)


def run_one(target_name: str, setting: dict[str, Any], experiment_id: str,
            parent_run_id: str) -> Outcome:
    """Train one setting in a child run of `parent_run_id`."""
    import mlflow

    target = TARGETS[target_name]
    from sweep.models import train_and_log

    try:
        with mlflow.start_run(experiment_id=experiment_id, parent_run_id=parent_run_id) as run:
            metrics = train_and_log(target_name, run, target.params(**setting))
        return Outcome(setting, run.info.run_id, metrics, "")
    except Exception as error:  # the child run is already marked FAILED
        return Outcome(setting, None, {}, f"{type(error).__name__}: {error}".splitlines()[0])


class Progress:
    """One line on stderr: settings done, the best metric so far, time elapsed and left."""

    def __init__(self, target: SweepTarget, total: int):
        self.target, self.total, self.done, self.best = target, total, 0, None
        self.start = time.monotonic()
        self.redraw = sys.stderr.isatty()

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        value = outcome.metrics.get(self.target.metric)
        if value is not None and self.target.better(value, self.best):
            self.best = value
        elapsed = time.monotonic() - self.start
        left = elapsed / self.done * (self.total - self.done)
        width = 20
        bar = "#" * (width * self.done // self.total) + "." * (width - width * self.done // self.total)
        best = "-" if self.best is None else f"{self.best:.6g}"
        line = (f"sweep [{bar}] {self.done}/{self.total} | best {self.target.metric} {best} | "
                f"{elapsed:5.0f} s elapsed, ~{left:.0f} s left")
        failed = f" | FAILED: {outcome.error}" if outcome.error else ""
        print(("\r" if self.redraw else "") + line + failed, end="" if self.redraw else "\n",
              file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.redraw:
            print(file=sys.stderr)
