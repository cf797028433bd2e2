"""Run the mnist entry point: `python -m mnist --help`."""

from mlflow_lab.startup import exit_with
from mnist.cli import main

exit_with(main())
