"""Run the sweep entry point: `python -m sweep --help`."""

from runkit.startup import exit_with
from sweep.cli import main

exit_with(main())
