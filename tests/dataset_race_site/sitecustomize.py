"""Started with a process whose PYTHONPATH holds this folder: an `mlflow server` holding racers.

When DATASET_RACE_PARTIES is set, the server's data-set inserts wait for that many request
threads to reach them (tests/dataset_race.py); otherwise nothing happens.
"""

import os
import threading

from tests.dataset_race import PARTIES_VARIABLE, hold_inserts

if os.environ.get(PARTIES_VARIABLE):
    _barrier = threading.Barrier(int(os.environ[PARTIES_VARIABLE]))
    hold_inserts(lambda: _barrier.wait(timeout=120))
