"""The project's pins for a Databricks job: requirements.txt, the one list every install reads.

Classic compute runs an ML runtime, whose own TensorFlow build (CPU or GPU, matching the
node) stays; every other pin is installed over the runtime's versions (17.3 LTS ML ships
MLflow 3.0.1; this code needs 3.17). Serverless has no ML runtime: it gets every pin.
"""

from __future__ import annotations

from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
RUNTIME_PROVIDED = ("tensorflow", "tensorflow-cpu")


def requirements(path: Path = REPO / "requirements.txt") -> list[Requirement]:
    """The pinned requirements that apply on a Linux x86-64 machine (Databricks' nodes)."""
    found = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        linux = {"sys_platform": "linux", "platform_machine": "x86_64"}
        if requirement.marker is None or requirement.marker.evaluate(linux):
            requirement.marker = None
            found.append(requirement)
    return found


def classic_pins() -> list[str]:
    """`name==version` for a cluster on an ML runtime: everything but TensorFlow."""
    return [str(r) for r in requirements() if r.name not in RUNTIME_PROVIDED]


def serverless_pins() -> list[str]:
    """`name==version` for a serverless environment: everything."""
    return [str(r) for r in requirements()]
