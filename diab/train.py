"""Train the random forest and score it on the test rows; no MLflow here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from diab.data import Split, load_data, split
from diab.params import DiabParams


@dataclass
class DiabResult:
    """What one training run produced: the model, its test metrics, the data it saw."""

    model: object
    metrics: dict[str, float]
    data: Split
    frame: pd.DataFrame


def build_model(params: DiabParams):
    """The lab's random forest, seeded."""
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(n_estimators=params.n_estimators, max_depth=params.max_depth,
                                 max_features=params.max_features, random_state=params.seed,
                                 n_jobs=1)  # threads would reorder the sums in predict


def evaluate(model, x_test: pd.DataFrame, y_test: pd.Series) -> dict[str, float]:
    """Test-set metrics: `mse` (the lab's name), `rmse`, `mae` and `r2`."""
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    predictions = model.predict(x_test)
    mse = float(mean_squared_error(y_test, predictions))
    return {"mse": mse, "rmse": float(np.sqrt(mse)),
            "mae": float(mean_absolute_error(y_test, predictions)),
            "r2": float(r2_score(y_test, predictions))}


def holdout(params: DiabParams) -> tuple[pd.DataFrame, pd.Series]:
    """The test rows a run with `params` scored its MSE on (the promotion gate's rows)."""
    data = split(load_data(), params.test_size, params.seed)
    return data.x_test, data.y_test


def fit_and_evaluate(params: DiabParams = DiabParams(), frame: pd.DataFrame | None = None) -> DiabResult:
    """Split the data, fit the forest, and return it with its test metrics."""
    frame = load_data() if frame is None else frame
    data = split(frame, params.test_size, params.seed)
    model = build_model(params).fit(data.x_train, data.y_train)
    return DiabResult(model, evaluate(model, data.x_test, data.y_test), data, frame)
