"""Run the doctor entry point: `python -m mlflow_lab.doctor --help`."""

from mlflow_lab.doctor.cli import main
from mlflow_lab.startup import exit_with

exit_with(main())
