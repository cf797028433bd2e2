"""`python -m dbjob diab|mnist [-P name=value ...] [--backend-config FILE] [--experiment-name PATH]`.

Checks the parameters with the entry point's own declarations and the backend config,
builds the Spark-job project, creates the MLflow run, uploads the project to DBFS and
submits one `spark_python_task` through MLflow's own Databricks job runner, with the
cluster spec unwrapped (MLflow's Spark-job route would otherwise send its own keys, and
the wrapper, inside `new_cluster`). `--wait` polls until the job ends and marks the run.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from runkit.entrypoints import ENTRY_POINTS
from runkit.params import OneLineParser, parse


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="dbjob", allow_abbrev=False,
                           description="Submit an entry point to a Databricks job cluster.")
    parser.add_argument("entry_point", choices=sorted(ENTRY_POINTS))
    parser.add_argument("-P", dest="params", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--backend-config", default="databricks/cpu.json")
    parser.add_argument("--experiment-name", default=None,
                        help="absolute workspace path, e.g. /Users/me@example.com/sklearn-diab")
    parser.add_argument("--wait", action="store_true", help="poll until the job ends")
    return parser


def checked_parameters(parser: OneLineParser, entry_point: str, assignments: list[str]) -> dict[str, str]:
    """`-P name=value` pairs, refused here (one line, exit 2) if the entry point would refuse them."""
    pairs = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name:
            parser.error(f"argument -P: expected NAME=VALUE, got {assignment!r}")
        pairs[name] = value
    parse(ENTRY_POINTS[entry_point].params, [arg for k, v in pairs.items() for arg in (f"--{k}", v)],
          prog=entry_point)
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    parameters = checked_parameters(parser, args.entry_point, args.params)
    from dbjob.config import ConfigError, load_backend_config

    try:
        config = load_backend_config(args.backend_config)
    except ConfigError as error:
        parser.error(str(error))
    from runkit.faults import one_line_errors
    from runkit.tracking import bound_http_retries

    bound_http_retries()
    with one_line_errors("dbjob"):
        return submit(args, parameters, config.new_cluster, config.packages)


def submit(args, parameters: dict[str, str], new_cluster: dict, packages: list[str]) -> int:
    """Create the run, upload and submit the job; with --wait, follow it to the end."""
    import mlflow
    from mlflow.exceptions import ExecutionException
    from mlflow.projects import _resolve_experiment_id, _wait_for
    from mlflow.projects._project_spec import load_project
    from mlflow.projects.databricks import DatabricksJobRunner, DatabricksSubmittedRun, before_run_validations
    from mlflow.projects.utils import get_or_create_run
    from mlflow.tracking.fluent import _get_experiment_id

    from dbjob.project import REPO, build_project

    tracking_uri = mlflow.get_tracking_uri()
    before_run_validations(tracking_uri, {"new_cluster": new_cluster})
    experiment_id = _resolve_experiment_id(experiment_name=args.experiment_name) or _get_experiment_id()
    if experiment_id is None:
        print("dbjob: error: argument --experiment-name: required here (on Databricks an absolute "
              "workspace path, e.g. /Users/you@example.com/sklearn-diab)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        work_dir = str(build_project(Path(folder) / "project", packages))
        run = get_or_create_run(None, str(REPO), experiment_id, work_dir, None, args.entry_point,
                                parameters)
        mlflow.MlflowClient().set_tag(run.info.run_id, "mlflow.project.backend", "databricks")
        runner = DatabricksJobRunner(databricks_profile_uri=tracking_uri)
        job_run_id = runner.run_databricks_spark_job(
            str(REPO), work_dir, experiment_id, new_cluster, run.info.run_id, load_project(work_dir),
            args.entry_point, parameters)
    submitted = DatabricksSubmittedRun(job_run_id, run.info.run_id, runner)
    submitted.POLL_STATUS_INTERVAL = float(os.environ.get("DBJOB_POLL_SECONDS", "30"))
    submitted._print_description_and_log_tags()
    print(f"mlflow run {run.info.run_id}, Databricks job run {job_run_id}")
    if args.wait:
        try:
            _wait_for(submitted)  # marks the run FINISHED or FAILED
        except ExecutionException:
            print(f"dbjob: error: Databricks job run {job_run_id} failed; MLflow run "
                  f"{run.info.run_id} is marked FAILED", file=sys.stderr)
            return 1
    return 0
