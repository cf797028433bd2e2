"""What multiprocessing's fork server imports before it forks a sweep's local workers.

`mlflow_lab.sweep.workers.forking_context` names this module as the fork server's preload and
the model in MLFLOW_LAB_SWEEP_PRELOAD; importing it imports that model's trial code (its
libraries, MLflow, Optuna) once, so every worker forked from the server starts with them.
Nothing here opens a store or starts a thread. A failing import is left to the workers, which
import again and let their first trial report it.
"""

import os
from contextlib import suppress

from mlflow_lab.sweep.workers import PRELOAD_VARIABLE, import_trial_code

if os.environ.get(PRELOAD_VARIABLE):
    with suppress(Exception):
        import_trial_code(os.environ[PRELOAD_VARIABLE])
