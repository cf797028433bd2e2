"""mnist against the lab's notebook on the real MNIST: wall time, peak RSS, test accuracy.

    python benchmarks/mnist_vs_lab.py [--pairs 3] [--data ../shared/data/mnist.npz]

Runs the lab's last cell (batch_size 256, epochs 8) three ways, interleaved, each into a
fresh sqlite store: `lab_mnist.py` with MNIST_NPZ set; `mlflow run . -e mnist --env-manager
local -P data_path=...` (what users type; it adds MLflow's launcher, a second process that
imports MLflow and creates the run); and `python -m mnist --data_path ...` (one process,
like the lab's). Prints the median of each measure and each one's ratio to the lab's.
Goal: wall time at most 0.6 of the lab's, no more memory, and test accuracy no lower
than the lab's minus 0.003.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common import BASELINES, REPO, SHARED, measure_in_fresh_store, report, require

LAST_CELL = {"batch_size": "256", "epochs": "8"}


def accuracy(stdout: str) -> float:
    """The number after the last `test_accuracy` printed."""
    lines = [line for line in stdout.splitlines() if line.startswith("test_accuracy")]
    return float(lines[-1].split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=SHARED / "data" / "mnist.npz")
    args = parser.parse_args()
    data = require(args.data).resolve()
    commands = {
        "lab": ["python", str(require(BASELINES / "lab_mnist.py"))],
        "mlflow run": ["mlflow", "run", str(REPO), "-e", "mnist", "--env-manager", "local",
                       "-P", f"data_path={data}", *[f"-P{k}={v}" for k, v in LAST_CELL.items()]],
        "python -m": [sys.executable, "-m", "mnist", "--data_path", str(data),
                      *[f"--{k}={v}" for k, v in LAST_CELL.items()]],
    }
    results: dict[str, dict[str, list[float]]] = {"wall": {}, "rss": {}, "acc": {}}
    for _ in range(args.pairs):
        for name, command in commands.items():
            measured = measure_in_fresh_store(command, MNIST_NPZ=str(data))
            results["wall"].setdefault(name, []).append(measured.seconds)
            results["rss"].setdefault(name, []).append(measured.peak_rss_mb)
            results["acc"].setdefault(name, []).append(accuracy(measured.stdout))
    report(results["wall"], "lab", "s", "wall time")
    report(results["rss"], "lab", "MB", "peak RSS")
    report(results["acc"], "lab", "", "test accuracy")


if __name__ == "__main__":
    main()
