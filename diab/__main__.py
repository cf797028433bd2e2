"""Run the diab entry point: `python -m diab --help`."""

from diab.cli import main

raise SystemExit(main())
