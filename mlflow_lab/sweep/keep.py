"""Which trials of a sweep log their model: the `log_models` policy, decided in the worker.

- `all`: every trial logs its model.
- `none`: no trial does (the gate then has nothing to register; the plan refuses that).
- `improving`, the default: a trial logs its model when its value is at least as good as the
  best value the driver knew when it handed the trial out. The best trial of the sweep beats
  or ties every value known before it started, so it always has its model, whatever the number
  of workers, without a request to ask the study again. Ties log too: two settings can grow
  the same forest, and whichever the search ranks first must have its model.
"""

from __future__ import annotations

from mlflow_lab.entry import Entry


class KeepModel:
    """The `keep_model` a trial's training function is handed; it remembers what it decided."""

    def __init__(self, policy: str, target: Entry, best_known: float | None):
        self.policy, self.target, self.best_known = policy, target, best_known
        self.logged: bool | None = None  # None: the training never asked

    def __call__(self, metrics: dict[str, float]) -> bool:
        self.logged = self.decide(metrics[self.target.metric])
        return self.logged

    def decide(self, value: float) -> bool:
        if self.policy != "improving":
            return self.policy == "all"
        return self.best_known is None or not self.target.better(self.best_known, value)
