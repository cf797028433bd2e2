"""Run the promote entry point: `python -m promote --help`."""

from promote.cli import main
from runkit.startup import exit_with

exit_with(main())
