"""Helpers the benchmarks share: where the lab's baselines are, and timing a command."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LAB_SHARED", REPO.parent / "shared"))
BASELINES = SHARED / "baselines"


def require(path: Path) -> Path:
    """Return `path`, or exit with one line saying it is missing."""
    if not path.exists():
        sys.exit(f"benchmark: {path} not found (set LAB_SHARED to the folder holding baselines/)")
    return path


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Run `command` to completion and return its wall time; exit if it fails."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"benchmark: {' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return elapsed


def report(times: dict[str, list[float]], ours: str, theirs: str) -> None:
    """Print every timing, the median of each side and their ratio."""
    for name, values in times.items():
        print(f"{name:>6}: median {statistics.median(values):6.2f} s  "
              f"({', '.join(f'{v:.2f}' for v in values)})")
    ratio = statistics.median(times[ours]) / statistics.median(times[theirs])
    print(f"ratio {ours}/{theirs}: {ratio:.2f}")
