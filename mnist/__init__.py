"""The `mnist` entry point: the lab's Keras feed-forward network on MNIST (test accuracy).

From Python (a notebook, say), without any tracking server:

    from mnist import MnistParams, fit_and_evaluate
    result = fit_and_evaluate(MnistParams(epochs=2, data_path="mnist.npz"))
    result.metrics["test_accuracy"], result.model

From a shell: `python -m mnist --epochs 2` or `mlflow run . -e mnist -P epochs=2`.
"""

from mnist.params import MnistParams
from mnist.train import MnistResult, fit_and_evaluate

__all__ = ["MnistParams", "MnistResult", "fit_and_evaluate"]
