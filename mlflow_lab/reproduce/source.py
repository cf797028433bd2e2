"""The recorded commit, checked out in a folder of its own, and the entry point trained from it.

The commit is cloned from the first recorded source that has it (`record.sources`: the project
`mlflow run` ran, a git URL or a folder; the checkout the code was imported from; its remote)
into a new folder, never into the user's own checkout: their uncommitted work stays out of the
reproduction and untouched by it. The entry point is then run from that folder by MLflow's own
project runner (`mlflow.projects.run`), so the MLproject of that commit decides the command,
in this environment (`env_manager="local"`: the pins compared are the ones that trained it).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from mlflow_lab.faults import Refusal
from mlflow_lab.gate import GATED
from mlflow_lab.params import logged_value


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
    spec = yaml.safe_load((project / "MLproject").read_text())
    point = spec.get("entry_points", {}).get(entry)
    if point is None:
        raise Refusal(f"the recorded commit's MLproject has no entry point {entry!r}")
    return set(point.get("parameters") or {})


def trained_again(project: Path, entry: str, logged: dict[str, str], experiment_id: str,
                  run_name: str) -> str:
    """Run `entry` of the project in `project` with the `logged` params it declares (the gate's
    settings left out: a reproduction registers nothing); its run id."""
    import mlflow.projects

    declared = declared_parameters(project, entry) - set(GATED)  # training again registers nothing
    parameters = {name: logged_value(text) for name, text in logged.items() if name in declared}
    submitted = mlflow.projects.run(str(project), entry_point=entry, parameters=parameters,
                                    experiment_id=experiment_id, env_manager="local", run_name=run_name,
                                    synchronous=True)
    return submitted.run_id
