"""Started with a process whose PYTHONPATH holds this folder: a sweep whose chosen trials hang.

In a sweep's local worker (forked by multiprocessing's fork server, or spawned) or a Spark executor's Python
worker (forked by `pyspark.daemon`; spark.executorEnv.* carries the variables), and when
HELD_TRIALS_DIR is set, diab's training of a setting whose max_depth is listed in HELD_MAX_DEPTHS writes the
worker's pid to `HELD_TRIALS_DIR/<max_depth>.pid` and then waits to be killed, so a test can
kill the worker holding a known trial in the middle of its training; or, when the file
`HELD_TRIALS_DIR/release` appears, trains on (a test that stops the tracking server first).

In any process, when HELD_TRIALS_DIR and HELD_AFTER_EPOCH are set, mnist's training waits at the
end of that epoch (counted from 1) until `HELD_TRIALS_DIR/release` appears: the epochs before it
are logged, the rest come after (a test that stops the tracking server between them).
Otherwise nothing happens.
"""

import importlib.abc
import os
import sys

WORKER_ARGS = ("--multiprocessing-fork", "multiprocessing.forkserver", "pyspark.daemon")  # in an argument
HOLD_AT_MOST_S = 600  # a test that died leaves no trial held for ever


def _wait_for_release(held) -> None:
    """Until `held/release` exists, or HOLD_AT_MOST_S has passed."""
    import time

    deadline = time.monotonic() + HOLD_AT_MOST_S
    while not (held / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def _held_or_trained(train):
    from pathlib import Path

    held_depths = set(os.environ.get("HELD_MAX_DEPTHS", "").split(","))

    def held_or_trained(params, *args, **kwargs):
        if str(params.max_depth) in held_depths:
            held = Path(os.environ["HELD_TRIALS_DIR"])
            written = held / f".{params.max_depth}.pid"
            written.write_text(str(os.getpid()))
            written.rename(held / f"{params.max_depth}.pid")  # whole, once it appears
            _wait_for_release(held)
        return train(params, *args, **kwargs)

    return held_or_trained


def _held_after_epoch(fit_and_evaluate):
    from pathlib import Path

    held, after = Path(os.environ["HELD_TRIALS_DIR"]), int(os.environ["HELD_AFTER_EPOCH"])

    def fitted_with_a_hold(params, data=None, callbacks=(), arrays=None):
        import keras

        class HoldAfterEpoch(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if epoch + 1 != after:
                    return
                (held / "mnist.held").touch()
                _wait_for_release(held)

        return fit_and_evaluate(params, data, (*callbacks, HoldAfterEpoch()), arrays)

    return fitted_with_a_hold


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Wraps the `fit_and_evaluate` of module `name` with `wrap` when the process itself imports
    it: pyspark.daemon forks its workers and must not import pandas (threads) before it does."""

    def __init__(self, name: str, wrap):
        self.name, self.wrap = name, wrap

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            module.fit_and_evaluate = self.wrap(module.fit_and_evaluate)

        spec.loader.exec_module = exec_module
        return spec


if os.environ.get("HELD_TRIALS_DIR") and any(mark in arg for arg in sys.orig_argv for mark in WORKER_ARGS):
    import importlib.util

    sys.meta_path.insert(0, _PatchOnImport("diab.tracking", _held_or_trained))

if os.environ.get("HELD_TRIALS_DIR") and os.environ.get("HELD_AFTER_EPOCH"):
    import importlib.util

    sys.meta_path.insert(0, _PatchOnImport("mnist.tracking", _held_after_epoch))
