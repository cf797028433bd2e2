"""Run the diab entry point: `python -m diab --help`."""

from diab.cli import main
from mlflow_lab.startup import exit_with

exit_with(main())
