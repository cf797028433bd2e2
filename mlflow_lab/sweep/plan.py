"""A sweep's plan: its arguments parsed and checked, and stored on the study run as data.

The CLI, the session (to resume) and the Databricks submission (to refuse a bad sweep before
submitting it) all read arguments here. A plan's identity (model, sampler, trials, seed,
pruning, the models it logs and the space as given) is stored on the parent run as JSON (`sweep.plan`), so a
resumed sweep rebuilds exactly the same plan; where and how wide it runs can change.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

from mlflow_lab.params import build_parser
from mlflow_lab.sweep.params import MAX_WORKERS, SweepParams

IDENTITY = ("model", "sampler", "trials", "sampler_seed", "prune", "pruner", "log_models")  # and the space


class Plan(NamedTuple):
    """A checked sweep: its parameters, the model's entry, the space and the sampler to use."""

    params: SweepParams
    target: Any  # mlflow_lab.entry.Entry
    workers: int
    space: dict  # what the trials draw from, with pruning's held-out fraction added
    sampler: str
    given: dict[str, str]  # the model parameters as given: `{"max_depth": "4,6,8"}`

    def stored(self) -> str:
        """The plan's identity as one JSON line, to store on the study run."""
        identity = {name: getattr(self.params, name) for name in IDENTITY}
        return json.dumps({**identity, "space": self.given}, sort_keys=True)


def parse_args(argv: Sequence[str] | None, here: bool = True) -> Plan:
    """The sweep's parameters and the model's space; exits with one line on bad input.

    `here=False` checks a sweep that will run elsewhere (a Databricks job): this machine
    need not have Spark.
    """
    from mlflow_lab.entries import MODELS
    from mlflow_lab.spark import BackendError, check_spark
    from mlflow_lab.sweep.space import SpaceError, grid, parse_space, searchable

    parser = build_parser(SweepParams, prog="sweep",
                          description="Search a model's parameters as one Optuna study in MLflow.")
    argv = list(sys.argv[1:] if argv is None else argv)
    known, rest = parser.parse_known_args(argv)
    params = SweepParams(**vars(known))
    try:
        workers = resolve_workers(params.workers)
        target = MODELS[params.model]
        given = pairs(rest)
        space = parse_space(target.params, given)
        sampler = resolve_sampler(params)
        if params.log_models == "none" and params.register_as:
            raise SpaceError("argument --log_models: none keeps no trial's model, so register_as has none "
                             "to register; use improving (the default) or all")
        if params.prune == "true":
            space = with_holdout(target, space)
        grid(space) if sampler == "grid" else searchable(space)
        if params.backend != "local" and here:
            check_spark(params.backend)
    except (SpaceError, BackendError) as error:
        parser.error(str(error))
    return Plan(params, target, workers, space, sampler, given)


def from_stored(stored: str, session: SweepParams) -> Plan:
    """The plan stored on a study run, to run with this session's workers, backend and gate settings."""
    identity = json.loads(stored)
    if "seed" in identity:  # stored before 2026-12-06, when the sampler's seed was named `seed`
        identity["sampler_seed"] = identity.pop("seed")
    space = identity.pop("space")
    argv = [arg for name, value in identity.items() for arg in (f"--{name}", str(value))]
    argv += [arg for name in ("workers", "backend", "register_as", "min_improvement", "require_reproduced")
             for arg in (f"--{name}", str(getattr(session, name)))]
    return parse_args(argv + [arg for name, text in space.items() for arg in (f"--{name}", text)])


def resolve_sampler(params: SweepParams) -> str:
    """auto: grid without trials, tpe with; a grid takes no trial count, a search needs one."""
    from mlflow_lab.sweep.space import SpaceError

    sampler = params.sampler if params.sampler != "auto" else ("tpe" if params.trials else "grid")
    if sampler == "grid" and params.trials:
        raise SpaceError("argument --trials: a grid runs each of its cells once; leave trials at 0 "
                         "or pick sampler random or tpe")
    if sampler != "grid" and not params.trials:
        raise SpaceError(f"argument --trials: sampler {sampler} needs trials > 0")
    return sampler


def with_holdout(target, space: dict) -> dict:
    """Pruning judges each step on held-out data; a model that trains in one step cannot prune."""
    from mlflow_lab.sweep.space import SpaceError

    pruning = target.pruning
    if pruning is None:
        raise SpaceError(f"argument --prune: {target.name} trains in one step, so there is nothing to "
                         "prune")
    held_out = space.get(pruning.holdout, [pruning.holdout_default])
    if not isinstance(held_out, list) or 0 in held_out:
        raise SpaceError(f"argument --prune: needs {pruning.holdout} above 0 (one value or a list)")
    return {**space, pruning.holdout: held_out}


def resolve_workers(text: str) -> int:
    """'auto' is one worker per core; otherwise an integer from 1 to MAX_WORKERS."""
    from mlflow_lab.sweep.space import SpaceError

    if text == "auto":
        return os.cpu_count() or 1
    if text.strip().isdigit() and 1 <= int(text) <= MAX_WORKERS:
        return int(text)
    raise SpaceError(f"argument --workers: must be 'auto' or an integer in [1, {MAX_WORKERS}], got {text!r}")


def pairs(rest: list[str]) -> dict[str, str]:
    """The model's parameters, `--name value` or `--name=value`, as MLflow forwards undeclared -P."""
    from mlflow_lab.sweep.space import SpaceError

    found, words = {}, list(rest)
    while words:
        flag = words.pop(0)
        if not flag.startswith("--") or flag == "--":
            raise SpaceError(f"unrecognized arguments: {' '.join(rest)} (model parameters go as "
                             "--name values)")
        name, equals, value = flag[2:].partition("=")
        if not equals:
            if not words:
                raise SpaceError(f"argument --{name}: expected a value")
            value = words.pop(0)
        found[name] = value
    return found
