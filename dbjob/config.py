"""Read a backend config in the wrapped form `{"new_cluster": {...}, "libraries": [...]}`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple


class ConfigError(ValueError):
    """The backend config is unusable; the message names the file and the problem."""


class BackendConfig(NamedTuple):
    """The cluster to create and the extra PyPI packages to install on it."""

    new_cluster: dict
    packages: list[str]


def load_backend_config(path: str) -> BackendConfig:
    """Parse and check the file; a flat or malformed config is refused."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"{path}: backend config not found")
    try:
        config = json.loads(file.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: must be a JSON object with a \"new_cluster\" object")
    if "existing_cluster_id" in config:
        raise ConfigError(f"{path}: existing_cluster_id is not supported; give a \"new_cluster\"")
    if not isinstance(config.get("new_cluster"), dict):
        raise ConfigError(f"{path}: needs a \"new_cluster\" object (the wrapped form "
                          "{\"new_cluster\": {...}, \"libraries\": [...]})")
    if "spark_version" not in config["new_cluster"]:
        raise ConfigError(f"{path}: new_cluster needs a \"spark_version\" (a Databricks Runtime ML)")
    libraries = config.get("libraries", [])
    if not isinstance(libraries, list) or not all(isinstance(item, dict) for item in libraries):
        raise ConfigError(f"{path}: \"libraries\" must be a list of objects such as "
                          "{\"pypi\": {\"package\": \"name==1.0\"}}")
    packages = []
    for library in libraries:  # the Spark-job route installs PyPI packages only
        pypi = library.get("pypi")
        package = pypi.get("package") if isinstance(pypi, dict) else None
        if not isinstance(package, str):
            raise ConfigError(f"{path}: library {library} is not {{\"pypi\": {{\"package\": ...}}}}")
        packages.append(package)
    unknown = set(config) - {"new_cluster", "libraries"}
    if unknown:
        raise ConfigError(f"{path}: unknown keys {', '.join(sorted(unknown))} "
                          "(allowed: new_cluster, libraries)")
    return BackendConfig(config["new_cluster"], packages)
