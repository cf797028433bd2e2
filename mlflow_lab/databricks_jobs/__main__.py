"""`python -m mlflow_lab.databricks_jobs follow MLFLOW_RUN_ID`: re-attach to a detached Databricks job run."""

from mlflow_lab.databricks_jobs.cli import main
from mlflow_lab.startup import exit_with

exit_with(main())
