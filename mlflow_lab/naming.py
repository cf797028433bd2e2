"""Run names that say what ran: `<model> n200-d8-f4`, `<model> bs128-e5-lr0.05`.

A parameter that belongs in a name declares its short label with its declaration
(`param(..., short="d")`): headline parameters are always named, the others only when they
differ from their default, so two names differ exactly where the settings differ.

Under `mlflow run` the launcher has already named the run, either as the user asked
(`--run-name`) or at random (`mysterious-wasp-23`). The entry point renames it only when it
can tell the user asked for nothing: it finds the `mlflow run` command among its ancestor
processes (`/proc` on Linux, `ps` elsewhere) and reads its arguments. When it cannot find
the launcher (a Python `mlflow.projects.run(...)`, a job that resumes a run), it keeps the name.
Why not something simpler: `mlflow run` hands the process only MLFLOW_RUN_ID and the run,
and a name the user gave looks exactly like one MLflow drew at random (no tag, variable or
param tells them apart), so the launcher's own arguments are the one place that says.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from mlflow_lab.params import Declared, declared

ANCESTORS_SEARCHED = 8  # mlflow run -> bash -c -> python -m <model>, with room for wrappers


def describe(params) -> str:
    """The settings of `params` that a name shows: `n200-d8-f4`, `bs128-e5-lr0.05-do0.3`."""
    items = {item.name: item for item in declared(type(params))}
    return "-".join(label(items[name], getattr(params, name)) for name in shown(params))


def shown(params) -> list[str]:
    """The parameters a name shows: the headline ones, and those labelled that differ from their default."""
    return [item.name for item in declared(type(params))
            if item.short and (item.headline or getattr(params, item.name) != item.default)]


def label(item: Declared, value) -> str:
    """One parameter's part of a name: `d8`, `lr0.05`, `lr0.01234`, `lr5e-05` (every digit of the value)."""
    if item.kind is not float:
        return f"{item.short}{int(value)}"
    text = repr(float(value))
    return f"{item.short}{text.removesuffix('.0')}"


def run_name(entry_point: str, params) -> str:
    """The name of a run of `entry_point` with `params`: `<entry point> n200-d8-f4`."""
    return f"{entry_point} {describe(params)}"


def trial_name(number: int, params) -> str:
    """The name of a sweep's trial `number`: `#3 n200-d8-f4` (its parent says which model)."""
    return f"#{number} {describe(params)}"


def user_named_the_launched_run() -> bool | None:
    """Whether the `mlflow run` that launched this process had `--run-name`; None: no launcher found."""
    arguments = launcher_arguments()
    if arguments is None:
        return None
    return any(arg == "--run-name" or arg.startswith("--run-name=") for arg in arguments)


def launcher_arguments(pid: int | None = None) -> list[str] | None:
    """The arguments after `mlflow run` of the nearest ancestor that is one; None if none is."""
    pid = os.getppid() if pid is None else pid
    for _ in range(ANCESTORS_SEARCHED):
        found = parent_and_argv(pid)
        if found is None:
            return None
        parent, argv = found
        arguments = after_mlflow_run(argv)
        if arguments is not None:
            return arguments
        if parent <= 1:
            return None
        pid = parent
    return None


def after_mlflow_run(argv: list[str]) -> list[str] | None:
    """The arguments after `mlflow run` in a command line (`mlflow run` or `python -m mlflow run`)."""
    for index, word in enumerate(argv[:-1]):  # the CLI script's path, or the module after -m
        if Path(word).name == "mlflow" and argv[index + 1] == "run":
            return argv[index + 2:]
    return None


def parent_and_argv(pid: int) -> tuple[int, list[str]] | None:
    """The parent pid and the command line of process `pid`; None if it cannot be read."""
    proc = Path(f"/proc/{pid}")
    if Path("/proc/self/stat").exists():
        try:
            stat = (proc / "stat").read_text()
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # after "pid (name) state"
        return parent, [arg.decode(errors="replace") for arg in argv if arg]
    return parent_and_argv_from_ps(pid)


def parent_and_argv_from_ps(pid: int) -> tuple[int, list[str]] | None:
    """`ps`'s view of process `pid` (macOS and other systems without /proc): words, not exact args."""
    try:
        line = subprocess.run(["ps", "-ww", "-o", "ppid=", "-o", "args=", "-p", str(pid)],
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if not line:
        return None
    parent, _, command = line.partition(" ")
    return int(parent), command.split()
