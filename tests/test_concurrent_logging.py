"""Runs that log the same new data set at the same moment, as a sweep's workers do.

MLflow's store looks a data set up and then inserts it; runs racing through that gap fail
on the store's unique constraint (seen in CI: a 4-worker sweep on a tracking server). The
race is forced, not hoped for: wherever the store lives (the racing processes' own sqlite
file, or a real `mlflow server`), each data-set insert waits until every racer has looked
the data set up and found it missing (tests/dataset_race.py), so every round all but one
racer hit the constraint.
"""

from __future__ import annotations

import multiprocessing
import os

import pytest

from tests.dataset_race import PARTIES_VARIABLE, hold_inserts
from tests.processes import REPO, start_mlflow_server, stop
from tests.tracking_reads import client_for

pytestmark = pytest.mark.slow  # end to end: real processes, servers and training

PROCESSES = 4
ROUNDS = 2


def log_same_data_sets(uri: str, experiment_id: str, names: list[str], barrier, results) -> None:
    """In its own run per name, log the data set `name`; inserts wait at `barrier` when given."""
    import mlflow
    import pandas as pd

    from mlflow_lab.tracking import log_dataset

    if barrier is not None:  # the store is this process's own sqlite file
        hold_inserts(lambda: barrier.wait(timeout=120))
    mlflow.set_tracking_uri(uri)
    frame = pd.DataFrame({"age": [0.03, -0.01, 0.04], "target": [151.0, 75.0, 141.0]})
    for name in names:
        dataset = mlflow.data.from_pandas(frame, name=name, targets="target")
        with mlflow.start_run(experiment_id=experiment_id):
            try:
                log_dataset(dataset, context="training")
                results.put("logged")
            except Exception as error:
                results.put(f"{type(error).__name__}: {error}".splitlines()[0])


@pytest.fixture
def racing_server(tmp_path):
    """A real `mlflow server` whose data-set inserts wait for PROCESSES request threads."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "tests" / "dataset_race_site"),
                                                       str(REPO)]),
               **{PARTIES_VARIABLE: str(PROCESSES)})
    process, url = start_mlflow_server(tmp_path, env=env)
    try:
        yield url
    finally:
        stop(process)


@pytest.mark.parametrize("store", ["sqlite", "server"])
def test_runs_logging_one_new_data_set_at_once_all_finish_with_it(store, request):
    uri = request.getfixturevalue("sqlite_uri" if store == "sqlite" else "racing_server")
    names = [f"{store}-round-{n}" for n in range(ROUNDS)]
    client = client_for(uri)
    experiment_id = client.create_experiment("together")  # the store exists before the race
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES) if store == "sqlite" else None
    results = context.Queue()
    arguments = (uri, experiment_id, names, barrier, results)
    processes = [context.Process(target=log_same_data_sets, args=arguments) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=300) for _ in range(PROCESSES * ROUNDS)]
    for process in processes:
        process.join(timeout=60)
    assert [o for o in outcomes if o != "logged"] == []

    runs = client.search_runs([experiment_id], "attributes.status = 'FINISHED'",
                              max_results=1000)
    inputs = [d.dataset.name for run in runs for d in run.inputs.dataset_inputs
              if d.dataset.name in names]
    assert sorted(inputs) == sorted(names * PROCESSES)
