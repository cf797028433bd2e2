"""What the promotion gate adds to a diab run that registers, against the lab's diab script.

    python benchmarks/gate.py [--pairs 5]

One sqlite store in a temporary folder holds a `diab-rf` champion (registered first, not
timed). Then, interleaved: the lab's script; `python -m diab` (no registering); and
`python -m diab --register_as diab-rf`, which scores the new model and the champion with
`mlflow.models.evaluate`, registers a version and moves an alias. Prints the medians, each
one's ratio to the lab's, and the seconds the gate adds. Goal: at most 3 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys

from common import BASELINES, fresh_store, measure, report, require


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    pairs = parser.parse_args().pairs
    folder, env = fresh_store()
    try:
        registering = [sys.executable, "-m", "diab", "--register_as", "diab-rf"]
        measure(registering, folder, env)  # the champion every timed run is gated against
        commands = {"lab": [sys.executable, str(require(BASELINES / "lab_diab.py"))],
                    "diab": [sys.executable, "-m", "diab"],
                    "diab register_as": registering}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(pairs):
            for name, command in commands.items():
                times[name].append(measure(command, folder, env).seconds)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(times, "lab")
    added = statistics.median(times["diab register_as"]) - statistics.median(times["diab"])
    print(f"the gate adds {added:.2f} s (median with register_as less median without; goal <= 3)")


if __name__ == "__main__":
    main()
