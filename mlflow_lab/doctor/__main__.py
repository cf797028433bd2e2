"""Run the doctor entry point: `python -m doctor --help`."""

from doctor.cli import main
from runkit.startup import exit_with

exit_with(main())
