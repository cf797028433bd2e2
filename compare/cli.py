"""`python -m compare [--model diab|mnist --experiment_name NAME --output_dir DIR]`.

Collects the experiment's finished training runs (sweep children included) and writes
`runs.csv`, `runs.md` and PNG plots to the output folder; logs the same files as
artifacts of a `compare` run, tagged so that later comparisons leave it out.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from compare.params import CompareParams
from runkit.naming import label
from runkit.params import declared, parse


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, collect, write and log; return the exit status."""
    params = parse(CompareParams, argv, prog="compare",
                   description="Tables and plots comparing an experiment's runs.")
    from compare.collect import COMPARE_TAG, CompareError, collect, collect_pruned
    from runkit.entrypoints import ENTRY_POINTS
    from runkit.faults import one_line_errors
    from runkit.tracking import active_run, bound_http_retries

    bound_http_retries()
    target = ENTRY_POINTS[params.model]
    experiment_name = params.experiment_name or target.experiment
    with one_line_errors("compare"):
        try:
            frame = collect(experiment_name, target)
        except CompareError as error:
            print(f"compare: error: {error}", file=sys.stderr)
            return 2
        folder = Path(params.output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        written = write_all(frame, collect_pruned(experiment_name, target), target, folder)
        import mlflow

        with active_run(experiment_name, f"compare {params.model}"):
            mlflow.set_tags({COMPARE_TAG: str(folder.resolve()), "compare.runs": str(len(frame))})
            for path in written:
                mlflow.log_artifact(str(path), artifact_path="compare")
    for path in written:
        print(path)
    return 0


def write_all(frame, pruned, target, folder: Path) -> list[Path]:
    """Tables and every plot that the runs allow; pruned trials only in the epoch curves."""
    from compare.collect import epoch_histories, varying
    from compare.plots import epoch_curves, metric_vs_params, parallel_coordinates
    from compare.tables import write_tables

    written = write_tables(frame, folder)
    params = varying(frame, target)
    if params:
        metric = target.metric
        written.append(metric_vs_params(frame, metric, params, folder / f"{metric}_vs_params.png"))
        written.append(parallel_coordinates(frame, metric, params, folder / "parallel_coordinates.png"))
    histories = {**epoch_histories(frame), **epoch_histories(pruned, minimum=1)}
    if histories:
        names = {row.run_id: describe(row, params, target) for row in frame.itertuples()}
        names.update({row.run_id: f"{describe(row, params, target)}, pruned after epoch "
                                  f"{row.pruned_after_epoch}" for row in pruned.itertuples()})
        written.append(epoch_curves(histories, names, folder / "accuracy_per_epoch.png"))
    return written


def describe(row, params: list[str], target) -> str:
    """A legend entry: the run's name, then the varying settings that its name does not show.

    The project's names show them already (`mnist bs128-e5-lr0.01`); other names
    (`--run-name`, runs from elsewhere) get them in brackets.
    """
    shown = set(re.split(r"[\s-]+", row.run_name))
    items = {item.name: item for item in declared(target.params)}
    unseen = [name for name in params
              if not items[name].short or label(items[name], getattr(row, name)) not in shown]
    settings = ", ".join(f"{name}={getattr(row, name):g}" for name in unseen)
    return f"{row.run_name} ({settings})" if settings else row.run_name
