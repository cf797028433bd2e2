"""The `diab` entry point: a scikit-learn random forest on the diabetes data (test MSE).

From Python (a notebook, say), without any tracking server:

    from diab import DiabParams, fit_and_evaluate
    result = fit_and_evaluate(DiabParams(max_depth=8))
    result.metrics["mse"], result.model

From a shell: `python -m diab --max_depth 8` or `mlflow run . -e diab -P max_depth=8`.
"""

from diab.params import DiabParams
from diab.train import DiabResult, fit_and_evaluate

__all__ = ["DiabParams", "DiabResult", "fit_and_evaluate"]
