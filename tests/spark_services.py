"""Real Spark services on 127.0.0.1, from pyspark's own scripts: a standalone cluster (a master
and one worker) and a Spark Connect server. The tests and the Spark benchmark both start them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from tests.processes import free_port, stop, wait_for_port, without_mlflow


class Cluster(NamedTuple):
    """A running standalone master and worker."""

    url: str  # spark://127.0.0.1:PORT
    web: str  # the master's web UI; /json/ lists workers and applications
    worker: subprocess.Popen
    folder: Path  # the worker's work dir, the daemons' logs


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def service_env(folder: Path) -> dict[str, str]:
    """Spark's daemons' environment: no MLflow settings or credentials, everything on 127.0.0.1."""
    return dict(without_mlflow(os.environ), SPARK_HOME=str(spark_home()), SPARK_LOCAL_IP="127.0.0.1",
                SPARK_LOG_DIR=str(folder / "logs"), PYSPARK_PYTHON=sys.executable)


@contextmanager
def standalone_cluster(folder: Path, cores: int = 2) -> Iterator[Cluster]:
    """A master and one worker of `cores` cores, as `spark-class` starts them."""
    env = service_env(folder)
    port, web_port = free_port(), free_port()
    spark_class = str(spark_home() / "bin" / "spark-class")
    master = subprocess.Popen([spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                               "--port", str(port), "--webui-port", str(web_port)],
                              env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    worker = None
    try:
        wait_for_port(port, master, seconds=60)
        worker = subprocess.Popen([spark_class, "org.apache.spark.deploy.worker.Worker",
                                   f"spark://127.0.0.1:{port}", "--host", "127.0.0.1", "--cores", str(cores),
                                   "--memory", "3g", "--webui-port", str(free_port()),
                                   "--work-dir", str(folder / "work")],
                                  env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        web = f"http://127.0.0.1:{web_port}"
        deadline = time.monotonic() + 60
        while not alive_workers(web):
            if time.monotonic() > deadline:
                raise TimeoutError("the worker did not register with the master")
            time.sleep(0.5)
        yield Cluster(f"spark://127.0.0.1:{port}", web, worker, folder)
    finally:
        for process in (worker, master):
            if process is not None:
                stop(process)


def alive_workers(web: str) -> list:
    try:
        return [w for w in master_state(web)["workers"] if w["state"] == "ALIVE"]
    except (OSError, ValueError):  # the web UI is still starting
        return []


def master_state(web: str) -> dict:
    with urllib.request.urlopen(f"{web}/json/", timeout=10) as response:
        return json.load(response)


@contextmanager
def connect_server(folder: Path, cores: int = 2) -> Iterator[tuple[str, Path]]:
    """(sc:// URL, log file) of a Spark Connect server on local[`cores`]."""
    port = free_port()
    log = folder / "connect-server.log"
    command = [str(spark_home() / "bin" / "spark-submit"), "--class",
               "org.apache.spark.sql.connect.service.SparkConnectServer", "--master", f"local[{cores}]",
               "--conf", f"spark.connect.grpc.binding.port={port}",
               "--conf", "spark.connect.grpc.binding.address=127.0.0.1", "--conf", "spark.ui.enabled=false",
               "spark-internal"]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=folder, env=service_env(folder), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, process, seconds=120)
        yield f"sc://127.0.0.1:{port}", log
    finally:
        stop(process)
