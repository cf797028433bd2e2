"""The MLproject file mirrors the parameter dataclasses: names, types, defaults and flags."""

from __future__ import annotations

import re

import pytest
import yaml

from compare.params import CompareParams
from runkit.entrypoints import ENTRY_POINTS as TRAINING
from runkit.params import MLPROJECT_TYPES, declared
from sweep.params import SweepParams
from tests.processes import REPO

ENTRY_POINTS = {**{name: entry.params for name, entry in TRAINING.items()}, "sweep": SweepParams,
                "compare": CompareParams}


@pytest.fixture(scope="module")
def mlproject() -> dict:
    return yaml.safe_load((REPO / "MLproject").read_text())


def test_project_uses_conda_yaml(mlproject):
    assert mlproject["conda_env"] == "conda.yaml"
    assert mlproject["name"]


@pytest.mark.parametrize("entry_point", sorted(ENTRY_POINTS))
def test_parameters_match_the_dataclass(mlproject, entry_point):
    declared_in_code = {item.name: {"type": MLPROJECT_TYPES[item.kind], "default": item.default}
                        for item in declared(ENTRY_POINTS[entry_point])}
    assert mlproject["entry_points"][entry_point]["parameters"] == declared_in_code


@pytest.mark.parametrize("entry_point", sorted(ENTRY_POINTS))
def test_command_passes_every_parameter_under_its_own_name(mlproject, entry_point):
    command = mlproject["entry_points"][entry_point]["command"]
    assert command.startswith(f"python -m {entry_point} ")
    flags = dict(re.findall(r"--(\w+) \{(\w+)\}", command))
    assert flags == {item.name: item.name for item in declared(ENTRY_POINTS[entry_point])}


def test_default_entry_point_runs_diab(mlproject):
    assert mlproject["entry_points"]["main"] == mlproject["entry_points"]["diab"]
