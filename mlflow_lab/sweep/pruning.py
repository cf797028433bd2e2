"""Pruning a trial: the step reporter a model's training reports each step's score to.

A model whose entry declares `pruning` hands every step's score to `OptunaReporter.report`,
which tells the study and answers whether to stop. Training then stops after that step (its
metrics for that step logged), and `raise_if_stopped` raises `TrialPruned` before the
trial is scored on its test data or its model logged. The last step is reported but never
pruned: stopping then saves nothing and loses the trial's score.
"""

from __future__ import annotations


class OptunaReporter:
    """A `mlflow_lab.entry.StepReporter` over one Optuna trial; `last_step` is never pruned."""

    def __init__(self, trial, steps: int):
        self.trial, self.steps = trial, steps
        self.pruned_after_step: int | None = None  # 1-based: the step training stopped after

    def report(self, step: int, value: float) -> bool:
        self.trial.report(value, step=step)
        if step + 1 >= self.steps or not self.trial.should_prune():
            return False
        self.pruned_after_step = step + 1
        return True

    def raise_if_stopped(self) -> None:
        import optuna

        if self.pruned_after_step is not None:
            raise optuna.TrialPruned(f"pruned after step {self.pruned_after_step}")
