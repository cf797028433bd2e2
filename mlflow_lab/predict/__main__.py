"""Run the predict entry point: `python -m mlflow_lab.predict --help`."""

from mlflow_lab.predict.cli import main
from mlflow_lab.startup import exit_with

exit_with(main())
