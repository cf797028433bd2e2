"""Resuming a sweep: which cells are still owed, and how wide a resumed cluster sweep runs."""

from __future__ import annotations

from concurrent.futures import Future

import optuna
from optuna.trial import TrialState, create_trial

from mlflow_lab.sweep.plan import parse_args
from mlflow_lab.sweep.session import owed
from mlflow_lab.sweep.space import distributions, grid


def test_a_resumed_grid_owes_neither_its_finished_nor_its_pruned_cells():
    plan = parse_args(["--model", "mnist", "--num_hidden_units", "16,32,64", "--prune", "true"])
    known = distributions(plan.space)
    study = optuna.create_study()
    states = {16: TrialState.COMPLETE, 32: TrialState.PRUNED, 64: TrialState.FAIL}
    for cell in grid(plan.space):
        state = states[cell["num_hidden_units"]]
        study.add_trial(create_trial(params=cell, distributions=known, state=state,
                                     value=0.9 if state == TrialState.COMPLETE else None,
                                     intermediate_values={0: 0.5}))
    owed_cells, count = owed(plan, study)
    assert [cell["num_hidden_units"] for cell in owed_cells] == [64] and count == 1


def test_a_resumed_sweep_on_a_cluster_runs_as_wide_as_the_cluster(sqlite_uri, monkeypatch):
    """workers=auto on a cluster is its parallelism, for a resumed sweep as for a new one."""
    import mlflow

    import mlflow_lab.spark
    import mlflow_lab.sweep.session as session_module
    from mlflow_lab.sweep.session import record, run_session
    from mlflow_lab.sweep.study import mark_as_study

    mlflow.set_tracking_uri(sqlite_uri)
    client = mlflow.MlflowClient()
    experiment = client.create_experiment("resume")
    cluster = ["--backend", "spark://127.0.0.1:7077", "--workers", "auto"]
    first = parse_args(["--model", "diab", "--max_depth", "3,4", *cluster])
    stopped = client.create_run(experiment).info.run_id
    record(client, first, stopped)
    mark_as_study(client, stopped, first.target.direction)
    client.set_terminated(stopped, "FAILED")

    monkeypatch.setattr(mlflow_lab.spark, "parallelism", lambda session: 7)
    ran_with = []
    monkeypatch.setattr(session_module, "run_study", lambda plan, *args, **kwargs: ran_with.append(plan))
    starting: Future = Future()
    starting.set_result((object(), False))  # the cluster's session, as start_early hands it over
    resuming = parse_args(["--model", "diab", "--resume", stopped, *cluster])
    run_session(resuming, client.create_run(experiment), client, starting)
    [plan] = ran_with
    assert plan.workers == 7


def test_resume_closes_a_trial_run_the_store_lost_the_tags_of(sqlite_uri):
    """A server gone between MlflowStorage's create_run and its tags leaves a RUNNING run naming
    no study (seen when a server was stopped mid-sweep); resume ends it FAILED, and only it."""
    import time

    import mlflow

    from mlflow_lab.sweep.resume import close_leftovers

    client = mlflow.MlflowClient(tracking_uri=sqlite_uri)
    experiment = client.create_experiment("stranded")
    now = int(time.time() * 1000)
    study = client.create_run(experiment, start_time=now - 120_000)
    lost = client.create_run(experiment, start_time=now - 60_000, tags={"param_directions": "{}"})
    other = client.create_run(experiment, start_time=now - 60_000,
                              tags={"param_directions": "{}", "mlflow.parentRunId": "another-study"})
    creating = client.create_run(experiment, tags={"param_directions": "{}"})  # a live sweep's, just made
    before = client.create_run(experiment, start_time=now - 600_000, tags={"param_directions": "{}"})
    assert close_leftovers(client, client.get_run(study.info.run_id)) == 1
    made = {"lost": lost, "other": other, "creating": creating, "before": before}
    statuses = {name: client.get_run(found.info.run_id).info.status for name, found in made.items()}
    assert statuses == {"lost": "FAILED", "other": "RUNNING", "creating": "RUNNING", "before": "RUNNING"}
