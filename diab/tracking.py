"""Log one diab run to MLflow: params, metrics, the data set and the model. The MLflow edge."""

from __future__ import annotations

import dataclasses
import time

from diab.data import TARGET
from diab.params import DiabParams
from diab.train import DiabResult, fit_and_evaluate
from mlflow_lab.entry import model_wanted
from mlflow_lab.gate import GATED
from mlflow_lab.requirements import pinned
from mlflow_lab.tracking import log_dataset, new_params

MODEL_NAME = "random-forest-model"  # the lab's artifact name
TRUSTED_TYPES = ["sklearn.tree._tree.Tree"]  # skops refuses the forest's trees otherwise
MODEL_REQUIREMENTS = ("mlflow", "scikit-learn", "numpy", "pandas", "scipy", "skops")


def train_and_log(run, params: DiabParams, pruning=None, keep_model=None) -> dict[str, float]:
    """Train with `params`, log everything into `run`, and return the test metrics.

    diab fits in one step, so there is nothing to prune: its entry declares no pruning and a
    sweep never hands it a reporter. `keep_model`: a sweep's say on logging the forest.
    """
    result = fit_and_evaluate(params)
    log_run(run, params, result, with_model=model_wanted(keep_model, result.metrics))
    return result.metrics


def log_run(run, params: DiabParams, result: DiabResult, with_model: bool = True) -> None:
    """Log everything a diab run produced into the active run `run` (the forest if `with_model`)."""
    import mlflow
    from mlflow.entities import Metric, Param

    now = int(time.time() * 1000)  # the UI shows a metric at its timestamp: now, not 1970
    values = {k: v for k, v in dataclasses.asdict(params).items() if k not in GATED}
    mlflow.MlflowClient().log_batch(
        run.info.run_id,
        metrics=[Metric(key, value, now, 0) for key, value in result.metrics.items()],
        params=[Param(key, value) for key, value in new_params(run, values).items()],
        synchronous=True,
    )
    dataset = mlflow.data.from_pandas(result.frame, name="diabetes", targets=TARGET)
    log_dataset(dataset, context="training")
    if with_model:
        log_model(params, result)


def log_model(params: DiabParams, result: DiabResult):
    """Log the forest with a signature, an input example and pinned requirements.

    MLflow's own `log_model` loads the saved forest back to check the serving example; only an
    undocumented keyword of `Model.log` skips that, so the reload is paid (docs/runs.md).
    """
    import mlflow.sklearn
    from mlflow.models import infer_signature

    example = result.data.x_test.head(5)
    return mlflow.sklearn.log_model(
        result.model, name=MODEL_NAME,
        signature=infer_signature(example, result.model.predict(example)),
        input_example=example, pip_requirements=pinned(*MODEL_REQUIREMENTS),
        serialization_format="skops",  # MLflow's default is cloudpickle under a Databricks URI
        skops_trusted_types=TRUSTED_TYPES,
    )
