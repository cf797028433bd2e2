"""Pinned pip requirements: for a logged model, and for a Databricks job or bundle.

- `pinned(...)`: the versions this process runs with. Passing them to
  `log_model(pip_requirements=...)` skips MLflow's requirement inference (about 5 s in a
  subprocess, and it picks up stray packages).
- `classic_pins()`, `serverless_pins()`: the project's own pins, read from the installed
  package's metadata. `pip install` (editable, from a clone, a git URL or a wheel) records
  requirements.txt's pins as its `Requires-Dist`, so they are found wherever the project is
  installed, with no source tree at hand. Optional extras (`[spark]`) are left out:
  Databricks runtimes bring their own Spark. Classic compute runs an ML runtime, whose own
  TensorFlow build (CPU or GPU, matching the node) stays; every other pin is installed over
  the runtime's versions. Serverless has no ML runtime: it gets every pin.
"""

from __future__ import annotations

from importlib import metadata

from packaging.requirements import Requirement


def pinned(*distributions: str) -> list[str]:
    """`name==version` for each installed distribution named."""
    return [f"{name}=={metadata.version(name)}" for name in distributions]


DISTRIBUTION = "mlflow-lab"
RUNTIME_PROVIDED = ("tensorflow", "tensorflow-cpu")
DATABRICKS_NODE = {"sys_platform": "linux", "platform_machine": "x86_64", "extra": ""}


def requirements() -> list[Requirement]:
    """The installed project's pins that apply on a Linux x86-64 node (Databricks'), extras left out."""
    found = []
    for line in metadata.requires(DISTRIBUTION) or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(DATABRICKS_NODE):
            requirement.marker = None
            found.append(requirement)
    return found


def classic_pins() -> list[str]:
    """`name==version` for a cluster on an ML runtime: everything but TensorFlow."""
    return [str(r) for r in requirements() if r.name not in RUNTIME_PROVIDED]


def serverless_pins() -> list[str]:
    """`name==version` for a serverless environment: everything."""
    return [str(r) for r in requirements()]

