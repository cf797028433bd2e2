"""The command line of a model that needs nothing special: `python -m <model> --flag value`.

`run_entry(ENTRY, argv)` parses the entry's declared parameters (one line and exit 2 on bad
input) and calls `train_once`, which opens the run (the launcher's under `mlflow run`, else
one in the entry's experiment, named by what ran), trains with the entry's training function
and, with `register_as`, sends the model through the promotion gate (`mlflow_lab.gate`) before
the run ends. The test metric is printed last, as `<metric> <value>`. A model package's
`cli.py` can be just that call.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from mlflow_lab.entry import Entry
from mlflow_lab.params import parse


def run_entry(entry: Entry, argv: Sequence[str] | None = None) -> int:
    """Parse, train and log one run of `entry`; return the exit status."""
    params = parse(entry.params, argv, prog=entry.name,
                   description=f"Train {entry.name} once, tracked with MLflow.")
    from mlflow_lab.faults import one_line_errors

    with one_line_errors(entry.name):
        metrics = train_once(entry, params)
    print(entry.metric, metrics[entry.metric])
    return 0


def train_once(entry: Entry, params, **inputs) -> dict[str, float]:
    """One run of `entry` with `params`: trained, logged, and gated when `register_as` is set.

    `inputs` go to the training function as they are (data a model read before the run
    opens). A gate that refuses ends the run FAILED, with nothing registered.
    """
    from mlflow_lab.naming import run_name
    from mlflow_lab.tracking import active_run, record_provenance

    train = entry.trainer()
    if getattr(params, "register_as", ""):  # the gate's evaluation code, while the model trains
        from mlflow_lab.startup import import_in_background

        import_in_background("mlflow.models.evaluation.default_evaluator")
    with active_run(entry.experiment, run_name(entry.name, params)) as run:
        record_provenance(entry)
        metrics = train(run, params, None, **inputs)
        name = getattr(params, "register_as", "")
        if name:
            from mlflow_lab.gate import register_run

            decision = register_run(entry, run.info.run_id, params, name, params.min_improvement,
                                    getattr(params, "require_reproduced", "false") == "true")
            print(decision.line(), file=sys.stderr)
    return metrics
