"""Spark against the local pool: the 24-setting diab grid on `local[2]` and in two processes.

    python benchmarks/sweep_spark.py [--pairs 3]

Both sides run `mlflow run . -e sweep --env-manager local` over n_estimators 100,200 x
max_depth 4,6,8 x max_features 2,4,6,8 with two workers, interleaved, each into a fresh
sqlite store; one side adds `-P backend=spark`. Prints median wall times and the ratio.
Goal: Spark at most 1.3x the local pool's wall time.
"""

from __future__ import annotations

import argparse

from sweep_vs_lab import GRID

from common import REPO, measure_in_fresh_store, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    grid = [arg for name, values in GRID.items() for arg in ("-P", f"{name}={','.join(map(str, values))}")]
    command = ["mlflow", "run", str(REPO), "-e", "sweep", "--env-manager", "local", "-P", "model=diab",
               "-P", "workers=2", *grid]
    seconds = {"local": [], "spark": []}
    for _ in range(args.pairs):
        seconds["local"].append(measure_in_fresh_store(command).seconds)
        seconds["spark"].append(measure_in_fresh_store([*command, "-P", "backend=spark"]).seconds)
    report(seconds, theirs="local")


if __name__ == "__main__":
    main()
