"""Carrying on a sweep that was stopped: find its study run, close what it left open.

A sweep records its plan on its parent run (`sweep.plan`, JSON), so a resumed sweep runs
the same space, sampler, trial count, seed and pruning. Trials it left RUNNING (or
enqueued) end FAILED, tagged `sweep.interrupted`, and so does a trial run the store lost the
tags of (`stranded`); finished trials are kept.
"""

from __future__ import annotations

OPEN_STATUSES = ("RUNNING", "SCHEDULED")
SETTLED_AFTER_MS = 10_000  # a trial run still without its tags this long after its start is stranded


class ResumeError(ValueError):
    """The run cannot be resumed; the message is one line."""


def stored_plan(client, run_id: str, model: str) -> tuple[object, str]:
    """The sweep run `run_id` and the plan it stored (JSON); refuses anything else."""
    from mlflow.exceptions import MlflowException

    try:
        run = client.get_run(run_id)
    except MlflowException:
        raise ResumeError(f"argument --resume: no run with id {run_id!r} in this tracking store") from None
    if "sweep.plan" not in run.data.params:
        raise ResumeError(f"argument --resume: run {run_id} is not a sweep (it has no sweep.plan)")
    swept = run.data.params.get("sweep.model")
    if swept != model:
        raise ResumeError(f"argument --resume: run {run_id} is a sweep of {swept}, not {model} "
                          f"(pass -P model={swept})")
    return run, run.data.params["sweep.plan"]


def close_leftovers(client, run) -> int:
    """End the trials the interrupted sweep left open FAILED; return how many."""
    children = client.search_runs(
        [run.info.experiment_id], f"tags.mlflow.parentRunId = '{run.info.run_id}'", max_results=50000)
    closed = 0
    for child in [*children, *stranded(client, run)]:
        if child.info.status in OPEN_STATUSES:
            client.set_tag(child.info.run_id, "sweep.interrupted", "true")
            client.set_tag(child.info.run_id, "sweep.trial_state", "FAIL")
            client.set_terminated(child.info.run_id, "FAILED")
            closed += 1
    return closed


def stranded(client, run) -> list:
    """Trial runs the store lost the tags of: created, then the server went away.

    `MlflowStorage` creates a trial's run with one tag (`param_directions`) and sends its parent
    and number tags in a second request; a server gone in between leaves a RUNNING run that
    names no study. Those of this experiment started since the sweep, and older than a few
    seconds (a live sweep's run gets its tags in milliseconds), are this sweep's.
    """
    import time

    started = run.info.start_time or 0
    now = int(time.time() * 1000)
    candidates = client.search_runs([run.info.experiment_id], "attributes.status = 'RUNNING'",
                                    max_results=50000)
    return [found for found in candidates
            if "param_directions" in found.data.tags and "mlflow.parentRunId" not in found.data.tags
            and "numbers" not in found.data.tags and started <= (found.info.start_time or 0)
            <= now - SETTLED_AFTER_MS]
