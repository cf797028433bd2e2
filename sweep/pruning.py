"""Pruning an mnist trial: a Keras callback that reports each epoch's val_accuracy to Optuna.

When the pruner says stop, training stops at the end of that epoch, after Keras autolog
has logged it, so the trial's per-epoch curves show where it stopped; then `TrialPruned`
is raised, before the trial is scored on the test images or its model logged. The last
epoch is reported but never pruned: stopping then saves nothing and loses the trial's score.
"""

from __future__ import annotations

import keras
import optuna

MONITOR = "val_accuracy"


class PruneOnValidation(keras.callbacks.Callback):
    """Report `val_accuracy` after every epoch; stop training when the pruner says so."""

    def __init__(self, trial: optuna.trial.Trial):
        super().__init__()
        self.trial, self.pruned_after_epoch = trial, None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        score = (logs or {}).get(MONITOR)
        if score is None:
            raise ValueError(f"pruning needs {MONITOR} each epoch: set validation_fraction above 0")
        self.trial.report(float(score), step=epoch)
        last = epoch + 1 == self.params.get("epochs")  # nothing left to save: let it finish
        if not last and self.trial.should_prune():
            self.pruned_after_epoch = epoch + 1
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.pruned_after_epoch is not None:
            raise optuna.TrialPruned(f"pruned after epoch {self.pruned_after_epoch}")
