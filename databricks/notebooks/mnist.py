# Databricks notebook source
# MAGIC %md
# MAGIC # mnist: the lab's Keras network on MNIST
# MAGIC
# MAGIC Runs this repository's own `mnist` code from a Databricks Git folder, with a widget
# MAGIC per parameter, and logs to the workspace experiment `/Users/<you>/keras-mnist`.
# MAGIC Locally: `python databricks/notebooks/mnist.py --flag value` logs to MLFLOW_TRACKING_URI.

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

from mnist.params import MnistParams  # noqa: E402
from runkit.notebook import read_params, use_workspace_experiment  # noqa: E402

params = read_params(MnistParams, prog="mnist", dbutils=DBUTILS)
experiment = use_workspace_experiment("keras-mnist", dbutils=DBUTILS)
print(experiment, params)

# COMMAND ----------

from mnist.data import load_data  # noqa: E402
from mnist.tracking import train_and_log  # noqa: E402
from runkit.tracking import active_run  # noqa: E402

with active_run("keras-mnist") as run:
    metrics = train_and_log(run, params, load_data(params.data_path))
print(experiment, run.info.run_id, metrics)
