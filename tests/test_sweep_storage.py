"""The sweep's study storage reads back exactly the trials MLflow's own `MlflowStorage` reads."""

from __future__ import annotations

import time

import optuna
import pytest

from tests.studies import fresh_study, run_id_of


@pytest.fixture(params=["worker", "driver"])
def study_with_every_kind_of_trial(sqlite_uri, request):
    """A study holding complete, pruned (with steps), failed, running and waiting trials, written
    through a worker's storage or the driver's (which keeps its trials in memory)."""
    sampler = optuna.samplers.TPESampler(seed=3)
    study, storage, experiment_id, parent = fresh_study(sqlite_uri, "storage", sampler,
                                                        driver=request.param == "driver")
    for number in range(5):
        trial = study.ask()
        depth = trial.suggest_int("max_depth", 2, 12)
        rate = trial.suggest_float("rate", 1e-4, 1.0, log=True)
        kind = trial.suggest_categorical("kind", ["gini", "entropy"])
        trial.set_user_attr("note", f"trial {number} {kind}")
        if number == 1:
            for step, value in enumerate((0.9, 0.7, 0.8)):
                trial.report(value, step)
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        elif number == 2:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        elif number < 4:
            study.tell(trial, depth * rate)
    study.enqueue_trial({"max_depth": 5, "rate": 0.1, "kind": "gini"})
    getattr(storage, "write_queued", storage.flush_all_batches)()  # the driver's queue, or a worker's
    return experiment_id, parent, storage  # the study's id is its parent run's id


def test_every_trial_reads_back_as_mlflows_storage_reads_it(study_with_every_kind_of_trial):
    from mlflow.optuna.storage import MlflowStorage

    from mlflow_lab.sweep.storage import FewerReadsStorage

    experiment_id, study_id, writer = study_with_every_kind_of_trial
    ours, mlflows = FewerReadsStorage(experiment_id), MlflowStorage(experiment_id=experiment_id)

    trials = ours.get_all_trials(study_id)
    assert trials == mlflows.get_all_trials(study_id) == writer.get_all_trials(study_id)
    ids = [ours.get_trial_id_from_study_id_trial_number(study_id, t.number) for t in trials]
    assert [writer.get_trial(run_id) for run_id in ids] == trials  # the driver's, from memory
    assert {t.state.name for t in trials} == {"COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING"}
    [pruned] = [t for t in trials if t.state.name == "PRUNED"]
    assert pruned.intermediate_values == {0: 0.9, 1: 0.7, 2: 0.8}
    for trial in trials:  # each trial's run, found by its number through Optuna's storage interface
        run_id = ours.get_trial_id_from_study_id_trial_number(study_id, trial.number)
        assert ours.get_trial(run_id) == mlflows.get_trial(run_id) == trial
    waiting = ours.get_all_trials(study_id, states=(optuna.trial.TrialState.WAITING,))
    assert [t.number for t in waiting] == [5]  # the enqueued one


def test_a_pruned_trials_storage_stops_its_flush_thread_once_the_trial_is_done(sqlite_uri):
    """Each pruned trial loads the study (a new `MlflowStorage`, with a flush thread) to report steps.

    A review read it as one thread leaked per trial in a long-lived worker. MLflow 3.17 ties the
    thread to the storage by a weak reference and stops it when the storage is freed, which a
    trial's end does; this shows it and fails if an upgrade (or our code) keeps them alive.
    """
    import threading

    from mlflow_lab.entries import MODELS
    from mlflow_lab.sweep.study import study_name
    from mlflow_lab.sweep.trial import Task, step_reporter

    def flush_threads() -> int:
        return sum(t.name.startswith("mlflow_optuna_batch_flush_worker") for t in threading.enumerate())

    study, storage, experiment_id, parent = fresh_study(sqlite_uri, "threads",
                                                        optuna.samplers.RandomSampler())
    trial = study.ask()
    storage.flush_all_batches()
    task = Task("mnist", run_id_of(storage, study, trial), trial.number, {}, study_name(parent),
                experiment_id, sqlite_uri, True, "median", 3, {})
    before = flush_threads()
    for step in range(5):
        trial_storage, reporter = step_reporter(task, MODELS["mnist"])
        reporter.report(step, 0.5)
        trial_storage.flush_all_batches()
        assert flush_threads() == before + 1
        del trial_storage, reporter
    deadline = time.monotonic() + 5
    while flush_threads() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert flush_threads() == before


def test_a_resumed_driver_numbers_past_a_deleted_trial_and_hands_out_its_own_run(sqlite_uri):
    """A trial run deleted from the store must not make the next trial reuse a number: the new
    trial would be handed the old, finished run of that number."""
    from mlflow_lab.sweep.study import load_study, study_name

    sampler = optuna.samplers.TPESampler(seed=3)
    study, storage, experiment_id, parent = fresh_study(sqlite_uri, "resumed", sampler, driver=True)
    for _ in range(3):
        trial = study.ask()
        study.tell(trial, trial.suggest_int("max_depth", 2, 12))
    storage.write_queued()
    storage.reader.delete_run(run_id_of(storage, study, study.trials[1]))

    resumed, driver = load_study(study_name(parent), experiment_id, optuna.samplers.TPESampler(seed=3),
                                 driver=True)
    trial = resumed.ask()
    trial.suggest_int("max_depth", 2, 12)
    run_id = run_id_of(driver, resumed, trial)
    assert trial.number == 3
    assert driver.reader.get_run(run_id).info.status == "RUNNING"  # a new run, not trial 2's


def test_a_queued_batch_that_fails_to_write_stays_queued_for_the_next_flush(sqlite_uri, monkeypatch):
    """MLflow's storage flushes from its own thread and drops the error of a failed write: the
    driver's queue is written by the driver only, where a failure raises and the batch stays."""
    from mlflow.exceptions import MlflowException

    study, storage, _, _ = fresh_study(sqlite_uri, "queued", optuna.samplers.TPESampler(seed=3), driver=True)
    trial = study.ask()
    run_id = run_id_of(storage, study, trial)
    storage.write_queued()
    storage.tag(run_id, {"sweep.label": "kept"})
    write = storage.reader.log_batch
    monkeypatch.setattr(storage.reader, "log_batch", lambda *a, **k: (_ for _ in ()).throw(
        MlflowException("the store blinked")))
    storage.flush_all_batches()  # as MLflow's flush thread calls it: not the driver's queue
    with pytest.raises(MlflowException, match="blinked"):
        storage.write_queued()
    monkeypatch.setattr(storage.reader, "log_batch", write)
    assert "sweep.label" not in storage.reader.get_run(run_id).data.tags
    storage.write_queued()
    assert storage.reader.get_run(run_id).data.tags["sweep.label"] == "kept"
