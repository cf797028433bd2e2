"""A sweep's fixed cost and its cost per trial, each against the compute floor's.

    python benchmarks/sweep_marginal.py [--pairs 2] [--workers 2]

The diab grid of 24 cells (max_depth 4,6,8) and of 48 (max_depth 4..14), side by side,
interleaved, each run into a fresh sqlite store:
- floor: the same forests fitted and scored in a spawn pool of `workers`, no MLflow, no Optuna;
- `python -m mlflow_lab.sweep` and `mlflow run . -e sweep` with the default `log_models`
  (improving), and `python -m mlflow_lab.sweep` with `log_models=all`.
Prints each median, each whole sweep's ratio to the floor, and the marginal cost of a trial:
(48-cell time - 24-cell time) / 24 over the floor's. Goals (issue 27): marginal at most 2.0x,
the 24-cell sweep at most 2.5x (`python -m`) and 3.5x (`mlflow run`).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from sweep_overhead import FLOOR

from common import REPO, fresh_store, timed

GRIDS = {24: {"n_estimators": (100, 200), "max_depth": (4, 6, 8), "max_features": (2, 4, 6, 8)},
         48: {"n_estimators": (100, 200), "max_depth": (4, 6, 8, 10, 12, 14), "max_features": (2, 4, 6, 8)}}


def commands(grid: dict, workers: int, scripts: Path) -> dict[str, list[str]]:
    """What each side runs for `grid`."""
    lists = {name: ",".join(map(str, values)) for name, values in grid.items()}
    dash_p = [arg for name, text in lists.items() for arg in ("-P", f"{name}={text}")]
    floor_script = scripts / f"floor{len(lists['max_depth'])}.py"
    floor_script.write_text(FLOOR.format(grid={k: list(v) for k, v in grid.items()}, workers=workers))
    python_m = [sys.executable, "-m", "mlflow_lab.sweep", "--model", "diab", "--workers", str(workers),
                *[arg for name, text in lists.items() for arg in (f"--{name}", text)]]
    return {"floor": [sys.executable, str(floor_script)],
            "python -m sweep": python_m,
            "mlflow run -e sweep": ["mlflow", "run", str(REPO), "-e", "sweep", "--env-manager", "local",
                                    "-P", "model=diab", "-P", f"workers={workers}", *dash_p],
            "python -m sweep, log_models=all": [*python_m, "--log_models", "all"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scripts = Path(tempfile.mkdtemp(prefix="bench-marginal-"))  # spawned workers import the floor by file
    sides = {cells: commands(grid, args.workers, scripts) for cells, grid in GRIDS.items()}
    seconds = {(cells, name): [] for cells in GRIDS for name in sides[cells]}
    try:
        for _ in range(args.pairs):
            for name in sides[24]:
                for cells in GRIDS:
                    folder, env = fresh_store()
                    seconds[cells, name].append(timed(sides[cells][name], folder, env))
                    shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(scripts, ignore_errors=True)
    median = {key: statistics.median(series) for key, series in seconds.items()}
    floor_per_trial = (median[48, "floor"] - median[24, "floor"]) / 24
    print(f"{'side':>32} {'24 cells':>9} {'48 cells':>9} {'24 / floor':>10} {'48 / floor':>10} "
          f"{'per trial':>9} {'marginal':>8}")
    for name in sides[24]:
        small, large = median[24, name], median[48, name]
        per_trial = (large - small) / 24
        print(f"{name:>32} {small:8.2f}s {large:8.2f}s {small / median[24, 'floor']:9.2f}x "
              f"{large / median[48, 'floor']:9.2f}x {per_trial:8.3f}s {per_trial / floor_per_trial:7.2f}x")
    for (cells, name), series in seconds.items():
        print(f"  {cells} cells, {name}: {', '.join(f'{v:.2f}' for v in series)} s")


if __name__ == "__main__":
    main()
