"""Runs that log the same new data set at the same moment, as a sweep's workers do.

MLflow's store looks a data set up and then inserts it; runs racing through that gap used
to fail on the store's unique constraint (seen in CI: a 4-worker sweep on a tracking server).
Several processes released together by a barrier, several rounds, make the race likely.
"""

from __future__ import annotations

import multiprocessing

import pytest

from tests.tracking_reads import client_for

pytestmark = pytest.mark.slow  # end to end: real processes, servers and training

PROCESSES = 4
ROUNDS = 5


def log_same_data_sets(uri: str, experiment_id: str, names: list[str], barrier, results) -> None:
    """In its own run per name, log the data set `name` the moment every process is ready."""
    import mlflow
    import pandas as pd

    from runkit.tracking import log_dataset

    mlflow.set_tracking_uri(uri)
    frame = pd.DataFrame({"age": [0.03, -0.01, 0.04], "target": [151.0, 75.0, 141.0]})
    for name in names:
        dataset = mlflow.data.from_pandas(frame, name=name, targets="target")
        with mlflow.start_run(experiment_id=experiment_id):
            barrier.wait(timeout=120)
            try:
                log_dataset(dataset, context="training")
                results.put("logged")
            except Exception as error:
                results.put(f"{type(error).__name__}: {error}".splitlines()[0])


@pytest.mark.parametrize("store", ["sqlite", "server"])
def test_runs_logging_one_new_data_set_at_once_all_finish_with_it(store, sqlite_uri, request):
    uri = sqlite_uri if store == "sqlite" else request.getfixturevalue("mlflow_server")
    names = [f"{store}-round-{n}" for n in range(ROUNDS)]
    client = client_for(uri)
    experiment_id = client.create_experiment("together")  # the store exists before the race
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
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
