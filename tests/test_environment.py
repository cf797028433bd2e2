"""conda.yaml pins the environment exactly, and requirements.txt says the same."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml
from packaging.requirements import Requirement

from tests.processes import REPO, mlflow_run, project_env

PIN = re.compile(r"^[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.]*(; .+)?$")


def conda_pip_list() -> list[str]:
    conda = yaml.safe_load((REPO / "conda.yaml").read_text())
    return next(d["pip"] for d in conda["dependencies"] if isinstance(d, dict))


def test_python_and_pip_are_pinned_to_a_release():
    conda = yaml.safe_load((REPO / "conda.yaml").read_text())
    plain = [d for d in conda["dependencies"] if isinstance(d, str)]
    assert any(re.fullmatch(r"python=3\.\d+\.\d+", d) for d in plain), plain
    assert all(re.fullmatch(r"[a-z\-]+=[\d.]+", d) for d in plain), plain


def test_every_pip_dependency_is_pinned_exactly():
    for line in conda_pip_list():
        assert PIN.match(line), line


def test_requirements_txt_repeats_the_conda_pip_list():
    lines = [line.strip() for line in (REPO / "requirements.txt").read_text().splitlines()]
    assert [line for line in lines if line and not line.startswith("#")] == conda_pip_list()


def test_dev_requirements_build_on_the_runtime_ones():
    lines = (REPO / "requirements-dev.txt").read_text().splitlines()
    assert "-r requirements.txt" in lines
    assert all(PIN.match(line) for line in lines if line and not line.startswith(("#", "-r")))


@pytest.mark.slow
def test_uv_builds_an_isolated_environment_and_runs_diab(tmp_path):
    """`mlflow run . -e diab --env-manager uv` builds the conda.yaml environment and finishes."""
    envs = tmp_path / "envs"
    env = project_env(f"sqlite:///{tmp_path}/mlflow.db", MLFLOW_ENV_ROOT=str(envs))
    env.pop("PYTHONPATH")
    done = mlflow_run(str(REPO), "-e", "diab", "-P", "n_estimators=20", env=env, timeout=900,
                      env_manager="uv")
    assert done.returncode == 0, done.stderr[-3000:]
    built = [path.parent.parent for path in envs.glob("*/bin/python")]
    assert len(built) == 1, list(envs.iterdir())
    assert f"source {built[0]}/bin/activate && python -m diab" in done.stderr
    for requirement in map(Requirement, conda_pip_list()):
        if requirement.marker and not requirement.marker.evaluate():
            continue  # another platform's package
        name, version = requirement.name, str(requirement.specifier).removeprefix("==")
        installed = subprocess.run([str(built[0] / "bin" / "python"), "-c",
                                    f"from importlib.metadata import version; print(version({name!r}))"],
                                   capture_output=True, text=True, check=True).stdout.strip()
        assert installed == version, name
    assert float(done.stdout.strip().splitlines()[-1]) > 0


def test_the_installed_project_requires_exactly_requirements_txt():
    """pyproject.toml reads its dependencies from requirements.txt: one list, installed as is."""
    import tomllib
    from importlib import metadata

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}
    lines = [line.strip() for line in (REPO / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    required = [r for r in metadata.requires("mlflow-lab") if "extra ==" not in r]
    assert [str(Requirement(r)) for r in required] == [str(Requirement(r)) for r in lines]
    spark = [r for r in metadata.requires("mlflow-lab") if 'extra == "spark"' in r]
    assert [r.split(";")[0].strip() for r in spark] == ["pyspark[connect]==4.3.0"]


def test_mlflow_finds_the_databricks_jobs_backend():
    from mlflow.projects.backend import loader
    from mlflow.projects.backend.abstract_backend import AbstractBackend

    assert isinstance(loader.load_backend("databricks-jobs"), AbstractBackend)
