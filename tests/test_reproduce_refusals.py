"""`reproduce`'s bad input, in process: one line naming the parameter, exit 2, nothing logged or
tagged; and the gate's `require_reproduced` reading a version's `reproduced` tag."""

from __future__ import annotations

import pytest
from mlflow.entities import Param

from mlflow_lab.reproduce.cli import main
from tests.tracking_reads import all_runs, client_for


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory, empty_store):
    """A store with one diab run that has no source commit (as a notebook's would), a sweep's
    parent run, a compare run, and a version registered from files; shared: no test changes them."""
    uri = empty_store(tmp_path_factory.mktemp('refusals'))
    client = client_for(uri)
    experiment = client.create_experiment("runs")
    committed = {"lab.entry": "diab", "lab.source.commit": "0" * 40}
    runs = {"notebook": client.create_run(experiment, tags={"lab.entry": "diab"}),
            "sweep": client.create_run(experiment, tags={"best_run_id": "abc", **committed}),
            "compare": client.create_run(experiment, tags={"mlflow.project.entryPoint": "compare",
                                                           "mlflow.source.git.commit": "0" * 40}),
            "failed": client.create_run(experiment, tags=committed),
            "running": client.create_run(experiment, tags=committed),
            "no_metrics": client.create_run(experiment, tags=committed),
            "orphan": client.create_run(experiment, tags={"sweep.trial_number": "4",
                                                          "mlflow.parentRunId": "e" * 32})}
    sweep_id = runs["sweep"].info.run_id
    pruned = {"sweep.trial_number": "3", "sweep.pruned_after_epoch": "2", "mlflow.parentRunId": sweep_id}
    runs["pruned"] = client.create_run(experiment, tags=pruned)
    client.log_batch(sweep_id, params=[Param("sweep.plan", "{}"), Param("sweep.model", "diab")])
    for name in ("failed", "running", "pruned", "orphan"):
        client.log_metric(runs[name].info.run_id, "mse", 3000.0)
    for name, status in {"notebook": "FINISHED", "compare": "FINISHED", "failed": "FAILED",
                         "no_metrics": "FINISHED", "pruned": "KILLED", "orphan": "FINISHED"}.items():
        client.set_terminated(runs[name].info.run_id, status)
    client.create_registered_model("files")
    client.create_model_version("files", source="/tmp/some-model")
    return uri, client, {name: run.info.run_id for name, run in runs.items()}


@pytest.fixture
def store(shared_store, monkeypatch):
    """The shared store as this process's MLFLOW_TRACKING_URI (conftest puts the variables back)."""
    import mlflow

    uri, client, ids = shared_store
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", uri)
    mlflow.set_tracking_uri(uri)
    return client, ids


@pytest.mark.parametrize(("given", "message"), [
    ({}, "arguments --run_id and --model_uri: give exactly one of them"),
    ({"run_id": "x", "model_uri": "models:/files/1"}, "arguments --run_id and --model_uri: give exactly one"),
    ({"run_id": "0123456789abcdef"}, "argument --run_id: no run 0123456789abcdef in this tracking store"),
    ({"run_id": "{notebook}"}, "argument --run_id: run {notebook} records no source commit (it was not "
                               "started from a git checkout"),
    ({"run_id": "{sweep}"}, "argument --run_id: run {sweep} is a sweep, not a training run; reproduce one of "
                            "its trials (its best: run_id=abc)"),
    ({"run_id": "{compare}"}, "argument --run_id: run {compare} is a compare run, not a model's training"),
    ({"model_uri": "runs:/abc/model"}, "argument --model_uri: must be models:/NAME@alias or "
                                       "models:/NAME/VERSION"),
    ({"model_uri": "models:/files@champion"}, "argument --model_uri: files has no version @champion"),
    ({"model_uri": "models:/nothing/3"}, "argument --model_uri: nothing has no version 3"),
    ({"model_uri": "models:/files/1"}, "argument --model_uri: models:/files/1 (version 1) has no run "
                                       "behind it"),
    ({"run_id": "{failed}"}, "argument --run_id: run {failed} ended FAILED; only a FINISHED run's metrics "
                             "can be compared"),
    ({"run_id": "{running}"}, "argument --run_id: run {running} is still RUNNING; only a FINISHED run's"),
    ({"run_id": "{pruned}"}, "argument --run_id: run {pruned} is a trial its sweep pruned after epoch 2; "
                             "only a FINISHED run's metrics can be compared"),
    ({"run_id": "{no_metrics}"}, "argument --run_id: run {no_metrics} logged no metrics, so there is "
                                 "nothing to compare"),
    ({"run_id": "{orphan}"}, "argument --run_id: run {orphan} is a sweep's trial whose sweep (run "
                             "eeeeeeee"),
    ({"run_id": "x", "rtol": "1.5"}, "argument --rtol: must be a number in [0, 1), got '1.5'"),
])
def test_bad_input_is_one_line_exit_2_and_touches_nothing(store, given, message, capsys):
    client, ids = store
    before = {run.info.run_id: (run.info.status, run.data.tags) for run in all_runs(client)}
    argv = [arg for name, value in given.items() for arg in (f"--{name}", value.format(**ids))]

    with pytest.raises(SystemExit) as stopped:
        raise SystemExit(main(argv))

    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("reproduce: error: ") and message.format(**ids) in err, err
    assert {run.info.run_id: (run.info.status, run.data.tags) for run in all_runs(client)} == before
    assert client.get_model_version("files", "1").tags == {}


@pytest.mark.parametrize(("tag", "champion", "words"), [
    (None, False, "would be champion (there was none) but has not been reproduced (require_reproduced=true)"),
    ("false", False, "but did not reproduce (run r-1 differs)"),
    ("true", True, "is champion; there was none"),
])
def test_require_reproduced_reads_the_versions_reproduced_tag(store, tag, champion, words):
    import mlflow

    from diab import DiabParams, fit_and_evaluate
    from diab.entry import ENTRY
    from diab.tracking import log_model
    from mlflow_lab.gate import decide

    client, _ = store
    name, params = f"forest-{tag}", DiabParams(n_estimators=5, max_depth=3)
    with mlflow.start_run():
        logged = log_model(params, fit_and_evaluate(params))
    version = mlflow.register_model(logged.model_uri, name).version
    if tag is not None:
        client.set_model_version_tag(name, version, "reproduced", tag)
        client.set_model_version_tag(name, version, "reproduced_by", "r-1")

    decision = decide(ENTRY, name, params, f"models:/{name}/{version}", version=str(version),
                      require_reproduced=True)

    assert words in decision.line()
    assert client.get_registered_model(name).aliases == {("champion" if champion else "challenger"): 1}
