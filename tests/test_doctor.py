"""The doctor's package checks, on the computes it meets: an ML runtime, an installed copy."""

from __future__ import annotations

from importlib import metadata

import mlflow_lab.doctor.checks as checks


def statuses(found) -> dict[str, tuple[str, str]]:
    return {check.name: (check.status, check.detail) for check in found}


def test_an_ml_runtimes_own_tensorflow_is_a_warning_not_a_missing_package(monkeypatch):
    """An ML runtime installs `tensorflow`; the pin on Linux x86-64 names `tensorflow-cpu`."""
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "17.3")
    runtime = {"tensorflow-cpu": None, "tensorflow": "2.19.0"}
    installed = checks._version
    monkeypatch.setattr(checks, "_version",
                        lambda name: runtime[name] if name in runtime else installed(name))
    status, detail = statuses(checks.packages())["package tensorflow-cpu"]
    assert status == "WARN" and "tensorflow 2.19.0, the ML runtime's own build" in detail


def test_an_installed_copy_checks_the_pins_it_was_installed_with(monkeypatch, tmp_path):
    """Installed from a wheel, no requirements.txt or conda.yaml lies beside the package."""
    monkeypatch.setattr(checks, "REPO", tmp_path)
    found = statuses(checks.packages())
    assert found["package mlflow"] == ("OK", metadata.version("mlflow"))
    assert not any(name.startswith("package pyspark") for name in found)  # an extra, not a pin
    assert {check.name for check in checks.runtime()} == {"runtime", "python"}
