# Databricks notebook source
# MAGIC %md
# MAGIC # diab: random forest on the diabetes data
# MAGIC
# MAGIC The Free Edition route (serverless notebooks): open this notebook from a Git folder of the
# MAGIC repository, fill in the widgets and run all. It trains with the project's own `diab` code
# MAGIC and logs to the workspace experiment `/Users/<you>/sklearn-diab`.
# MAGIC Locally: `python jobs/notebooks/diab.py --flag value` logs to MLFLOW_TRACKING_URI.

# COMMAND ----------

import os
import sys
from pathlib import Path

try:
    NOTEBOOK_DIR = Path(__file__).resolve().parent  # run as a script
except NameError:
    NOTEBOOK_DIR = Path(os.getcwd())  # a Databricks notebook runs in its own folder
sys.path.insert(0, str(NOTEBOOK_DIR.parent))  # jobs/, where entry.py puts the packages on the path

# COMMAND ----------

from entry import run_notebook  # noqa: E402

metrics = run_notebook("diab", dbutils=globals().get("dbutils"))
