"""The `sweep` entry point: an Optuna study of a registered model kept in MLflow, one parent run.

    mlflow run . -e sweep -P model=NAME -P trials=40 -P max_depth=2:16 -P n_estimators=50:400
    mlflow run . -e sweep -P model=NAME -P max_depth=4,6,8 -P n_estimators=100,200   # a grid
    mlflow run . -e sweep -P model=NAME -P trials=16 -P learning_rate=0.005:0.5:log -P prune=true
    mlflow run . -e sweep ... -P backend=spark        # trials on Spark executors
    mlflow run . -e sweep -P resume=<sweep run id>    # carry on a stopped sweep

The model and what it needs come from the registry (`mlflow_lab.entries`); nothing here names one.
Modules: params (the sweep's own parameters), plan (arguments checked, stored, restored),
space (lists and ranges), study (the study in MLflow), driver (ask, dispatch, tell), trial
(one trial on a worker), pruning (the step reporter), backends (process pool or Spark),
resume, progress, session (one run of the whole), cli.
"""
