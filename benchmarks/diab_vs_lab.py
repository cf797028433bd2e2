"""Wall time of `mlflow run . -e diab --env-manager local` against the lab's diab script.

    python benchmarks/diab_vs_lab.py [--pairs 5]

Runs the two side by side, interleaved, each into a fresh sqlite store in its own
temporary folder, and prints the median wall time of each and their ratio (ours / lab).
"""

from __future__ import annotations

import argparse
import shutil

from common import BASELINES, REPO, fresh_store, report, require, timed


def one_run(command: list[str]) -> float:
    """Time `command` in a fresh folder whose sqlite store starts empty."""
    folder, env = fresh_store()
    try:
        return timed(command, folder, env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    pairs = parser.parse_args().pairs
    lab = ["python", str(require(BASELINES / "lab_diab.py"))]
    ours = ["mlflow", "run", str(REPO), "-e", "diab", "--env-manager", "local"]
    times: dict[str, list[float]] = {"ours": [], "lab": []}
    for _ in range(pairs):
        times["lab"].append(one_run(lab))
        times["ours"].append(one_run(ours))
    report(times, "ours", "lab")


if __name__ == "__main__":
    main()
