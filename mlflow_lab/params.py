"""Typed parameters, declared once as a dataclass; the CLI and its validation come from it.

Each entry point declares its parameters as a frozen dataclass whose fields are made
with `param(...)`: a default, a help text, the allowed range and, for a parameter that
belongs in a run's name, its short label (`mlflow_lab.naming`). `parse(cls, argv)`
builds an argparse parser from those fields and returns an instance; a bad value or
an unknown flag ends the process with ONE line naming the parameter and what is
allowed, and exit status 2, before anything is trained or logged.
The MLproject file mirrors these declarations; `tests/test_mlproject.py` fails when
the two drift apart.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import shlex
import sys
import typing
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

MLPROJECT_TYPES = {int: "int", float: "float", str: "string"}


def param(default: Any, help: str, *, low: float | None = None, high: float | None = None,
          low_open: bool = False, high_open: bool = False, why: str = "",
          choices: tuple[str, ...] = (), prefixes: tuple[str, ...] = (), short: str = "",
          headline: bool = False) -> Any:
    """Declare one parameter: its default, its help text and its allowed range or choices.

    `prefixes` also allows a string that starts with one of them and goes on (a URL scheme).
    `short` labels its value in run names (`max_depth=8` is `d8`); a `headline` parameter is
    always named, the others only when they differ from their default.
    """
    bounds = {"low": low, "high": high, "low_open": low_open, "high_open": high_open, "why": why,
              "choices": choices, "prefixes": prefixes}
    naming = {"short": short, "headline": headline}
    return dataclasses.field(default=default, metadata={"help": help, "bounds": bounds, "naming": naming})


def allowed(kind: type, bounds: dict) -> str:
    """Describe the values a parameter allows, e.g. 'an integer in [1, 10]'."""
    if bounds.get("choices") and bounds.get("prefixes"):
        return ("one of " + ", ".join(bounds["choices"]) + ", or a URL starting "
                + ", ".join(bounds["prefixes"]))
    if bounds.get("choices"):
        return "one of " + ", ".join(bounds["choices"])
    noun = {int: "an integer", float: "a number", str: "a string"}[kind]
    low, high = bounds["low"], bounds["high"]
    if low is not None and high is not None:
        left, right = "(" if bounds["low_open"] else "[", ")" if bounds["high_open"] else "]"
        text = f"{noun} in {left}{_fmt(low)}, {_fmt(high)}{right}"
    elif low is not None:
        text = f"{noun} {'>' if bounds['low_open'] else '>='} {_fmt(low)}"
    elif high is not None:
        text = f"{noun} {'<' if bounds['high_open'] else '<='} {_fmt(high)}"
    else:
        text = noun
    return f"{text} ({bounds['why']})" if bounds["why"] else text


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _in_bounds(value: float, bounds: dict) -> bool:
    low, high = bounds["low"], bounds["high"]
    if low is not None and (value < low or (bounds["low_open"] and value == low)):
        return False
    return high is None or not (value > high or (bounds["high_open"] and value == high))


def converter(kind: type, bounds: dict):
    """Return an argparse `type=` function that parses and range-checks one value."""

    def convert(text: str):
        wanted = allowed(kind, bounds)
        if kind is str:
            prefixed = any(text.startswith(p) and len(text) > len(p) for p in bounds.get("prefixes", ()))
            if bounds.get("choices") and text not in bounds["choices"] and not prefixed:
                raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
            return text
        try:
            value = int(text.strip()) if kind is int else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}") from None
        if not math.isfinite(value) or not _in_bounds(value, bounds):
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
        return value

    convert.__name__ = MLPROJECT_TYPES[kind]
    return convert


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr, then exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


class Declared(NamedTuple):
    """One declared parameter, as the CLI, the docs and the MLproject check see it."""

    name: str
    kind: type
    default: Any
    help: str
    bounds: dict
    short: str  # label in run names; empty: never named
    headline: bool  # always named (else only when it differs from its default)


def declared(cls) -> list[Declared]:
    """The declared parameters of a parameter dataclass, in declaration order."""
    hints = typing.get_type_hints(cls)
    return [Declared(f.name, hints[f.name], f.default, f.metadata["help"], f.metadata["bounds"],
                     **f.metadata["naming"])
            for f in dataclasses.fields(cls)]


def build_parser(cls, prog: str, description: str = "") -> OneLineParser:
    """An argparse parser with one `--name` flag per declared parameter."""
    parser = OneLineParser(prog=prog, description=description, allow_abbrev=False)
    for item in declared(cls):
        parser.add_argument(f"--{item.name}", type=converter(item.kind, item.bounds),
                            default=item.default, metavar=item.kind.__name__.upper(),
                            help=f"{item.help}; {allowed(item.kind, item.bounds)}; "
                                 f"default {item.default!r}")
    return parser


def parse(cls, argv: Sequence[str] | None, prog: str, description: str = ""):
    """Parse command-line flags into an instance of the parameter dataclass `cls`."""
    parser = build_parser(cls, prog, description)
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    return cls(**vars(args))


def from_logged(cls, logged: Mapping[str, str], prog: str):
    """The parameters a run logged (strings, as MLflow keeps them) as an instance of `cls`.

    Those it did not log take their defaults; `mlflow run` logs a value with the shell quotes
    it passed it with (`''`), which are taken off; an empty string (a default data path) is a
    value like any other.
    """
    flags = []
    for item in declared(cls):
        if item.name in logged:
            flags += [f"--{item.name}", logged_value(logged[item.name])]
    return parse(cls, flags, prog=prog)


def logged_value(text: str) -> str:
    """A param's value as given, from the text MLflow logged (`mlflow run` keeps shell quotes: `''`)."""
    quoted = text[:1] in ("'", '"')  # not `in "'\""`: "" is in every string
    return shlex.split(text)[0] if quoted else text
