"""Run the reproduce entry point: `python -m mlflow_lab.reproduce --help`."""

from mlflow_lab.reproduce.cli import main
from mlflow_lab.startup import exit_with

exit_with(main())
