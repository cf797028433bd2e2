"""The settings a sweep runs: a grid from comma lists, or seeded random draws from ranges.

`-P max_depth=4,6,8` is a list, `-P max_depth=2:12` a range (inclusive; only with trials),
`-P max_depth=6` a single value. Each value is checked with the entry point's own
parameter declaration, so a sweep refuses exactly what a single run refuses.
"""

from __future__ import annotations

import argparse
import itertools
import random
from typing import Any, NamedTuple

from runkit.params import Declared, converter, declared

NOT_SWEPT = {"register_as"}  # the sweep registers the best model itself


class SpaceError(ValueError):
    """A sweep's parameter space is unusable; the message is one line naming the parameter."""


class Range(NamedTuple):
    """An inclusive range to draw from: integers for int parameters, uniform for floats."""

    low: Any
    high: Any


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
    parts = text.split(":") if ":" in text else text.split(",")
    if any(not part.strip() for part in parts) or (":" in text and len(parts) != 2):
        raise SpaceError(f"--{item.name}: {text!r} is neither a list (a,b,c) nor a range (low:high)")
    try:
        values = [convert(part.strip()) for part in parts]
    except argparse.ArgumentTypeError as error:
        raise SpaceError(f"--{item.name}: every value {error}") from None
    if ":" in text:
        if values[0] > values[1]:
            raise SpaceError(f"--{item.name}: range {text!r} has its low end above its high end")
        return Range(*values)
    return list(dict.fromkeys(values))


def grid(space: dict[str, list | Range]) -> list[dict[str, Any]]:
    """Every combination of the listed values."""
    ranged = [name for name, values in space.items() if isinstance(values, Range)]
    if ranged:
        raise SpaceError(f"--{ranged[0]}: a range needs trials (add -P trials=N), or give a list")
    names = list(space)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*space.values())]


def draws(space: dict[str, list | Range], trials: int, seed: int) -> list[dict[str, Any]]:
    """`trials` settings drawn at random, the same ones for the same seed."""
    if not any(isinstance(v, Range) or len(v) > 1 for v in space.values()):
        raise SpaceError("--trials: random search needs at least one range (low:high) or list to draw from")
    rng = random.Random(seed)
    return [{name: _draw(rng, values) for name, values in space.items()} for _ in range(trials)]


def _draw(rng: random.Random, values: list | Range):
    if isinstance(values, Range):
        if isinstance(values.low, int):
            return rng.randint(values.low, values.high)
        return rng.uniform(values.low, values.high)
    return rng.choice(values)
