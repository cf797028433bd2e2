"""`python -m dbjobs follow MLFLOW_RUN_ID`: re-attach to a detached Databricks job run."""

from dbjobs.cli import main
from runkit.startup import exit_with

exit_with(main())
