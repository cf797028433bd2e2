"""The parameters of `predict`, declared once; the CLI and the MLproject mirror them."""

from __future__ import annotations

from dataclasses import dataclass

from mlflow_lab.params import param


@dataclass(frozen=True)
class PredictParams:
    """Which model scores which rows, where the result goes, and where the scoring runs."""

    model_uri: str = param("", "the model: models:/NAME@champion, models:/NAME/VERSION, "
                               "models:/m-<id> or runs:/<run id>/<name> (required)")
    input: str = param("", "rows to score: a .csv or .parquet file, a folder of them, or an .npz "
                           "of a model whose entry declares a reader; with backend=spark also a "
                           "storage URI (dbfs:/, s3://...) (required)")
    output: str = param("", "where the scored rows go: a .csv or .parquet path (with backend=spark, "
                            "a folder of that format's parts, or a storage URI) (required); never "
                            "overwritten")
    backend: str = param("local", "where the scoring runs: this process, or Spark (local[workers] "
                                  "here, the cluster's session on Databricks)", choices=("local", "spark"))
    workers: int = param(2, "Spark's local cores with backend=spark", low=1, high=64)
