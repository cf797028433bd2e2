"""Process helpers the tests share: the project's CLI commands, free ports, waiting for servers."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HELD_SITE = REPO / "tests" / "held_trial_site"  # on a PYTHONPATH (held_env): chosen trainings wait there


def held_pid(held: Path, depth: int, sweep: subprocess.Popen, seconds: float) -> int:
    """Wait until the sweep's trial of max_depth `depth` is held (tests/held_trial_site wrote the
    pid of the worker holding it, whole, to `held/<depth>.pid`); that pid. The sweep must not end
    first, and the wait has a deadline."""
    path = held / f"{depth}.pid"
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert sweep.poll() is None, (f"the sweep ended ({sweep.returncode}) before its trial of "
                                      f"max_depth={depth} was held: {last_words(sweep)[-3000:]}")
        assert time.monotonic() < deadline, f"no trial of max_depth={depth} was held in {seconds} s"
        time.sleep(0.2)
    return int(path.read_text())


def last_words(process: subprocess.Popen, seconds: float = 30) -> str:
    """The stderr of a `process` that ended or is to be killed (it is killed), for a failure message.

    Read for at most `seconds`: a worker the process started can outlive it holding the pipe,
    and a plain `communicate()` would then wait for that worker, hanging the failing test.
    """
    process.kill()
    try:
        return process.communicate(timeout=seconds)[1] or ""
    except subprocess.TimeoutExpired:
        return f"(not read: something it started still held its stderr {seconds} s after it was killed)"


def copy_project_files(target: Path) -> Path:
    """The project's files (tracked, or new and not ignored) copied under `target`, nothing built."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            check=True, capture_output=True, text=True).stdout.splitlines()
    for name in listed:
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


def java_missing() -> bool:
    """No `java` on PATH and none under JAVA_HOME: Spark cannot start here."""
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is None and not (home and Path(home, "bin", "java").exists())


def without_mlflow(env) -> dict[str, str]:
    """`env` less every MLflow setting and credential."""
    return {k: v for k, v in env.items() if not k.startswith("MLFLOW_")}


def project_env(tracking_uri: str, **extra: str) -> dict[str, str]:
    """An environment whose `python` and `mlflow` are this interpreter's, logging to `tracking_uri`."""
    env = without_mlflow(os.environ)
    env.update(MLFLOW_TRACKING_URI=tracking_uri, PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
               PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1",  # tests read progress line by line
               **extra)
    return env


def held_env(tracking_uri: str, held: Path, **holds: str) -> dict[str, str]:
    """`project_env` for a process whose chosen trainings wait in `held` (tests/held_trial_site:
    HELD_MAX_DEPTHS for a sweep's trials, HELD_AFTER_EPOCH for a mnist run)."""
    env = project_env(tracking_uri, HELD_TRIALS_DIR=str(held), **holds)
    env["PYTHONPATH"] = os.pathsep.join([str(HELD_SITE), env["PYTHONPATH"]])
    return env


def run(command: list[str], env: dict[str, str], cwd: Path | str = REPO,
        timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a command to completion, capturing its output as text."""
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def mlflow_run(*args: str, env: dict[str, str], cwd: Path | str = REPO, timeout: float = 300,
               env_manager: str = "local") -> subprocess.CompletedProcess:
    """`mlflow run ARGS --env-manager local` with the real mlflow CLI."""
    command = [str(BIN / "mlflow"), "run", *args, "--env-manager", env_manager]
    return run(command, env, cwd, timeout)


def dash_p(params: dict) -> list[str]:
    """`-P name=value` arguments of `mlflow run` for each item."""
    return [arg for key, value in params.items() for arg in ("-P", f"{key}={value}")]


def start_mlflow_server(root: Path, *artifact_args: str, env: dict[str, str] | None = None,
                        app: str = "", port: int = 0) -> tuple[subprocess.Popen, str]:
    """A real `mlflow server` on a free 127.0.0.1 port, its sqlite store under `root`; waits for it.

    `artifact_args` choose where artifacts go (default: served from `root/mlartifacts`);
    `env` is the server's environment (default: this process's); `app`: `--app-name`, as
    `basic-auth`; `port`: a given one (a server started again), else a free one.
    """
    port = port or free_port()
    artifacts = artifact_args or ("--artifacts-destination", str(root / "mlartifacts"))
    # MLflow 3.17's server also starts a GenAI job runner (eight more processes, each importing
    # MLflow): nothing here uses it, and it doubled a server's CPU seconds (24-29 s, 12 without).
    env = {**(os.environ if env is None else env), "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    process = subprocess.Popen(
        [str(BIN / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{root}/mlflow.db", *artifacts, "--workers", "1",
         *(("--app-name", app) if app else ())],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/health", process)
    except Exception:
        stop(process)
        raise
    return process, url


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    """Wait until `url` answers 200, failing early if `process` exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before port {port} opened")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"port {port} did not open within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    """Terminate a server process and its children."""
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def invoke(url: str, body: str) -> list:
    import urllib.request

    request = urllib.request.Request(f"{url}/invocations", data=body.encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["predictions"]



def wait_until_free(port: int, seconds: float = 60) -> None:
    """Wait until nothing listens on `port` (a JVM that served it may take seconds to exit)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"port {port} is still taken after {seconds} s")
