"""The MLflow edge every entry point shares: which run to log into, and MLflow's settings.

- Under `mlflow run`, the launcher has created the run and put MLFLOW_RUN_ID (and
  MLFLOW_EXPERIMENT_ID) in the environment: resume that run, never touch its experiment.
- Run directly (`python -m <model>`), log into MLFLOW_EXPERIMENT_NAME / MLFLOW_EXPERIMENT_ID
  when either is set, else into the entry point's own default experiment.
`tracking_defaults` sets, for the project's processes (each is kept when the user set it):
- MLflow's HTTP retries wait out a tracking server's outage for up to a patience
  (`mlflow_lab.patience`); `active_run` first asks the server once, so a wrong URI fails fast.
- Keras autolog logs each epoch asynchronously. MLflow's logging thread then waits on its
  queue with a 1 s timeout, and `end_run` joins it: up to 1 s lost at the end of every
  Keras run and sweep trial. With a buffering time the thread waits on its stop event instead,
  which `end_run` sets, so the join is immediate; the epochs reach the store at most 1 s
  after they end, and all of them before the run ends. MLflow reads the setting as whole
  seconds: a fraction ("0.5") kills its logging thread and hangs the next `end_run`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from mlflow_lab.faults import signals_as_interrupts
from mlflow_lab.naming import user_named_the_launched_run

TRACKING_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",  # one attempt; the retries wait out an outage (patience)
    "MLFLOW_ASYNC_LOGGING_BUFFERING_SECONDS": "1",  # whole seconds only
}
EXPERIMENT_VARIABLES = ("MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID")


def tracking_defaults() -> None:
    """Retries that wait out a server's outage (`mlflow_lab.patience`) and a prompt end of async
    logging, keeping any value the user set."""
    from mlflow_lab.patience import retry_defaults

    for name, value in {**TRACKING_DEFAULTS, **retry_defaults()}.items():
        os.environ.setdefault(name, value)


def launched_by_mlflow_run() -> bool:
    """True when `mlflow run` (or any launcher) handed this process a run to resume."""
    return bool(os.environ.get("MLFLOW_RUN_ID"))


def relative_store_problem(uri: str | None = None) -> str:
    """Under `mlflow run`, what is wrong with a relative sqlite tracking URI ("" when nothing is).

    `mlflow run` hands its tracking URI to the entry unchanged and starts the entry in the
    project's folder (a local one, or a clone of a git URL): a relative sqlite path there is
    another file than the launcher's, whose run the entry would not find. Entries ask before
    anything opens (and so creates) a stray store. Started in the project's folder, the launcher
    has created the file there already, and the path is the same file for both.
    """
    if not launched_by_mlflow_run():
        return ""
    uri = os.environ.get("MLFLOW_TRACKING_URI", "") if uri is None else uri
    path = uri.removeprefix("sqlite:///")
    if (uri.startswith("sqlite:///") and path and not path.startswith("/") and path != ":memory:"
            and not Path(path).exists()):
        return (f"MLFLOW_TRACKING_URI={uri} is a relative path, which `mlflow run` resolves in the "
                f"project's folder ({os.getcwd()}), not where it was started: give an absolute "
                f"one, e.g. sqlite:////abs/path/{Path(path).name}")
    return ""


@contextmanager
def active_run(default_experiment: str, run_name: str | None = None) -> Iterator[mlflow.ActiveRun]:  # noqa: F821
    """Open the run to log into; an exception inside ends it FAILED, Ctrl-C or SIGTERM KILLED.

    A new run is called `run_name`; a run handed over by `mlflow run` is renamed to it only
    when the user gave the launcher no `--run-name` (`mlflow_lab.naming`).
    """
    tracking_defaults()
    import mlflow

    from mlflow_lab.patience import reach

    with signals_as_interrupts():
        problem = relative_store_problem(mlflow.get_tracking_uri())
        if problem:
            from mlflow_lab.faults import Refusal

            raise Refusal(problem)
        reach(mlflow.get_tracking_uri())  # a wrong or dead server fails here, in seconds
        with sqlite_creation_lock(mlflow.get_tracking_uri()):
            if not any(os.environ.get(name) for name in EXPERIMENT_VARIABLES):
                mlflow.set_experiment(default_experiment)
            launched = launched_by_mlflow_run()  # start_run takes MLFLOW_RUN_ID out of the environment
            run = mlflow.start_run(run_name=None if launched else run_name)
        try:
            if run_name and launched and user_named_the_launched_run() is False:
                mlflow.set_tag("mlflow.runName", run_name)
            yield run
        except BaseException as error:
            _end_run(mlflow, "KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED", error)
            raise
        mlflow.end_run("FINISHED")


@contextmanager
def sqlite_creation_lock(uri: str) -> Iterator[None]:
    """Let one process at a time make its first call to the sqlite store at `uri`.

    MLflow creates or upgrades the store's tables on a process's first call; several
    processes doing that at once on a new file fail inside alembic. Other stores: no lock.
    """
    if not uri.startswith("sqlite:///"):
        yield
        return
    database = os.path.abspath(uri.removeprefix("sqlite:///"))
    name = hashlib.sha256(database.encode()).hexdigest()[:16]
    with open(os.path.join(tempfile.gettempdir(), f"mlflow-store-{name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def absolute_uri(uri: str) -> str:
    """A relative sqlite path made absolute: a sweep's workers and executors run in other folders."""
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri.startswith(prefix + "/"):
        return prefix + os.path.abspath(uri.removeprefix(prefix))
    return uri


def log_dataset(dataset, context: str) -> None:
    """Log `dataset` as an input of the active run, even when other runs log it at that moment.

    MLflow's store looks the data set up, then inserts it if missing. Two runs logging the
    same new data set at once (a sweep's workers, two users on one server) can both find it
    missing; the second insert breaks the store's unique constraint and MLflow raises. By
    then the data set exists, so one more try links this run to it; a lasting fault fails
    the second try too and is raised.
    """
    import mlflow

    try:
        mlflow.log_input(dataset, context=context)
    except mlflow.MlflowException:
        mlflow.log_input(dataset, context=context)


def record_provenance(entry) -> None:
    """Tag the active run with what it was made from (`mlflow_lab.provenance`), in one request."""
    import mlflow

    from mlflow_lab.provenance import provenance

    mlflow.set_tags(provenance(entry.name, entry.params.__module__), synchronous=True)


def _end_run(mlflow, status: str, error: BaseException) -> None:
    """End the active run with `status` as `error` ends it, even if the tracking server is gone
    (then one try, not another patience)."""
    from mlflow_lab.patience import give_up_after

    give_up_after(error)
    with suppress(Exception):  # the server may be what failed; the exception being raised says so
        mlflow.end_run(status)


def new_params(run: mlflow.ActiveRun, params: dict[str, object]) -> dict[str, str]:  # noqa: F821
    """The params not yet on the run, as strings.

    `mlflow run` logs every `-P` value itself, as the string the user typed (`08`,
    say); logging it again as `8` would fail ("Changing param values is not allowed").
    (`run` is what the store held when the run was opened; MLFLOW_RUN_ID is gone by now.)
    """
    return {key: str(value) for key, value in params.items() if key not in run.data.params}
