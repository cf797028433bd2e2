"""A trial runs at most once: a second attempt of the same task (Spark's retry after a lost
executor, or a speculative copy) leaves the trial's run as the first attempt left it."""

from __future__ import annotations

from tests.studies import fresh_study, run_id_of
from tests.tracking_reads import client_for, logged_models


def test_a_second_attempt_of_a_trial_ends_failed_without_touching_its_run(sqlite_uri):
    from diab.params import DiabParams
    from mlflow_lab.credentials import Credentials
    from mlflow_lab.sweep.space import distributions, parse_space
    from mlflow_lab.sweep.study import make_sampler, study_name
    from mlflow_lab.sweep.trial import ATTEMPT, REPEATED, Task, run_trial

    study, storage, experiment_id, parent = fresh_study(sqlite_uri, "attempts", make_sampler("grid", 0))
    client = client_for(sqlite_uri)
    study.enqueue_trial({"n_estimators": 5})
    trial = study.ask(fixed_distributions=distributions(parse_space(DiabParams, {"n_estimators": "5"})))
    storage.flush_all_batches()
    task = Task("diab", run_id_of(storage, study, trial), trial.number, dict(trial.params),
                study_name(parent), experiment_id, sqlite_uri, False, "median", 1, Credentials())

    first, second = run_trial(task), run_trial(task)

    assert first.state == "COMPLETE" and first.value > 0
    assert second.state == "FAIL" and second.error == REPEATED
    run = client.get_run(task.trial_id)
    assert [m.value for m in client.get_metric_history(task.trial_id, "mse")] == [first.value]
    assert len(logged_models(client, run)) == 1
    assert len(run.data.params[ATTEMPT]) == 32  # the first attempt's own mark
