"""The Databricks notebooks' one call: `run_notebook("diab", dbutils)`.

On Databricks, `dbutils` exists: each declared parameter becomes a text widget and the
experiment is `/Users/<you>/<name>`. Run as a plain script (`python notebook.py --flag v`),
the flags come from the command line and the experiment from MLFLOW_EXPERIMENT_NAME or
the entry point's default, so the notebooks can be tested locally.
"""

from __future__ import annotations

import os
import sys

from runkit.params import declared, parse


def read_params(cls, prog: str, dbutils=None):
    """The parameters from widgets (Databricks) or from the command line (a script)."""
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
    """Train entry point `name` with the notebook's parameters into its experiment; the metrics."""
    from runkit.entrypoints import ENTRY_POINTS, train_and_log
    from runkit.naming import run_name
    from runkit.tracking import active_run

    target = ENTRY_POINTS[name]
    params = read_params(target.params, prog=name, dbutils=dbutils)
    experiment = use_workspace_experiment(target.experiment, dbutils=dbutils)
    with active_run(target.experiment, run_name(name, params)) as run:
        metrics = train_and_log(name, run, params)
    print(experiment, run.info.run_id, metrics)
    return metrics
