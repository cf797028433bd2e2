"""Run the promote entry point: `python -m mlflow_lab.promote --help`."""

from mlflow_lab.promote.cli import main
from mlflow_lab.startup import exit_with

exit_with(main())
