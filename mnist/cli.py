"""`python -m mnist [--epochs E --batch_size B ...]`: train, log to MLflow, print test accuracy.

Under `mlflow run . -e mnist` this resumes the launcher's run; run directly it logs to
experiment `keras-mnist` unless MLFLOW_EXPERIMENT_NAME or MLFLOW_EXPERIMENT_ID is set.
The data is read and checked before any run is opened or any training starts.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from mlflow_lab.params import parse
from mnist.entry import ENTRY
from mnist.params import MnistParams

KERAS_EXTRAS = ("sklearn", "matplotlib")  # Keras imports them if installed; mnist uses neither
# (hiding them saved 2.7 s of a 9.8 s Keras import: benchmarks/startup.py)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags, load the data, train, log the run; return the exit status."""
    params = parse(MnistParams, argv, prog="mnist",
                   description="The lab's feed-forward network on MNIST, tracked with MLflow.")
    from mnist.data import DataError, load_data

    if not params.data_path:  # keras's own loader reads the data, so Keras comes first
        import_keras()
    try:
        data = load_data(params.data_path)
    except DataError as error:
        print(f"mnist: error: {error}", file=sys.stderr)
        return 2

    import_keras()
    from mlflow_lab.faults import one_line_errors
    from mlflow_lab.model_cli import train_once

    with one_line_errors("mnist"):
        metrics = train_once(ENTRY, params, data=data)
    print("test_accuracy", metrics["test_accuracy"])
    return 0


def import_keras() -> None:
    """Keras, without the scikit-learn and matplotlib it would import for helpers mnist never uses."""
    from mlflow_lab.startup import import_without

    import_without("keras", unused=KERAS_EXTRAS)
