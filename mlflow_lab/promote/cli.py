"""`python -m mlflow_lab.promote --model_name NAME (--version N | --run_id ID) [--min_improvement F]
[--force true]`.

Logs one run (experiment `model-promotions` unless the launcher or MLFLOW_EXPERIMENT_* says
otherwise) tagged with the gate's decision, and prints the decision as its last line.
A version or run that does not exist, or a model the gate cannot score, is one line and exit 1
with the run FAILED and nothing moved.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from mlflow_lab.params import parse
from mlflow_lab.promote.params import PromoteParams

EXPERIMENT = "model-promotions"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, gate, record; return the exit status."""
    params = parse(PromoteParams, argv, prog="promote",
                   description="Challenge a registered model's @champion with a version or a run's model.")
    problem = refused(params)
    if problem:
        print(f"promote: error: {problem}", file=sys.stderr)
        return 2
    from mlflow_lab.faults import one_line_errors
    from mlflow_lab.tracking import active_run

    with one_line_errors("promote"), active_run(EXPERIMENT, f"promote {params.model_name}"):
        decision = promote(params)
    print(decision.line())
    return 0


def refused(params: PromoteParams) -> str:
    """What is wrong with the flags taken together, or ''."""
    from mlflow_lab.entries import MODELS

    if not params.model_name.strip():
        return "argument --model_name: give the registered model's name"
    if bool(params.version) == bool(params.run_id):
        return "arguments --version and --run_id: give exactly one of them"
    if params.version and not params.version.isdigit():
        return f"argument --version: must be a version number, got {params.version!r}"
    if params.model and params.model not in MODELS:
        return f"argument --model: must be one of {', '.join(MODELS)}, got {params.model!r}"
    return ""


def promote(params: PromoteParams):
    """The gate's decision for the version or run the flags name."""
    import mlflow

    from mlflow_lab.entries.lookup import trained_by
    from mlflow_lab.faults import Refusal, found
    from mlflow_lab.gate import decide, logged_model_uri
    from mlflow_lab.params import from_logged

    client = mlflow.MlflowClient()
    name, version_tags = params.model_name, {}
    if params.version:
        version = found(lambda: client.get_model_version(name, params.version),
                       f"argument --version: {name} has no version {params.version}")
        if not version.run_id:
            raise Refusal(f"{name} version {params.version} has no source run to rebuild its held-out "
                          "data from; promote it with force=true")
        version_tags, run_id, candidate = version.tags, version.run_id, f"models:/{name}/{params.version}"
    else:
        run_id = params.run_id
        candidate = None
    run = found(lambda: client.get_run(run_id), f"argument --run_id: no run {run_id} in this tracking store")
    candidate = candidate or logged_model_uri(run_id)
    entry = trained_by(run, client, params.model, version_tags)
    mlflow.set_tags({"promote.candidate": candidate, "promote.source_run_id": run_id})
    trained_with = from_logged(entry.params, run.data.params, prog=entry.name)
    return decide(entry, name, trained_with, candidate, min_improvement=params.min_improvement,
                  version=params.version or None, force=params.force == "true",
                  require_reproduced=params.require_reproduced == "true")

