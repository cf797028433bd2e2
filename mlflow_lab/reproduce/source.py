"""The recorded commit, checked out in a folder of its own, and the entry point trained from it.

The commit is cloned from the first recorded source that has it (`record.sources`: the project
`mlflow run` ran, a git URL or a folder; the checkout the code was imported from; its remote)
into a new folder, never into the user's own checkout: their uncommitted work stays out of the
reproduction and untouched by it. The entry point is then run from that folder by MLflow's own
project runner (`mlflow.projects.run`), so the MLproject of that commit decides the command,
in this environment (`env_manager="local"`: the pins compared are the ones that trained it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import yaml

from mlflow_lab.faults import Refusal
from mlflow_lab.gate import GATED
from mlflow_lab.params import logged_value
from mlflow_lab.patience import give_up_after


def checked_out(commit: str, sources: list[str], folder: Path) -> str:
    """Clone the first of `sources` holding `commit` into `folder`, at it; return that source."""
    tried = []
    for number, source in enumerate(sources):
        clone = folder / f"source-{number}"
        steps = (["git", "clone", "--quiet", "--no-checkout", source, str(clone)],
                 ["git", "-C", str(clone), "-c", "advice.detachedHead=false", "checkout", "--quiet", commit])
        try:
            for step in steps:
                subprocess.run(step, check=True, capture_output=True, timeout=600)
        except (OSError, subprocess.SubprocessError):
            tried.append(source)
            continue
        clone.rename(folder / "project")
        return source
    raise Refusal(f"the recorded commit {commit} is in none of the run's recorded sources "
                  f"({', '.join(tried) or 'none recorded'}); clone it and push that commit, or run from "
                  "a checkout that has it")


def declared_parameters(project: Path, entry: str) -> set[str]:
    """The parameters the entry point declares in the checked-out MLproject."""
    try:
        spec = yaml.safe_load((project / "MLproject").read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise Refusal(f"the recorded commit has no readable MLproject ({type(error).__name__})") from None
    point = (spec.get("entry_points") or {}).get(entry)
    if point is None:
        raise Refusal(f"the recorded commit's MLproject has no entry point {entry!r}")
    return set(point.get("parameters") or {})


def trained_again(project: Path, record, experiment_id: str, tags: dict[str, str]) -> str:
    """Run the entry point of `record` (an `Original`) from the project in `project` with the
    params it logged that the entry point declares (the gate's settings left out: a reproduction
    registers nothing); its run, tagged with `tags` as soon as it exists, ended FINISHED; its id.
    A training that fails is a `Refusal`: there is nothing to compare."""
    import mlflow
    import mlflow.projects
    from mlflow.entities import RunTag

    declared = declared_parameters(project, record.entry) - set(GATED)  # training again registers nothing
    logged = record.run.data.params
    parameters = {name: logged_value(text) for name, text in logged.items() if name in declared}

    with_this_environments_scripts()
    submitted = mlflow.projects.run(str(project), entry_point=record.entry, parameters=parameters,
                                    experiment_id=experiment_id, env_manager="local",
                                    run_name=f"{record.run.info.run_name} (reproduced)", synchronous=False)
    client = mlflow.MlflowClient()
    try:
        client.log_batch(submitted.run_id, tags=[RunTag(key, value) for key, value in tags.items()])
        trained = submitted.wait()
    except BaseException as error:  # the training runs in a session of its own: stop it too
        give_up_after(error)  # a lost store: one try to end the run, not another patience
        submitted.cancel()
        ended(client, submitted.run_id, "KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED")
        raise
    ended(client, submitted.run_id, "FINISHED" if trained else "FAILED")
    if not trained:
        raise Refusal(f"its training at commit {record.commit} failed (run {submitted.run_id}, output "
                      "above); nothing was compared")
    return submitted.run_id


def with_this_environments_scripts() -> None:
    """MLflow starts the training as `mlflow run`, found on PATH: put this interpreter's scripts
    first, so that `.venv/bin/python -m mlflow_lab.reproduce` works without activating the
    environment and trains with this environment's MLflow."""
    for scripts in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        if (Path(scripts) / "mlflow").exists():
            if os.environ.get("PATH", "").split(os.pathsep)[0] != scripts:
                os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])
            return


def ended(client, run_id: str, status: str) -> None:
    """End the run with `status` unless its training already ended it (as `mlflow run` does)."""
    if client.get_run(run_id).info.status == "RUNNING":
        client.set_terminated(run_id, status)
