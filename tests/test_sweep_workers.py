"""A sweep's local workers: they import what trials need as they start, and survive failing to."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mlflow_lab.sweep.backends import LocalPool


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
