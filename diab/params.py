"""The parameters of `diab`, declared once; the CLI and the MLproject mirror them."""

from __future__ import annotations

from dataclasses import dataclass

from mlflow_lab.gate import min_improvement_field, register_as_field, require_reproduced_field
from mlflow_lab.params import param

N_FEATURES = 10  # columns of scikit-learn's diabetes data


@dataclass(frozen=True)
class DiabParams:
    """Random-forest and split settings; the defaults are the lab's."""

    n_estimators: int = param(200, "number of trees in the forest", low=1, high=5000,
                              short="n", headline=True)
    max_depth: int = param(6, "maximum depth of each tree", low=1, high=100, short="d", headline=True)
    max_features: int = param(4, "features considered at each split", low=1, high=N_FEATURES,
                              why=f"the diabetes data has {N_FEATURES} features",
                              short="f", headline=True)
    test_size: float = param(0.25, "fraction of the rows held out for testing",
                             low=0, high=1, low_open=True, high_open=True, short="t")
    seed: int = param(42, "seed of the train/test split and of the forest", low=0, high=2**32 - 1,
                      short="s")
    register_as: str = register_as_field()
    min_improvement: float = min_improvement_field()
    require_reproduced: str = require_reproduced_field()
