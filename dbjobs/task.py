"""The job's side: what `databricks/entry.py` runs on the cluster or serverless compute.

    python databricks/entry.py ENTRY_POINT [--mlflow_run_id ID | --experiment PATH] [--space S] -- FLAGS

With `--mlflow_run_id` (a submission from `mlflow run -b databricks-jobs`), the entry
point resumes that run, as it resumes `mlflow run`'s run locally. With `--experiment` (a
bundle job), it starts a run in that workspace experiment. Tracking goes to the
workspace (`databricks`) unless MLFLOW_TRACKING_URI says otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import sys
from collections.abc import Sequence

from runkit.entrypoints import ENTRY_POINTS

# what each entry point a job may run imports: the registry's, MLproject's `main` (diab), sweep
ENTRY_MODULES = {"main": "diab", **{name: name for name in ENTRY_POINTS}, "sweep": "sweep"}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ours, flags = (argv[: argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(prog="databricks/entry.py")
    parser.add_argument("entry_point", choices=sorted(ENTRY_MODULES))
    parser.add_argument("--mlflow_run_id", default="")
    parser.add_argument("--experiment", default="")
    parser.add_argument("--space", default="", help="a sweep's model parameters as one string (bundle)")
    args = parser.parse_args(ours)
    os.environ.setdefault("MLFLOW_TRACKING_URI", "databricks")
    if args.mlflow_run_id:
        os.environ["MLFLOW_RUN_ID"] = args.mlflow_run_id
    elif args.experiment:
        os.environ["MLFLOW_EXPERIMENT_NAME"] = args.experiment
    cli = importlib.import_module(f"{ENTRY_MODULES[args.entry_point]}.cli")
    return cli.main([*flags, *shlex.split(args.space)])
