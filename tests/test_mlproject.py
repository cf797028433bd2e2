"""The MLproject file mirrors the parameter dataclasses: names, types, defaults and flags.

Each registered model's entry point must be exactly what `python -m mlflow_lab.entries snippets NAME`
writes; a missing or drifted one fails with the text to paste.
"""

from __future__ import annotations

import re

import pytest
import yaml

from mlflow_lab.compare.params import CompareParams
from mlflow_lab.doctor.params import DoctorParams
from mlflow_lab.entries import DEFAULT, MODELS
from mlflow_lab.entries.snippets import as_yaml, mlproject_entry
from mlflow_lab.params import MLPROJECT_TYPES, declared
from mlflow_lab.predict.params import PredictParams
from mlflow_lab.promote.params import PromoteParams
from mlflow_lab.reproduce.params import ReproduceParams
from mlflow_lab.sweep.params import SweepParams
from tests.processes import REPO

TOOLS = {"sweep": SweepParams, "compare": CompareParams, "promote": PromoteParams,
         "predict": PredictParams, "doctor": DoctorParams, "reproduce": ReproduceParams}


@pytest.fixture(scope="module")
def mlproject() -> dict:
    return yaml.safe_load((REPO / "MLproject").read_text())


def test_project_uses_conda_yaml(mlproject):
    assert mlproject["conda_env"] == "conda.yaml"
    assert mlproject["name"]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_model_has_the_entry_point_its_declarations_write(mlproject, name):
    expected = mlproject_entry(MODELS[name])
    found = mlproject["entry_points"].get(name)
    assert found == expected, f"MLproject's entry point {name} should be:\n{as_yaml(name, expected, 2)}"


@pytest.mark.parametrize("entry_point", sorted(TOOLS))
def test_parameters_match_the_dataclass(mlproject, entry_point):
    declared_in_code = {item.name: {"type": MLPROJECT_TYPES[item.kind], "default": item.default}
                        for item in declared(TOOLS[entry_point])}
    assert mlproject["entry_points"][entry_point]["parameters"] == declared_in_code


@pytest.mark.parametrize("entry_point", sorted(TOOLS))
def test_command_passes_every_parameter_under_its_own_name(mlproject, entry_point):
    command = mlproject["entry_points"][entry_point]["command"]
    assert command.startswith(f"python -m mlflow_lab.{entry_point} ")
    flags = dict(re.findall(r"--(\w+) \{(\w+)\}", command))
    assert flags == {item.name: item.name for item in declared(TOOLS[entry_point])}


def test_default_entry_point_runs_the_default_model(mlproject):
    assert mlproject["entry_points"]["main"] == mlproject["entry_points"][DEFAULT]


def test_the_snippet_a_user_pastes_is_what_the_test_expects():
    """What `python -m mlflow_lab.entries snippets` prints, parsed back, is what is compared."""
    import subprocess
    import sys

    from mlflow_lab.entries.snippets import bundle_job

    name = sorted(MODELS)[0]
    printed = subprocess.run([sys.executable, "-m", "mlflow_lab.entries", "snippets", name], cwd=REPO,
                             check=True,
                             capture_output=True, text=True, timeout=60).stdout
    mlproject_part, bundle_part = printed.split("# databricks.yml, under resources: jobs:\n")
    assert yaml.safe_load(mlproject_part.split("\n", 1)[1]) == {name: mlproject_entry(MODELS[name])}
    assert yaml.safe_load(bundle_part) == {name: bundle_job(MODELS[name])}
