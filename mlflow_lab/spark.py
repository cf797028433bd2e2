"""The Spark session a sweep or a batch scoring runs on, and the one-line check that Spark can start.

`where` names it: `spark` is the cluster's session on Databricks, the Spark Connect server
that `SPARK_REMOTE` names when it is set, and otherwise a local one, `local[workers]`; a
`sc://host:port` URL is a Spark Connect server; any other value is a Spark master URL
(`spark://host:port`, `yarn`, `k8s://...`). Executors of a classic session run this
interpreter unless `PYSPARK_PYTHON` says otherwise.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import warnings
from pathlib import Path

from mlflow_lab.faults import Refusal

# A local Spark lives as long as one command: the JVM's quick-start JIT and serial collector
# cut its start from 5.4 s to 3.6 s here; the work itself runs in Python workers.
LOCAL_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


class BackendError(Refusal):
    """Spark cannot start here; the message is one line saying what is missing."""


def spark_session(workers: int, app: str = "sweep", where: str = "spark"):
    """The session `where` names (see the module's docstring): (session, ours to stop)."""
    with warnings.catch_warnings():  # pyspark 4.3 supports pandas 3 but still warns about it
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
        # A session that turns out to be Connect (SPARK_API_MODE=connect) cannot take the local
        # tuning below once its server runs; it warns per setting, and runs all the same.
        warnings.filterwarnings("ignore", message="Failed to set spark[.]")
        return _session(workers, app, where)


def _session(workers: int, app: str, where: str):
    """`spark_session`'s work, inside its warning filter (the Connect client warns as it loads)."""
    from pyspark.sql import SparkSession

    if where == "spark" and "DATABRICKS_RUNTIME_VERSION" in os.environ:
        return SparkSession.builder.getOrCreate(), False
    if is_connect(where):
        builder = SparkSession.builder.appName(app)
        return (builder.remote(where) if where != "spark" else builder).getOrCreate(), True
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run this interpreter
    builder = (SparkSession.builder.master(f"local[{workers}]" if where == "spark" else where).appName(app)
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.python.worker.reuse", "true"))
    if where == "spark":
        builder = builder.config("spark.driver.extraJavaOptions", LOCAL_JVM_OPTIONS)
    return builder.getOrCreate(), True


def is_local(where: str) -> bool:
    """Whether `where` starts Spark on this machine, `local[workers]`: no cluster to ask about."""
    return where == "spark" and not is_connect(where) and "DATABRICKS_RUNTIME_VERSION" not in os.environ


def parallelism(session) -> int:
    """How many tasks the session's cluster runs at once, as the cluster reports it.

    Spark Connect has no `defaultParallelism` to read, but both kinds split a range over it
    when no partition count is given; counting the partitions that hold rows reads it. A
    first job waits for an executor, since a cluster's executors join after its driver.
    """
    from pyspark.sql.functions import spark_partition_id

    session.range(1).count()
    return session.range(0, 1 << 16).select(spark_partition_id().alias("slot")).distinct().count()


def is_connect(where: str) -> bool:
    """Whether `where` names a Spark Connect server: a `sc://` URL, or `spark` with SPARK_REMOTE set.

    Only for what must be decided before a session exists (which client to check for, how to
    build it). A session can be Connect without saying so here: Spark 4's SPARK_API_MODE=connect,
    Databricks' standard-access and serverless compute. What to do with a session is decided
    by `is_connect_session`.
    """
    return where.startswith("sc://") or (where == "spark" and bool(os.environ.get("SPARK_REMOTE")))


def is_connect_session(session) -> bool:
    """Whether `session` is a Spark Connect session (no `sparkContext`, no RDDs), by its class.

    A Connect session's class is imported by the time one exists; a classic session's process
    need not import the Connect client (grpc) just to be told it is not one.
    """
    connect = sys.modules.get("pyspark.sql.connect.session")
    return connect is not None and isinstance(session, connect.SparkSession)


def session_kind(session) -> str:
    """`Spark Connect` or `classic Spark`, as the sweep records it and the doctor prints it."""
    return "Spark Connect" if is_connect_session(session) else "classic Spark"


def shown(where: str) -> str:
    """`where` as it may be logged or printed: a Connect URL's `;name=value` part can hold a token."""
    return where.split(";", 1)[0]


def check_spark(where: str = "spark") -> None:
    """Refuse, in one line, a machine without pyspark, its Connect client, or Java (classic only)."""
    where = shown(where)
    if importlib.util.find_spec("pyspark") is None:
        raise BackendError(f"backend={where} needs pyspark, which is not installed "
                           "(pip install -r requirements-spark.txt)")
    if is_connect(where):
        if any(importlib.util.find_spec(name) is None for name in ("grpc", "grpc_status", "google.rpc")):
            raise BackendError(f"backend={where} is Spark Connect, whose client is not installed "
                               "(pip install 'pyspark[connect]', or -r requirements-spark.txt)")
        return
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").exists()):
        raise BackendError(f"backend={where} needs Java 17 or later: no `java` on PATH and no JAVA_HOME")
