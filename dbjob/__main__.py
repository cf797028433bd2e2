"""Submit an entry point to Databricks: `python -m dbjob --help`."""

from dbjob.cli import main

raise SystemExit(main())
