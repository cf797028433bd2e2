"""Run the compare entry point: `python -m mlflow_lab.compare --help`."""

from mlflow_lab.compare.cli import main
from mlflow_lab.startup import exit_with

exit_with(main())
