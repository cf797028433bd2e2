"""Where a sweep's trials run: a pool of local worker processes, or Spark executors.

Both take a `Task`, run `sweep.trial.run_trial` on it somewhere (the local pool lives in
`sweep.workers`), and hand the `Outcome` to a callback on the driver. `abort()` stops whatever
is still training (Ctrl-C, SIGTERM).

Both start before the driver imports MLflow and sets up the study (`start_early`): Spark's
JVM takes seconds to start, and the fork server the local workers come from spends seconds
importing MLflow and the model's libraries. That setup and those imports then share the
machine's cores instead of following one another.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

from mlflow_lab.spark import check_spark, is_connect_session, session_kind, spark_session
from mlflow_lab.sweep.trial import (
    Outcome,
    Task,
    one_line,
    outcome_from_text,
    run_trial_rows,
    task_text,
)
from mlflow_lab.sweep.workers import LocalPool

Done = Callable[[Outcome], None]
ABORT_GRACE_S = 30  # how long Ctrl-C waits for the running trials' Spark jobs to be cancelled


class SparkPool:
    """Each trial is one Spark task; `workers` trials run at once on the executors.

    One code path for classic Spark and Spark Connect (which has no SparkContext): a one-row
    DataFrame holding the task, through `mapInPandas`. The project's code reaches the
    executors as a zip: `addPyFile` on classic, `addArtifacts(pyfile=True)` on Connect.
    """

    def __init__(self, workers: int, starting: Future | None = None, where: str = "spark"):
        self.session, self.owned = (starting or start_spark(workers, where)).result()
        self.connect = is_connect_session(self.session)  # the session says, not the environment
        self.kind = session_kind(self.session)
        self.folder = tempfile.mkdtemp(prefix="sweep-code-")
        code = package_zip(Path(self.folder) / "project.zip")
        if self.connect:
            self.session.addArtifacts(code, pyfile=True)
        else:
            self.session.sparkContext.setLogLevel("ERROR")
            self.session.sparkContext.addPyFile(code)
        self.stopping = threading.Event()
        self.running: set[threading.Thread] = set()
        self.lock = threading.Lock()

    def submit(self, task: Task, done: Done) -> None:
        """Run the trial's Spark job from a thread of its own (the driver keeps `workers` in flight).

        Daemon threads: a job that Spark never answers cannot keep the process from exiting.
        """
        thread = threading.Thread(target=self._run, args=(task, done), name="spark-trial", daemon=True)
        with self.lock:
            self.running.add(thread)
        thread.start()

    def _run(self, task: Task, done: Done) -> None:
        try:
            if self.stopping.is_set():
                raise KeyboardInterrupt("the sweep was stopped before this trial's Spark job started")
            tasks = self.session.createDataFrame([(task_text(task),)], "task string")
            [row] = tasks.mapInPandas(run_trial_rows, "outcome string").collect()
            outcome = outcome_from_text(task, row.outcome)
        except (Exception, KeyboardInterrupt) as error:  # never reported: executor lost, job cancelled
            outcome = Outcome(task, "FAIL", error=one_line(error))
        finally:
            with self.lock:
                self.running.discard(threading.current_thread())
        done(outcome)

    def busy(self) -> bool:
        with self.lock:
            return bool(self.running)

    def close(self) -> None:
        while self.busy():
            time.sleep(0.1)
        self._stop()

    def abort(self) -> None:
        """Cancel the running trials' jobs (Ctrl-C on the driver does not stop Spark tasks).

        A trial's thread may be about to submit its job as the first cancel goes out, so the
        cancel is repeated until no trial is left, for at most ABORT_GRACE_S; only then is the
        session stopped (stopping it under a job being submitted can leave that job unanswered).
        """
        self.stopping.set()
        deadline = time.monotonic() + ABORT_GRACE_S
        try:
            while True:
                with suppress(Exception):  # a JVM or Connect channel already gone has nothing to cancel
                    if self.connect:
                        self.session.interruptAll()
                    else:
                        self.session.sparkContext.cancelAllJobs()
                if not self.busy() or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
        finally:
            with suppress(Exception):
                self._stop()

    def _stop(self) -> None:
        if self.owned:
            self.session.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_early(plan) -> Future | LocalPool | None:
    """Start what will run `plan`'s trials: a Spark session on its way, or the local workers.

    A resumed sweep's local pool waits for the driver, which alone knows how many trials
    are still owed (and so how many workers are worth starting).
    """
    from mlflow_lab.sweep.space import grid

    params = plan.params
    if params.backend != "local":
        return start_spark(plan.workers, params.backend)
    if params.resume:
        return None
    planned = len(grid(plan.space)) if plan.sampler == "grid" else params.trials
    return LocalPool(max(min(plan.workers, planned), 1), params.model)


def start_spark(workers: int, where: str = "spark") -> Future:
    """Start Spark in the background (its JVM takes seconds), while the driver sets up the study."""
    check_spark(where)
    starter = ThreadPoolExecutor(1, thread_name_prefix="spark-start")
    return starter.submit(spark_session, workers, "sweep", where)


def package_zip(path: Path) -> str:
    """The project's packages as one zip for executors' sys.path; returns its path."""
    import importlib.util

    from mlflow_lab.entries import PACKAGES

    with zipfile.ZipFile(path, "w") as archive:
        for package in ("mlflow_lab", *PACKAGES):  # what executors import for a trial
            folder = Path(importlib.util.find_spec(package).origin).parent  # a checkout's or site-packages'
            for file in folder.rglob("*.py"):
                archive.write(file, file.relative_to(folder.parent))
    return str(path)


def make_backend(name: str, workers: int, model: str, starting: Future | LocalPool | None = None):
    """The pool that runs `model`'s trials; `starting`: what `start_early` started, if anything."""
    if name == "local":
        return starting if starting is not None else LocalPool(workers, model)
    return SparkPool(workers, starting, name)


def discard(starting: Future | LocalPool | None) -> None:
    """Stop a local pool `start_early` started, if the driver never got to close it."""
    if isinstance(starting, LocalPool):
        starting.abort()
