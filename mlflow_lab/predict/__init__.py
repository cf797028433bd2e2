"""The `predict` entry point: batch scoring with a registered model (or any MLflow model URI).

`mlflow run . -e predict -P model_uri=models:/NAME@champion -P input=new.csv -P output=scored.csv`
reads CSV or Parquet (a file, or a folder of them), checks the columns against the model's
signature before scoring, and writes the input rows plus `prediction` (and `probability` for
a model that scores each class), the model's name, version and id, and the time. A model
whose inputs are not a table (images, say) reads its own files through its entry's
`Scoring.reader`. With `backend=spark` the table is read, scored (`mlflow.pyfunc.spark_udf`)
and written by Spark, so it need not fit on one machine.
"""
