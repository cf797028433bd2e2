"""Train the network and score it on the test images; no MLflow here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from mnist.data import Mnist, load_data
from mnist.model import build_model
from mnist.params import MnistParams


@dataclass
class MnistResult:
    """What one training run produced: the model, its per-epoch history and test metrics."""

    model: object
    history: dict[str, list[float]]
    metrics: dict[str, float]


def steps_per_execution(backend: str) -> int:
    """Training steps per call into the backend: fewer calls, same results.

    Measured on an H200 with JAX, full MNIST, batch 256: 0.235 s an epoch at 1 step per
    call, 0.199 s at 32. The torch backend accepts only 1.
    """
    return 1 if backend == "torch" else 32


class FitArrays(NamedTuple):
    """The images and labels `fit` trains on and validates on (`x_val` None: no validation)."""

    x_train: object
    y_train: object
    x_val: object = None
    y_val: object = None


def fit_arrays(data: Mnist, validation_fraction: float) -> FitArrays | None:
    """The training and validation images and labels, split and converted once for many fits.

    On TensorFlow, a `fit` on NumPy arrays copies the images into a tensor, and with a
    validation split slices that tensor again, every time. A process that trains many settings
    (a sweep's worker) makes both parts here, in host memory where Keras's own copies are, and
    hands them to each `train`: one copy of the training images kept for the process's life
    instead of two made per fit. The split is Keras's own (the last `validation_fraction` of the
    images, in order), so the networks are the same bit for bit (tests/test_mnist_model.py).
    None where there is nothing to gain: other backends slice the NumPy arrays per batch, and
    a split Keras would refuse (too few images) is left for Keras to refuse.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        return None
    count = len(data.x_train)
    split_at = math.floor(count * (1.0 - validation_fraction)) if validation_fraction else count
    if split_at in (0, count) and validation_fraction:
        return None
    import tensorflow as tf

    with tf.device("CPU:0"):
        train_part = FitArrays(tf.constant(data.x_train[:split_at]), tf.constant(data.y_train[:split_at]))
        if split_at == count:
            return train_part
        return train_part._replace(x_val=tf.constant(data.x_train[split_at:]),
                                   y_val=tf.constant(data.y_train[split_at:]))


def train(params: MnistParams, data: Mnist, callbacks: list | None = None, arrays: FitArrays | None = None):
    """Seed everything, build the network and fit it; return the model and its history.

    `arrays`: `fit_arrays(data, params.validation_fraction)`, when the caller keeps them.
    An interrupt stops training after the step it arrived in and is raised once `fit` returns.
    """
    import keras

    from mlflow_lab.faults import interrupts_at_safe_points
    from mnist.stopping import StopWhenInterrupted

    keras.utils.set_random_seed(params.seed)
    model = build_model(params, steps_per_execution(keras.backend.backend()))
    if arrays is None:  # Keras splits and converts
        inputs = {"x": data.x_train, "y": data.y_train, "validation_split": params.validation_fraction}
    else:
        validation = None if arrays.x_val is None else (arrays.x_val, arrays.y_val)
        inputs = {"x": arrays.x_train, "y": arrays.y_train, "validation_data": validation}
    with interrupts_at_safe_points() as interrupted:  # Ctrl-C or SIGTERM: stop after a step
        history = model.fit(**inputs, batch_size=params.batch_size, epochs=params.epochs,
                            callbacks=[*(callbacks or []), StopWhenInterrupted(interrupted)],
                            verbose=2)
    return model, history.history


def evaluate(model, data: Mnist) -> dict[str, float]:
    """`test_loss` and `test_accuracy` on the test images."""
    loss, accuracy = model.evaluate(data.x_test, data.y_test, batch_size=1024, verbose=0)
    return {"test_loss": float(loss), "test_accuracy": float(accuracy)}


def fit_and_evaluate(params: MnistParams = MnistParams(), data: Mnist | None = None,
                     callbacks: list | tuple = (), arrays: FitArrays | None = None) -> MnistResult:
    """Load the data (unless given), train, and return the model with its metrics."""
    data = load_data(params.data_path) if data is None else data
    model, history = train(params, data, list(callbacks), arrays)
    return MnistResult(model, history, evaluate(model, data))
