"""`python -m mlflow_lab.databricks_jobs follow MLFLOW_RUN_ID`: follow a job to its end.

The job is one submitted with DBJOBS_DETACH=1.

It reads the job run id the submission tagged on the MLflow run, follows the job, ends the
MLflow run to match (FINISHED, FAILED with the job's message, or KILLED), and exits 0 only
when the job succeeded.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from mlflow_lab.params import OneLineParser


def main(argv: Sequence[str] | None = None) -> int:
    parser = OneLineParser(prog="databricks-jobs", allow_abbrev=False,
                           description="Follow a Databricks job run and end its MLflow run to match.")
    parser.add_argument("command", choices=["follow"])
    parser.add_argument("run_id", help="the MLflow run the job logs into")
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    import mlflow

    from mlflow_lab.databricks_jobs.backend import JOB_RUN_TAG, ended_message, workspace_client
    from mlflow_lab.databricks_jobs.follow import cancelled_on_interrupt, follow
    from mlflow_lab.faults import one_line_errors

    with one_line_errors("databricks-jobs"):
        tags = mlflow.MlflowClient().get_run(args.run_id).data.tags
        if JOB_RUN_TAG not in tags:
            parser.error(f"argument run_id: run {args.run_id} was not submitted to Databricks "
                         f"(it has no {JOB_RUN_TAG} tag)")
        job_run_id = int(tags[JOB_RUN_TAG])
        workspace = workspace_client(mlflow.get_tracking_uri())
        with cancelled_on_interrupt(workspace, job_run_id, args.run_id):
            result = follow(workspace, job_run_id, args.run_id)
    if result.status != "FINISHED":
        print(f"databricks-jobs: error: {ended_message(job_run_id, args.run_id, result)}", file=sys.stderr)
        return 1
    return 0
