# Databricks notebook source
# MAGIC %md
# MAGIC # diab: random forest on the diabetes data
# MAGIC
# MAGIC Runs this repository's own `diab` code from a Databricks Git folder, with a widget
# MAGIC per parameter, and logs to the workspace experiment `/Users/<you>/sklearn-diab`.
# MAGIC Locally: `python databricks/notebooks/diab.py --flag value` logs to MLFLOW_TRACKING_URI.

# COMMAND ----------

import os
import sys
from pathlib import Path

try:
    NOTEBOOK_DIR = Path(__file__).resolve().parent  # run as a script
except NameError:
    NOTEBOOK_DIR = Path(os.getcwd())  # a Databricks notebook runs in its own folder
sys.path.insert(0, str(NOTEBOOK_DIR.parents[1]))  # the Git folder's root: the project's packages
DBUTILS = globals().get("dbutils")

# COMMAND ----------

from diab.params import DiabParams  # noqa: E402
from runkit.notebook import read_params, use_workspace_experiment  # noqa: E402

params = read_params(DiabParams, prog="diab", dbutils=DBUTILS)
experiment = use_workspace_experiment("sklearn-diab", dbutils=DBUTILS)
print(experiment, params)

# COMMAND ----------

from diab.tracking import train_and_log  # noqa: E402
from runkit.tracking import active_run  # noqa: E402

with active_run("sklearn-diab") as run:
    metrics = train_and_log(run, params)
print(experiment, run.info.run_id, metrics)
