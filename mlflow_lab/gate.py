"""The promotion gate: a new model takes the alias `champion` only when it beats the one holding it.

Every `register_as` (a model's run, a sweep's best trial) and the `promote` entry point go
through `decide`. The candidate and the current `@champion` are both scored on the
candidate's own held-out rows (the split its metric came from, rebuilt from its params) with
`mlflow.models.evaluate`, and `mlflow.validate_evaluation_results` judges them with a
`MetricThreshold` of `min_improvement` (relative). The candidate wins only by strictly
beating the champion by that margin; a tie keeps the champion. The winner gets `champion`,
a loser `challenger`, the first version of a name `champion` outright. Only aliases move (no
stages), so the same calls work on a local registry, a tracking server and Unity Catalog.

Nothing is registered and no alias moves until both models were scored: a champion that
cannot be loaded, takes other inputs, or fails to predict is a one-line `GateRefusal`.
The decision, both scores and the versions are tagged on the run that asked (`gate.*`) and on
the model version; evaluate's metrics land in that run as `candidate_*` and `champion_*`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlflow_lab.entry import Entry
from mlflow_lab.faults import MISSING, Refusal, one_line
from mlflow_lab.params import param

CHAMPION, CHALLENGER = "champion", "challenger"
GATED = ("register_as", "min_improvement", "require_reproduced")  # the gate's settings: never logged
REPRODUCED = "reproduced"  # the version tag `reproduce` sets: "true" or "false"
SCORED_AS = ("candidate", "champion")  # the prefixes of the gate's metrics in the run that asked
HELD_OUT = "-held-out"  # the suffix of the data set the gate scores on (`<entry>-held-out`)


def register_as_field(what: str = "the trained model") -> Any:
    """The `register_as` parameter of an entry point that registers `what`."""
    return param("", f"registered-model name for {what}: it becomes @{CHAMPION} if it beats the "
                     f"current one on its own held-out data, else @{CHALLENGER}; empty: do not register")


def min_improvement_field() -> Any:
    """The `min_improvement` parameter: the margin the gate asks of a new champion."""
    return param(0.0, f"relative margin by which a model must beat @{CHAMPION} to take it "
                      "(0.01: better by a hundredth); 0: any strict improvement",
                 low=0, high=1, high_open=True)


def require_reproduced_field() -> Any:
    """The `require_reproduced` parameter: only a version `reproduce` trained again to the digit
    may become champion."""
    return param("false", f"true: a version becomes @{CHAMPION} only once `reproduce` trained it again to "
                          f"the same metrics (its tag {REPRODUCED}=true); until then it stays @{CHALLENGER}",
                 choices=("false", "true"))


class GateRefusal(Refusal):
    """The gate could not score a model; nothing was registered and no alias moved."""


@dataclass(frozen=True)
class Decision:
    """What the gate did with one candidate."""

    entry: str  # the model package that trained it
    name: str
    version: str
    alias: str  # CHAMPION or CHALLENGER: the alias the candidate holds now
    metric: str
    score: float | None  # None when forced without scoring
    champion_version: str | None  # the version that held `champion` before; None: there was none
    champion_score: float | None
    forced: bool = False
    unreproduced: str = ""  # it won, but require_reproduced held it back: why ("" when it did not)

    def line(self) -> str:
        """The decision in one line, as the user reads it."""
        who = f"{self.name} version {self.version}"
        scored = f" ({self.metric} {self.score:.6g})" if self.score is not None else ""
        was = ("was version " + self.champion_version + (
            f" ({self.metric} {self.champion_score:.6g})" if self.champion_score is not None else "")
               if self.champion_version else "there was none")
        if self.champion_version == self.version:
            return f"{who}{scored} is already {CHAMPION}; nothing moved"
        if self.unreproduced:
            return (f"{who}{scored} would be {CHAMPION} ({was}) but {self.unreproduced} "
                    f"(require_reproduced=true), so it is {CHALLENGER}; reproduce it (-e reproduce -P "
                    f"model_uri=models:/{self.name}/{self.version}), then promote it")
        if self.alias == CHAMPION:
            return f"{who}{scored} is {CHAMPION}{' (forced)' if self.forced else ''}; {was}"
        return (f"{who} stays {CHALLENGER}: {self.metric} {self.score:.6g} does not beat "
                f"{self.champion_score:.6g} of {CHAMPION} version {self.champion_version}")

    def tags(self) -> dict[str, str]:
        decision = "forced" if self.forced else self.alias
        values = {"gate.decision": decision, "gate.entry": self.entry,
                  "gate.unreproduced": self.unreproduced or None,
                  "gate.model": f"{self.name}/{self.version}", "gate.metric": self.metric,
                  "gate.score": self.score,
                  "gate.champion_version": self.champion_version, "gate.champion_score": self.champion_score}
        return {key: str(value) for key, value in values.items() if value is not None}


def logged_model_uri(run_id: str) -> str:
    """`models:/<model id>` of the model run `run_id` logged (one per run in this project)."""
    import mlflow

    models = mlflow.MlflowClient().search_logged_models(
        experiment_ids=[mlflow.get_run(run_id).info.experiment_id],
        filter_string=f"source_run_id = '{run_id}'")
    if not models:
        raise GateRefusal(f"run {run_id} logged no model to register")
    return f"models:/{models[0].model_id}"


def register_run(entry: Entry, run_id: str, params, name: str, min_improvement: float,
                 require_reproduced: bool = False) -> Decision:
    """Gate the model that run `run_id` (trained with `params`) logged, and register it under `name`."""
    return decide(entry, name, params, logged_model_uri(run_id), min_improvement=min_improvement,
                  require_reproduced=require_reproduced)


def decide(entry: Entry, name: str, params, candidate_uri: str, *, min_improvement: float = 0.0,
           version: str | None = None, force: bool = False, require_reproduced: bool = False) -> Decision:
    """Score, compare, then register `candidate_uri` (unless it is `version` already) and move aliases.

    With `require_reproduced`, a winner that `reproduce` has not trained again to the same metrics
    (a new version never has) is made challenger instead; `force` moves champion regardless.
    """
    import mlflow

    from mlflow_lab.scoring import same_interface

    if entry.scoring is None:
        raise GateRefusal(f"register_as: model {entry.name} declares no scoring (Entry.scoring), "
                          "so the gate cannot compare it with a champion")
    client = mlflow.MlflowClient()
    champion = current(client, name, CHAMPION)
    held_by = str(champion.version) if champion is not None else None
    metric = entry.metric
    if held_by is not None and held_by == str(version):
        return Decision(entry.name, name, held_by, CHAMPION, metric, None, held_by, None)
    score = champion_score = None
    if not force:
        inputs, targets = entry.scoring.held_out(params)
        candidate = load(candidate_uri, "the candidate model")
        score = evaluate(entry, candidate, inputs, targets, SCORED_AS[0], "the candidate model")
        if champion is not None:
            who = f"{name} version {held_by} (@{CHAMPION})"
            held = load(f"models:/{name}/{held_by}", who)
            if not same_interface(candidate, held):
                raise GateRefusal(f"{who} takes other inputs or gives other outputs than the candidate "
                                  "(another kind of model or feature set); nothing moved: register under "
                                  "another name, or promote with force=true")
            champion_score = evaluate(entry, held, inputs, targets, SCORED_AS[1], who)
    wins = force or champion is None or beats(entry, score, champion_score, min_improvement)
    held_back = "" if force or not (wins and require_reproduced) else not_reproduced(client, name, version)
    if version is None:
        version = mlflow.register_model(candidate_uri, name).version
    decision = Decision(entry.name, name, str(version), CHAMPION if wins and not held_back else CHALLENGER,
                        metric, score, held_by, champion_score, forced=force, unreproduced=held_back)
    move_alias(client, decision)
    record(client, decision)
    return decision


def not_reproduced(client, name: str, version: str | None) -> str:
    """Why version `version` of `name` is not known to reproduce ('' when it is); None: a new one."""
    if version is None:
        return "has not been reproduced (a new version never has)"
    tags = client.get_model_version(name, version).tags
    if tags.get(REPRODUCED) == "true":
        return ""
    if tags.get(REPRODUCED) == "false":
        return f"did not reproduce (run {tags.get('reproduced_by', '?')} differs)"
    return "has not been reproduced"


def current(client, name: str, alias: str):
    """The version holding `alias` under `name`, or None (no such model or alias)."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException as error:
        if error.error_code in MISSING:
            return None
        raise


def load(uri: str, who: str):
    """The pyfunc model at `uri`; a refusal naming `who` when it cannot be loaded."""
    import mlflow.pyfunc

    try:
        return mlflow.pyfunc.load_model(uri)
    except Exception as error:  # a missing artifact, an unknown flavor, a package not installed
        raise GateRefusal(f"{who} cannot be loaded ({one_line(error)}); nothing moved") from None


def evaluate(entry: Entry, model, inputs, targets, role: str, who: str) -> float:
    """`model`'s score on the held-out rows, computed by `mlflow.models.evaluate`, logged as `<role>_*`."""
    import mlflow
    import numpy as np
    import pandas as pd

    from mlflow_lab.scoring import predictions

    try:
        predicted, _ = predictions(model, inputs)
    except Exception as error:  # the model refuses the rows: another feature set, other types
        raise GateRefusal(f"{who} cannot score the candidate's held-out data ({one_line(error)}); "
                          "nothing moved") from None
    frame = pd.DataFrame({"prediction": predicted, "target": np.asarray(targets)})
    rows = mlflow.data.from_pandas(frame, name=f"{entry.name}{HELD_OUT}", targets="target",
                                   predictions="prediction")
    result = mlflow.models.evaluate(data=rows, model_type=entry.scoring.model_type,
                                    evaluator_config={"metric_prefix": f"{role}_",
                                                      "log_model_explainability": False})
    return float(result.metrics[f"{role}_{entry.scoring.metric}"])


def beats(entry: Entry, score: float, champion_score: float, min_improvement: float) -> bool:
    """True when `score` beats `champion_score` by `min_improvement` (relative) and strictly."""
    import mlflow
    from mlflow.models import EvaluationResult, MetricThreshold
    from mlflow.models.evaluation.validation import ModelValidationFailedException

    threshold = MetricThreshold(min_relative_change=float(min_improvement),
                                greater_is_better=entry.higher_is_better)
    try:
        mlflow.validate_evaluation_results({entry.metric: threshold},
                                           EvaluationResult({entry.metric: score}, {}),
                                           EvaluationResult({entry.metric: champion_score}, {}))
    except ModelValidationFailedException:
        return False
    return score != champion_score  # a tie keeps the champion


def move_alias(client, decision: Decision) -> None:
    """Point the decided alias at the candidate; a new champion stops being a challenger."""
    client.set_registered_model_alias(decision.name, decision.alias, decision.version)
    if decision.alias == CHAMPION:
        challenger = current(client, decision.name, CHALLENGER)
        if challenger is not None and str(challenger.version) == decision.version:
            client.delete_registered_model_alias(decision.name, CHALLENGER)


def record(client, decision: Decision) -> None:
    """The decision as tags on the model version and on the active run, if any."""
    import mlflow

    for key, value in decision.tags().items():
        client.set_model_version_tag(decision.name, decision.version, key, value)
    run = mlflow.active_run()
    if run is not None:
        mlflow.set_tags(decision.tags())
