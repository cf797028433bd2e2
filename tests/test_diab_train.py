"""diab's training code on its own: no MLflow, no tracking server."""

from __future__ import annotations

import numpy as np

from diab import DiabParams, fit_and_evaluate
from diab.data import load_data

SMALL = DiabParams(n_estimators=20)


def test_data_is_the_diabetes_frame():
    frame = load_data()
    assert frame.shape == (442, 11)
    assert frame.columns[-1] == "target"


def test_metrics_are_consistent():
    result = fit_and_evaluate(SMALL)
    metrics = result.metrics
    assert set(metrics) == {"mse", "rmse", "mae", "r2"}
    assert np.isclose(metrics["rmse"] ** 2, metrics["mse"])
    predictions = result.model.predict(result.data.x_test)
    assert np.isclose(metrics["mse"], np.mean((predictions - result.data.y_test.to_numpy()) ** 2))
    assert 0 < metrics["mae"] <= metrics["rmse"]
    assert 0.2 < metrics["r2"] < 0.8  # a forest explains part of the variance, not all of it


def test_split_follows_test_size():
    result = fit_and_evaluate(DiabParams(n_estimators=5, test_size=0.5))
    assert len(result.data.x_test) == 221 and len(result.data.x_train) == 221


def test_same_seed_same_mse_to_the_last_digit():
    assert fit_and_evaluate(SMALL).metrics == fit_and_evaluate(SMALL).metrics


def test_another_seed_gives_another_split_and_forest():
    other = fit_and_evaluate(DiabParams(n_estimators=20, seed=7))
    assert other.metrics["mse"] != fit_and_evaluate(SMALL).metrics["mse"]


def test_parameters_reach_the_forest():
    forest = fit_and_evaluate(DiabParams(n_estimators=7, max_depth=3, max_features=2)).model
    assert len(forest.estimators_) == 7
    assert max(tree.get_depth() for tree in forest.estimators_) <= 3
    assert forest.max_features == 2
