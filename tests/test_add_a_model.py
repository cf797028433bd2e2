"""Adding a third model by following docs/add-a-model.md, and nothing else, in a copy of the project.

The copy gets exactly the files and the registry line the page shows, and the snippets that
`python -m mlflow_lab.entries snippets iris` prints pasted where their headings say. Then the copy's own
drift and layering tests pass, and the new model runs through `mlflow run`, a grid sweep,
compare and a submission to the stand-in Databricks workspace, from a git remote.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.databricks_workspace import TOKEN, spec
from tests.processes import (
    BIN,
    REPO,
    copy_project_files,
    free_port,
    mlflow_run,
    project_env,
    run,
    stop,
    wait_for_port,
)
from tests.tracking_reads import client_for

pytestmark = [pytest.mark.slow,
              pytest.mark.xdist_group("workspace")]  # the stand-in workspace starts on one worker
PAGE = REPO / "docs" / "add-a-model.md"
FILE_BLOCK = re.compile(r"^`(?P<path>[\w/.]+\.py)`:\n\n```python\n(?P<code>.*?)^```", re.M | re.S)


GIT = ["git", "-c", "user.name=me", "-c", "user.email=me@example.com"]


def copy_project(target: Path) -> Path:
    """The project as a user's clone has it: its files (tracked, or new and not ignored), in git."""
    copy_project_files(target)
    commit(target, "the project as cloned", "init", "--quiet", "-b", "main")
    return target


def commit(project: Path, message: str, *first: str) -> None:
    for args in ([*first] if first else [], ["add", "-A"], ["commit", "--quiet", "-m", message]):
        if args:
            subprocess.run([*GIT, "-C", str(project), *args], check=True)


def follow_the_page(project: Path, env: dict[str, str]) -> None:
    page = PAGE.read_text()
    files = {m["path"]: m["code"] for m in FILE_BLOCK.finditer(page)}
    assert set(files) == {f"iris/{n}.py" for n in ("params", "tracking", "entry", "cli", "__main__",
                                                   "__init__")}
    for path, code in files.items():
        (project / path).parent.mkdir(exist_ok=True)
        (project / path).write_text(code)
    [registry_line] = re.findall(r"^PACKAGES = .*iris.*$", page, re.M)
    registry = project / "mlflow_lab" / "entries" / "__init__.py"
    registry.write_text(re.sub(r"^PACKAGES = .*$", registry_line, registry.read_text(), flags=re.M))
    printed = run(["python", "-m", "mlflow_lab.entries", "snippets", "iris"], env, cwd=project, timeout=120)
    assert printed.returncode == 0, printed.stderr
    mlproject_part, bundle_part = printed.stdout.split("# databricks.yml, under resources: jobs:\n")
    # entry_points and resources.jobs are the last sections of their files: pasting means appending
    with (project / "MLproject").open("a") as mlproject:
        mlproject.write("\n" + mlproject_part.split("\n", 1)[1])
    with (project / "databricks.yml").open("a") as bundle:
        bundle.write(bundle_part)


def served_git_remote(project: Path, root: Path):
    """Commit the new model, serve a bare clone with `git daemon`, make it the copy's `origin`."""
    commit(project, "iris: a third model, as docs/add-a-model.md says")
    subprocess.run(["git", "clone", "--bare", "--quiet", str(project), str(root / "project.git")], check=True)
    port = free_port()
    daemon = subprocess.Popen(["git", "daemon", f"--base-path={root}", "--export-all", "--reuseaddr",
                               "--listen=127.0.0.1", f"--port={port}", str(root)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_port(port, daemon)
    url = f"git://127.0.0.1:{port}/project.git"
    for args in (["remote", "add", "origin", url], ["fetch", "--quiet", "origin"]):
        subprocess.run(["git", "-C", str(project), *args], check=True)
    return daemon


def test_a_third_model_added_by_the_page_runs_everywhere(tmp_path, workspace, sqlite_uri):
    project = copy_project(tmp_path / "project")
    store = sqlite_uri
    env = {**project_env(store), "PYTHONPATH": str(project)}  # as `pip install -e .` in the copy would
    follow_the_page(project, env)

    checks = run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_mlproject.py",
                  "tests/test_bundle.py", "tests/test_layers.py", "-m", "not slow"], env, cwd=project,
                 timeout=300)
    assert checks.returncode == 0, checks.stdout[-3000:]

    single = mlflow_run(str(project), "-e", "iris", "-P", "C=0.5", env=env, cwd=tmp_path)
    assert single.returncode == 0, single.stderr[-3000:]
    assert single.stdout.strip().splitlines()[-1].startswith("accuracy ")
    sweep = mlflow_run(str(project), "-e", "sweep", "-P", "model=iris", "-P", "C=0.1,1,10", "-P", "workers=2",
                       "-P", "register_as=iris-lr", env=env, cwd=tmp_path)
    assert sweep.returncode == 0, sweep.stderr[-3000:]
    compare = mlflow_run(str(project), "-e", "compare", "-P", "model=iris", "-P", "experiment_name=Default",
                         "-P", f"output_dir={tmp_path / 'plots'}", env=env, cwd=tmp_path)
    assert compare.returncode == 0, compare.stderr[-3000:]

    client = client_for(store)
    runs = client.search_runs(["0"])
    trained = [r for r in runs if "accuracy" in r.data.metrics and r.info.status == "FINISHED"]
    assert sorted(float(r.data.params["C"]) for r in trained) == [0.1, 0.5, 1, 10]
    assert "iris c0.5" in {r.info.run_name for r in trained}
    assert {r.data.tags.get("sweep.trial_number") for r in trained} == {None, "0", "1", "2"}
    assert {p.name for p in (tmp_path / "plots").iterdir()} >= {"runs.csv", "accuracy_vs_params.png"}
    models = client.search_logged_models(experiment_ids=["0"])  # the single run's, and improving trials'
    kept = {r.info.run_id for r in trained if r.data.tags.get("sweep.model_logged", "true") == "true"}
    assert sorted(m.source_run_id for m in models) == sorted(kept)
    champion = client.get_run(client.get_model_version_by_alias("iris-lr", "champion").run_id)
    trials = [r for r in trained if "sweep.trial_number" in r.data.tags]
    assert champion.data.metrics["accuracy"] == max(r.data.metrics["accuracy"] for r in trials)
    assert champion.info.run_id in kept
    assert "iris-lr version 1 (accuracy " in sweep.stderr and "is champion; there was none" in sweep.stderr

    daemon = served_git_remote(project, tmp_path / "git")
    try:
        submitted = run([str(BIN / "mlflow"), "run", str(project), "-b", "databricks-jobs",
                         "--backend-config", str(spec(tmp_path, "cpu")), "-e", "iris", "-P", "C=2",
                         "--experiment-name", "/Users/me@example.com/sklearn-iris"],
                        {**project_env("databricks", DATABRICKS_HOST=workspace.url, DATABRICKS_TOKEN=TOKEN,
                                       DBJOBS_POLL_SECONDS="0.3"), "PYTHONPATH": str(project)},
                        cwd=tmp_path, timeout=600)
    finally:
        stop(daemon)
    job_logs = "".join(job.log for job in workspace.jobs.values())
    assert submitted.returncode == 0, submitted.stderr[-3000:] + job_logs
    remote = client_for(workspace.store)
    experiment = remote.get_experiment_by_name("/Users/me@example.com/sklearn-iris")
    [logged] = remote.search_runs([experiment.experiment_id])
    assert logged.info.status == "FINISHED" and logged.info.run_name == "iris c2"
    assert "accuracy" in logged.data.metrics
