"""`python -m mlflow_lab.compare [--model NAME --experiment_name NAME --output_dir DIR]`.

Collects the experiment's finished training runs (sweep children included) and writes
`runs.csv`, `runs.md` and PNG plots to the output folder; logs the same files as
artifacts of a `compare` run, tagged so that later comparisons leave it out.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence
from pathlib import Path

from mlflow_lab.compare.params import CompareParams
from mlflow_lab.naming import describe as settings_in_name
from mlflow_lab.naming import shown
from mlflow_lab.params import declared, parse


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, collect, write and log; return the exit status."""
    params = parse(CompareParams, argv, prog="compare",
                   description="Tables and plots comparing an experiment's runs.")
    from mlflow_lab.compare.collect import COMPARE_TAG, CompareError, collect, collect_pruned
    from mlflow_lab.entries import MODELS
    from mlflow_lab.faults import one_line_errors
    from mlflow_lab.tracking import active_run, tracking_defaults

    tracking_defaults()
    target = MODELS[params.model]
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
    from mlflow_lab.compare.collect import epoch_histories, varying
    from mlflow_lab.compare.plots import epoch_curves, metric_vs_params, parallel_coordinates
    from mlflow_lab.compare.tables import write_tables

    written = write_tables(frame, folder)
    params = varying(frame, target)
    if params:
        metric = target.metric
        written.append(metric_vs_params(frame, metric, params, folder / f"{metric}_vs_params.png",
                                        target.label))
        written.append(parallel_coordinates(frame, metric, params, folder / "parallel_coordinates.png",
                                            target.label))
    if not target.epoch_metric:
        return written
    histories = {**epoch_histories(frame, target.epoch_metric),
                 **epoch_histories(pruned, target.epoch_metric, minimum=1)}
    if histories:
        names = {row.run_id: describe(row, params, target) for row in frame.itertuples()}
        names.update({row.run_id: f"{describe(row, params, target)}, pruned after epoch "
                                  f"{row.pruned_after_epoch}" for row in pruned.itertuples()})
        written.append(epoch_curves(histories, names, folder / f"{target.epoch_metric}_per_epoch.png",
                                    target.epoch_metric, target.label))
    return written


def describe(row, varying: list[str], target) -> str:
    """A legend entry: the run's name, then the varying settings that its name does not show.

    Read from the run's params, not parsed from its name: a name the project gave
    (`<model> bs128-e5-lr0.01`, a trial's `#2 bs128-e5-lr0.01`) ends with the settings it
    shows; any other name (`--run-name`, runs from elsewhere) shows none of them.
    """
    params = target.params(**{item.name: item.kind(getattr(row, item.name))
                              for item in declared(target.params)
                              if item.kind is not str and is_number(getattr(row, item.name, None))})
    named = row.run_name.endswith(" " + settings_in_name(params))
    unseen = [name for name in varying if not (named and name in shown(params))]
    settings = ", ".join(f"{name}={getattr(row, name):g}" for name in unseen)
    return f"{row.run_name} ({settings})" if settings else row.run_name


def is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not math.isnan(value)
