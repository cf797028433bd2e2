"""The `sweep` entry point: many settings of diab or mnist in one command, one parent run.

    mlflow run . -e sweep -P model=diab -P max_depth=4,6,8 -P n_estimators=100,200
    mlflow run . -e sweep -P model=diab -P trials=20 -P max_depth=2:12 -P register_as=diab-rf
"""
