"""Where one sweep trial's seconds go: each MLflow and Optuna call of a trial, timed.

    python benchmarks/trial_profile.py [--model diab] [--trials 4] [--log_models all]
    python benchmarks/trial_profile.py --model mnist [--data ../shared/data/mnist.npz]

Runs a small grid in this process (one worker, a fresh sqlite store) with the sweep's own
driver and trial code, and wraps the calls a trial makes (study ask and tell, run start and
end, params, metrics, the data set, signature, model logging, requirements, tags) with
timers. Prints a table of seconds per trial for each, and what is left over (the training
itself and everything unwrapped), then the requests a trial makes to the tracking store, by
store method, the driver's and the trial's apart (what a tracking server would be sent).
For diab, within model logging: the skops dump and the
skops loads (MLflow loads the file back after the dump; `mlflow.sklearn.log_model` loads it
once more to validate the serving example). A mnist trial
(the lab's network, 2 epochs, hidden units varied) ends its run after Keras autolog logged
its epochs asynchronously: "run end" is where MLflow's logging thread is waited for.
Issue 17's "measure first", before and after.
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import SHARED

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SPENT: dict[str, float] = collections.defaultdict(float)
WITHIN: dict[str, float] = collections.defaultdict(float)  # parts of model logging, timed apart
DEPTH = [0]  # a timed call inside another (a tell's log_batch) counts for the outer one only
REQUESTS: collections.Counter = collections.Counter()  # (driver or trial, store method) -> calls
INSIDE_STORE = threading.local()  # a store method calling another is one request
TRIAL_THREAD = "trial"


def timed(owner, attribute: str, label: str) -> None:
    """Replace `owner.attribute` with a wrapper adding its seconds to SPENT[label]."""
    original = getattr(owner, attribute)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        if DEPTH[0]:
            return original(*args, **kwargs)
        DEPTH[0] += 1
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            DEPTH[0] -= 1
            SPENT[label] += time.perf_counter() - start

    setattr(owner, attribute, wrapper)


def timed_within(owner, attribute: str, label: str) -> None:
    """Like `timed`, into WITHIN, whatever the call is inside of."""
    original = getattr(owner, attribute)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            WITHIN[label] += time.perf_counter() - start

    setattr(owner, attribute, wrapper)


def count_requests() -> None:
    """Count each call of the sqlite store's public methods: one request each to a server."""
    import inspect

    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    def counting(name, original):
        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            if getattr(INSIDE_STORE, "depth", 0):
                return original(*args, **kwargs)
            side = "trial" if threading.current_thread().name == TRIAL_THREAD else "driver"
            REQUESTS[side, name] += 1
            INSIDE_STORE.depth = 1
            try:
                return original(*args, **kwargs)
            finally:
                INSIDE_STORE.depth = 0
        return wrapper

    for name, member in inspect.getmembers(SqlAlchemyStore, inspect.isfunction):
        if not name.startswith(("_", "shut_down")):  # shutting down async logging asks nothing
            setattr(SqlAlchemyStore, name, counting(name, member))


def instrument() -> None:
    import mlflow
    import mlflow.models
    import mlflow.sklearn
    import optuna

    import mlflow_lab.tracking

    timed(optuna.Study, "ask", "study ask")
    timed(optuna.Study, "tell", "study tell")
    timed(mlflow, "start_run", "run start")
    timed(mlflow, "end_run", "run end")
    timed(mlflow.MlflowClient, "log_batch", "params, metrics, tags (log_batch)")
    timed(mlflow_lab.tracking, "log_dataset", "data set")
    timed(mlflow.models, "infer_signature", "signature")
    timed(mlflow.models.Model, "log", "model logging (all of Model.log)")


def instrument_diab() -> list[str]:
    """The diab timers; returns the sweep's grid flags."""
    import skops.io

    import diab.tracking

    timed_within(skops.io, "dump", "skops dump")
    timed_within(skops.io, "load", "skops loads")
    timed(diab.tracking, "fit_and_evaluate", "training and scoring")
    timed(diab.tracking, "pinned", "requirements")
    return ["--n_estimators", "200"]


def instrument_mnist(data: Path) -> list[str]:
    """The mnist timers; returns the sweep's grid flags (the lab's data, 2 epochs)."""
    import mnist.tracking

    timed(mnist.tracking, "fit_and_evaluate", "training and scoring")
    timed(mnist.tracking, "pinned", "requirements")
    return ["--data_path", str(data.resolve()), "--epochs", "2", "--batch_size", "256"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("diab", "mnist"), default="diab")
    parser.add_argument("--trials", type=int, default=4)
    parser.add_argument("--data", type=Path, default=SHARED / "data" / "mnist.npz",
                        help="MNIST, for --model mnist")
    parser.add_argument("--log_models", default="", help="the sweep's log_models (default: the sweep's)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-profile-")
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{folder}/mlflow.db"
    instrument()
    count_requests()
    if args.model == "diab":
        flags = [*instrument_diab(), "--max_depth", ",".join(str(d) for d in range(3, 3 + args.trials))]
    else:
        flags = [*instrument_mnist(args.data),
                 "--num_hidden_units", ",".join(str(64 * (n + 1)) for n in range(args.trials))]
    import mlflow_lab.sweep.backends

    class InProcess:
        """The pool, in this process: trials run one after another where the timers are."""

        def __init__(self, workers, starting=None):
            pass

        def submit(self, task, done):
            import threading

            from mlflow_lab.sweep.trial import run_trial

            # a thread of its own: MLflow's active run is per thread, and the parent's is active here
            worker = threading.Thread(target=lambda: done(run_trial(task)), name=TRIAL_THREAD)
            worker.start()
            worker.join()

        def close(self):
            pass

        def abort(self):
            pass

    mlflow_lab.sweep.backends.LocalPool = InProcess
    from mlflow_lab.sweep.cli import main as sweep_main

    start = time.perf_counter()
    kept = ["--log_models", args.log_models] if args.log_models else []
    sweep_main(["--model", args.model, "--workers", "1", *kept, *flags])
    total = time.perf_counter() - start
    print(f"\n{args.trials} {args.model} trials in one process, {total:.2f} s in all (seconds per trial):")
    for label, seconds in sorted(SPENT.items(), key=lambda item: -item[1]):
        print(f"  {label:<36} {seconds / args.trials:6.3f}")
    print(f"  {'everything else':<36} {(total - sum(SPENT.values())) / args.trials:6.3f}")
    if WITHIN:
        print("within model logging:")
    for label, seconds in sorted(WITHIN.items(), key=lambda item: -item[1]):
        print(f"  {label:<46} {seconds / args.trials:6.3f}")
    for side in ("driver", "trial"):
        calls = {name: count for (who, name), count in REQUESTS.items() if who == side}
        print(f"store requests per trial, {side}: {sum(calls.values()) / args.trials:.1f} "
              f"(the whole sweep's, setup included)")
        for name, count in sorted(calls.items(), key=lambda item: -item[1]):
            print(f"  {name:<46} {count / args.trials:6.2f}")


if __name__ == "__main__":
    main()
