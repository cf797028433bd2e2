"""Run the sweep entry point: `python -m mlflow_lab.sweep --help`."""

from mlflow_lab.startup import exit_with
from mlflow_lab.sweep.cli import main

exit_with(main())
