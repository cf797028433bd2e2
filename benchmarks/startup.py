"""What each of mlflow_lab.startup's two start-up cuts saves, measured side by side, interleaved.

    python benchmarks/startup.py --pairs 5

- `import_without`: a fresh process imports Keras the way the mnist CLI does, with
  scikit-learn and matplotlib hidden, against a plain `import keras`;
- `exit_with`: a process that imported Keras and MLflow exits through `exit_with(0)` (the
  collector's last walk skipped) against a plain `sys.exit(0)`;
- the diab CLI's import order: skops (and scikit-learn) before MLflow, against after it
  (skops scans the modules loaded when it is imported).

Each line is a whole process's wall time, start to gone, which is what a user waits for.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import REPO, report, timed  # noqa: E402

PROBES = {
    "keras, extras hidden": "from mlflow_lab.startup import import_without; "
                            "import_without('keras', unused=('sklearn', 'matplotlib'))",
    "keras, plain import": "import keras",
    "exit_with (gc frozen)": "import keras, mlflow; from mlflow_lab.startup import exit_with; exit_with(0)",
    "plain exit": "import keras, mlflow, sys; sys.exit(0)",
    "skops before mlflow": "import sklearn.ensemble, skops.io, mlflow",
    "skops after mlflow": "import mlflow, sklearn.ensemble, skops.io",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    pairs = parser.parse_args().pairs
    env = dict(os.environ, PYTHONPATH=str(REPO))
    times: dict[str, list[float]] = {name: [] for name in PROBES}
    for _ in range(pairs):
        for name, code in PROBES.items():
            times[name].append(timed([sys.executable, "-c", code], REPO, env))
    report({k: times[k] for k in list(PROBES)[:2]}, theirs="keras, plain import", label="import keras")
    report({k: times[k] for k in list(PROBES)[2:4]}, theirs="plain exit", label="keras + mlflow process")
    report({k: times[k] for k in list(PROBES)[4:]}, theirs="skops after mlflow", label="diab's imports")


if __name__ == "__main__":
    main()
