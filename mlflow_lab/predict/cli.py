"""`python -m mlflow_lab.predict --model_uri URI --input PATH --output PATH [--backend spark --workers N]`.

Logs one run (experiment `batch-scoring` unless the launcher or MLFLOW_EXPERIMENT_* says
otherwise): params, `rows`, `seconds` and `rows_per_second`, the input as a data set
(context `inference`), where the output went (tag `predict.output`; scored here, the file as an
artifact too), and the model's name, version and id as tags. Bad input is one line naming it,
exit 1, nothing written and the run FAILED.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from mlflow_lab.params import parse
from mlflow_lab.predict.params import PredictParams

EXPERIMENT = "batch-scoring"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, score, write, log; return the exit status."""
    params = parse(PredictParams, argv, prog="predict",
                   description="Score a batch of rows with an MLflow model.")
    for name in ("model_uri", "input", "output"):
        if not getattr(params, name).strip():
            print(f"predict: error: argument --{name}: required", file=sys.stderr)
            return 2
    from mlflow_lab.faults import one_line_errors
    from mlflow_lab.tracking import active_run

    with one_line_errors("predict"), active_run(EXPERIMENT, f"predict {params.model_uri}"):
        rows, seconds, described = score(params)
    who = f"{described['model_name']} version {described['model_version']}" if described["model_name"] \
        else described["model_id"] or params.model_uri
    print(f"scored {rows} rows with {who} into {params.output} ({rows / seconds:.0f} rows/s)")
    return 0


def score(params: PredictParams) -> tuple[int, float, dict[str, str]]:
    """Load, check, score and write; log the run's numbers: (rows, seconds, the model's description)."""
    import mlflow

    from mlflow_lab.predict.score import score_here, score_on_spark

    started = time.perf_counter()
    model = load(params.model_uri)
    described = describe(params.model_uri, model)
    mlflow.set_tags({f"predict.{key}": value for key, value in described.items()})
    if params.backend == "spark":
        rows = score_on_spark(model, params.model_uri, params.input, params.output, described, params.workers)
    else:
        reads_itself = params.input.endswith(".npz")  # only a model's own reader needs its entry
        rows = score_here(model, params.model_uri, params.input, params.output, described,
                          entry_of(model, described) if reads_itself else None)
    seconds = time.perf_counter() - started
    mlflow.log_metrics({"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds},
                       synchronous=True)
    log_output(params.output, on_spark=params.backend == "spark")
    return rows, seconds, described


def load(model_uri: str):
    import mlflow.pyfunc

    from mlflow_lab.faults import Refusal, one_line

    try:
        return mlflow.pyfunc.load_model(model_uri)
    except Exception as error:  # no such model, alias or run; an artifact missing
        raise Refusal(f"model_uri: {model_uri} cannot be loaded ({one_line(error)})") from None


def describe(model_uri: str, model) -> dict[str, str]:
    """model_name, model_version and model_id of the model `model_uri` names ('' where none)."""
    import mlflow

    name = version = ""
    path = model_uri.removeprefix("models:/")
    if model_uri.startswith("models:/") and not path.startswith("m-"):
        client = mlflow.MlflowClient()
        if "@" in path:
            name, alias = path.split("@", 1)
            version = str(client.get_model_version_by_alias(name, alias).version)
        else:
            name, _, version = path.partition("/")
    return {"model_name": name, "model_version": version, "model_id": model.metadata.model_id or ""}


def entry_of(model, described: dict[str, str]):
    """The registry entry that trained `model` (for a model that reads its own files), or None."""
    import mlflow

    from mlflow_lab.entries.lookup import trained_by
    from mlflow_lab.faults import Refusal

    if not model.metadata.run_id:
        return None
    client = mlflow.MlflowClient()
    tags = (client.get_model_version(described["model_name"], described["model_version"]).tags
            if described["model_name"] else {})
    try:
        return trained_by(client.get_run(model.metadata.run_id), client, version_tags=tags)
    except Refusal:
        return None


def log_output(output: str, on_spark: bool) -> None:
    """Where the scored rows went (tag `predict.output`); scored here, the file itself as an artifact.

    Spark's output is the cluster's table: copying every part of it into the run's artifacts
    would store it twice, through this one process.
    """
    import mlflow

    mlflow.set_tag("predict.output", output)
    if not on_spark:
        mlflow.log_artifact(output, artifact_path="scored")
