"""Run the diab entry point: `python -m diab --help`."""

from diab.cli import main
from runkit.startup import exit_with

exit_with(main())
