"""mlflow-lab's own package: everything that is not a model, under one import name.

Its top-level modules are the ground every other part stands on, one concern each: typed
parameters (params), the Entry a model declares (entry), run handling (tracking, faults),
names (naming), pinned requirements (requirements), a model's plain command line (model_cli),
the promotion gate (gate, scoring), the Spark session (spark) and the driver's credentials lent
to executors (credentials). Nothing there trains or names a model.

Above the ground stand the model packages (one per model, at the repository's top level),
then the registry of entries (`mlflow_lab.entries`), then the tools (`mlflow_lab.sweep`,
`.compare`, `.promote`, `.predict`, `.doctor`), then the `databricks-jobs` backend of `mlflow run`
(`mlflow_lab.databricks_jobs`). No import runs from a lower layer to a higher one
(`tests/test_layers.py`), so importing this package imports nothing else.
"""
