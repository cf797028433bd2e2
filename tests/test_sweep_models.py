"""Which trials of a sweep log their model (`log_models`): improving (the default), all, none.

With `improving` a trial logs its model when its value is at least as good as the best value
known when the driver handed it out, so the best trial always has its model; every trial still
logs its params, metrics, data set and tags. Real `python -m mlflow_lab.sweep` runs on the local
pool; tests/test_sweep_study.py checks the same on a real local Spark.
"""

from __future__ import annotations

import pytest

from tests.processes import project_env, run
from tests.tracking_reads import all_runs, client_for, logged_models

pytestmark = pytest.mark.slow
# Deep forests first, then shallow ones: the later cells cannot beat the best, so they keep no model.
GRID = ["--model", "diab", "--max_depth", "8,2", "--n_estimators", "10,5", "--max_features", "4"]


def sweep(uri: str, cwd, *args: str):
    done = run(["python", "-m", "mlflow_lab.sweep", *GRID, *args], project_env(uri), cwd=cwd, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    client = client_for(uri)
    [parent] = [r for r in all_runs(client) if "sweep.plan" in r.data.params]
    children = [r for r in all_runs(client) if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    trials = sorted(children, key=lambda r: int(r.data.tags["sweep.trial_number"]))
    assert len(trials) == 4 and {t.info.status for t in trials} == {"FINISHED"}
    return client, parent, trials


def models_of(client, trials) -> list[int]:
    """How many models each trial logged, by trial number."""
    return [len(logged_models(client, trial)) for trial in trials]


def assert_every_trial_logged_its_record(trials) -> None:
    for trial in trials:
        assert {"mse", "rmse", "mae", "r2", "value"} <= set(trial.data.metrics)
        assert {"max_depth", "n_estimators", "max_features", "seed"} <= set(trial.data.params)
        assert trial.inputs.dataset_inputs[0].dataset.name == "diabetes"
        assert trial.data.tags["sweep.trial_state"] == "COMPLETE"


def assert_the_best_has_its_model(client, parent, trials) -> None:
    best = min(trials, key=lambda t: t.data.metrics["mse"])
    assert parent.data.tags["best_run_id"] == best.info.run_id
    assert len(logged_models(client, best)) == 1


def test_improving_keeps_the_models_that_were_the_best_so_far_and_registers_the_best(tmp_path, sqlite_uri):
    """One worker: trial n logs its model exactly when its mse is at most every earlier trial's."""
    client, parent, trials = sweep(sqlite_uri, tmp_path, "--workers", "1", "--register_as", "forest")
    assert parent.data.params["sweep.log_models"] == "improving"
    assert_every_trial_logged_its_record(trials)
    values = [t.data.metrics["mse"] for t in trials]
    expected = [int(all(value <= earlier for earlier in values[:n])) for n, value in enumerate(values)]
    assert models_of(client, trials) == expected and 0 in expected, values
    assert [t.data.tags["sweep.model_logged"] for t in trials] == [str(bool(e)).lower() for e in expected]
    assert_the_best_has_its_model(client, parent, trials)
    champion = client.get_model_version_by_alias("forest", "champion")
    assert champion.run_id == parent.data.tags["best_run_id"]


def test_all_keeps_every_model_and_none_keeps_none(tmp_path, empty_store):
    every = empty_store(tmp_path, "all.db")
    client, parent, trials = sweep(every, tmp_path, "--workers", "2", "--log_models", "all")
    assert parent.data.params["sweep.log_models"] == "all" and models_of(client, trials) == [1, 1, 1, 1]
    nothing = empty_store(tmp_path, "none.db")
    client, parent, trials = sweep(nothing, tmp_path, "--workers", "2", "--log_models", "none")
    assert parent.data.params["sweep.log_models"] == "none" and models_of(client, trials) == [0, 0, 0, 0]
    assert_every_trial_logged_its_record(trials)
    assert {t.data.tags["sweep.model_logged"] for t in trials} == {"false"}
