"""The doctor's checks: each looks at one thing on the compute it runs on and says OK, WARN or FAIL.

Each returns `Check`s whose detail says what was found and, when it is not OK, what to change.
Nothing here raises for what it finds; an unexpected error becomes that check's FAIL line.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[2]  # the checkout a job runs from
RUNTIME_PROVIDED = ("tensorflow", "tensorflow-cpu")  # classic ML runtimes keep their own build


class Check(NamedTuple):
    """One line of the report."""

    name: str
    status: str  # OK, WARN or FAIL
    detail: str

    def line(self) -> str:
        return f"{self.status:<4} {self.name}: {self.detail}"


def runtime() -> list[Check]:
    """Which Databricks runtime (or none), which Spark and which Python this is."""
    version = os.environ.get("DATABRICKS_RUNTIME_VERSION")
    spark = _version("pyspark") or "none installed"
    if version:
        found = [Check("runtime", "OK", f"Databricks runtime {version}, pyspark {spark}")]
    else:
        found = [Check("runtime", "WARN", f"not on Databricks (no DATABRICKS_RUNTIME_VERSION), pyspark "
                                          f"{spark}: these lines describe this machine")]
    pinned = _python_pin()
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    detail = f"{platform.python_version()} ({sys.executable})"
    if pinned and here != pinned:
        found.append(Check("python", "WARN", f"{detail}; conda.yaml pins {pinned}: if a package line "
                                             f"below fails, pick a runtime or serverless environment "
                                             f"with Python {pinned}"))
    else:
        found.append(Check("python", "OK", detail))
    return found


def on_classic_runtime() -> bool:
    """A cluster on a Databricks runtime; serverless reports its version as `client.N...`."""
    return not os.environ.get("DATABRICKS_RUNTIME_VERSION", "client").startswith("client")


def pin_lines() -> list[str]:
    """The project's pins: requirements.txt in the checkout a job runs from, else what the
    installed project (a wheel, `pip install git+...`) recorded as its requirements."""
    from mlflow_lab.requirements import DISTRIBUTION

    file = REPO / "requirements.txt"
    if file.is_file():
        return [line.split("#", 1)[0].strip() for line in file.read_text().splitlines()]
    try:
        return metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return []


def packages() -> list[Check]:
    """Each pin of the project that applies here (extras left out), against the version installed."""
    from packaging.requirements import Requirement

    classic, found = on_classic_runtime(), []
    for text in filter(None, pin_lines()):
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        pinned = next(iter(requirement.specifier)).version
        installed = _version(requirement.name)
        name = f"package {requirement.name}"
        runtimes = [f"{other} {_version(other)}" for other in RUNTIME_PROVIDED if _version(other)]
        if installed == pinned:
            found.append(Check(name, "OK", installed))
        elif classic and requirement.name in RUNTIME_PROVIDED and runtimes:  # tensorflow for tensorflow-cpu
            found.append(Check(name, "WARN", f"{', '.join(runtimes)}, the ML runtime's own build (pinned "
                                             f"{pinned}, kept on purpose on classic compute)"))
        elif installed:
            found.append(Check(name, "FAIL", f"{installed} installed, pinned {pinned}: give the job the "
                                             "pins as libraries (-b databricks-jobs and the bundle do; "
                                             "a notebook needs %pip install -r requirements.txt)"))
        else:
            found.append(Check(name, "FAIL", f"not installed, pinned {pinned}: add it to the job's "
                                             "libraries"))
    return found or [Check("packages", "FAIL", "no pins found: no requirements.txt beside the package and no "
                                              "installed mlflow-lab to read them from")]


def tensorflow_with_keras() -> list[Check]:
    """TensorFlow and Keras 3 import together and build and run a one-layer model."""
    try:
        import keras
        import numpy as np
        import tensorflow as tf

        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.predict(np.zeros((1, 2), dtype="float32"), verbose=0)
    except Exception as error:  # noqa: BLE001 (any failure is the finding)
        return [Check("tensorflow+keras", "FAIL", f"{_first_line(error)}: install the pinned tensorflow "
                                                 "and keras together (the serverless spec's pins do)")]
    if not keras.__version__.startswith("3."):
        return [Check("tensorflow+keras", "FAIL", f"keras {keras.__version__}; the project's Keras "
                                                 "models need Keras 3: pin keras==3.*")]
    return [Check("tensorflow+keras", "OK", f"tensorflow {tf.__version__}, keras {keras.__version__}, "
                                            f"backend {keras.backend.backend()}")]


def driver_logging(run_id: str) -> list[Check]:
    """A metric logged from this process reads back from the tracking server."""
    import mlflow

    from mlflow_lab.faults import tracking_uri

    where = tracking_uri()  # redacted: a URI may hold a password
    try:
        mlflow.MlflowClient().log_metric(run_id, "doctor_driver", 1.0)
        logged = mlflow.MlflowClient().get_run(run_id).data.metrics.get("doctor_driver")
    except Exception as error:  # noqa: BLE001
        return [Check("driver logging", "FAIL", f"{where}: {_first_line(error)}")]
    if logged != 1.0:
        return [Check("driver logging", "FAIL", f"{where}: the metric did not read back")]
    return [Check("driver logging", "OK", f"logged to {where}")]


def executor_logging(run_id: str) -> list[Check]:
    """A Spark task logs a metric into the run with the driver's credentials (the sweep's route)."""
    import mlflow

    from mlflow_lab.credentials import executor_uri, of_driver
    from mlflow_lab.spark import session_kind, spark_session

    name = "executor logging"
    try:
        session, owned = spark_session(2, "doctor", "spark")
    except Exception as error:  # noqa: BLE001
        return [Check(name, "FAIL", f"Spark did not start: {_first_line(error)}")]
    kind = session_kind(session)
    uri = mlflow.get_tracking_uri()
    credentials = of_driver(uri)
    task = json.dumps({"run_id": run_id, "uri": executor_uri(uri, credentials), "env": dict(credentials)})
    try:
        rows = session.createDataFrame([(task,)], "task string")
        [row] = rows.mapInPandas(_log_from_executor(), "outcome string").collect()
        logged = mlflow.MlflowClient().get_run(run_id).data.metrics.get("doctor_executor")
    except Exception as error:  # noqa: BLE001
        return [Check(name, "FAIL", f"{kind}: the task failed: {_first_line(error)}")]
    finally:
        if owned:
            session.stop()
    if row.outcome != "OK" or logged != 1.0:
        return [Check(name, "FAIL", f"{kind}: {row.outcome}: sweeps on this compute cannot log their "
                                    "trials; use backend=local (the driver's cores) or a classic cluster")]
    return [Check(name, "OK", f"{kind}: a task logged to the run with the driver's credentials")]


def _log_from_executor():
    """The executor's side, as a closure: shipped by value, it needs no project code on the executor."""

    def log(batches):
        import json
        import os

        import pandas as pd

        for batch in batches:
            outcomes = []
            for text in batch["task"]:
                task = json.loads(text)
                before = {key: os.environ.get(key) for key in task["env"]}  # mlflow_lab.credentials.lent's
                os.environ.update(task["env"])  # work, inline: this closure ships without project code
                try:
                    import mlflow

                    client = mlflow.MlflowClient(tracking_uri=task["uri"])
                    client.log_metric(task["run_id"], "doctor_executor", 1.0)
                    outcomes.append("OK")
                except Exception as error:  # noqa: BLE001
                    outcomes.append(f"{type(error).__name__}: {str(error).strip()[:200]}")
                finally:
                    for key, value in before.items():
                        if value is None:
                            os.environ.pop(key, None)
                        else:
                            os.environ[key] = value
            yield pd.DataFrame({"outcome": outcomes})

    return log


def volume(path: str) -> list[Check]:
    """`path` exists and can be read: a folder listed, a file's first bytes read."""
    if not path:
        return [Check("volume", "WARN", "not checked: give volume_path=/Volumes/<catalog>/<schema>/<volume>")]
    target = Path(path)
    try:
        if target.is_dir():
            entries = sum(1 for _ in target.iterdir())
            return [Check("volume", "OK", f"{path} is a folder of {entries} entries, readable")]
        with target.open("rb") as handle:
            handle.read(1)
    except FileNotFoundError:
        return [Check("volume", "FAIL", f"{path} does not exist: check the catalog, schema and volume "
                                        "names (Catalog Explorer shows a file's path)")]
    except OSError as error:
        return [Check("volume", "FAIL", f"{path}: {_first_line(error)}: the job's identity needs READ VOLUME "
                                        "on the volume and USE CATALOG / USE SCHEMA above it")]
    return [Check("volume", "OK", f"{path} is a file, readable")]


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _python_pin() -> str | None:
    """`3.11` from conda.yaml's `python=3.11.7`."""
    conda = REPO / "conda.yaml"  # an installed copy has none: no pin to compare with
    for text in (conda.read_text().splitlines() if conda.is_file() else []):
        text = text.strip().removeprefix("- ")
        if text.startswith("python="):
            return ".".join(text.removeprefix("python=").split(".")[:2])
    return None


def _first_line(error: BaseException) -> str:
    """mlflow_lab.faults' one-line form of `error`, redacted (a tracking error may quote a URI)."""
    from mlflow_lab.faults import one_line, redact

    return redact(one_line(error))
