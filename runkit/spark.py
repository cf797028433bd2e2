"""The Spark session a sweep or a batch scoring runs on, and the one-line check that Spark can start.

On Databricks it is the cluster's session; elsewhere a local one, `local[workers]`, whose
executors run this interpreter.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import warnings
from pathlib import Path

from runkit.faults import Refusal

# A local Spark lives as long as one command: the JVM's quick-start JIT and serial collector
# cut its start from 5.4 s to 3.6 s here; the work itself runs in Python workers.
LOCAL_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


class BackendError(Refusal):
    """Spark cannot start here; the message is one line saying what is missing."""


def spark_session(workers: int, app: str = "sweep"):
    """The cluster's session on Databricks; elsewhere a local one, `local[workers]`: (session, ours)."""
    with warnings.catch_warnings():  # pyspark 4.3 supports pandas 3 but still warns about it
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
        from pyspark.sql import SparkSession
    if "DATABRICKS_RUNTIME_VERSION" in os.environ:
        return SparkSession.builder.getOrCreate(), False
    os.environ["PYSPARK_PYTHON"] = sys.executable  # executors run this interpreter
    session = (SparkSession.builder.master(f"local[{workers}]").appName(app)
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.python.worker.reuse", "true")
               .config("spark.driver.extraJavaOptions", LOCAL_JVM_OPTIONS).getOrCreate())
    return session, True


def check_spark() -> None:
    """Refuse, in one line, a machine without pyspark or Java."""
    if importlib.util.find_spec("pyspark") is None:
        raise BackendError("backend=spark needs pyspark, which is not installed "
                           "(pip install -r requirements-spark.txt)")
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").exists()):
        raise BackendError("backend=spark needs Java 17 or later: no `java` on PATH and no JAVA_HOME")
