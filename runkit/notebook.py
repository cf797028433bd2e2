"""What the Databricks notebooks share: widgets for the parameters, the workspace experiment.

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
