"""Pruning a trial: the step reporter a model's training reports each step's score to.

A model whose entry declares `pruning` hands every step's score to `OptunaReporter.report`,
which tells the study and answers whether to stop. Training then stops after that step (its
metrics for that step logged), and `raise_if_stopped` raises `TrialPruned` before the
trial is scored on its test data or its model logged. The last step is reported but never
pruned: stopping then saves nothing and loses the trial's score.
"""

from __future__ import annotations


class OptunaReporter:
    """A `mlflow_lab.entry.StepReporter` over one trial of a study; `last_step` is never pruned.

    A worker reports to a trial the driver asked for, so it holds no `optuna.trial.Trial` (Optuna
    makes those only in `ask`): each step goes to the study's storage, and the study's pruner is
    asked about the trial as the storage reads it back, which is what `Trial.report` and
    `Trial.should_prune` do.
    """

    def __init__(self, study, storage, trial_id: str, steps: int):
        self.study, self.storage, self.trial_id, self.steps = study, storage, trial_id, steps
        self.pruned_after_step: int | None = None  # 1-based: the step training stopped after

    def report(self, step: int, value: float) -> bool:
        self.storage.set_trial_intermediate_value(self.trial_id, step, float(value))
        if step + 1 >= self.steps:
            return False
        if not self.study.pruner.prune(self.study, self.storage.get_trial(self.trial_id)):
            return False
        self.pruned_after_step = step + 1
        return True

    def raise_if_stopped(self) -> None:
        import optuna

        if self.pruned_after_step is not None:
            raise optuna.TrialPruned(f"pruned after step {self.pruned_after_step}")
