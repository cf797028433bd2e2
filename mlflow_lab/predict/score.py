"""Scoring a batch here (pandas) or on Spark (`mlflow.pyfunc.spark_udf`), and writing the result.

Both add the same columns to the input rows: `prediction` (and `probability` for a model that
scores each class), `model_name`, `model_version`, `model_id` and `scored_at` (UTC, ISO 8601).
Everything is checked before anything is written.
"""

from __future__ import annotations

import hashlib
import warnings
from datetime import UTC, datetime
from pathlib import Path

from mlflow_lab.faults import Refusal, one_line
from mlflow_lab.predict.check import checked_frame, checked_spark_columns
from mlflow_lab.predict.read import (
    is_storage_uri,
    local_only,
    output_format,
    read_table,
    table_files,
    uri_format,
    write_table,
)


def stamp(described: dict[str, str]) -> dict[str, str]:
    """The columns saying which model scored the rows, and when."""
    return {**described, "scored_at": datetime.now(UTC).isoformat(timespec="seconds")}


def score_here(model, model_uri: str, input_path: str, output: str, described: dict, entry=None) -> int:
    """Score `input_path` in this process into `output`; the number of rows."""
    import mlflow
    import pandas as pd

    from mlflow_lab.scoring import predictions
    from mlflow_lab.tracking import log_dataset

    local_only(input_path, "input")
    local_only(output, "output")
    output_format(output)
    schema = model.metadata.get_input_schema()
    if Path(input_path).suffix == ".npz":
        if entry is None or entry.scoring is None or not entry.scoring.reader:
            raise Refusal(f"input: {input_path} is an .npz, which only a model that declares a reader "
                          "can score; give a .csv or .parquet table")
        inputs = entry.scoring.read(input_path)
        rows = pd.DataFrame({"row": range(len(inputs))})
        dataset = mlflow.data.from_numpy(inputs, name=Path(input_path).stem, source=input_path)
    else:
        rows = read_table(input_path)
        inputs = checked_frame(rows, schema)
        dataset = table_dataset(rows, input_path)
    try:
        predicted, probability = predictions(model, inputs)
    except Exception as error:  # MLflow's schema enforcement, or the model itself
        raise Refusal(f"input: {model_uri} cannot score these rows ({one_line(error)})") from None
    scored = rows.assign(prediction=predicted)
    if probability is not None:
        scored = scored.assign(probability=probability)
    write_table(scored.assign(**stamp(described)), output)
    log_dataset(dataset, context="inference")
    return len(scored)


def table_dataset(rows, path: str):
    """The input table as an MLflow data set: its source, schema and a digest of every row.

    `mlflow.data.from_pandas` infers the schema by testing each value in Python: 26 of the
    36 s that scoring a million rows took (cProfile). Here the schema is inferred from the
    first thousand rows and the digest hashes all of them, vectorized.
    """
    import pandas as pd
    from mlflow.data.dataset_source_registry import resolve_dataset_source
    from mlflow.data.meta_dataset import MetaDataset
    from mlflow.models import infer_signature

    hashed = pd.util.hash_pandas_object(rows, index=False).to_numpy()
    digest = hashlib.sha256(hashed.tobytes()).hexdigest()[:16]
    with warnings.catch_warnings():  # a local path reads as two kinds of source; MLflow says so
        warnings.filterwarnings("ignore", message="The specified dataset source can be interpreted")
        source = resolve_dataset_source(path)
    schema = infer_signature(rows.head(1000)).inputs
    return MetaDataset(source, name=Path(path).stem, digest=digest, schema=schema)


def score_on_spark(model, model_uri: str, input_path: str, output: str, described: dict, workers: int) -> int:
    """Score `input_path` on Spark into the folder `output`; the number of rows.

    Either may be a storage URI (`dbfs:/`, `s3://`...), read and written by Spark itself. A model
    whose output is one score per class gets the winning class and its score, as `score_here`.
    """
    import mlflow

    from mlflow_lab.spark import check_spark, spark_session

    fmt = uri_format(output, "output") if is_storage_uri(output) else output_format(output)
    if is_storage_uri(input_path):
        files, kind = [input_path], uri_format(input_path, "input")
    else:
        files = [str(path) for path in table_files(input_path)]
        kind = Path(files[0]).suffix[1:]
    check_spark()  # one line when pyspark or Java is missing, before pyspark is imported
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions

    session, ours = spark_session(workers, app="predict")
    try:
        reader = session.read
        try:
            frame = (reader.option("header", True).option("inferSchema", True).csv(files)
                     if kind == "csv" else reader.parquet(*files))
        except AnalysisException as error:  # a storage URI is checked by Spark alone
            raise Refusal(f"input: {input_path} cannot be read ({one_line(error)})") from None
        columns = checked_spark_columns(frame, model.metadata.get_input_schema())
        scored = with_predictions(frame, columns, model_uri, per_class(model), session)
        for key, value in stamp(described).items():
            scored = scored.withColumn(key, functions.lit(value))
        writer = scored.write.mode("error")  # Connect knows only this spelling of errorifexists
        try:
            (writer.option("header", True).csv(output) if fmt == "csv" else writer.parquet(output))
        except AnalysisException as error:  # an output URI that exists already, say
            raise Refusal(f"output: {output} cannot be written ({one_line(error)}); scored rows are "
                          "never overwritten") from None
        rows = session.read.parquet(output).count() if fmt == "parquet" else \
            session.read.option("header", True).csv(output).count()
        name = Path(input_path.rstrip("/")).stem
        mlflow.log_input(mlflow.data.from_spark(frame, path=input_path, name=name), context="inference")
    finally:
        if ours:
            session.stop()
    return rows


def per_class(model) -> bool:
    """Whether the model's signature says its output is one score per class (a 2-D tensor)."""
    schema = model.metadata.get_output_schema()
    if schema is None or not schema.is_tensor_spec():
        return False
    shape = schema.inputs[0].shape
    return len(shape) == 2 and shape[1] > 1


def with_predictions(frame, columns: list, model_uri: str, scores_per_class: bool, session):
    """`frame` with `prediction` (and, for per-class scores, the winning class and `probability`)."""
    import mlflow
    from pyspark.sql import functions

    if not scores_per_class:
        udf = mlflow.pyfunc.spark_udf(session, model_uri, env_manager="local", result_type="double")
        return frame.withColumn("prediction", udf(*columns))
    udf = mlflow.pyfunc.spark_udf(session, model_uri, env_manager="local", result_type="array<double>")
    scores = frame.withColumn("__scores", udf(*columns))
    best = functions.array_max("__scores")
    return (scores.withColumn("prediction", functions.array_position("__scores", best) - 1)
            .withColumn("probability", best).drop("__scores"))
