"""What runs on Databricks: a job's task, and the notebooks' one call.

A job (from `mlflow run -b databricks-jobs`, or a bundle job) runs this file from a checkout
of the exact commit:

    python jobs/entry.py ENTRY_POINT [--mlflow_run_id ID | --experiment_dir DIR] [--space S] -- FLAGS

With `--mlflow_run_id` the entry point resumes that run, as it resumes `mlflow run`'s run
locally. With `--experiment_dir` (a bundle job) it starts a run in the model's own experiment
under that workspace folder (`DIR/<experiment>`; for a sweep, the swept model's). Tracking
goes to the workspace (`databricks`) unless MLFLOW_TRACKING_URI says otherwise.

A notebook (`jobs/notebooks/<model>.py`) calls `run_notebook(name, dbutils)`: each
declared parameter becomes a widget, and the run goes to `/Users/<you>/<experiment>`. Run as a
plain script, the flags come from the command line, so the notebooks can be tested locally.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's root: the packages

SWEEP = "mlflow_lab.sweep"
TOOLS = {"sweep": SWEEP, "promote": "mlflow_lab.promote", "predict": "mlflow_lab.predict",
         "doctor": "mlflow_lab.doctor", "reproduce": "mlflow_lab.reproduce"}  # entry points not a model's


def runnable() -> dict[str, str]:
    """Entry points a job runs, and the package each runs: MLproject's `main`, each model, the tools."""
    from mlflow_lab.entries import DEFAULT, MODELS

    return {"main": DEFAULT, **{name: name for name in MODELS}, **TOOLS}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one entry point as a job's task; return its exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    ours, flags = (argv[: argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    packages = runnable()
    parser = argparse.ArgumentParser(prog="jobs/entry.py")
    parser.add_argument("entry_point", choices=sorted(packages))
    parser.add_argument("--mlflow_run_id", default="")
    parser.add_argument("--experiment_dir", default="", help="workspace folder of the experiments (bundle)")
    parser.add_argument("--space", default="", help="a sweep's model parameters as one string (bundle)")
    args = parser.parse_args(ours)
    flags += shlex.split(args.space)
    os.environ.setdefault("MLFLOW_TRACKING_URI", "databricks")
    if args.mlflow_run_id:
        os.environ["MLFLOW_RUN_ID"] = args.mlflow_run_id
    elif args.experiment_dir:
        model = swept_model(flags) if packages[args.entry_point] == SWEEP else packages[args.entry_point]
        os.environ["MLFLOW_EXPERIMENT_NAME"] = experiment_path(args.experiment_dir, model)
    cli = importlib.import_module(f"{packages[args.entry_point]}.cli")
    return cli.main(flags)


def swept_model(flags: list[str]) -> str:
    """The model a sweep's flags name, read by the sweep's own parser (its default if none)."""
    from mlflow_lab.params import build_parser
    from mlflow_lab.sweep.params import SweepParams

    return build_parser(SweepParams, prog="sweep").parse_known_args(flags)[0].model


def experiment_path(folder: str, package: str) -> str:
    """`folder/<the experiment of the model, or of promote or predict>`; an unknown model keeps
    the folder (its CLI refuses it)."""
    from mlflow_lab.entries import MODELS

    if package in MODELS:
        experiment = MODELS[package].experiment
    elif package in TOOLS.values():
        experiment = importlib.import_module(f"{package}.cli").EXPERIMENT
    else:
        return folder
    return f"{folder.rstrip('/')}/{experiment}"


def read_params(cls, prog: str, dbutils=None):
    """The parameters from widgets (Databricks) or from the command line (a script)."""
    from mlflow_lab.params import declared, parse

    if dbutils is None:
        return parse(cls, sys.argv[1:], prog=prog)
    flags = []
    for item in declared(cls):
        dbutils.widgets.text(item.name, str(item.default), item.name)
        flags += [f"--{item.name}", dbutils.widgets.get(item.name)]
    return parse(cls, flags, prog=prog)


def use_workspace_experiment(name: str, dbutils=None) -> str:
    """Point MLflow at the notebook's experiment; on Databricks an absolute workspace path."""
    if dbutils is not None:
        context = dbutils.notebook.entry_point.getDbutils().notebook().getContext()
        os.environ["MLFLOW_EXPERIMENT_NAME"] = f"/Users/{context.userName().get()}/{name}"
    else:
        os.environ.setdefault("MLFLOW_EXPERIMENT_NAME", name)
    return os.environ["MLFLOW_EXPERIMENT_NAME"]


def run_notebook(name: str, dbutils=None) -> dict[str, float]:
    """Train model `name` with the notebook's parameters into its experiment; the metrics."""
    import mlflow

    from mlflow_lab.entries import MODELS
    from mlflow_lab.model_cli import train_once

    target = MODELS[name]
    params = read_params(target.params, prog=name, dbutils=dbutils)
    experiment = use_workspace_experiment(target.experiment, dbutils=dbutils)
    metrics = train_once(target, params)
    print(experiment, mlflow.last_active_run().info.run_id, metrics)
    return metrics


if __name__ == "__main__":  # a sweep's worker processes import this file again: they must not run it
    from mlflow_lab.startup import exit_with

    exit_with(main())
