"""The parameters of `doctor`, declared once; the CLI and the MLproject mirror them."""

from __future__ import annotations

from dataclasses import dataclass

from mlflow_lab.params import param


@dataclass(frozen=True)
class DoctorParams:
    """What else to check besides the runtime, the packages and the driver's logging."""

    volume_path: str = param("", "a path the jobs read, as /Volumes/<catalog>/<schema>/<volume>/...; "
                                 "empty: not checked")
    executor: str = param("true", "check that a Spark executor can log to MLflow (starts Spark)",
                          choices=("true", "false"))
