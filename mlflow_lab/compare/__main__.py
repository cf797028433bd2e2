"""Run the compare entry point: `python -m compare --help`."""

from compare.cli import main
from runkit.startup import exit_with

exit_with(main())
