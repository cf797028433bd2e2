"""The project installed the usual way: a wheel, in a fresh virtual environment of its own.

`pip install <clone or git URL>` puts the packages in site-packages with no source tree beside
them. The wheel must install `diab`, `mnist` and `mlflow_lab` and no other import name, so it
shadows nothing a user's repository holds (a `models/` package, a `predict.py`); from such a
folder the `databricks-jobs` backend must still find its pins (in the installed metadata) and
submit, and a sweep must run. Built offline (`--no-build-isolation`, setuptools from
requirements-dev.txt) and installed with `--no-deps`; the new environment reads its
dependencies from this one's site-packages as a plain path, so none of this environment's
own `.pth` files (its editable install of the project) apply there.
"""

from __future__ import annotations

import json
import site as site_module
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from mlflow_lab.entries import PACKAGES
from tests.databricks_workspace import DIAB_EXPERIMENT, TOKEN, spec
from tests.processes import copy_project_files, run, without_mlflow
from tests.tracking_reads import client_for

pytestmark = [pytest.mark.slow,
              pytest.mark.xdist_group("workspace")]  # the stand-in workspace starts on one worker
USERS_OWN = {"models/__init__.py": "raise ImportError('the user\\'s own models/ was imported')\n",
             "predict.py": "raise ImportError('the user\\'s own predict.py was imported')\n",
             "sweep.py": "raise ImportError('the user\\'s own sweep.py was imported')\n"}


def fresh_environment(tmp_path: Path) -> Path:
    """A new virtual environment holding the built wheel, its dependencies read from this one's."""
    wheels, venv = tmp_path / "wheels", tmp_path / "venv"
    pip = [sys.executable, "-m", "pip", "--quiet"]
    source = copy_project_files(tmp_path / "source")  # built from a copy: no build/ left in the repo
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)]
    done = subprocess.run(build, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = wheels.glob("mlflow_lab-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    [target] = venv.glob("lib/python*/site-packages")
    done = subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    (target / "dependencies.pth").write_text("\n".join(site_module.getsitepackages()) + "\n")
    return venv


def user_folder(tmp_path: Path) -> Path:
    """A user's repository holding packages named like the project's tools used to be."""
    folder = tmp_path / "users-repo"
    for name, text in USERS_OWN.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def installed_env(venv: Path, **extra: str) -> dict[str, str]:
    """The fresh environment first on PATH, no PYTHONPATH: imports come from what it installed."""
    import os

    env = without_mlflow(os.environ)
    env.pop("PYTHONPATH", None)
    return env | {"PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", "VIRTUAL_ENV": str(venv),
                  "PYTHONUNBUFFERED": "1", **extra}


def test_the_wheel_installs_three_names_and_works_beside_a_users_own_packages(tmp_path, workspace,
                                                                              checkout):
    venv = fresh_environment(tmp_path)
    python = str(venv / "bin" / "python")
    folder = user_folder(tmp_path)
    env = installed_env(venv, DATABRICKS_HOST=workspace.url, DATABRICKS_TOKEN=TOKEN,
                        DBJOBS_POLL_SECONDS="0.3",
                        MLFLOW_TRACKING_URI="databricks")
    probe = ("import importlib.metadata as m, json, mlflow_lab; d = m.distribution('mlflow-lab'); "
             "print(json.dumps([mlflow_lab.__file__, str(d.locate_file('')), "
             "sorted({f.parts[0] for f in d.files if not f.parts[0].endswith(('.dist-info', '.pth'))})]))")
    where = run([python, "-c", probe], env, cwd=folder)
    assert where.returncode == 0, where.stderr[-2000:]
    package_file, located, top_level = json.loads(where.stdout)
    [target] = venv.glob("lib/python*/site-packages")
    assert (package_file, located) == (str(target / "mlflow_lab" / "__init__.py"), str(target))
    assert top_level == sorted({"mlflow_lab", *PACKAGES})
    assert not (target / "requirements.txt").exists()

    done = run([python, "-m", "mlflow", "run", str(checkout), "-b", "databricks-jobs", "--backend-config",
                str(spec(tmp_path, "cpu")), "-e", "diab", "-P", "n_estimators=20",
                "--experiment-name", DIAB_EXPERIMENT], env, cwd=folder, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    [job] = workspace.jobs.values()
    packages = [library["pypi"]["package"] for library in job.request["tasks"][0]["libraries"]]
    assert f"mlflow=={metadata.version('mlflow')}" in packages
    assert not any(p.startswith("pyspark") for p in packages)
    experiment = client_for(workspace.store).get_experiment_by_name(DIAB_EXPERIMENT)
    [logged] = client_for(workspace.store).search_runs([experiment.experiment_id])
    assert logged.info.status == "FINISHED" and logged.info.run_name == "diab n20-d6-f4"

    store = f"sqlite:///{tmp_path / 'sweep.db'}"
    swept = run([python, "-m", "mlflow_lab.sweep", "--model", "diab", "--n_estimators", "10",
                 "--max_depth", "3",
                 "--workers", "1"], env | {"MLFLOW_TRACKING_URI": store}, cwd=folder, timeout=300)
    assert swept.returncode == 0, swept.stderr[-3000:]
    client = client_for(store)
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    assert sorted(r.info.status for r in runs) == ["FINISHED", "FINISHED"]  # the sweep and its one cell
