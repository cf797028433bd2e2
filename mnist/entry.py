"""mnist as the registry sees it: what sweeps, compare and Databricks jobs need to run it."""

from mlflow_lab.entry import Entry, Pruning, Scoring
from mnist.params import MnistParams

ENTRY = Entry(
    name="mnist", params=MnistParams, experiment="keras-mnist", metric="test_accuracy",
    direction="maximize", train="mnist.tracking:train_and_log", preload="mnist.cli:import_keras",
    pruning=Pruning(steps="epochs", monitor="val_accuracy", holdout="validation_fraction",
                    holdout_default=0.1),
    epoch_metric="accuracy", compute="gpu",
    scoring=Scoring(holdout="mnist.tracking:holdout", model_type="classifier", metric="accuracy_score",
                    reader="mnist.data:read_images"),
    labels={"batch_size": "batch_size (images per step)",
            "num_hidden_units": "num_hidden_units (units per layer)",
            "num_hidden_layers": "num_hidden_layers (layers)", "dropout": "dropout (fraction dropped)",
            "test_accuracy": "test accuracy (fraction correct)",
            "accuracy": "training accuracy (fraction correct)"},
)
