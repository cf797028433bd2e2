"""The registry of training entry points: every list of entry points in the project reads it.

Each entry point is declared once here: its name (also its package and its MLproject entry
point), its parameter dataclass, the experiment it logs to when run directly, the metric
that ranks its runs and which way is better. `sweep`, `compare`, the Databricks submission
and the tests import `ENTRY_POINTS`; none keeps its own list.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from diab.params import DiabParams
from mnist.params import MnistParams


@dataclass(frozen=True)
class EntryPoint:
    """One training entry point, as sweeps, comparisons and submissions see it."""

    name: str
    params: type
    experiment: str
    metric: str
    direction: str  # "minimize" or "maximize": Optuna's words

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "maximize"

    def better(self, value: float, than: float | None) -> bool:
        """True when `value` beats `than` (None: nothing to beat yet)."""
        if than is None:
            return True
        return value > than if self.higher_is_better else value < than


ENTRY_POINTS = {
    "diab": EntryPoint("diab", DiabParams, "sklearn-diab", "mse", "minimize"),
    "mnist": EntryPoint("mnist", MnistParams, "keras-mnist", "test_accuracy", "maximize"),
}


def train_and_log(name: str, run, params, callbacks: tuple = ()) -> dict[str, float]:
    """Train one setting of entry point `name` into `run`, exactly as a single run does.

    `callbacks` are Keras callbacks (mnist only; a sweep's pruning uses them).
    """
    if name == "diab":
        from diab.tracking import train_and_log as diab_train_and_log

        return diab_train_and_log(run, params)
    from mnist.tracking import train_and_log as mnist_train_and_log

    return mnist_train_and_log(run, params, mnist_data(params.data_path), callbacks)


@lru_cache(maxsize=2)
def mnist_data(data_path: str):
    """MNIST, read once per process however many settings it trains."""
    from mnist.data import load_data

    return load_data(data_path)
