"""Log one mnist run to MLflow: autolog per epoch, then params, test metrics, data, model."""

from __future__ import annotations

import dataclasses
import warnings
from functools import lru_cache

import numpy as np

from mlflow_lab.entry import model_wanted
from mlflow_lab.gate import GATED
from mlflow_lab.requirements import pinned
from mlflow_lab.tracking import log_dataset, new_params
from mnist.data import IMAGE_SHAPE, Mnist, load_data
from mnist.model import N_CLASSES
from mnist.params import MnistParams
from mnist.train import FitArrays, MnistResult, fit_and_evaluate, fit_arrays

KERAS_MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MODEL_NAME = "model"  # the name the lab's autolog gave it
BACKEND_DISTRIBUTIONS = {"tensorflow": ("tensorflow-cpu", "tensorflow"), "jax": ("jax", "jaxlib"),
                         "torch": ("torch",)}


def train_and_log(run, params: MnistParams, pruning=None, data: Mnist | None = None,
                  keep_model=None) -> dict[str, float]:
    """Train with `params`, log everything into `run`, return the test metrics.

    `data` is read from `params.data_path` unless given (once per process: a sweep's worker
    trains many settings); `pruning`, a sweep's step reporter, hears each epoch's val_accuracy;
    `keep_model`, a sweep's say on logging the network.
    """
    arrays = None  # given data is split and converted by Keras
    if data is None:
        data, arrays = cached_inputs(params.data_path, params.validation_fraction)
    callbacks = ()
    if pruning is not None:
        from mnist.entry import ENTRY
        from mnist.pruning import ReportEachEpoch

        callbacks = (ReportEachEpoch(pruning, ENTRY.pruning.monitor),)
    enable_autolog()
    log_params(run, params)
    result = fit_and_evaluate(params, data, callbacks, arrays)
    log_results(params, data, result, with_model=model_wanted(keep_model, result.metrics))
    return result.metrics


def holdout(params: MnistParams) -> tuple[np.ndarray, np.ndarray]:
    """The test images and labels a run's test_accuracy came from (the promotion gate's rows)."""
    data = cached_data(params.data_path)
    return data.x_test, data.y_test


@lru_cache(maxsize=2)
def cached_data(data_path: str) -> Mnist:
    """MNIST, read once per process however many settings it trains."""
    return load_data(data_path)


@lru_cache(maxsize=2)
def cached_inputs(data_path: str, validation_fraction: float) -> tuple[Mnist, FitArrays | None]:
    """`cached_data` with its images split and converted for `fit` (`mnist.train.fit_arrays`), once
    per process and setting: the pair stays together, so a fit never gets another load's arrays."""
    data = cached_data(data_path)
    return data, fit_arrays(data, validation_fraction)


def enable_autolog() -> None:
    """Per-epoch `loss` and `accuracy` from Keras autolog; the model is logged by `log_model`.

    Autolog's own model logging infers requirements in a subprocess (about 5 s); the data
    set is logged once, by `log_results`.
    """
    import mlflow.keras

    mlflow.keras.autolog(log_models=False, log_datasets=False)


def log_params(run, params: MnistParams) -> None:
    """The run's parameters, as strings; those `mlflow run` logged already are kept."""
    import mlflow

    values = {k: v for k, v in dataclasses.asdict(params).items() if k not in GATED}
    mlflow.log_params(new_params(run, values), synchronous=True)


def log_results(params: MnistParams, data: Mnist, result: MnistResult, with_model: bool = True) -> None:
    """Test metrics, the training data as a run input, and the model (if `with_model`)."""
    import mlflow

    mlflow.log_metrics(result.metrics, synchronous=True)
    with warnings.catch_warnings():  # MLflow registers its local-file source twice and says so
        warnings.filterwarnings("ignore", message="The specified dataset source can be interpreted")
        dataset = mlflow.data.from_numpy(data.x_train, targets=data.y_train, name="mnist",
                                         source=params.data_path or KERAS_MNIST_URL)
    log_dataset(dataset, context="training")
    if with_model:
        log_model(params, result.model)


def backend_requirements() -> list[str]:
    """Pinned requirements of the Keras backend this process trains with."""
    from importlib import metadata

    import keras

    found = []
    for name in BACKEND_DISTRIBUTIONS[keras.backend.backend()]:
        try:
            found.append(pinned(name)[0])
        except metadata.PackageNotFoundError:
            continue
    return found[:1] if keras.backend.backend() == "tensorflow" else found


def log_model(params: MnistParams, model):
    """Log the network with a tensor signature and pinned requirements (no inference)."""
    import mlflow.keras
    from mlflow.models import ModelSignature
    from mlflow.types import Schema, TensorSpec

    signature = ModelSignature(
        inputs=Schema([TensorSpec(np.dtype(np.float32), (-1, *IMAGE_SHAPE))]),
        outputs=Schema([TensorSpec(np.dtype(np.float32), (-1, N_CLASSES))]))
    return mlflow.keras.log_model(
        model, name=MODEL_NAME, signature=signature,
        pip_requirements=pinned("mlflow", "keras", "numpy") + backend_requirements())
