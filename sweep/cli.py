"""`python -m sweep --model diab --max_depth 2:16 --trials 40 [--sampler ... --backend spark ...]`.

An Optuna study kept in MLflow: the parent run is the study and each trial a nested child
run logging exactly what a single run logs. When done, the parent carries `best_run_id`
and `best_<metric>`; with `register_as` the best model is registered and the alias
`champion` moved to it. Every argument is checked before any training starts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

from runkit.params import build_parser
from sweep.params import MAX_WORKERS, SweepParams

ALIAS = "champion"
PRUNING_VALIDATION = 0.1  # validation_fraction a pruned mnist sweep holds out unless told
SESSION_FLAGS = ("workers", "backend", "register_as", "resume")  # not part of a sweep's identity


class Plan(NamedTuple):
    """A checked sweep: its parameters, the entry point, the space and the sampler to use."""

    params: SweepParams
    target: Any
    workers: int
    space: dict
    sampler: str
    argv: list[str]  # what defines the sweep, stored for resuming it
    space_given: bool  # model parameters came on the command line


def parse_args(argv: Sequence[str] | None, here: bool = True) -> Plan:
    """The sweep's parameters and the model's space; exits with one line on bad input.

    `here=False` checks a sweep that will run elsewhere (a Databricks job): this machine
    need not have Spark.
    """
    from runkit.entrypoints import ENTRY_POINTS
    from sweep.backends import BackendError, check_spark
    from sweep.space import SpaceError, grid, parse_space, searchable

    parser = build_parser(SweepParams, prog="sweep",
                          description="Search an entry point's parameters as one Optuna study in MLflow.")
    argv = list(sys.argv[1:] if argv is None else argv)
    known, rest = parser.parse_known_args(argv)
    params = SweepParams(**vars(known))
    try:
        workers = resolve_workers(params.workers)
        target = ENTRY_POINTS[params.model]
        space = parse_space(target.params, pairs(rest))
        sampler = resolve_sampler(params)
        if params.prune == "true":
            space = with_validation(params.model, space)
        grid(space) if sampler == "grid" else searchable(space)
        if params.backend == "spark" and here:
            check_spark()
    except (SpaceError, BackendError) as error:
        parser.error(str(error))
    identity = [arg for flag, value in zip(argv[::2], argv[1::2], strict=False)
                if flag.removeprefix("--") not in SESSION_FLAGS for arg in (flag, value)]
    return Plan(params, target, workers, space, sampler, identity, bool(rest))


def resolve_sampler(params: SweepParams) -> str:
    """auto: grid without trials, tpe with; a grid takes no trial count, a search needs one."""
    from sweep.space import SpaceError

    sampler = params.sampler if params.sampler != "auto" else ("tpe" if params.trials else "grid")
    if sampler == "grid" and params.trials:
        raise SpaceError("argument --trials: a grid runs each of its cells once; leave trials at 0 "
                         "or pick sampler random or tpe")
    if sampler != "grid" and not params.trials:
        raise SpaceError(f"argument --trials: sampler {sampler} needs trials > 0")
    return sampler


def with_validation(model: str, space: dict) -> dict:
    """Pruning judges each epoch on held-out training images; only mnist has epochs."""
    from sweep.space import SpaceError

    if model != "mnist":
        raise SpaceError(f"argument --prune: {model} trains in one step, so there is nothing to "
                         "prune; pruning is for mnist")
    held_out = space.get("validation_fraction", [PRUNING_VALIDATION])
    if not isinstance(held_out, list) or 0 in held_out:
        raise SpaceError("argument --prune: needs validation_fraction above 0 (one value or a list)")
    return {**space, "validation_fraction": held_out}


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
    """Parse, run the study's trials, record the best; return the exit status."""
    plan = parse_args(argv)
    from sweep.backends import start_spark

    starting = start_spark(plan.workers) if plan.params.backend == "spark" else None
    import mlflow

    from runkit.faults import one_line_errors
    from runkit.tracking import active_run
    from sweep.session import run_session

    with one_line_errors("sweep"), active_run(plan.target.experiment) as session:
        best = run_session(plan, session, mlflow.MlflowClient(), starting)
    print(f"best_run_id {best.info.run_id}")
    print(f"best_{plan.target.metric} {best.data.metrics[plan.target.metric]}")
    return 0
