"""One session of a sweep: start a study on the parent run, or carry on a stopped one.

It runs the trials still owed (every grid cell not finished, or `trials` less those
finished or pruned), then tags the study run with the best trial over ALL its trials,
and registers that model only when no trial of this session failed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from mlflow_lab.sweep.trial import Task


def run_session(plan, session, client, starting=None):
    """Run the plan in the launcher's run `session`; return the best trial's run.

    `starting`: what `sweep.backends.start_early` started before MLflow's import (a Spark
    session on its way, or the local workers), or None.
    """
    from mlflow_lab.sweep.plan import from_stored
    from mlflow_lab.sweep.resume import ResumeError, stored_plan
    from mlflow_lab.sweep.space import parse_space
    from mlflow_lab.sweep.study import mark_as_study

    if not plan.params.resume:
        plan = sized_for_cluster(plan, starting)
        record(client, plan, session.info.run_id)
        mark_as_study(client, session.info.run_id, plan.target.direction)
        return run_study(plan, session, client, resumed=False, starting=starting)
    try:
        study_run, stored = stored_plan(client, plan.params.resume, plan.params.model)
        resumed = from_stored(stored, plan.params)
        if plan.given and parse_space(plan.target.params, plan.given) != parse_space(
                resumed.target.params, resumed.given):
            raise ResumeError("argument --resume: a resumed sweep keeps the space it was started with "
                              f"({describe(resumed.given)}); drop the model parameters or give the same")
    except ResumeError as error:
        print(f"sweep: error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    resumed = sized_for_cluster(resumed, starting)  # its workers are this session's, as auto reads here
    client.set_tag(session.info.run_id, "sweep.resumed_run_id", study_run.info.run_id)
    print(f"sweep: resuming {study_run.info.run_id} ({describe(resumed.given)})", file=sys.stderr)
    with reopened(client, study_run.info.run_id):
        return run_study(resumed, study_run, client, resumed=True, starting=starting)


def sized_for_cluster(plan, starting):
    """`workers=auto` on a cluster is its parallelism (up to MAX_WORKERS), not this machine's cores."""
    from mlflow_lab.spark import is_local, parallelism
    from mlflow_lab.sweep.params import MAX_WORKERS

    backend = plan.params.backend
    if backend == "local" or starting is None or plan.params.workers != "auto" or is_local(backend):
        return plan
    return plan._replace(workers=min(parallelism(starting.result()[0]), MAX_WORKERS))


def describe(given: dict[str, str]) -> str:
    """A space as the user gave it: `max_depth=4,6,8 n_estimators=100,200`."""
    return " ".join(f"{name}={text}" for name, text in given.items())


def record(client, plan, run_id: str) -> None:
    """The sweep's settings on its parent run: what it searches and how, to compare and resume."""
    from mlflow.entities import Param, RunTag

    from mlflow_lab.provenance import provenance
    from mlflow_lab.spark import shown
    from mlflow_lab.sweep.space import as_text

    params = plan.params
    values = {"sweep.model": params.model, "sweep.plan": plan.stored(), "sweep.sampler": plan.sampler,
              "sweep.trials": params.trials, "sweep.workers": plan.workers,
              "sweep.backend": shown(params.backend),
              "sweep.sampler_seed": params.sampler_seed, "sweep.prune": params.prune,
              "sweep.pruner": params.pruner, "sweep.log_models": params.log_models,
              **{f"sweep.space.{name}": as_text(values) for name, values in plan.space.items()}}
    tags = {"sweep.settings": plan.sampler, **provenance(params.model, plan.target.params.__module__)}
    client.log_batch(run_id, params=[Param(k, str(v)) for k, v in values.items()],
                     tags=[RunTag(k, v) for k, v in tags.items()], synchronous=True)


@contextmanager
def reopened(client, run_id: str) -> Iterator[None]:
    """The resumed study run is RUNNING again inside the block and ends as the block does."""
    client.update_run(run_id, status="RUNNING")
    try:
        yield
    except BaseException as error:
        from mlflow_lab.patience import give_up_after

        give_up_after(error)  # the store may be what failed: one try to end the run
        client.set_terminated(run_id, "KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED")
        raise
    client.set_terminated(run_id, "FINISHED")


def run_study(plan, study_run, client, resumed: bool, starting=None):
    """Run the trials still owed, tag the best, register it; exits 1 when a trial failed."""
    import mlflow

    from mlflow_lab.credentials import executor_uri, of_driver
    from mlflow_lab.patience import patience
    from mlflow_lab.sweep.backends import make_backend
    from mlflow_lab.sweep.driver import Driver
    from mlflow_lab.sweep.progress import Progress
    from mlflow_lab.sweep.resume import close_leftovers
    from mlflow_lab.sweep.space import distributions
    from mlflow_lab.sweep.study import load_study, make_pruner, make_sampler, study_name
    from mlflow_lab.tracking import absolute_uri

    params, target = plan.params, plan.target
    run_id, experiment_id = study_run.info.run_id, study_run.info.experiment_id
    if resumed:
        close_leftovers(client, study_run)
    prune = params.prune == "true"
    steps = max_steps(plan.space, target)
    sampler = make_sampler(plan.sampler, params.sampler_seed)
    pruner = make_pruner(params.pruner, prune, steps)
    study, storage = load_study(study_name(run_id), experiment_id, sampler, pruner, driver=True)
    cells, count = owed(plan, study)
    tracking_uri = absolute_uri(mlflow.get_tracking_uri())
    credentials = of_driver(tracking_uri)
    template = Task(params.model, "", -1, {}, study_name(run_id), experiment_id,
                    executor_uri(tracking_uri, credentials), prune, params.pruner, steps, credentials,
                    patience(), params.log_models)
    best = best_trial_run(client, study_run, target) if resumed else None  # a new study has none
    best_value = best.data.metrics[target.metric] if best else None
    progress = Progress(target, count, best_value)
    driver = Driver(study, storage, template, distributions(plan.space), progress, best_value)
    try:
        outcomes = []
        if count:
            pool = make_backend(params.backend, min(plan.workers, count), params.model, starting)
            if getattr(pool, "kind", None):  # which Spark the trials ran on, as the session said
                client.set_tag(run_id, "sweep.spark", pool.kind)
            outcomes = driver.run(pool, plan.workers, count, cells)
    finally:
        progress.close()
    best = best_trial_run(client, study_run, target)
    if best is not None:
        client.set_tag(run_id, "best_run_id", best.info.run_id)
        client.log_metric(run_id, f"best_{target.metric}", best.data.metrics[target.metric])
    failed = sum(outcome.state == "FAIL" for outcome in outcomes)
    if failed or best is None:
        client.set_tag(run_id, "sweep.failed", str(failed))
        print(f"sweep: error: {failed} of {len(outcomes)} trials failed; nothing registered", file=sys.stderr)
        raise SystemExit(1)
    if params.register_as:
        register_best(plan, best)
    return best


def owed(plan, study) -> tuple[list[dict] | None, int]:
    """The grid cells neither finished nor pruned yet, or how many more trials a search needs.

    A pruned cell is done: the pruner judged it, and training it again would cost what pruning saved.
    """
    from optuna.trial import TrialState

    from mlflow_lab.sweep.space import grid

    if plan.sampler == "grid":
        settled = study.get_trials(states=(TrialState.COMPLETE, TrialState.PRUNED))
        done = {tuple(sorted(t.params.items())) for t in settled}
        cells = [cell for cell in grid(plan.space) if tuple(sorted(cell.items())) not in done]
        return cells, len(cells)
    finished = study.get_trials(states=(TrialState.COMPLETE, TrialState.PRUNED))
    return None, max(plan.params.trials - len(finished), 0)


def max_steps(space: dict, target) -> int:
    """The most steps (epochs) any trial trains: the hyperband pruner's budget; 1 without pruning."""
    from mlflow_lab.params import declared
    from mlflow_lab.sweep.space import Range

    if target.pruning is None:
        return 1
    values = space.get(target.pruning.steps)
    if values is None:
        defaults = {item.name: item.default for item in declared(target.params)}
        return int(defaults[target.pruning.steps])
    return int(values.high if isinstance(values, Range) else max(values))


def best_trial_run(client, study_run, target):
    """The study's best finished trial run, or None."""
    order = "DESC" if target.higher_is_better else "ASC"
    runs = client.search_runs(
        [study_run.info.experiment_id],
        f"tags.mlflow.parentRunId = '{study_run.info.run_id}' and attributes.status = 'FINISHED'",
        order_by=[f"metrics.`{target.metric}` {order}"], max_results=1)
    return runs[0] if runs and target.metric in runs[0].data.metrics else None


def register_best(plan, best) -> None:
    """Send the best trial's model through the promotion gate, scored on its own held-out rows."""
    from mlflow_lab.gate import register_run
    from mlflow_lab.params import from_logged

    target = plan.target
    trained_with = from_logged(target.params, best.data.params, prog=target.name)
    decision = register_run(target, best.info.run_id, trained_with, plan.params.register_as,
                            plan.params.min_improvement, plan.params.require_reproduced == "true")
    print(decision.line(), file=sys.stderr)
