"""Spark against the local pool: the 24-setting diab grid on `local[2]`, on a standalone cluster
of one 2-core worker, and through a Spark Connect server on `local[2]`, against two processes.

    python benchmarks/sweep_spark.py [--pairs 3] [--sides spark,cluster,connect]

Every side runs `mlflow run . -e sweep --env-manager local` over n_estimators 100,200 x
max_depth 4,6,8 x max_features 2,4,6,8 with two workers, interleaved, each into a fresh
sqlite store; the Spark sides add `-P backend=spark`, `spark://...` or `sc://...`. The cluster
and the Connect server are started once, before the first round (tests/spark_services.py).
Prints median wall times and each side's ratio to the local pool. Goals (issue 27): local Spark
at most 1.3x, the standalone cluster at most 1.5x.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from sweep_vs_lab import GRID

from common import REPO, measure_in_fresh_store, report

sys.path.insert(0, str(REPO))
from tests.spark_services import connect_server, standalone_cluster  # noqa: E402 (needs REPO on the path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--sides", default="spark,cluster,connect", help="Spark sides to run besides local")
    args = parser.parse_args()
    grid = [arg for name, values in GRID.items() for arg in ("-P", f"{name}={','.join(map(str, values))}")]
    command = ["mlflow", "run", str(REPO), "-e", "sweep", "--env-manager", "local", "-P", "model=diab",
               "-P", "workers=2", *grid]
    with ExitStack() as services:
        folder = Path(services.enter_context(tempfile.TemporaryDirectory(prefix="spark-bench-")))
        backends = {"spark": "spark"}
        sides = args.sides.split(",")
        if "cluster" in sides:
            (folder / "cluster").mkdir()
            backends["cluster"] = services.enter_context(standalone_cluster(folder / "cluster")).url
        if "connect" in sides:
            (folder / "connect").mkdir()
            backends["connect"] = services.enter_context(connect_server(folder / "connect"))[0]
        seconds = {"local": [], **{side: [] for side in sides}}
        for _ in range(args.pairs):
            seconds["local"].append(measure_in_fresh_store(command).seconds)
            for side in sides:
                seconds[side].append(measure_in_fresh_store([*command, "-P", f"backend={backends[side]}"],
                                                            SPARK_LOCAL_IP="127.0.0.1").seconds)
    report(seconds, theirs="local")


if __name__ == "__main__":
    main()
