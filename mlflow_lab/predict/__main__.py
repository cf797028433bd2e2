"""Run the predict entry point: `python -m predict --help`."""

from predict.cli import main
from runkit.startup import exit_with

exit_with(main())
