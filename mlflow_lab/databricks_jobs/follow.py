"""Following a Databricks job run to its end, and ending its MLflow run to match.

The entry point ends the MLflow run itself when it gets to run. When the job ends before
that (a library that will not install, a checkout that fails, a lost cluster, a bad
parameter) or is cancelled, the run would stay RUNNING: following ends it FAILED (the
job's termination message as tag `databricks.termination`) or KILLED. Ctrl-C while
following cancels the job run.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

CANCELLED = {"CANCELED", "SKIPPED"}
DEFAULT_POLL_SECONDS = 30


class Ending(NamedTuple):
    """How a job run ended, in MLflow's words."""

    status: str  # FINISHED, FAILED or KILLED
    message: str  # the job's termination code and message, one line; empty on success


def ending(run) -> Ending | None:
    """The job run's ending from `jobs.get_run`, or None while it is not over."""
    status = run.status
    if status is None or status.state is None or status.state.value != "TERMINATED":
        return None
    details = status.termination_details
    code = details.code.value if details and details.code else "SUCCESS"
    message = " ".join((details.message or "").split()) if details else ""
    if code == "SUCCESS":
        return Ending("FINISHED", "")
    return Ending("KILLED" if code in CANCELLED else "FAILED", f"{code}: {message}" if message else code)


def poll_seconds() -> float:
    return float(os.environ.get("DBJOBS_POLL_SECONDS", DEFAULT_POLL_SECONDS))


def follow(workspace, job_run_id: int, run_id: str) -> Ending:
    """Wait for the job run to end; end the MLflow run to match."""
    last = None
    while True:
        run = workspace.jobs.get_run(job_run_id)
        state = run.status.state.value if run.status and run.status.state else "UNKNOWN"
        if state != last:
            print(f"databricks: job run {job_run_id} {state}", file=sys.stderr, flush=True)
            last = state
        result = ending(run)
        if result is not None:
            break
        time.sleep(poll_seconds())
    finish(run_id, result)
    return result


@contextmanager
def cancelled_on_interrupt(workspace, job_run_id: int, run_id: str) -> Iterator[None]:
    """Ctrl-C inside the block cancels the job run and ends the MLflow run KILLED."""
    try:
        yield
    except KeyboardInterrupt:
        workspace.jobs.cancel_run(job_run_id)
        finish(run_id, Ending("KILLED", "cancelled with Ctrl-C while following"))
        print(f"databricks: job run {job_run_id} cancelled; MLflow run {run_id} ended KILLED",
              file=sys.stderr)
        raise


def finish(run_id: str, result: Ending) -> None:
    """End the MLflow run as the job ended, unless the entry point already ended it."""
    import mlflow

    client = mlflow.MlflowClient()
    if result.message:
        client.set_tag(run_id, "databricks.termination", result.message[:5000])
    if client.get_run(run_id).info.status in ("RUNNING", "SCHEDULED"):
        client.set_terminated(run_id, result.status)
