"""Pinned pip requirements for a logged model: the versions this process runs with.

Passing them to `log_model(pip_requirements=...)` skips MLflow's requirement inference
(about 5 s in a subprocess, and it picks up stray packages).
"""

from __future__ import annotations

from importlib import metadata


def pinned(*distributions: str) -> list[str]:
    """`name==version` for each installed distribution named."""
    return [f"{name}=={metadata.version(name)}" for name in distributions]
