"""Started with a process whose PYTHONPATH holds this folder: a sweep whose chosen trials hang.

In a sweep's local worker (a process multiprocessing spawned) or a Spark executor's Python
worker (forked by `pyspark.daemon`; spark.executorEnv.* carries the variables), and when
HELD_TRIALS_DIR is set, diab's training of a setting whose max_depth is listed in HELD_MAX_DEPTHS writes the
worker's pid to `HELD_TRIALS_DIR/<max_depth>.pid` and then waits to be killed, so a test can
kill the worker holding a known trial in the middle of its training; or, when the file
`HELD_TRIALS_DIR/release` appears, trains on (a test that stops the tracking server first).
Otherwise nothing happens.
"""

import os
import sys

WORKER_ARGS = ("--multiprocessing-fork", "pyspark.daemon")

if os.environ.get("HELD_TRIALS_DIR") and any(arg in sys.orig_argv for arg in WORKER_ARGS):
    import time
    from pathlib import Path

    import diab.tracking

    _held = set(os.environ.get("HELD_MAX_DEPTHS", "").split(","))
    _train = diab.tracking.fit_and_evaluate

    def _held_or_trained(params, *args, **kwargs):
        if str(params.max_depth) in _held:
            held = Path(os.environ["HELD_TRIALS_DIR"])
            (held / f"{params.max_depth}.pid").write_text(str(os.getpid()))
            while not (held / "release").exists():
                time.sleep(0.1)
        return _train(params, *args, **kwargs)

    diab.tracking.fit_and_evaluate = _held_or_trained
