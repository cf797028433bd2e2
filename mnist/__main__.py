"""Run the mnist entry point: `python -m mnist --help`."""

from mnist.cli import main

raise SystemExit(main())
