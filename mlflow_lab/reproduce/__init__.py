"""The `reproduce` entry point: train a run, or a registered version's run, again, and compare.

`mlflow run . -e reproduce -P run_id=<id>` (or `-P model_uri=models:/NAME@champion`) checks out
the commit the run was trained from, trains the same entry point with the same params into a
new run, and prints one line per comparison (each metric, each data set's digest, the
environment's pins, the platform, the source) saying SAME or DIFFERS with both values. It exits
0 only when every metric is the same; a registered version is tagged `reproduced`.
"""
