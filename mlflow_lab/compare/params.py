"""The parameters of `compare`."""

from __future__ import annotations

from dataclasses import dataclass

from mlflow_lab.entries import DEFAULT, MODELS
from mlflow_lab.params import param


@dataclass(frozen=True)
class CompareParams:
    """Which runs to compare and where to write the tables and plots."""

    model: str = param(DEFAULT, "model whose runs these are", choices=tuple(MODELS))
    experiment_name: str = param("", "experiment to read; empty: the model's own "
                                     "(its entry's experiment)")
    output_dir: str = param("compare-output", "folder for the tables and plots")
