"""Pruning: the same 12-trial mnist search on the full MNIST with and without pruning.

    python benchmarks/sweep_pruning.py [--pairs 1] [--data ../shared/data/mnist.npz] [--pruner median]
                                       [--batch-size 128]

Both sides run `python -m mlflow_lab.sweep --model mnist --trials 12 --epochs 5 --learning_rate
0.001:0.5:log --num_hidden_units 64,128,256,512 --validation_fraction 0.1` (TPE, seed 0, one
worker unless `--workers`), interleaved, each into a fresh sqlite store; one side adds `--prune true`. Both
hold out the same 10% of the training images, so they differ only in pruning. Prints wall
times, best test accuracies and ratios. Goal: wall at most half, best accuracy within 0.003.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from sweep_search import best

from common import SHARED, measure_in_fresh_store, require

WORKERS = "1"
SEARCH = ["--model", "mnist", "--trials", "12", "--epochs", "5", "--learning_rate", "0.001:0.5:log",
          "--num_hidden_units", "64,128,256,512", "--validation_fraction", "0.1", "--sampler_seed", "0",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1)
    parser.add_argument("--data", type=Path, default=SHARED / "data" / "mnist.npz")
    parser.add_argument("--pruner", default="median", choices=("median", "hyperband"))
    parser.add_argument("--batch-size", default="128", help="images per step (the lab's default: 128)")
    parser.add_argument("--workers", default=WORKERS, help="trials at once (1: repeatable)")
    args = parser.parse_args()
    data = str(require(args.data).resolve())
    sides = {"no pruning": [], "pruning": []}
    for pair in range(args.pairs):
        for side, extra in (("no pruning", []), ("pruning", ["--prune", "true", "--pruner", args.pruner])):
            done = measure_in_fresh_store(["python", "-m", "mlflow_lab.sweep", *SEARCH,
                                           "--batch_size", args.batch_size,
                                           "--workers", args.workers, "--data_path", data, *extra])
            sides[side].append((done.seconds, best(done.stdout, "test_accuracy")))
            print(f"pair {pair} {side:>10}: {done.seconds:.1f} s, best test_accuracy "
                  f"{sides[side][-1][1]:.4f}", flush=True)
    wall = {side: statistics.median(s for s, _ in runs) for side, runs in sides.items()}
    accuracy = {side: statistics.median(a for _, a in runs) for side, runs in sides.items()}
    print(f"wall: pruning {wall['pruning']:.1f} s / no pruning {wall['no pruning']:.1f} s = "
          f"{wall['pruning'] / wall['no pruning']:.2f}")
    print(f"best test_accuracy: pruning {accuracy['pruning']:.4f}, no pruning {accuracy['no pruning']:.4f} "
          f"(difference {accuracy['pruning'] - accuracy['no pruning']:+.4f})")


if __name__ == "__main__":
    main()
