"""The parameters of `reproduce`, declared once; the CLI and the MLproject mirror them."""

from __future__ import annotations

from dataclasses import dataclass

from mlflow_lab.params import param


@dataclass(frozen=True)
class ReproduceParams:
    """What to train again, and how close its metrics must come."""

    run_id: str = param("", "the run to train again (a model's run or a sweep's trial); give this or "
                            "model_uri")
    model_uri: str = param("", "the registered version whose run to train again: models:/NAME@alias or "
                               "models:/NAME/VERSION; give this or run_id")
    rtol: float = param(0.0, "relative tolerance of each metric's comparison (GPU training is not "
                             "deterministic); 0: the same to the last digit",
                        low=0, high=1, high_open=True)
