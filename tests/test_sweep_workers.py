"""A sweep's local workers: they import what trials need as they start, and survive failing to."""

from __future__ import annotations

import os
import sys

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
