"""The `doctor` entry point: a preflight of the compute a job runs on, for what cannot be checked from here.

`mlflow run . -b databricks-jobs --backend-config jobs/cpu.json -e doctor -P
volume_path=/Volumes/main/lab/data` runs it on the real cluster or serverless environment
and prints one line per check (OK, WARN or FAIL, with what to change): the runtime and
Python, every pinned package against its pin, TensorFlow and Keras together, MLflow logging
from the driver and from a Spark executor, and a Volume path. The lines are logged as one run.
"""
