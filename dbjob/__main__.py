"""Submit an entry point to Databricks: `python -m dbjob --help`."""

from dbjob.cli import main
from runkit.startup import exit_with

exit_with(main())
