"""The command line of a model that needs nothing special: `python -m <model> --flag value`.

`run_entry(ENTRY, argv)` parses the entry's declared parameters (one line and exit 2 on bad
input), opens the run (the launcher's under `mlflow run`, else one in the entry's experiment,
named by what ran), trains with the entry's training function, and prints the test metric
last, as `<metric> <value>`. A model package's `cli.py` can be just that call.
"""

from __future__ import annotations

from collections.abc import Sequence

from runkit.entry import Entry
from runkit.params import parse


def run_entry(entry: Entry, argv: Sequence[str] | None = None) -> int:
    """Parse, train and log one run of `entry`; return the exit status."""
    params = parse(entry.params, argv, prog=entry.name,
                   description=f"Train {entry.name} once, tracked with MLflow.")
    from runkit.faults import one_line_errors
    from runkit.naming import run_name
    from runkit.tracking import active_run

    train = entry.trainer()
    with one_line_errors(entry.name), active_run(entry.experiment, run_name(entry.name, params)) as run:
        metrics = train(run, params, None)
    print(entry.metric, metrics[entry.metric])
    return 0
