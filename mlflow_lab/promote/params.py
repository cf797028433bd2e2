"""The parameters of `promote`, declared once; the CLI and the MLproject mirror them."""

from __future__ import annotations

from dataclasses import dataclass

from mlflow_lab.entries import MODELS
from mlflow_lab.gate import min_improvement_field, require_reproduced_field
from mlflow_lab.params import param


@dataclass(frozen=True)
class PromoteParams:
    """Which model to gate, against which name, and how."""

    model_name: str = param("", "registered-model name whose @champion is challenged (required)")
    version: str = param("", "the registered version to promote; give this or run_id")
    run_id: str = param("", "a run whose logged model is registered and promoted; give this or version")
    min_improvement: float = min_improvement_field()
    require_reproduced: str = require_reproduced_field()
    force: str = param("false", "move @champion without scoring, tagged as forced", choices=("false", "true"))
    model: str = param("", f"which model trained it ({', '.join(MODELS)}); empty: read from the "
                           "version's tags, the run's entry point, or its experiment")
