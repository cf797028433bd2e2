"""The backend config (`--backend-config jobs/cpu.json`): classic compute or serverless.

A spec holds exactly one of
- `new_cluster`: a Databricks cluster spec (checked field by field against databricks-sdk's
  `compute.ClusterSpec`, which is what the Jobs API accepts), or
- `environment`: a serverless environment spec without dependencies (`environment_version`),
plus optional `libraries` or `dependencies` to add to the project's pins, `timeout_seconds`
and `git_provider` (for a remote on a host other than the well-known ones). Every problem
is one line naming the file.
"""

from __future__ import annotations

import re
import sys
from typing import Any, NamedTuple

OPTIONAL_KEYS = {"libraries", "dependencies", "timeout_seconds", "git_provider"}
MIN_RUNTIME = (13, 3)  # older runtimes are blocked on workspaces with legacy features disabled


class SpecError(ValueError):
    """The spec is unusable; the message is one line naming the file."""


class Spec(NamedTuple):
    """A checked backend config."""

    new_cluster: dict | None
    environment: dict | None
    libraries: list[dict]
    dependencies: list[str]
    timeout_seconds: int | None
    git_provider: str | None


def source_name() -> str:
    """The spec's file as the user named it on `mlflow run` (MLflow hands the backend only its content)."""
    for flag, value in zip(sys.argv, sys.argv[1:], strict=False):
        if flag == "--backend-config":
            return value
    return "backend config"


def load_spec(config: dict[str, Any], name: str | None = None) -> Spec:
    """Check the config MLflow read from the spec file; MLflow's own keys are left out."""
    from mlflow.projects import utils

    name = name or source_name()
    mlflow_keys = {utils.PROJECT_ENV_MANAGER, utils.PROJECT_SYNCHRONOUS, utils.PROJECT_DOCKER_ARGS,
                   utils.PROJECT_STORAGE_DIR, utils.PROJECT_BUILD_IMAGE, utils.PROJECT_DOCKER_AUTH}
    spec = {key: value for key, value in config.items() if key not in mlflow_keys}
    compute = [key for key in ("new_cluster", "environment") if key in spec]
    if len(compute) != 1:
        raise SpecError(f"{name}: needs exactly one of \"new_cluster\" (classic compute) or "
                        "\"environment\" (serverless)")
    unknown = set(spec) - {*compute, *OPTIONAL_KEYS}
    if unknown:
        raise SpecError(f"{name}: unknown keys {', '.join(sorted(unknown))} (allowed: new_cluster or "
                        f"environment, {', '.join(sorted(OPTIONAL_KEYS))})")
    cluster = spec.get("new_cluster")
    if cluster is not None:
        check_cluster(name, cluster)
    environment = spec.get("environment")
    if environment is not None:
        check_environment(name, environment)
    libraries = spec.get("libraries", [])
    check_libraries(name, libraries)
    dependencies = spec.get("dependencies", [])
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise SpecError(f"{name}: \"dependencies\" must be a list of pip requirement strings")
    timeout = spec.get("timeout_seconds")
    if timeout is not None and (not isinstance(timeout, int) or timeout < 0):
        raise SpecError(f"{name}: \"timeout_seconds\" must be a whole number of seconds, 0 for none")
    return Spec(cluster, environment, libraries, dependencies, timeout, spec.get("git_provider"))


def round_trips(cls, value: Any) -> bool:
    """True when `value` is exactly what databricks-sdk's dataclass `cls` reads and writes back.

    `from_dict` drops unknown keys and turns unknown enum values into None, so comparing
    `as_dict()` with the input is what catches a misspelled field.
    """
    return isinstance(value, dict) and cls.from_dict(value).as_dict() == value


def check_cluster(name: str, cluster: Any) -> None:
    """A cluster spec the Jobs API accepts, on a runtime a new workspace still runs."""
    from databricks.sdk.service.compute import ClusterSpec

    if not round_trips(ClusterSpec, cluster):
        known = set(ClusterSpec.__dataclass_fields__)
        extra = sorted(set(cluster) - known) if isinstance(cluster, dict) else []
        detail = f"unknown fields {', '.join(extra)}" if extra else "a value of the wrong type or enum"
        raise SpecError(f"{name}: new_cluster is not a Databricks cluster spec ({detail})")
    version = re.match(r"(\d+)\.(\d+)", str(cluster.get("spark_version", "")))
    if not version:
        raise SpecError(f"{name}: new_cluster needs a \"spark_version\" such as 17.3.x-scala2.13")
    if tuple(map(int, version.groups())) < MIN_RUNTIME:
        raise SpecError(f"{name}: runtime {cluster['spark_version']} is older than 13.3 LTS, which "
                        "workspaces with legacy features disabled refuse; use 17.3 LTS ML")
    if "-ml-" not in cluster["spark_version"] and not cluster.get("use_ml_runtime"):
        raise SpecError(f"{name}: new_cluster needs an ML runtime (\"use_ml_runtime\": true, or an "
                        "-ml- spark_version): the project relies on its TensorFlow build")


def check_environment(name: str, environment: Any) -> None:
    from databricks.sdk.service.compute import Environment

    if not round_trips(Environment, environment) or "environment_version" not in environment:
        raise SpecError(f"{name}: environment must be a serverless environment spec with an "
                        "\"environment_version\" (such as \"4\") and no unknown fields")
    if "dependencies" in environment:
        raise SpecError(f"{name}: put extra packages in a top-level \"dependencies\" list; the "
                        "project's pins are added to the environment for you")


def check_libraries(name: str, libraries: Any) -> None:
    from databricks.sdk.service.compute import Library

    if not isinstance(libraries, list) or not all(round_trips(Library, item) for item in libraries):
        raise SpecError(f"{name}: \"libraries\" must be a list of Databricks libraries such as "
                        "{\"pypi\": {\"package\": \"name==1.0\"}}")
