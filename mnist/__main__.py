"""Run the mnist entry point: `python -m mnist --help`."""

from mnist.cli import main
from runkit.startup import exit_with

exit_with(main())
