"""Which registered model package trained a run: for promoting or scoring a model after the fact."""

from __future__ import annotations

from mlflow_lab.entry import Entry
from mlflow_lab.faults import Refusal


def trained_by(run, client, named: str = "", version_tags: dict | None = None) -> Entry:
    """The entry that trained `run`: `named`, else the gate's tag on the version, the run's
    MLproject entry point, or its experiment's name; a one-line refusal when none says."""
    from mlflow_lab.entries import DEFAULT, MODELS

    named = named or (version_tags or {}).get("gate.entry") or run.data.tags.get("mlflow.project.entryPoint")
    named = DEFAULT if named == "main" else named
    if named in MODELS:
        return MODELS[named]
    experiment = client.get_experiment(run.info.experiment_id).name.rsplit("/", 1)[-1]
    for entry in MODELS.values():
        if entry.experiment == experiment:
            return entry
    raise Refusal(f"argument --model: cannot tell which model trained run {run.info.run_id}; "
                  f"give --model (one of {', '.join(MODELS)})")
