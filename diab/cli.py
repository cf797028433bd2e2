"""`python -m diab [--n_estimators N --max_depth D ...]`: train, log to MLflow, print the MSE.

Under `mlflow run . -e diab` this resumes the launcher's run; run directly it logs to
experiment `sklearn-diab` unless MLFLOW_EXPERIMENT_NAME or MLFLOW_EXPERIMENT_ID is set.
The test MSE is printed last on stdout, as the lab does.
"""

from __future__ import annotations

from collections.abc import Sequence

from diab.entry import ENTRY
from diab.params import DiabParams
from mlflow_lab.params import parse


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags, train, log the run; return the exit status."""
    params = parse(DiabParams, argv, prog="diab",
                   description="Random forest on the diabetes data, tracked with MLflow.")
    import_libraries()
    from mlflow_lab.faults import one_line_errors
    from mlflow_lab.model_cli import train_once

    with one_line_errors("diab"):
        metrics = train_once(ENTRY, params)
    print(metrics["mse"])
    return 0


def import_libraries() -> None:
    """The forest and skops, before MLflow: skops scans every loaded module when it is imported,
    so it goes in before MLflow brings in its two thousand modules (benchmarks/startup.py:
    7.3 s against 7.9 s, 0.6 s saved)."""
    import sklearn.ensemble  # noqa: F401
    import skops.io  # noqa: F401
