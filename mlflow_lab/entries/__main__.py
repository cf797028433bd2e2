"""`python -m mlflow_lab.entries snippets NAME`: the MLproject entry point and bundle job a model needs."""

import argparse

from mlflow_lab.entries import MODELS
from mlflow_lab.entries.snippets import snippets

parser = argparse.ArgumentParser(prog="mlflow_lab.entries", description="What a registered model adds to "
                                 "MLproject and databricks.yml.")
parser.add_argument("command", choices=["snippets"])
parser.add_argument("name", choices=sorted(MODELS), help="a model listed in mlflow_lab.entries.PACKAGES")
print(snippets(MODELS[parser.parse_args().name]), end="")
