"""Settings per minute: a 24-setting diab grid through `sweep` against the lab's script per setting.

    python benchmarks/sweep_vs_lab.py [--lab-settings 24]

The grid is n_estimators 100,200 x max_depth 4,6,8 x max_features 2,4,6,8. Ours is one
`mlflow run . -e sweep --env-manager local` (workers: one per core); the lab's is
`lab_diab.py N D F` once per setting. Each side logs into a fresh sqlite store. The lab's
runs are split around the sweep (half before, half after). `--lab-settings` times only
the first K settings of the lab (its rate is per setting; a full pass takes minutes).
"""

from __future__ import annotations

import argparse
import itertools
import shutil

from common import BASELINES, REPO, fresh_store, require, timed

GRID = {"n_estimators": (100, 200), "max_depth": (4, 6, 8), "max_features": (2, 4, 6, 8)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab-settings", type=int, default=24)
    args = parser.parse_args()
    settings = list(itertools.product(*GRID.values()))
    lab_script = str(require(BASELINES / "lab_diab.py"))
    sweep = ["mlflow", "run", str(REPO), "-e", "sweep", "--env-manager", "local", "-P", "model=diab",
             *[arg for name, values in GRID.items()
               for arg in ("-P", f"{name}={','.join(map(str, values))}")]]

    lab_folder, lab_env = fresh_store()
    lab_settings = settings[: args.lab_settings]
    half = len(lab_settings) // 2
    lab_seconds = sum(timed(["python", lab_script, *map(str, s)], lab_folder, lab_env)
                      for s in lab_settings[:half])
    sweep_folder, sweep_env = fresh_store()
    sweep_seconds = timed(sweep, sweep_folder, sweep_env)
    lab_seconds += sum(timed(["python", lab_script, *map(str, s)], lab_folder, lab_env)
                       for s in lab_settings[half:])
    for folder in (lab_folder, sweep_folder):
        shutil.rmtree(folder, ignore_errors=True)

    ours = len(settings) / sweep_seconds * 60
    lab = len(lab_settings) / lab_seconds * 60
    print(f"sweep: {len(settings)} settings in {sweep_seconds:.1f} s = {ours:.1f} settings/min")
    print(f"  lab: {len(lab_settings)} settings in {lab_seconds:.1f} s = {lab:.1f} settings/min")
    print(f"throughput ratio sweep/lab: {ours / lab:.1f}")


if __name__ == "__main__":
    main()
