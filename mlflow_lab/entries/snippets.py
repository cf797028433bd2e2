"""What MLproject and the bundle (databricks.yml) hold for a model, written from its entry.

`python -m mlflow_lab.entries snippets NAME` prints both; tests/test_mlproject.py and tests/test_bundle.py
compare each registered model's entry point and job with these and, on a difference, print
exactly what to paste.
"""

from __future__ import annotations

import yaml

from mlflow_lab.entry import Entry
from mlflow_lab.params import MLPROJECT_TYPES, declared
from mlflow_lab.requirements import classic_pins

LAUNCHER = "./jobs/entry.py"


def mlproject_entry(entry: Entry) -> dict:
    """The model's MLproject entry point: its parameters, typed, and the command passing each."""
    items = declared(entry.params)
    flags = " ".join(f"--{item.name} {{{item.name}}}" for item in items)
    return {"parameters": {item.name: {"type": MLPROJECT_TYPES[item.kind], "default": item.default}
                           for item in items},
            "command": f"python -m {entry.name} {flags}"}


def bundle_job(entry: Entry) -> dict:
    """The model's bundle job: its parameters, a single-node cluster, the launcher and the pins."""
    items = declared(entry.params)
    cluster = {"spark_version": "17.3.x-scala2.13", "kind": "CLASSIC_PREVIEW", "use_ml_runtime": True,
               "is_single_node": True, "node_type_id": f"${{var.{entry.compute}_node_type}}",
               "data_security_mode": "DATA_SECURITY_MODE_DEDICATED"}
    arguments = [entry.name, "--experiment_dir", "${var.experiment_dir}", "--"]
    for item in items:
        arguments += [f"--{item.name}", f"{{{{job.parameters.{item.name}}}}}"]
    return {"name": f"mlflow-lab {entry.name}",
            "parameters": [{"name": item.name, "default": str(item.default)} for item in items],
            "job_clusters": [{"job_cluster_key": entry.compute, "new_cluster": cluster}],
            "tasks": [{"task_key": entry.name, "job_cluster_key": entry.compute,
                       "spark_python_task": {"python_file": LAUNCHER, "parameters": arguments},
                       "libraries": [{"pypi": {"package": pin}} for pin in classic_pins()]}]}


def as_yaml(key: str, value: dict, indent: int) -> str:
    """`key: value` as YAML, indented to sit where it goes in its file."""
    text = yaml.safe_dump({key: value}, sort_keys=False, default_flow_style=False, width=100)
    return "".join(" " * indent + line for line in text.splitlines(keepends=True))


def snippets(entry: Entry) -> str:
    """Both snippets, each headed by where it goes."""
    return (f"# MLproject, under entry_points:\n{as_yaml(entry.name, mlproject_entry(entry), 2)}\n"
            f"# databricks.yml, under resources: jobs:\n{as_yaml(entry.name, bundle_job(entry), 4)}")
