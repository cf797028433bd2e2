"""Helpers the benchmarks share: where the lab's baselines are, and timing a command."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LAB_SHARED", REPO.parent / "shared"))
BASELINES = SHARED / "baselines"


def require(path: Path) -> Path:
    """Return `path`, or exit with one line saying it is missing."""
    if not path.exists():
        sys.exit(f"benchmark: {path} not found (set LAB_SHARED to the folder holding baselines/)")
    return path


class Measured(NamedTuple):
    """One finished command: wall time, peak RSS of its largest process, its stdout."""

    seconds: float
    peak_rss_mb: float
    stdout: str


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> Measured:
    """Run `command` to completion and measure it; exit if it fails."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if process.returncode != 0:
            sys.exit(f"benchmark: {' '.join(command)} failed:\n{err.read()[-2000:]}")
        return Measured(elapsed, usage.ru_maxrss / 1024, out.read())


def measure_in_fresh_store(command: list[str], **extra_env: str) -> Measured:
    """Measure `command` in a new temporary folder whose sqlite store starts empty."""
    folder, env = fresh_store()
    try:
        return measure(command, folder, {**env, **extra_env})
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Run `command` to completion and return its wall time; exit if it fails."""
    return measure(command, cwd, env).seconds


def report(values: dict[str, list[float]], theirs: str, unit: str = "s",
           label: str = "wall time") -> None:
    """Print every measurement, the median of each side and each side's ratio to `theirs`."""
    print(f"{label}:")
    width = max(map(len, values))
    for name, series in values.items():
        print(f"  {name:>{width}}: median {statistics.median(series):8.4g} {unit}  "
              f"({', '.join(f'{v:.4g}' for v in series)})")
    for name, series in values.items():
        if name != theirs:
            ratio = statistics.median(series) / statistics.median(values[theirs])
            print(f"  ratio {name} / {theirs}: {ratio:.2f}")


def fresh_store() -> tuple[Path, dict[str, str]]:
    """A new temporary folder and an environment logging to an empty sqlite store in it.

    PYTHONPATH names the repository, so `python -m <entry point>` runs from that folder.
    """
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    return folder, dict(os.environ, MLFLOW_TRACKING_URI=f"sqlite:///{folder}/mlflow.db",
                        PYTHONPATH=str(REPO))
