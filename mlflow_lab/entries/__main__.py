"""`python -m models snippets NAME`: the MLproject entry point and bundle job a model needs."""

import argparse

from models import MODELS
from models.snippets import snippets

parser = argparse.ArgumentParser(prog="models", description="What a registered model adds to "
                                 "MLproject and databricks.yml.")
parser.add_argument("command", choices=["snippets"])
parser.add_argument("name", choices=sorted(MODELS), help="a model listed in models.PACKAGES")
print(snippets(MODELS[parser.parse_args().name]), end="")
