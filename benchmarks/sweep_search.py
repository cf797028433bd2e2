"""Search quality: TPE against seeded random search on diab, the same trial budget.

    python benchmarks/sweep_search.py [--seeds 5] [--trials 30] [--workers 1]

Each seed runs `python -m mlflow_lab.sweep` twice, TPE then random, interleaved, each into a fresh
sqlite store, over max_depth 2:16, n_estimators 50:400, max_features 2:10. Prints each
best test MSE, the medians and the lab's own setting (`lab_diab.py 200 6 4`, one run, for
scale). Goal: TPE's median best MSE at or below random's.
"""

from __future__ import annotations

import argparse
import statistics

from common import BASELINES, measure_in_fresh_store, require

SPACE = ["--max_depth", "2:16", "--n_estimators", "50:400", "--max_features", "2:10"]


def best(stdout: str, metric: str) -> float:
    """The value printed after `best_<metric>`."""
    [line] = [line for line in stdout.splitlines() if line.startswith(f"best_{metric} ")]
    return float(line.split()[-1])


def lab_mse(stdout: str) -> float:
    """The lab's script prints its test MSE last."""
    return float(stdout.strip().splitlines()[-1].split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--workers", default="1")
    args = parser.parse_args()
    found = {"tpe": [], "random": []}
    for seed in range(args.seeds):
        for sampler in found:
            command = ["python", "-m", "mlflow_lab.sweep", "--model", "diab", "--trials", str(args.trials),
                       "--sampler", sampler, "--sampler_seed", str(seed), "--workers", args.workers, *SPACE]
            done = measure_in_fresh_store(command)
            found[sampler].append(best(done.stdout, "mse"))
            print(f"seed {seed} {sampler:>6}: best mse {found[sampler][-1]:.2f} in {done.seconds:.0f} s",
                  flush=True)
    lab = lab_mse(measure_in_fresh_store(["python", str(require(BASELINES / "lab_diab.py")),
                                          "200", "6", "4"]).stdout)
    tpe, rand = statistics.median(found["tpe"]), statistics.median(found["random"])
    print(f"median best mse over {args.seeds} seeds, {args.trials} trials each: tpe {tpe:.2f}, "
          f"random {rand:.2f} (tpe - random = {tpe - rand:+.2f}); the lab's setting: {lab:.2f}")


if __name__ == "__main__":
    main()
