"""A sweep's local workers: forks of one server that imported what trials need; they survive
failing to import, a Ctrl-C while the server imports, and take the driver's environment."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from mlflow_lab.sweep.backends import LocalPool
from tests.processes import REPO


def loaded_modules() -> list[str]:
    """The modules a worker has imported, in the order it imported them."""
    return list(sys.modules)


def test_a_worker_imports_the_models_libraries_before_its_first_trial():
    pool = LocalPool(1, "diab")
    try:
        loaded = pool.call(loaded_modules).result(timeout=120)
    finally:
        pool.abort()
    assert {"mlflow", "optuna", "sklearn.ensemble", "skops.io", "diab.tracking"} <= set(loaded)
    assert loaded.index("skops.io") < loaded.index("mlflow")  # the order diab's CLI imports them in


def test_a_worker_whose_imports_fail_starts_once_and_takes_work():
    pool = LocalPool(1, "no-such-model")
    try:
        first, second = (pool.call(os.getpid).result(timeout=60) for _ in range(2))
    finally:
        pool.abort()
    assert first == second != os.getpid()  # one worker, not one started again after each failure


def pids_after(seconds: float) -> tuple[int, int]:
    """This worker's pid and its parent's, after holding the worker `seconds`."""
    import time

    time.sleep(seconds)
    return os.getpid(), os.getppid()


def test_workers_are_forked_from_one_server_that_imported_the_model():
    pool = LocalPool(2, "diab")
    try:
        assert "MLFLOW_LAB_SWEEP_PRELOAD" not in os.environ  # no other child of the driver gets it
        held = [pool.call(pids_after, 2) for _ in range(2)]  # two at once: one on each worker
        (first, server), (second, other_server) = (future.result(timeout=120) for future in held)
    finally:
        pool.abort()
    assert first != second and server == other_server != os.getpid()
    command = Path(f"/proc/{server}/cmdline").read_bytes().decode()  # the fork server outlives the pool
    assert "multiprocessing.forkserver" in command and "mlflow_lab.sweep.preload" in command


# A fresh interpreter: the fork server is one per process, and pytest's may have started already.
# The server imports the model; Ctrl-C (sent to the whole group) reaches it while it does.
CTRL_C_WHILE_THE_SERVER_IMPORTS = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    from mlflow_lab.sweep.workers import LocalPool

    def children(pid):
        for stat in Path("/proc").glob("[0-9]*/stat"):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                yield int(stat.parent.name), (stat.parent / "cmdline").read_bytes().decode()

    os.environ["A_SETTING"] = "before"
    pool = LocalPool(1, "diab")
    [server] = [pid for pid, command in children(os.getpid()) if "forkserver" in command]
    time.sleep(0.5)  # the server is importing scikit-learn, skops and MLflow (about 2 s)
    os.kill(server, signal.SIGINT)
    worker_parent = pool.call(os.getppid).result(timeout=120)
    os.environ["A_SETTING"] = "after"  # then the worker dies: its replacement must see this
    os.kill(pool.call(os.getpid).result(timeout=60), signal.SIGKILL)
    for attempt in range(2):  # the first call may still reach the dying worker, and fail saying so
        try:
            setting = pool.call(os.getenv, "A_SETTING").result(timeout=120)
            break
        except Exception as error:
            assert attempt == 0 and "died" in str(error), error
    maps = Path(f"/proc/{server}/maps").read_text()
    pool.abort()
    print(worker_parent == server, setting, "sklearn" in maps)  # the server mapped its extensions
""")


def in_a_fresh_interpreter(script: str) -> subprocess.CompletedProcess:
    """`script` run by a new Python (its own fork server), which must exit 0."""
    finished = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                              timeout=180)
    assert finished.returncode == 0, finished.stderr[-3000:]
    return finished


def test_a_ctrl_c_while_the_fork_server_imports_leaves_it_serving_and_abort_clean():
    finished = in_a_fresh_interpreter(CTRL_C_WHILE_THE_SERVER_IMPORTS)
    assert "Traceback" not in finished.stderr, finished.stderr[-3000:]
    # the worker came from the server that imported the model; one started later has the
    # driver's environment as it was then, not the server's
    assert finished.stdout.split() == ["True", "after", "True"], finished.stderr[-3000:]


# A fresh interpreter again: the fork server is killed while its worker is busy with a call.
SERVER_KILLED_UNDER_A_BUSY_WORKER = textwrap.dedent("""
    import os, signal, time
    from pathlib import Path
    from mlflow_lab.sweep.workers import LocalPool

    pool = LocalPool(1, "diab")
    worker, server = pool.call(os.getpid).result(timeout=120), pool.call(os.getppid).result(timeout=60)
    busy = pool.call(time.sleep, 60)
    time.sleep(0.5)  # the worker is sleeping in the call
    os.kill(server, signal.SIGKILL)
    print(type(busy.exception(timeout=60)).__name__)
    deadline = time.monotonic() + 30
    def running(pid):
        stat = Path(f"/proc/{pid}/stat")
        return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    print(running(worker))
    pool.abort()
""")


def test_a_worker_whose_fork_server_died_is_failed_and_stopped_not_left_running():
    finished = in_a_fresh_interpreter(SERVER_KILLED_UNDER_A_BUSY_WORKER)
    # the call failed (its worker reads as dead), and that worker does not train on as an orphan
    assert finished.stdout.split() == ["WorkerError", "False"], finished.stderr[-3000:]
