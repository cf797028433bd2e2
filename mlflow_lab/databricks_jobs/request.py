"""The `jobs/runs/submit` request, built from databricks-sdk's own dataclasses (Jobs API 2.2).

One task: a `spark_python_task` running `jobs/entry.py` from the git commit
(`source: GIT`), with its parameters: the entry point, the MLflow run to resume, then the
entry point's own flags. Classic compute adds `new_cluster` and the pins as PyPI
`libraries`; serverless adds `environment_key` and an `environments` entry whose
dependencies are the pins.
"""

from __future__ import annotations

from mlflow_lab.databricks_jobs.source import GitSource
from mlflow_lab.databricks_jobs.spec import Spec
from mlflow_lab.requirements import classic_pins, serverless_pins

LAUNCHER = "jobs/entry.py"  # relative to the repository root, as GIT sources want
ENVIRONMENT_KEY = "project"


def task_parameters(entry_point: str, run_id: str, flags: list[str]) -> list[str]:
    """What `jobs/entry.py` reads: the entry point, the run to resume, `--`, its flags."""
    return [entry_point, "--mlflow_run_id", run_id, "--", *flags]


def submit_arguments(spec: Spec, source: GitSource, entry_point: str, run_id: str,
                     flags: list[str], run_name: str) -> dict:
    """Keyword arguments of `WorkspaceClient().jobs.submit` for one run of `entry_point`."""
    from databricks.sdk.service import compute, jobs

    python_task = jobs.SparkPythonTask(python_file=LAUNCHER, source=jobs.Source.GIT,
                                       parameters=task_parameters(entry_point, run_id, flags))
    task = jobs.SubmitTask(task_key=entry_point, spark_python_task=python_task)
    arguments = {"run_name": run_name, "tasks": [task],
                 "git_source": jobs.GitSource(git_url=source.url, git_commit=source.commit,
                                              git_provider=jobs.GitProvider(source.provider))}
    if spec.new_cluster is not None:
        task.new_cluster = compute.ClusterSpec.from_dict(spec.new_cluster)
        pins = [compute.Library(pypi=compute.PythonPyPiLibrary(package=pin)) for pin in classic_pins()]
        task.libraries = pins + [compute.Library.from_dict(extra) for extra in spec.libraries]
    else:
        task.environment_key = ENVIRONMENT_KEY
        environment = compute.Environment.from_dict(
            {**spec.environment, "dependencies": [*serverless_pins(), *spec.dependencies]})
        arguments["environments"] = [jobs.JobEnvironment(environment_key=ENVIRONMENT_KEY, spec=environment)]
    if spec.timeout_seconds:
        arguments["timeout_seconds"] = int(spec.timeout_seconds)
    return arguments
