"""What a run's record says it was made from: the entry point, its params, the source commit.

A model's run carries all of it (MLflow's `mlflow.source.*` and `mlflow.project.entryPoint`
tags, and the project's own `lab.*` tags, `mlflow_lab.provenance`). A sweep's trial is a child
run that the study's storage created: its params are its own, its model is the sweep's
`sweep.model`, and its source is its parent's. Anything missing is a `Refusal` naming the
parameter it came from.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from mlflow_lab.faults import Refusal, found
from mlflow_lab.gate import HELD_OUT, SCORED_AS

MODEL_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:@(?P<alias>[^/@]+)|/(?P<version>\d+))$")
SWEEP_METRICS = re.compile(r"^(value(_\d+)?|intermediate_value)$")  # the study's, beside the training's
GATE_METRICS = tuple(f"{role}_" for role in SCORED_AS)  # what register_as adds to the run it gates


class Original(NamedTuple):
    """The run to train again and where its code came from."""

    run: Any  # mlflow.entities.Run
    entry: str  # the MLproject entry point that trained it
    commit: str
    sources: list[str]  # where the commit can be fetched from, most trusted first
    provenance: dict[str, str]  # the `lab.*` tags of the run (or of its sweep)
    version: Any = None  # mlflow.entities.model_registry.ModelVersion when given a model URI

    @property
    def metrics(self) -> dict[str, float]:
        """The metrics its training logged (last values): not a sweep's `value`, not the gate's scores."""
        trial = "sweep.trial_number" in self.run.data.tags
        return {name: value for name, value in self.run.data.metrics.items()
                if not (trial and SWEEP_METRICS.match(name)) and not name.startswith(GATE_METRICS)}

    @property
    def datasets(self) -> dict[str, str]:
        """The digest of each data set its training logged as an input (not the gate's held-out rows)."""
        return {item.dataset.name: item.dataset.digest for item in self.run.inputs.dataset_inputs
                if not item.dataset.name.endswith(HELD_OUT)}


def original(client, run_id: str, model_uri: str) -> Original:
    """The run that `run_id` or `model_uri` names, read from the store."""
    version = None
    flag = "--model_uri" if model_uri else "--run_id"
    if model_uri:
        version = registered(client, model_uri)
        run_id = version.run_id
        if not run_id:
            raise Refusal(f"argument --model_uri: {model_uri} (version {version.version}) has no run "
                          "behind it (it was registered from files), so there is nothing to train again")
    run = found(lambda: client.get_run(run_id), f"argument {flag}: no run {run_id} in this tracking store")
    if "sweep.plan" in run.data.params:
        best = run.data.tags.get("best_run_id", "<a trial's run id>")
        raise Refusal(f"argument {flag}: run {run_id} is a sweep, not a training run; reproduce one of its "
                      f"trials (its best: run_id={best})")
    source, entry = run, run.data.tags.get("lab.entry") or run.data.tags.get("mlflow.project.entryPoint", "")
    parent_id = run.data.tags.get("mlflow.parentRunId")
    if "sweep.trial_number" in run.data.tags and parent_id:
        source = found(lambda: client.get_run(parent_id),
                       f"argument {flag}: run {run_id} is a sweep's trial whose sweep (run {parent_id}) is "
                       "not in this tracking store, so its source is unknown")
        entry = source.data.params.get("sweep.model", "")
    check_entry(flag, run_id, entry)
    tags = source.data.tags
    commit = tags.get("lab.source.commit") or tags.get("mlflow.source.git.commit", "")
    if not commit:
        raise Refusal(f"argument {flag}: run {run_id} records no source commit (it was not started from a "
                      "git checkout: a notebook, an installed package), so there is no code to train again")
    check_finished(flag, run)
    provenance = {key: value for key, value in tags.items() if key.startswith("lab.")}
    record = Original(run, entry, commit, sources(tags), provenance, version)
    if not record.metrics:
        raise Refusal(f"argument {flag}: run {run_id} logged no metrics, so there is nothing to compare")
    return record


def check_finished(flag: str, run) -> None:
    """Only a run that finished has the metrics its training meant to log."""
    status, run_id = run.info.status, run.info.run_id
    if status == "FINISHED":
        return
    pruned = run.data.tags.get("sweep.pruned_after_epoch")
    what = (f"is a trial its sweep pruned after epoch {pruned}" if pruned is not None
            else f"is still {status}" if status in ("RUNNING", "SCHEDULED") else f"ended {status}")
    raise Refusal(f"argument {flag}: run {run_id} {what}; only a FINISHED run's metrics can be compared")


def registered(client, model_uri: str):
    """The model version `models:/NAME@alias` or `models:/NAME/VERSION` names."""
    match = MODEL_URI.match(model_uri)
    if match is None:
        raise Refusal(f"argument --model_uri: must be models:/NAME@alias or models:/NAME/VERSION, got "
                      f"{model_uri!r}")
    name = match["name"]
    if match["alias"]:
        return found(lambda: client.get_model_version_by_alias(name, match["alias"]),
                       f"argument --model_uri: {name} has no version @{match['alias']}")
    return found(lambda: client.get_model_version(name, match["version"]),
                   f"argument --model_uri: {name} has no version {match['version']}")


def check_entry(flag: str, run_id: str, entry: str) -> None:
    """The entry point must be a model's: a tool's run (compare, promote...) trained nothing."""
    from mlflow_lab.entries import MODELS

    if entry == "main" or entry in MODELS:
        return
    what = f"a {entry} run" if entry else "a run that records no entry point"
    raise Refusal(f"argument {flag}: run {run_id} is {what}, not a model's training ({', '.join(MODELS)})")


def sources(tags: dict[str, str]) -> list[str]:
    """Where to fetch the run's commit from: the project `mlflow run` ran, the checkout the code
    was imported from, then the checkout's remote."""
    found = []
    if tags.get("mlflow.source.type") == "PROJECT":
        found.append(tags.get("mlflow.source.name", "").split("#")[0].removeprefix("file://"))
    found += [tags.get("lab.source.root", ""), tags.get("mlflow.source.git.repoURL", "")]
    return [source for n, source in enumerate(found) if source and source not in found[:n]]

