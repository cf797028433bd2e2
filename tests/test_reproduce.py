"""`reproduce`: a run, a sweep's trial or a registered version trained again from its commit.

Real `mlflow run` runs from a git URL (`git daemon` on 127.0.0.1) and from local clones; the
reproduction is compared metric by metric, to the last digit.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.mnist_fixtures import make_mnist, write_npz
from tests.processes import BIN, REPO, copy_project_files, dash_p, mlflow_run, project_env, run
from tests.tracking_reads import all_runs, assert_refused, client_for, logged_models

pytestmark = pytest.mark.slow
GIT = ["git", "-c", "user.name=me", "-c", "user.email=me@example.com"]
SMALL_FOREST = {"n_estimators": "20", "max_depth": "5"}


def reproduce(uri: str, cwd: Path, launched: bool = False, **given: str) -> subprocess.CompletedProcess:
    """`reproduce` under `mlflow run` (`launched`), else as `.venv/bin/python -m` with the virtual
    environment not activated (its scripts, `mlflow` among them, not on PATH)."""
    if launched:
        return mlflow_run(str(REPO), "-e", "reproduce", *dash_p(given), env=project_env(uri), cwd=cwd,
                          timeout=600)
    flags = [arg for name, value in given.items() for arg in (f"--{name}", value)]
    env = project_env(uri)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != str(BIN))
    return run([str(BIN / "python"), "-m", "mlflow_lab.reproduce", *flags], env, cwd=cwd, timeout=600)


def committed_copy(target: Path) -> tuple[Path, str]:
    """The project's files as a new git repository with one commit; (its folder, the commit)."""
    copy_project_files(target)
    for args in (["init", "--quiet", "-b", "main"], ["add", "-A"], ["commit", "--quiet", "-m", "copy"]):
        subprocess.run([*GIT, "-C", str(target), *args], check=True)
    commit = subprocess.run(["git", "-C", str(target), "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    return target, commit


def reproduction_of(client, original_id: str):
    """(the reproduce command's run, the new training run) for `original_id`."""
    runs = all_runs(client)
    reproducing = [r for r in runs if r.data.tags.get("reproduce.of") == original_id]
    [command] = [r for r in reproducing if "reproduce.result" in r.data.tags]
    [trained] = [r for r in reproducing if "reproduce.result" not in r.data.tags]
    return command, trained


def lines_of(done: subprocess.CompletedProcess, word: str) -> list[str]:
    return [line for line in done.stdout.splitlines() if line.startswith(word)]


def test_a_registered_diab_version_from_a_git_url_is_trained_again_to_the_digit_and_can_be_promoted(
        tmp_path, sqlite_uri, git_daemon):
    """The reviewer's route: a version the gate kept from champion (`require_reproduced`) is
    reproduced under `mlflow run` from its git URL, tagged, then promoted."""
    url, sha = git_daemon
    env = project_env(sqlite_uri)
    first = mlflow_run(url, "-e", "diab", "-v", sha, *dash_p({**SMALL_FOREST, "register_as": "forest",
                                                               "require_reproduced": "true"}),
                       env=env, cwd=tmp_path)  # diab from a git URL at a commit: the route's one case
    assert first.returncode == 0, first.stderr[-3000:]
    assert "forest version 1 (mse " in first.stderr and "has not been reproduced" in first.stderr
    client = client_for(sqlite_uri)
    assert str(client.get_model_version_by_alias("forest", "challenger").version) == "1"
    assert client.get_registered_model("forest").aliases == {"challenger": 1}  # no champion yet
    [original] = all_runs(client)
    assert original.info.status == "FINISHED" and original.info.run_name == "diab n20-d5-f4"
    assert original.data.tags["mlflow.source.git.commit"] == sha
    assert original.data.tags["mlflow.source.git.repoURL"] == url
    assert original.data.tags["lab.source.tree"] == "clean" and original.data.tags["lab.source.commit"] == sha

    done = reproduce(sqlite_uri, tmp_path, launched=True, model_uri="models:/forest@challenger")

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    mse = original.data.metrics["mse"]
    assert f"SAME metric mse: {mse!r} (original), {mse!r} (reproduced)" in done.stdout.splitlines()
    assert {line.split(":")[0] for line in lines_of(done, "SAME")} == {
        "SAME source", "SAME metric mse", "SAME metric rmse", "SAME metric mae", "SAME metric r2",
        "SAME data set diabetes", "SAME environment", "SAME platform"}
    assert lines_of(done, "DIFFERS") == []
    assert done.stdout.splitlines()[-1].startswith("reproduce: SAME: run ")
    command, trained = reproduction_of(client, original.info.run_id)
    assert command.info.status == "FINISHED" and command.data.tags["reproduce.result"] == "SAME"
    assert command.data.tags["reproduce.run_id"] == trained.info.run_id
    assert trained.data.tags["mlflow.parentRunId"] == command.info.run_id
    assert trained.data.tags["mlflow.source.git.commit"] == sha
    assert trained.data.metrics["mse"] == mse and trained.info.status == "FINISHED"
    gate = ("register_as", "min_improvement", "require_reproduced")  # left out: it registers nothing
    assert {k: v for k, v in trained.data.params.items() if k not in gate} == \
        {k: v for k, v in original.data.params.items() if k not in gate}
    assert trained.data.params["register_as"] == "''" and original.data.params["register_as"] == "forest"
    assert trained.info.experiment_id == command.info.experiment_id  # the launcher's (Default here)
    report = client.download_artifacts(command.info.run_id, "reproduce.txt", str(tmp_path))
    assert Path(report).read_text().splitlines()[-1] == done.stdout.splitlines()[-1]
    version = client.get_model_version("forest", "1")
    assert version.tags["reproduced"] == "true" and version.tags["reproduced_by"] == trained.info.run_id
    assert len(client.search_model_versions("name = 'forest'")) == 1  # the reproduction registered nothing

    promoted = mlflow_run(str(REPO), "-e", "promote", *dash_p({"model_name": "forest", "version": "1",
                                                                "require_reproduced": "true"}),
                          env=env, cwd=tmp_path)
    assert promoted.returncode == 0, promoted.stderr[-3000:]
    assert str(client.get_model_version_by_alias("forest", "champion").version) == "1"
    assert "forest version 1 (mse " in promoted.stdout and "is champion" in promoted.stdout


def test_a_mnist_run_on_small_data_is_trained_again_to_the_digit(tmp_path, sqlite_uri):
    project, commit = committed_copy(tmp_path / "project")
    data = write_npz(tmp_path / "mnist.npz", make_mnist(n_train=600, n_test=200))
    small = {"epochs": "2", "num_hidden_units": "32", "batch_size": "64", "data_path": str(data)}
    first = mlflow_run(str(project), "-e", "mnist", *dash_p(small), env=project_env(sqlite_uri), cwd=tmp_path,
                       timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    client = client_for(sqlite_uri)
    [original] = all_runs(client)
    assert original.data.tags["lab.source.commit"] == commit

    done = reproduce(sqlite_uri, tmp_path, run_id=original.info.run_id)

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    accuracy = original.data.metrics["test_accuracy"]
    assert f"SAME metric test_accuracy: {accuracy!r} (original), {accuracy!r} (reproduced)" in done.stdout
    same = {line.split(":")[0] for line in lines_of(done, "SAME")}
    assert {"SAME metric loss", "SAME data set mnist"} <= same  # loss: autolog's, of the last epoch
    assert lines_of(done, "DIFFERS") == []


def test_a_run_made_from_an_uncommitted_change_differs_and_says_so_first(tmp_path, sqlite_uri):
    project, commit = committed_copy(tmp_path / "project")
    train = project / "diab" / "train.py"
    train.write_text(train.read_text().replace("random_state=params.seed,", "random_state=params.seed + 1,"))
    first = mlflow_run(str(project), "-e", "diab", *dash_p(SMALL_FOREST), env=project_env(sqlite_uri),
                       cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    client = client_for(sqlite_uri)
    [original] = all_runs(client)
    tags = original.data.tags
    assert tags["lab.source.tree"] == "uncommitted" and tags["lab.source.changed_files"] == "diab/train.py"
    assert len(tags["lab.source.changes"]) == 16

    done = reproduce("sqlite:///mlflow.db", tmp_path, run_id=original.info.run_id)  # the same store, relative

    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-3000:]
    first_line = done.stdout.splitlines()[0]
    assert first_line.startswith(f"reproduce: run {original.info.run_id} was trained with uncommitted "
                                 f"changes to diab/train.py (digest {tags['lab.source.changes']}) on top "
                                 f"of commit {commit}")
    assert f"DIFFERS metric mse: {original.data.metrics['mse']!r} (original), " in done.stdout
    assert "DIFFERS source: commit" in done.stdout and "SAME data set diabetes" in done.stdout
    assert done.stdout.splitlines()[-1].endswith("likely cause: source")
    command, trained = reproduction_of(client, original.info.run_id)
    assert command.info.status == "FAILED" and command.data.tags["reproduce.result"] == "DIFFERS"
    assert trained.data.tags["lab.source.tree"] == "clean"  # it trained the commit, not the change
    assert train.read_text().count("params.seed + 1") == 1  # the user's checkout is left as it was


def test_a_commit_that_no_longer_trains_is_exit_3_naming_the_failed_run(tmp_path, sqlite_uri):
    """The fix that made the run train was never committed: the commit fails, which is not DIFFERS."""
    project, _ = committed_copy(tmp_path / "project")
    train = project / "diab" / "train.py"
    working = train.read_text()
    first_line = '    """Split the data, fit the forest, and return it with its test metrics."""\n'
    train.write_text(working.replace(first_line, first_line + '    raise RuntimeError("broken")\n'))
    subprocess.run([*GIT, "-C", str(project), "commit", "--quiet", "-am", "broken"], check=True)
    commit = subprocess.run(["git", "-C", str(project), "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    train.write_text(working)  # the fix, never committed
    first = mlflow_run(str(project), "-e", "diab", *dash_p(SMALL_FOREST), env=project_env(sqlite_uri),
                       cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    client = client_for(sqlite_uri)
    [original] = all_runs(client)

    done = reproduce(sqlite_uri, tmp_path, run_id=original.info.run_id)

    assert done.returncode == 3, done.stdout[-2000:] + done.stderr[-3000:]
    assert done.stdout.splitlines()[0].startswith(f"reproduce: run {original.info.run_id} was trained with "
                                                  "uncommitted changes to diab/train.py")
    assert "RuntimeError: broken" in done.stderr  # the training's own output says why
    reproducing = [r for r in all_runs(client) if r.data.tags.get("reproduce.of") == original.info.run_id]
    [command] = [r for r in reproducing if "mlflow.parentRunId" not in r.data.tags]
    [failed] = [r for r in reproducing if r.data.tags.get("mlflow.parentRunId") == command.info.run_id]
    assert failed.info.status == "FAILED" and command.info.status == "FAILED"
    assert "reproduce.result" not in command.data.tags  # nothing was compared
    assert done.stderr.strip().splitlines()[-1] == (
        f"reproduce: error: run {original.info.run_id} could not be trained again: its training at commit "
        f"{commit} failed (run {failed.info.run_id}, output above); nothing was compared")


def test_a_trial_without_its_model_is_trained_again_with_one(tmp_path, sqlite_uri, git_daemon):
    """log_models=improving keeps no model for a trial that could not be the best; reproduce makes it."""
    url, _ = git_daemon
    grid = {"model": "diab", "max_depth": "8,2", "n_estimators": "10", "workers": "1"}
    swept = mlflow_run(url, "-e", "sweep", *dash_p(grid), env=project_env(sqlite_uri), cwd=tmp_path,
                       timeout=600)
    assert swept.returncode == 0, swept.stderr[-3000:]
    client = client_for(sqlite_uri)
    [trial] = [r for r in all_runs(client) if r.data.tags.get("sweep.model_logged") == "false"]
    assert logged_models(client, trial) == []

    done = reproduce(sqlite_uri, tmp_path, run_id=trial.info.run_id, rtol="0.0")

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    mse = trial.data.metrics["mse"]
    assert f"SAME metric mse: {mse!r} (original), {mse!r} (reproduced)" in done.stdout.splitlines()
    assert "metric value" not in done.stdout  # the study's copy of mse is not the training's
    _, trained = reproduction_of(client, trial.info.run_id)
    assert len(logged_models(client, trained)) == 1


def test_bad_input_under_mlflow_run_fails_the_launchers_run(tmp_path, sqlite_uri):
    done = reproduce(sqlite_uri, tmp_path, launched=True, run_id="0123456789abcdef")
    assert_refused(done, "reproduce", "argument --run_id: no run 0123456789abcdef in this tracking store",
                   sqlite_uri)
