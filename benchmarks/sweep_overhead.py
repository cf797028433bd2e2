"""A sweep's cost over its training: the 24-setting diab grid against its compute floor.

    python benchmarks/sweep_overhead.py [--pairs 3] [--workers 2]

Side by side, interleaved, each run into a fresh store:
- floor: the same 24 settings fitted and scored with `diab.train.fit_and_evaluate`, no MLflow
  and no Optuna, spread over the same number of processes (imports included);
- `mlflow run . -e sweep` and `python -m mlflow_lab.sweep` on that grid, on a fresh sqlite file;
- the same two against a local `mlflow server` (one per benchmark, a new experiment per run).
Prints each median and its ratio to the floor. Goals (issue 17): `mlflow run` at most 2.5x the
floor on sqlite and 3x against a server.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sweep_vs_lab import GRID

from common import REPO, fresh_store, report, timed

FLOOR = """
import itertools, sys
from multiprocessing import get_context
from diab import DiabParams, fit_and_evaluate

def mse(setting):
    return fit_and_evaluate(DiabParams(**setting)).metrics["mse"]

if __name__ == "__main__":
    grid = {grid!r}
    settings = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    with get_context("spawn").Pool({workers}) as pool:
        print(min(pool.map(mse, settings)))
"""


def start_server(root: Path) -> tuple[subprocess.Popen, str]:
    """A local `mlflow server` on 127.0.0.1, its store under `root` (GenAI job runner off)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false")
    command = ["mlflow", "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
               "--backend-store-uri", f"sqlite:///{root}/server.db",
               "--artifacts-destination", str(root / "artifacts")]
    process = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{url}/health", timeout=2)  # noqa: S310 (http on 127.0.0.1)
            return process, url
        except OSError:
            time.sleep(0.5)
    sys.exit("benchmark: mlflow server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    space = [arg for name, values in GRID.items() for arg in (f"{name}={','.join(map(str, values))}",)]
    mlflow_run = ["mlflow", "run", str(REPO), "-e", "sweep", "--env-manager", "local", "-P", "model=diab",
                  "-P", f"workers={args.workers}", *[a for s in space for a in ("-P", s)]]
    python_m = [sys.executable, "-m", "mlflow_lab.sweep", "--model", "diab", "--workers", str(args.workers),
                *[a for s in space for a in (f"--{s.split('=')[0]}", s.split("=")[1])]]
    server_root = Path(tempfile.mkdtemp(prefix="bench-server-"))
    floor_script = server_root / "floor.py"  # a file: spawned workers import its functions by name
    floor_script.write_text(FLOOR.format(grid={k: list(v) for k, v in GRID.items()}, workers=args.workers))
    floor = [sys.executable, str(floor_script)]
    server, url = start_server(server_root)
    seconds: dict[str, list[float]] = {"floor": [], "mlflow run, sqlite": [],
                                       "python -m mlflow_lab.sweep, sqlite": [],
                                       "mlflow run, server": [], "python -m mlflow_lab.sweep, server": []}
    try:
        for pair in range(args.pairs):
            for name, command in (("floor", floor), ("mlflow run, sqlite", mlflow_run),
                                  ("python -m mlflow_lab.sweep, sqlite", python_m)):
                folder, env = fresh_store()
                seconds[name].append(timed(command, folder, env))
                shutil.rmtree(folder, ignore_errors=True)
            for name, command in (("mlflow run, server", mlflow_run),
                                  ("python -m mlflow_lab.sweep, server", python_m)):
                folder, env = fresh_store()
                experiment = f"bench-{pair}-" + name.replace(" ", "").replace(",", "-")
                env.update(MLFLOW_TRACKING_URI=url, MLFLOW_EXPERIMENT_NAME=experiment)
                extra = ["--experiment-name", env["MLFLOW_EXPERIMENT_NAME"]] if command is mlflow_run else []
                seconds[name].append(timed([*command, *extra], folder, env))
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.killpg(server.pid, 15)
        shutil.rmtree(server_root, ignore_errors=True)
    report(seconds, theirs="floor")


if __name__ == "__main__":
    main()
