"""The registry: every model the project trains, one package each, listed once here.

To add a model, write its package (see README, "Add your own model") and add its name to
`PACKAGES`. Each package's `entry.py` declares its `ENTRY` (`mlflow_lab.entry.Entry`); the
sweep, compare, the Databricks submission and the tests read `MODELS` and name no model.
`python -m mlflow_lab.entries snippets NAME` prints the MLproject entry point and bundle job to add.
"""

from __future__ import annotations

import importlib

from mlflow_lab.entry import Entry

PACKAGES = ("diab", "mnist")  # one word per model package; the first is MLproject's `main`
MODELS: dict[str, Entry] = {entry.name: entry for entry in
                            (importlib.import_module(f"{package}.entry").ENTRY for package in PACKAGES)}
DEFAULT = PACKAGES[0]  # what `mlflow run .` trains with no -e, and a sweep's default model
