"""A sweep's local worker processes: forked from one process that imported the model, each
trains trial after trial.

A worker that dies (SIGKILL from the kernel's out-of-memory killer, a crash in native code)
fails only the trial it held, with one line saying how it died, and a new worker takes its
place for the trials still to come. The standard pools do not allow that: `multiprocessing.Pool`
never reports the task a dead worker held (its result never comes, and the sweep waits
forever), and `concurrent.futures.ProcessPoolExecutor` fails every task in flight and stops
every other worker when one dies, without saying which one or how. So each worker here is a
`multiprocessing` process of its own with a pipe, served by one thread of the driver that
waits on the pipe and on the process's sentinel together. The processes come from
multiprocessing's fork server, which imports MLflow and the model's libraries once for all of
them (and for a worker started again), while the driver sets up the study; a worker takes the
driver's environment as it is when the worker starts, as a spawned one would.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.forkserver
import os
import queue
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from multiprocessing.connection import Connection, wait
from typing import Any

from mlflow_lab.sweep.trial import Outcome, Task, one_line, run_trial

STOP_GRACE_S = 10  # how long a stopped or terminated worker may take to exit before it is killed
SERVER_LOST = 255  # the exit code a fork server's child reads as when the server itself died
PRELOAD_VARIABLE = "MLFLOW_LAB_SWEEP_PRELOAD"  # the model the fork server imports (sweep.preload)
OOM_HINT = "as the kernel's out-of-memory killer does"


class WorkerError(Exception):
    """What a worker's call raised, as one line (`Type: message`), or how the worker died."""


class LocalPool:
    """Worker processes on this machine; `submit` hands a trial to the next free one."""

    def __init__(self, workers: int, model: str):
        self.context = forking_context(model)
        self.model = model
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.stopping = threading.Event()
        self.slots = [Slot(self) for _ in range(workers)]

    def submit(self, task: Task, done: Callable[[Outcome], None]) -> None:
        """Train `task` on a worker; `done` gets its outcome (FAIL when the worker died)."""

        def report(future: Future) -> None:
            error = future.exception()
            done(Outcome(task, "FAIL", error=str(error)) if error else future.result())

        self.call(run_trial, task).add_done_callback(report)

    def call(self, function: Callable, *args: Any) -> Future:
        """Run `function(*args)` on the next free worker (it must pickle by reference)."""
        future: Future = Future()
        self.jobs.put((function, args, future))
        return future

    def close(self) -> None:
        """Let the workers finish what they were given, then stop them."""
        for _ in self.slots:
            self.jobs.put(None)
        for slot in self.slots:
            slot.thread.join()

    def abort(self) -> None:
        """Stop every worker now, whatever it is training (Ctrl-C, SIGTERM)."""
        self.stopping.set()
        for _ in self.slots:
            self.jobs.put(None)
        for slot in self.slots:  # a slot still starting its worker stops it once started
            if slot.process is not None:
                slot.process.terminate()
        for slot in self.slots:  # each thread fails what it held, then stops its worker
            slot.thread.join(STOP_GRACE_S * 2)


class Slot:
    """One worker process, started again when it dies, and the driver's thread that serves it."""

    def __init__(self, pool: LocalPool):
        self.pool = pool
        self.process = self.connection = None  # the thread starts it (a fork server's first waits)
        self.thread = threading.Thread(target=self.serve, name="sweep-worker", daemon=True)
        self.thread.start()

    def start_process(self) -> None:
        """Start a worker with the driver's environment as it is now; a start that fails leaves
        the slot without one. A worker started as the pool is aborted is stopped at once."""
        ours, theirs = self.pool.context.Pipe()
        process = self.pool.context.Process(target=work, args=(theirs, self.pool.model, dict(os.environ)),
                                            daemon=True)
        try:
            process.start()
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.process, self.connection = process, ours
        if self.pool.stopping.is_set():
            process.terminate()

    def serve(self) -> None:
        """Start the worker, hand it each job; fail a job whose worker died, and start another."""
        with suppress(Exception):  # each job then starts it again, and fails saying why
            self.start_process()
        while (job := self.pool.jobs.get()) is not None:
            function, args, future = job
            if self.pool.stopping.is_set():
                future.set_exception(WorkerError("the sweep was stopped before this trial started"))
                continue
            try:
                if self.process is None or not self.process.is_alive():  # never started, or died between jobs
                    self.replace()
                ok, value = self.run(function, args)
            except Exception as error:  # the future must be answered, or the driver waits forever
                ok, value = False, one_line(error)
            if ok:
                future.set_result(value)
            else:
                future.set_exception(WorkerError(value))
        self.stop()

    def run(self, function: Callable, args: tuple) -> tuple[bool, Any]:
        """`(True, result)`, `(False, one line)` for what it raised, or for how its worker died."""
        try:
            self.connection.send((function, args))
            ready = wait([self.connection, self.process.sentinel])
            if self.connection in ready:
                return self.connection.recv()
        except (EOFError, OSError):  # the pipe broke as the worker died
            pass
        self.process.join(STOP_GRACE_S)
        death = f"its worker process (pid {self.process.pid}) died: {how(self.process.exitcode)}"
        if self.process.exitcode == SERVER_LOST:  # the worker may live on: no orphan trains on
            with suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
        if not self.pool.stopping.is_set():
            self.replace()
        return False, death

    def replace(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.process = self.connection = None
        self.start_process()

    def stop(self) -> None:
        """Ask the worker to exit, and make sure it has."""
        if self.process is None:
            return
        with suppress(OSError, ValueError):  # already gone, or the pipe closed
            self.connection.send(None)
        self.process.join(STOP_GRACE_S)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def how(exitcode: int | None) -> str:
    """How a process ended, from its exit code: `killed by SIGKILL (...)`, `exit code 3`."""
    if exitcode is None:
        return "it stopped answering"
    if exitcode < 0:
        name = signal.Signals(-exitcode).name
        return f"killed by {name} ({OOM_HINT})" if name == "SIGKILL" else f"killed by {name}"
    return f"exit code {exitcode}"


def work(connection: Connection, model: str, environment: dict[str, str]) -> None:
    """A worker's life: take the driver's `environment` (a fork has its server's), import what
    trials need, then run each call it is sent until told to stop."""
    os.environ.clear()
    os.environ.update(environment)
    prepare(model)
    while True:
        try:
            message = connection.recv()
        except EOFError:  # the driver is gone
            return
        if message is None:
            return
        function, args = message
        try:
            reply = (True, function(*args))
        except Exception as error:
            reply = (False, one_line(error))
        connection.send(reply)


def forking_context(model: str):
    """The multiprocessing context the workers start in: a fork server that imported `model`'s
    trial code once (see `mlflow_lab.sweep.preload`), or spawn where there is no fork server.

    Each worker is then a fork of a process that has MLflow and the model's libraries loaded
    and has opened no store (no sqlite connection crosses a fork), instead of a new interpreter
    importing them all again. The fork server is one per driver process and starts with the
    first worker; a later pool of another model imports what its model needs in each worker.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["mlflow_lab.sweep.preload"])
    os.environ[PRELOAD_VARIABLE] = model  # only while the server starts: the workers get the driver's
    try:
        multiprocessing.forkserver.ensure_running()  # returns once started; its imports go on
    finally:
        del os.environ[PRELOAD_VARIABLE]
    return context


def import_trial_code(model: str) -> None:
    """Import what `model`'s trials need, the model's libraries first (its CLI's order)."""
    from mlflow_lab.entries import MODELS

    entry = MODELS[model]
    entry.import_libraries()
    import mlflow  # noqa: F401
    import optuna  # noqa: F401

    import mlflow_lab.sweep.trial  # noqa: F401

    entry.trainer()


def prepare(model: str) -> None:
    """Ignore Ctrl-C, then import what the trials need (already there in a fork of the fork
    server) and open the store.

    Ctrl-C reaches the whole process group; the driver alone decides what happens then. An
    import that fails here is left for the first trial to fail on and report. What the imports
    created is then frozen out of the collector's walks (as `mlflow_lab.startup.exit_with` does
    at exit), so a worker ends sooner after its last trial.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import_trial_code(model)
        open_store()
    except Exception:  # noqa: S110 (the first trial reports it)
        pass
    gc.freeze()


def open_store() -> None:
    """Open the sqlite store the trials will log to, while the driver still sets up the study.

    Opening one costs a process seconds (its engine and the schema check); MLflow keeps one
    store per URI, so the worker's first trial finds it open. The URI is the one the driver
    hands its trials (`absolute_uri` of this environment's); other stores cost little to open.
    """
    import mlflow

    from mlflow_lab.tracking import absolute_uri, sqlite_creation_lock

    uri = absolute_uri(mlflow.get_tracking_uri())
    if uri.startswith("sqlite:"):
        with sqlite_creation_lock(uri):  # the driver may be creating its tables right now
            mlflow.MlflowClient(tracking_uri=uri).search_experiments(max_results=1)
