"""The plugin installed the usual way: non-editable, from a wheel, into a folder of its own.

`pip install <clone or git URL>` puts the packages in site-packages with no source tree
beside them; the `databricks-jobs` backend must still find its pins (in the installed
metadata) and submit. Built offline (`--no-build-isolation`, setuptools from
requirements-dev.txt), installed with `--no-deps` on top of this environment's packages.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.processes import BIN, copy_project_files, project_env, run
from tests.test_databricks import DIAB_EXPERIMENT, TOKEN, checkout, spec, workspace  # noqa: F401
from tests.tracking_reads import client_for

pytestmark = pytest.mark.slow


def test_a_wheel_installed_elsewhere_submits_to_databricks(tmp_path, workspace, checkout):  # noqa: F811
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--quiet"]
    source = copy_project_files(tmp_path / "source")  # built from a copy: no build/ left in the repo
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)]
    done = subprocess.run(build, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = wheels.glob("mlflow_lab-*.whl")
    done = subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not (site / "requirements.txt").exists() and (site / "dbjobs" / "backend.py").is_file()
    env = project_env("databricks", DATABRICKS_HOST=workspace.url, DATABRICKS_TOKEN=TOKEN,
                      DBJOBS_POLL_SECONDS="0.3") | {"PYTHONPATH": str(site)}  # the installed copy only
    where = run([sys.executable, "-c", "import dbjobs, importlib.metadata as m; print(dbjobs.__file__); "
                 "print(m.distribution('mlflow-lab').locate_file(''))"], env, cwd=tmp_path)
    assert where.stdout.split() == [str(site / "dbjobs" / "__init__.py"), str(site)], where.stderr

    done = run([str(BIN / "mlflow"), "run", str(checkout), "-b", "databricks-jobs", "--backend-config",
                str(spec(tmp_path, "cpu")), "-e", "diab", "-P", "n_estimators=20",
                "--experiment-name", DIAB_EXPERIMENT], env, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    [job] = workspace.jobs.values()
    packages = [library["pypi"]["package"] for library in job.request["tasks"][0]["libraries"]]
    assert "mlflow==3.17.2" in packages and not any(p.startswith("pyspark") for p in packages)
    experiment = client_for(workspace.store).get_experiment_by_name(DIAB_EXPERIMENT)
    [logged] = client_for(workspace.store).search_runs([experiment.experiment_id])
    assert logged.info.status == "FINISHED" and logged.info.run_name == "diab n20-d6-f4"
