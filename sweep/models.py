"""The entry points a sweep can run: their parameters, experiment and the metric to optimise."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from diab.params import DiabParams
from mnist.params import MnistParams


@dataclass(frozen=True)
class SweepTarget:
    """One entry point as a sweep sees it."""

    name: str
    params: type
    experiment: str
    metric: str
    higher_is_better: bool

    def better(self, value: float, than: float | None) -> bool:
        """True when `value` beats `than` (None: nothing to beat yet)."""
        if than is None:
            return True
        return value > than if self.higher_is_better else value < than


TARGETS = {
    "diab": SweepTarget("diab", DiabParams, "sklearn-diab", "mse", higher_is_better=False),
    "mnist": SweepTarget("mnist", MnistParams, "keras-mnist", "test_accuracy", higher_is_better=True),
}


def train_and_log(target: str, run, params) -> dict[str, float]:
    """Train one setting of `target` and log it into `run`, exactly as a single run does."""
    if target == "diab":
        from diab.tracking import train_and_log as diab_train_and_log

        return diab_train_and_log(run, params)
    from mnist.tracking import train_and_log as mnist_train_and_log

    return mnist_train_and_log(run, params, _mnist_data(params.data_path))


@lru_cache(maxsize=2)
def _mnist_data(data_path: str):
    """MNIST, read once per worker process however many settings it trains."""
    from mnist.data import load_data

    return load_data(data_path)
