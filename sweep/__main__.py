"""Run the sweep entry point: `python -m sweep --help`."""

from sweep.cli import main

raise SystemExit(main())
