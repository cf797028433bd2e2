"""Run the compare entry point: `python -m compare --help`."""

from compare.cli import main

raise SystemExit(main())
