"""A grid's sampler: each trial takes the cell the driver gives it.

The driver used to enqueue each cell and then ask for it. Through `MlflowStorage` that costs
five more round trips to the tracking store per trial (the queued trial is created WAITING,
searched for, read, and moved to RUNNING), all on the driver, which alone hands out trials.
Asking with the cell as the sampler's answer gives the same trials, params and order.
"""

from __future__ import annotations

from typing import Any

from optuna.samplers import BaseSampler


class CellSampler(BaseSampler):
    """Answers every suggestion from `cell`, which the driver sets before each `ask`."""

    def __init__(self) -> None:
        self.cell: dict[str, Any] = {}

    def infer_relative_search_space(self, study, trial) -> dict:
        return {}

    def sample_relative(self, study, trial, search_space) -> dict:
        return {}

    def sample_independent(self, study, trial, param_name: str, param_distribution) -> Any:
        return self.cell[param_name]
