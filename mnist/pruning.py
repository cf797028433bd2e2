"""A Keras callback that reports each epoch's score to a pruned sweep, and stops when told.

The sweep hands training a `mlflow_lab.entry.StepReporter`. After every epoch the callback
reports the monitored score (`val_accuracy`); when the reporter says stop, training stops at
the end of that epoch, after Keras autolog has logged it, so the per-epoch curves show where
the trial stopped. When training ends, the reporter raises its pruned signal, before the test
images are scored or a model is logged.
"""

from __future__ import annotations

import keras


class ReportEachEpoch(keras.callbacks.Callback):
    """Report `monitor` after every epoch to `reporter`; stop training when it says so."""

    def __init__(self, reporter, monitor: str):
        super().__init__()
        self.reporter, self.monitor = reporter, monitor

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        score = (logs or {}).get(self.monitor)
        if score is None:
            raise ValueError(f"pruning needs {self.monitor} each epoch: set validation_fraction above 0")
        if self.reporter.report(epoch, float(score)):
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        self.reporter.raise_if_stopped()
