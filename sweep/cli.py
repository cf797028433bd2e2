"""`python -m sweep --model diab --max_depth 4,6,8 [--trials N --workers W --register_as NAME]`.

Builds the settings (a grid, or `trials` random draws), runs them as nested child runs
of one parent run in a pool of worker processes, then tags the parent with `best_run_id`
and `best_<metric>` and, with `register_as`, registers the best model and moves the alias
`champion` to it. Every setting is checked before any training starts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from runkit.params import build_parser
from sweep.params import MAX_WORKERS, SweepParams

ALIAS = "champion"


def parse_args(argv: Sequence[str] | None):
    """The sweep's own parameters, the model's space and the settings to run; exits on bad input."""
    from sweep.models import TARGETS
    from sweep.space import SpaceError, draws, grid, parse_space

    parser = build_parser(SweepParams, prog="sweep",
                          description="Run many settings of an entry point as one parent run.")
    known, rest = parser.parse_known_args(sys.argv[1:] if argv is None else list(argv))
    params = SweepParams(**vars(known))
    try:
        workers = resolve_workers(params.workers)
        assignments = pairs(rest)
        target = TARGETS[params.model]
        space = parse_space(target.params, assignments)
        settings = draws(space, params.trials, params.seed) if params.trials else grid(space)
    except SpaceError as error:
        parser.error(str(error))
    return params, target, workers, space, settings


def resolve_workers(text: str) -> int:
    """'auto' is one worker per core; otherwise an integer from 1 to MAX_WORKERS."""
    from sweep.space import SpaceError

    if text == "auto":
        return os.cpu_count() or 1
    if text.strip().isdigit() and 1 <= int(text) <= MAX_WORKERS:
        return int(text)
    raise SpaceError(f"argument --workers: must be 'auto' or an integer in [1, {MAX_WORKERS}], got {text!r}")


def pairs(rest: list[str]) -> dict[str, str]:
    """`--name value` pairs of the model's parameters, as MLflow forwards undeclared -P."""
    from sweep.space import SpaceError

    if len(rest) % 2 or any(not flag.startswith("--") for flag in rest[::2]):
        raise SpaceError(f"unrecognized arguments: {' '.join(rest)} (model parameters go as --name values)")
    return {flag[2:]: value for flag, value in zip(rest[::2], rest[1::2], strict=True)}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run every setting, record the best; return the exit status."""
    params, target, workers, space, settings = parse_args(argv)
    import mlflow

    from runkit.faults import one_line_errors
    from runkit.tracking import active_run
    from sweep.runner import run_settings

    with one_line_errors("sweep"), active_run(target.experiment) as parent:
        mlflow.log_params({"sweep.model": params.model, "sweep.trials": params.trials,
                           "sweep.workers": workers, "sweep.seed": params.seed,
                           **{f"sweep.space.{k}": str(v) for k, v in space.items()}})
        mlflow.set_tag("sweep.settings", str(len(settings)))
        outcomes = run_settings(target, settings, workers, parent.info.experiment_id,
                                parent.info.run_id)
        finished = [o for o in outcomes if not o.error and target.metric in o.metrics]
        pick = max if target.higher_is_better else min  # ties: the first to finish
        best = pick(finished, key=lambda outcome: outcome.metrics[target.metric], default=None)
        if best is not None:
            mlflow.set_tag("best_run_id", best.run_id)
            mlflow.log_metric(f"best_{target.metric}", best.metrics[target.metric])
        failed = len(outcomes) - len(finished)
        if failed:
            print(f"sweep: error: {failed} of {len(outcomes)} settings failed; nothing registered",
                  file=sys.stderr)
            mlflow.set_tag("sweep.failed", str(failed))
            raise SystemExit(1)
        if params.register_as:
            register_best(params.register_as, best.run_id, parent.info.experiment_id)
    print(f"best_run_id {best.run_id}")
    print(f"best_{target.metric} {best.metrics[target.metric]}")
    return 0


def register_best(name: str, run_id: str, experiment_id: str) -> None:
    """Register the best child's model under `name` and point the alias `champion` at it."""
    import mlflow

    client = mlflow.MlflowClient()
    [model] = client.search_logged_models(experiment_ids=[experiment_id],
                                          filter_string=f"source_run_id = '{run_id}'")
    version = mlflow.register_model(f"models:/{model.model_id}", name)
    client.set_registered_model_alias(name, ALIAS, version.version)
    print(f"registered {name} version {version.version} as @{ALIAS}", file=sys.stderr)
