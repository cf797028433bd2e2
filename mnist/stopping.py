"""A Keras callback that ends training at the next step once Ctrl-C or SIGTERM arrived.

While Keras trains, `mlflow_lab.faults.interrupts_at_safe_points` only notes such a signal; this
callback asks after each call into the backend and stops training there, so the interrupt
is raised once `fit` has returned, never between two of TensorFlow's calls.
"""

from __future__ import annotations

from collections.abc import Callable

import keras


class StopWhenInterrupted(keras.callbacks.Callback):
    """Set `stop_training` after the first training step that ends with `interrupted()` true."""

    def __init__(self, interrupted: Callable[[], bool]):
        super().__init__()
        self.interrupted = interrupted

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.interrupted():
            self.model.stop_training = True
