"""The parameters of `compare`."""

from __future__ import annotations

from dataclasses import dataclass

from runkit.entrypoints import ENTRY_POINTS
from runkit.params import param


@dataclass(frozen=True)
class CompareParams:
    """Which runs to compare and where to write the tables and plots."""

    model: str = param("diab", "entry point whose runs these are", choices=tuple(ENTRY_POINTS))
    experiment_name: str = param("", "experiment to read; empty: the model's own "
                                     "(sklearn-diab or keras-mnist)")
    output_dir: str = param("compare-output", "folder for the tables and plots")
