"""Run names: what they show, and how a process tells whether the user named its launcher's run.

The real `mlflow run` is in the end-to-end tests (test_diab_e2e, test_mnist_e2e,
test_sweep_e2e); here a script called `mlflow` stands in as the ancestor whose arguments
are read, so that each way of naming a run is checked in a second.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from diab.params import DiabParams
from mlflow_lab.naming import after_mlflow_run, parent_and_argv, parent_and_argv_from_ps, run_name, trial_name
from mnist.params import MnistParams
from tests.processes import REPO


def test_names_show_the_headline_settings_and_whatever_else_differs_from_the_default():
    assert run_name("diab", DiabParams()) == "diab n200-d6-f4"
    assert run_name("diab", DiabParams(max_depth=8, test_size=0.3, seed=7)) == "diab n200-d8-f4-t0.3-s7"
    assert run_name("mnist", MnistParams()) == "mnist bs128-e5-lr0.05"
    assert (run_name("mnist", MnistParams(learning_rate=0.0123456, dropout=0.3, validation_fraction=0.1,
                                          data_path="/data/mnist.npz", register_as="m"))
            == "mnist bs128-e5-lr0.0123456-do0.3-v0.1")


def test_names_of_different_settings_differ():
    """Every digit of a float is kept (3 significant digits made 0.01234 and 0.0123 one name)."""
    assert run_name("mnist", MnistParams(learning_rate=0.01234)) != run_name(
        "mnist", MnistParams(learning_rate=0.0123))
    assert run_name("mnist", MnistParams(learning_rate=5e-05)) == "mnist bs128-e5-lr5e-05"
    assert run_name("mnist", MnistParams(learning_rate=1.0)) == "mnist bs128-e5-lr1"


def test_a_trial_is_named_by_its_number_and_settings():
    assert trial_name(3, DiabParams(n_estimators=350, max_depth=12)) == "#3 n350-d12-f4"


def user_named(tmp_path, *launcher_args: str, launcher: str = "mlflow") -> str:
    """What a Python process started by `<launcher> ARGS` (through bash, as `mlflow run` does) says."""
    script = tmp_path / launcher
    script.write_text(f'#!/bin/bash\nbash -c "{sys.executable} -c \'from mlflow_lab.naming import '
                      f'user_named_the_launched_run as u; print(u())\'"\n')
    script.chmod(0o755)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([str(script), *launcher_args], env=env, capture_output=True, text=True,
                          timeout=60, check=True).stdout.strip()


@pytest.mark.parametrize(("launcher_args", "expected"), [
    (("run", ".", "-e", "diab", "-P", "max_depth=8"), "False"),
    (("run", ".", "--run-name", "mine"), "True"),
    (("run", ".", "--run-name=mine"), "True"),
    (("ui", "--run-name", "not a run command"), "None"),
])
def test_the_launchers_arguments_say_whether_the_user_named_the_run(tmp_path, launcher_args, expected):
    assert user_named(tmp_path, *launcher_args) == expected


def test_without_an_mlflow_launcher_the_name_is_kept(tmp_path):
    assert user_named(tmp_path, "run", ".", launcher="train.sh") == "None"


def test_python_dash_m_mlflow_is_a_launcher_too():
    assert after_mlflow_run(["python3", "-m", "mlflow", "run", ".", "--run-name", "x"]) == [
        ".", "--run-name", "x"]
    assert after_mlflow_run(["python3", "-m", "mlflow", "server"]) is None


def test_ps_sees_what_proc_sees():
    parent, argv = parent_and_argv(os.getpid())
    assert parent_and_argv_from_ps(os.getpid()) == (parent, " ".join(argv).split())


def test_a_compare_legend_adds_only_the_settings_that_the_name_does_not_show():
    from collections import namedtuple

    from mlflow_lab.compare.cli import describe
    from mlflow_lab.entries import MODELS

    row = namedtuple("Row", "run_name learning_rate batch_size")
    varying, mnist = ["learning_rate", "batch_size"], MODELS["mnist"]
    assert describe(row("mnist bs128-e5-lr0.01", 0.01, 128.0), varying, mnist) == "mnist bs128-e5-lr0.01"
    assert (describe(row("happy-cat-1", 0.01, 128.0), varying, mnist)
            == "happy-cat-1 (learning_rate=0.01, batch_size=128)")
    assert (describe(row("#2 bs256-e5-lr0.1", 0.01, 256.0), varying, mnist)
            == "#2 bs256-e5-lr0.1 (learning_rate=0.01, batch_size=256)")  # the name is not its params'


def test_a_legend_reads_the_params_not_the_name():
    """A hyphen inside a value (`lr5e-05`) is no separator: the legend compares with the params."""
    from collections import namedtuple

    from mlflow_lab.compare.cli import describe
    from mlflow_lab.entries import MODELS

    row = namedtuple("Row", "run_name learning_rate batch_size")
    varying, mnist = ["learning_rate", "batch_size"], MODELS["mnist"]
    assert describe(row("#4 bs64-e5-lr5e-05", 5e-05, 64.0), varying, mnist) == "#4 bs64-e5-lr5e-05"
    assert (describe(row("#5 bs64-e5-lr5e-05", 5e-05, 128.0), varying, mnist)
            == "#5 bs64-e5-lr5e-05 (learning_rate=5e-05, batch_size=128)")
