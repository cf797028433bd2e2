"""Wall time of the diab entry point against the lab's diab script.

    python benchmarks/diab_vs_lab.py [--pairs 5]

Runs three commands interleaved, each into a fresh sqlite store in its own temporary
folder: the lab's script, `mlflow run . -e diab --env-manager local` (what users type; it
adds MLflow's launcher, a second process), and `python -m diab` (one process, like the
lab's). Prints the median wall time of each and each one's ratio to the lab's.
"""

from __future__ import annotations

import argparse
import sys

from common import BASELINES, REPO, measure_in_fresh_store, report, require


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    pairs = parser.parse_args().pairs
    lab = ["python", str(require(BASELINES / "lab_diab.py"))]
    commands = {
        "lab": lab,
        "mlflow run": ["mlflow", "run", str(REPO), "-e", "diab", "--env-manager", "local"],
        "python -m": [sys.executable, "-m", "diab"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(pairs):
        for name, command in commands.items():
            times[name].append(measure_in_fresh_store(command).seconds)
    report(times, "lab")


if __name__ == "__main__":
    main()
