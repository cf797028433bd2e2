"""Fixtures: a temporary sqlite tracking store, a real `mlflow server`, a `git daemon`,
`mlflow models serve`, the stand-in Databricks workspace and a clean checkout to submit from."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import (
    BIN,
    REPO,
    free_port,
    project_env,
    start_mlflow_server,
    stop,
    wait_for_http,
    wait_for_port,
)


def pytest_configure(config):
    """The `slow` marker; and Ctrl-C that reaches the processes the tests start.

    A suite started in the background of a non-interactive shell (`cmd &`, nohup, some CI
    runners) inherits SIGINT ignored, and so would every process it starts: the tests that
    send Ctrl-C to a run would see it ignored. Handling it here gives the children SIGINT's
    default again (an ignored signal stays ignored across exec; a handled one does not).
    """
    import signal

    config.addinivalue_line("markers", "slow: builds environments or trains for long; CI runs them")
    if config.getoption("dist", "no") == "loadgroup":
        refuse_a_loadgroup_that_ignores_groups()
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    quick_starting_jvms()


def quick_starting_jvms() -> None:
    """The JVM flags the product gives its own local sessions, for every JVM a test starts: each
    lives for seconds, and C1 alone with the serial collector spends far fewer CPU seconds
    starting one. The flags change how the JVM compiles, not what it computes.

    Spark's own variables, each read by the script that starts that kind of JVM: the launcher
    of every `spark-submit`/`spark-class` (SPARK_LAUNCHER_OPTS), drivers and Connect servers
    (SPARK_SUBMIT_OPTS), a standalone master and worker (SPARK_DAEMON_JAVA_OPTS). None prints a
    line, unlike JAVA_TOOL_OPTIONS. A contributor's own values win."""
    from mlflow_lab.spark import LOCAL_JVM_OPTIONS

    for name in ("SPARK_LAUNCHER_OPTS", "SPARK_SUBMIT_OPTS", "SPARK_DAEMON_JAVA_OPTS"):
        os.environ.setdefault(name, LOCAL_JVM_OPTIONS)


def refuse_a_loadgroup_that_ignores_groups() -> None:
    """pytest 9.2 gives items structured ids, which pytest-xdist 3.8 cannot suffix with their
    group: `--dist loadgroup` then runs as `load`, silently (pytest-dev/pytest-xdist#1386), and
    a group's shared services start on every worker. Stop before that."""
    from importlib.metadata import version

    from packaging.version import Version

    if Version(version("pytest")) >= Version("9.2") and Version(version("pytest-xdist")) <= Version("3.8.0"):
        raise pytest.UsageError(f"pytest {version('pytest')} with pytest-xdist {version('pytest-xdist')} "
                                "ignores xdist_group under --dist loadgroup (pytest-dev/pytest-xdist#1386):"
                                " install requirements-dev.txt's pins")


@pytest.fixture(autouse=True)
def restore_mlflow_uris():
    """Tests that load models set MLflow's global URIs; put them back afterwards.

    `mlflow.set_registry_uri` also writes MLFLOW_REGISTRY_URI into the environment, and
    `set_registry_uri(None)` leaves it there (MLflow 3.17): a later test in the same process
    then registered its models in an earlier test's store. So the variables are put back too.
    """
    import os

    import mlflow

    names = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")
    saved = {name: os.environ.get(name) for name in names}
    yield
    mlflow.set_tracking_uri(None)
    mlflow.set_registry_uri(None)
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def connect_port(tmp_path_factory) -> Iterator[int]:
    """Port 15002 for the Connect server pyspark starts under SPARK_API_MODE=connect, which listens
    there and nowhere else: one test at a time across xdist workers (a lock in their shared base
    folder), once the server of the test before has exited."""
    import fcntl

    from tests.databricks_workspace import CONNECT_PORT
    from tests.processes import wait_until_free

    deadline = time.monotonic() + 900  # longer than any test that holds it
    with (tmp_path_factory.getbasetemp().parent / f"port-{CONNECT_PORT}.lock").open("w") as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"port {CONNECT_PORT} was held by another test for 900 s") from None
                time.sleep(0.5)
        wait_until_free(CONNECT_PORT)
        yield CONNECT_PORT


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory):
    """`empty_store(folder, name)`: the URI of a new, empty sqlite tracking store at folder/name,
    a copy of one that MLflow made (its tables created and migrated) once per xdist worker: a
    store's first process otherwise spends over a CPU second migrating it.

    The Default experiment's artifact location is the original's folder (MLflow records it as
    an absolute path when it creates a store); the experiments a test creates get the usual
    `./mlruns` under the working folder of the process that creates them."""
    original = tmp_path_factory.mktemp("empty-store") / "mlflow.db"
    uri = f"sqlite:///{original}"
    made = subprocess.run([str(BIN / "python"), "-c", "import sys, mlflow; "
                           "mlflow.MlflowClient(sys.argv[1]).search_experiments()", uri],
                          cwd=original.parent, env=project_env(uri), capture_output=True, text=True,
                          timeout=300)
    assert made.returncode == 0, made.stderr[-3000:]

    def copy_to(folder: Path, name: str = "mlflow.db") -> str:
        shutil.copyfile(original, folder / name)
        return f"sqlite:///{folder / name}"

    return copy_to


@pytest.fixture
def sqlite_uri(tmp_path: Path, empty_store) -> str:
    """An empty sqlite tracking store under the test's own folder (`empty_store`'s copy)."""
    return empty_store(tmp_path)


@pytest.fixture
def new_sqlite_uri(tmp_path: Path) -> str:
    """A sqlite store that does not exist yet: the first process to open it creates it, as on a
    user's new machine."""
    return f"sqlite:///{tmp_path}/mlflow.db"


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory) -> str:
    """A real `mlflow server` on a free 127.0.0.1 port with its own store and artifact root; the
    tests that use it are in the xdist group `mlflow_server`, so it starts on one worker."""
    process, url = start_mlflow_server(tmp_path_factory.mktemp("server"))
    try:
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def git_daemon(tmp_path_factory) -> tuple[str, str]:
    """The project's committed HEAD as a bare repo served by `git daemon` on 127.0.0.1.

    Returns the git:// URL and the full sha of the commit it serves.
    """
    base = tmp_path_factory.mktemp("git")
    subprocess.run(["git", "clone", "--bare", "--quiet", str(REPO), str(base / "project.git")],
                   check=True)
    sha = subprocess.run(["git", "-C", str(base / "project.git"), "rev-parse", "HEAD"], check=True,
                         capture_output=True, text=True).stdout.strip()
    port = free_port()
    process = subprocess.Popen(
        ["git", "daemon", f"--base-path={base}", "--export-all", "--reuseaddr",
         "--listen=127.0.0.1", f"--port={port}", str(base)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, process)
        yield f"git://127.0.0.1:{port}/project.git", sha
    finally:
        stop(process)


@pytest.fixture
def served(request):
    """Start `mlflow models serve` for a model URI; yield its base URL."""
    processes = []

    def serve(model_uri: str, tracking_uri: str, cwd: Path) -> str:
        port = free_port()
        process = subprocess.Popen(
            [str(BIN / "mlflow"), "models", "serve", "-m", model_uri, "--env-manager", "local",
             "-h", "127.0.0.1", "-p", str(port)], env=project_env(tracking_uri), cwd=cwd,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        processes.append(process)
        wait_for_http(f"http://127.0.0.1:{port}/ping", process, seconds=120)
        return f"http://127.0.0.1:{port}"

    yield serve
    for process in processes:
        stop(process)


@pytest.fixture(scope="session")
def shared_workspace(tmp_path_factory):
    """The stand-in Databricks workspace and its `mlflow server`, started once for every module that
    submits (test_databricks, test_add_a_model, test_installed: the xdist group `workspace`)."""
    from tests.databricks_workspace import TOKEN, Workspace

    root = tmp_path_factory.mktemp("workspace")
    (root / "server").mkdir()
    server, url = start_mlflow_server(root / "server", "--default-artifact-root", str(root / "artifacts"),
                                      "--no-serve-artifacts")  # the job's disk is shared, as /Volumes are
    stand_in = Workspace(root / "jobs", TOKEN, url, BIN).start()
    stand_in.store = f"sqlite:///{root}/server/mlflow.db"
    yield stand_in
    stand_in.stop()
    stop(server)


@pytest.fixture
def workspace(shared_workspace):
    """The stand-in workspace, reset: no jobs, requests, experiments or registered models."""
    return shared_workspace.reset()


@pytest.fixture
def checkout(tmp_path, git_daemon):
    """A clone of the served repository: its HEAD is on the remote, its tree is clean."""
    url, _ = git_daemon
    folder = tmp_path / "checkout"
    subprocess.run(["git", "clone", "--quiet", url, str(folder)], check=True)
    return folder
