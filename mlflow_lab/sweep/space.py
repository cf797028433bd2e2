"""A sweep's search space: comma lists, ranges and single values, as Optuna distributions.

`-P max_depth=4,6,8` is a list (categorical), `-P max_depth=2:12` a range (inclusive;
integers for int parameters, uniform for floats; only with trials), `-P learning_rate=
0.005:0.5:log` a range on a log scale, `-P max_depth=6` a single value. Each value is
checked with the entry point's own parameter declaration, so a sweep refuses exactly
what a single run refuses.
"""

from __future__ import annotations

import argparse
import itertools
from typing import Any, NamedTuple

from mlflow_lab.gate import GATED
from mlflow_lab.params import Declared, converter, declared

NOT_SWEPT = set(GATED)  # the sweep registers the best model itself, through the gate


class SpaceError(ValueError):
    """A sweep's parameter space is unusable; the message is one line naming the parameter."""


class Range(NamedTuple):
    """An inclusive range to draw from: integers for int parameters, floats otherwise."""

    low: Any
    high: Any
    log: bool = False


def parse_space(cls, assignments: dict[str, str]) -> dict[str, list | Range]:
    """Parse `{name: text}` into lists and ranges, checked against the parameters of `cls`."""
    known = {item.name: item for item in declared(cls)}
    space: dict[str, list | Range] = {}
    for name, text in assignments.items():
        if name not in known or name in NOT_SWEPT:
            allowed = ", ".join(n for n in known if n not in NOT_SWEPT)
            raise SpaceError(f"--{name}: not a parameter of {cls.__name__} (allowed: {allowed})")
        space[name] = parse_values(known[name], text)
    return space


def parse_values(item: Declared, text: str) -> list | Range:
    """One parameter's list, range or single value."""
    convert = converter(item.kind, item.bounds)
    if item.kind is str:
        return [convert(text)]
    log = text.endswith(":log")
    body = text.removesuffix(":log")
    ranged = ":" in body  # `:log` only ever follows a range's low:high
    parts = body.split(":") if ranged else body.split(",")
    if any(not part.strip() for part in parts) or (ranged and len(parts) != 2) or (log and not ranged):
        raise SpaceError(f"--{item.name}: {text!r} is neither a list (a,b,c) nor a range "
                         "(low:high or low:high:log)")
    try:
        values = [convert(part.strip()) for part in parts]
    except argparse.ArgumentTypeError as error:
        raise SpaceError(f"--{item.name}: every value {error}") from None
    if ranged:
        if values[0] > values[1]:
            raise SpaceError(f"--{item.name}: range {text!r} has its low end above its high end")
        if log and values[0] <= 0:
            raise SpaceError(f"--{item.name}: a log range needs a low end above 0, got {text!r}")
        return Range(*values, log=log)
    return list(dict.fromkeys(values))


def grid(space: dict[str, list | Range]) -> list[dict[str, Any]]:
    """Every combination of the listed values."""
    ranged = [name for name, values in space.items() if isinstance(values, Range)]
    if ranged:
        raise SpaceError(f"--{ranged[0]}: a range needs trials (add -P trials=N), or give a list")
    names = list(space)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*space.values())]


def distributions(space: dict[str, list | Range]) -> dict[str, Any]:
    """Optuna's distribution for each parameter: int or float ranges, categorical lists."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    found = {}
    for name, values in space.items():
        if isinstance(values, Range) and isinstance(values.low, int):
            found[name] = IntDistribution(values.low, values.high, log=values.log)
        elif isinstance(values, Range):
            found[name] = FloatDistribution(values.low, values.high, log=values.log)
        else:
            found[name] = CategoricalDistribution(values)
    return found


def searchable(space: dict[str, list | Range]) -> None:
    """Refuse a space with nothing to search: every parameter a single value."""
    if not any(isinstance(v, Range) or len(v) > 1 for v in space.values()):
        raise SpaceError("--trials: a search needs at least one range (low:high) or list to draw from")


def as_text(values: list | Range) -> str:
    """A list or range as the user writes it: `4,6,8`, `2:16`, `0.005:0.5:log`."""
    if isinstance(values, Range):
        return f"{values.low}:{values.high}" + (":log" if values.log else "")
    return ",".join(map(str, values))
