"""diab as the registry sees it: what sweeps, compare and Databricks jobs need to run it."""

from diab.params import DiabParams
from mlflow_lab.entry import Entry, Scoring

ENTRY = Entry(
    name="diab", params=DiabParams, experiment="sklearn-diab", metric="mse", direction="minimize",
    train="diab.tracking:train_and_log", preload="diab.cli:import_libraries",
    scoring=Scoring(holdout="diab.train:holdout", model_type="regressor", metric="mean_squared_error"),
    labels={"n_estimators": "n_estimators (trees)", "max_depth": "max_depth (levels)",
            "max_features": "max_features (features per split)",
            "test_size": "test_size (fraction held out)",
            "mse": "test MSE (disease-progression units²)"},
)
