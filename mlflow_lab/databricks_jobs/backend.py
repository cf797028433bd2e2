"""MLflow's plugin point for `mlflow run -b databricks-jobs`: check, create the run, submit, follow.

Everything is checked before any request: the spec, the entry point's parameters (with the
entry point's own declarations), the tracking URI and experiment, and the commit (clean and
pushed). Then the MLflow run is created in the workspace experiment, the job is submitted
with its id, and the backend follows the job to its end as a local run would (set
DBJOBS_DETACH=1 to return once submitted; `python -m mlflow_lab.databricks_jobs follow RUN_ID` re-attaches).
"""

from __future__ import annotations

import os
import sys

from mlflow.exceptions import ExecutionException
from mlflow.projects.backend.abstract_backend import AbstractBackend
from mlflow.projects.submitted_run import SubmittedRun

from mlflow_lab.databricks_jobs.follow import Ending, cancelled_on_interrupt, ending, follow
from mlflow_lab.databricks_jobs.source import SourceError, resolve
from mlflow_lab.databricks_jobs.spec import SpecError, load_spec

JOB_RUN_TAG, JOB_URL_TAG = "databricks.job_run_id", "databricks.job_run_url"


class JobSubmittedRun(SubmittedRun):
    """A submitted Databricks job run and the MLflow run it logs into.

    `mlflow run` follows the job inside the backend (it calls a plugin asynchronously);
    `mlflow.projects.run(synchronous=True)` then also calls `wait`. So `wait` answers with the
    ending the backend already followed to, and with DBJOBS_DETACH set it does not follow
    either: it says whether the job is still healthy (not failed), as the submission did.
    """

    def __init__(self, workspace, job_run_id: int, mlflow_run_id: str, ended: Ending | None = None):
        super().__init__()
        self.workspace, self.job_run_id, self._run_id = workspace, job_run_id, mlflow_run_id
        self.ended = ended

    @property
    def run_id(self) -> str:
        return self._run_id

    def wait(self) -> bool:
        if self.ended is None and detached():
            return self.get_status() != "FAILED"
        if self.ended is None:
            with cancelled_on_interrupt(self.workspace, self.job_run_id, self._run_id):
                self.ended = follow(self.workspace, self.job_run_id, self._run_id)
        return self.ended.status == "FINISHED"

    def get_status(self) -> str:
        result = ending(self.workspace.jobs.get_run(self.job_run_id))
        return "RUNNING" if result is None else result.status

    def cancel(self) -> None:
        self.workspace.jobs.cancel_run(self.job_run_id)


class DatabricksJobsBackend(AbstractBackend):
    """Runs an entry point as a Jobs API 2.2 one-time run of the exact commit, from git."""

    def run(self, project_uri, entry_point, params, version, backend_config, tracking_uri, experiment_id):
        try:
            spec = load_spec(backend_config)
            flags, name = checked_flags(entry_point, params)
            check_tracking(tracking_uri, experiment_id)
            source = resolve(project_uri, version, spec.git_provider)
        except (SpecError, SourceError) as error:
            raise ExecutionException(str(error)) from None
        from mlflow_lab.databricks_jobs.request import submit_arguments

        workspace = workspace_client(tracking_uri)
        run = create_run(experiment_id, entry_point, params, source, name)
        run_id = run.info.run_id
        try:
            arguments = submit_arguments(spec, source, entry_point, run_id, flags,
                                         run_name=f"mlflow-lab {entry_point} {run_id[:8]}")
            job_run_id = workspace.jobs.submit(**arguments).response.run_id
        except Exception as error:
            fail(run_id, f"submission refused: {error}")
            raise ExecutionException(f"Databricks refused the submission: {one_line(error)}") from None
        with cancelled_on_interrupt(workspace, job_run_id, run_id):
            url = workspace.jobs.get_run(job_run_id).run_page_url or ""
            import mlflow

            mlflow.MlflowClient().set_tag(run_id, JOB_RUN_TAG, str(job_run_id))
            mlflow.MlflowClient().set_tag(run_id, JOB_URL_TAG, url)
            print(f"databricks: MLflow run {run_id}, job run {job_run_id}: {url}", file=sys.stderr,
                  flush=True)
            result = None
            if not detached():
                result = follow(workspace, job_run_id, run_id)
                if entry_point == "doctor":
                    print_report(run_id)
                if result.status != "FINISHED":
                    raise ExecutionException(ended_message(job_run_id, run_id, result))
        return JobSubmittedRun(workspace, job_run_id, run_id, ended=result)


def detached() -> bool:
    """DBJOBS_DETACH=1: return once submitted; `python -m mlflow_lab.databricks_jobs follow` re-attaches."""
    return os.environ.get("DBJOBS_DETACH", "").lower() in ("1", "true", "yes")


def ended_message(job_run_id: int, run_id: str, result: Ending) -> str:
    return (f"Databricks job run {job_run_id} {result.status}: {result.message}; "
            f"MLflow run {run_id} ended {result.status}")


def checked_flags(entry_point: str, params: dict) -> tuple[list[str], str | None]:
    """The entry point's flags, refused here (one line, exit 2) if the entry point would refuse them,
    and the name its run gets (`<model> n200-d8-f4`; None for a sweep, which names its own run).

    What a job runs is MLproject's `main` (the registry's default model), a model, the
    sweep, promote or predict (`jobs/entry.py`). A `--run-name` given to `mlflow run`
    replaces that name once the submission returns.
    """
    from mlflow_lab.entries import DEFAULT, MODELS
    from mlflow_lab.naming import run_name
    from mlflow_lab.params import parse

    flags = [arg for name, value in params.items() for arg in (f"--{name}", str(value))]
    if entry_point == "sweep":
        from mlflow_lab.sweep.plan import parse_args

        parse_args(flags, here=False)
        return flags, None
    if entry_point in ("promote", "predict", "doctor", "reproduce"):
        from mlflow_lab.doctor.params import DoctorParams
        from mlflow_lab.predict.params import PredictParams
        from mlflow_lab.promote.params import PromoteParams
        from mlflow_lab.reproduce.params import ReproduceParams

        declared_by = {"promote": PromoteParams, "predict": PredictParams, "doctor": DoctorParams,
                       "reproduce": ReproduceParams}
        parse(declared_by[entry_point], flags, prog=entry_point)
        named = params.get("model_name") or params.get("model_uri") or params.get("run_id") or ""
        return flags, f"{entry_point} {named}".strip()
    model = DEFAULT if entry_point == "main" else entry_point
    if model not in MODELS:
        raise SpecError(f"entry point {entry_point!r} does not run on Databricks (allowed: main, "
                        f"{', '.join(MODELS)}, sweep, promote, predict, doctor, reproduce)")
    return flags, run_name(model, parse(MODELS[model].params, flags, prog=model))


def print_report(run_id: str) -> None:
    """The doctor's lines, from its run's `doctor.txt`, on this terminal (the job's log has them too)."""
    import mlflow

    try:
        print(mlflow.artifacts.load_text(f"runs:/{run_id}/doctor.txt"), end="", flush=True)
    except Exception as error:  # noqa: BLE001 (the run says why; the job's status follows)
        print(f"databricks: the doctor's report could not be read from run {run_id}: {one_line(error)}",
              file=sys.stderr)


def check_tracking(tracking_uri: str, experiment_id: str) -> None:
    if not str(tracking_uri).startswith("databricks"):
        raise SpecError(f"-b databricks-jobs logs to the workspace: set MLFLOW_TRACKING_URI=databricks "
                        f"(or databricks://PROFILE), not {tracking_uri}")
    if str(experiment_id) == "0":
        raise SpecError("--experiment-name is required: an absolute workspace path such as "
                        "/Users/you@example.com/<experiment>")


def workspace_client(tracking_uri: str):
    """databricks-sdk's client for the workspace the tracking URI names (env, or a profile)."""
    from databricks.sdk import WorkspaceClient

    profile = str(tracking_uri).removeprefix("databricks").removeprefix("://")
    return WorkspaceClient(profile=profile) if profile else WorkspaceClient()


def create_run(experiment_id: str, entry_point: str, params: dict, source, name: str | None):
    """The MLflow run `name` the job logs into, with the git source it runs and the -P values."""
    import mlflow
    from mlflow.entities import Param

    client = mlflow.MlflowClient()
    run = client.create_run(experiment_id, tags={
        "mlflow.source.type": "PROJECT", "mlflow.source.name": source.url,
        "mlflow.source.git.commit": source.commit, "mlflow.source.git.repoURL": source.url,
        "mlflow.project.entryPoint": entry_point}, run_name=name)
    if params:
        client.log_batch(run.info.run_id, params=[Param(k, str(v)) for k, v in params.items()],
                         synchronous=True)
    return run


def fail(run_id: str, message: str) -> None:
    import mlflow

    mlflow.MlflowClient().set_tag(run_id, "databricks.termination", message[:5000])
    mlflow.MlflowClient().set_terminated(run_id, "FAILED")


def one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
