"""What multiprocessing's fork server imports before it forks a sweep's local workers.

`mlflow_lab.sweep.workers.forking_context` names this module as the fork server's preload and
the model in MLFLOW_LAB_SWEEP_PRELOAD; importing it imports that model's trial code (its
libraries, MLflow, Optuna) once, so every worker forked from the server starts with them.
Nothing here opens a store or starts a Python thread. A failing import is left to the workers,
which import again and let their first trial report it. Ctrl-C reaches the server with the whole
process group; the server ignores it from here on (multiprocessing's own code only does so once
the imports are done), as the workers do.
"""

import os
import signal
from contextlib import suppress

signal.signal(signal.SIGINT, signal.SIG_IGN)

from mlflow_lab.sweep.workers import PRELOAD_VARIABLE, import_trial_code  # noqa: E402

if os.environ.get(PRELOAD_VARIABLE):
    with suppress(Exception):
        import_trial_code(os.environ[PRELOAD_VARIABLE])
