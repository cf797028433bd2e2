"""Log a model with one of MLflow's own flavors, loading it back once instead of twice.

`mlflow.sklearn.log_model` with an input example loads the saved model back twice: the
flavor's `save_model` loads the file it just wrote (for skops: is every type trusted?),
then `Model.log` loads the whole model again to push the serving example through it.
For a forest in skops that second load is about 0.2 to 0.4 s of each sweep trial. The
example itself is the caller's own test rows, which it has just predicted on to infer the
signature; and the served model is checked end to end by the project's tests.

`log_model(flavor, ...)` goes through `mlflow.models.Model.log` (MLflow's public way to log
with a flavor module) and asks it to skip that second load (`validate_serving_input`); the
flavor's `save_model` does not take that keyword, so `Model.log` is handed a flavor that
drops it. What is logged is what the flavor's own `log_model` logs: the same files, the
same MLmodel, the same logged model, named with the flavor's module name.
"""

from __future__ import annotations

from types import ModuleType


class _SavedOnce:
    """The flavor module `flavor`, whose `save_model` ignores `validate_serving_input`."""

    def __init__(self, flavor: ModuleType):
        self.flavor = flavor

    def save_model(self, validate_serving_input: bool = True, **kwargs):
        return self.flavor.save_model(**kwargs)


def log_model(flavor: ModuleType, name: str, **kwargs):
    """`flavor.log_model(name=name, **kwargs)`, without the serving example's reload."""
    from mlflow.models import Model

    return Model.log(artifact_path=None, name=name, flavor=_SavedOnce(flavor),
                     flavor_name=flavor.__name__, validate_serving_input=False, **kwargs)
