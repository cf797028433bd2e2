"""`reproduce`'s comparison lines and what it reads of the original, on values made here."""

from __future__ import annotations

import math
from types import SimpleNamespace

from mlflow_lab.reproduce.compare import environment_lines, likely_causes, metric_lines
from mlflow_lab.reproduce.record import Original


def test_every_line_shows_both_values_same_or_not():
    same, differs = metric_lines({"a": 1.0, "b": 2.0}, {"a": 1.0, "b": 2.5}, rtol=0)
    assert same.text() == "SAME metric a: 1.0 (original), 1.0 (reproduced)"
    assert differs.text() == "DIFFERS metric b: 2.0 (original), 2.5 (reproduced)"
    [close] = metric_lines({"a": 1.0}, {"a": 1.0 + 1e-9}, rtol=1e-6)
    assert close.same and close.text() == f"SAME metric a: 1.0 (original), {1.0 + 1e-9!r} (reproduced)"


def test_a_metric_that_is_nan_on_both_sides_is_the_same():
    [line] = metric_lines({"loss": math.nan}, {"loss": math.nan}, rtol=0)
    assert line.same
    [line] = metric_lines({"loss": math.nan}, {"loss": 1.0}, rtol=0.5)
    assert not line.same


def test_the_pins_and_platform_are_the_reproduced_runs_own_record():
    where = "Linux x86_64, CPython 3.11.7"
    original = {"lab.environment": "mlflow==3.17.2 numpy==2.4.6", "lab.platform": where}
    reproduced = {"lab.environment": "numpy==2.4.6 mlflow==3.17.2", "lab.platform": where}
    pins, platform = environment_lines(original, reproduced)
    assert pins.same and platform.same
    newer = {**reproduced, "lab.environment": "mlflow==3.17.2 numpy==2.5.0"}
    pins, platform = environment_lines(original, newer)
    assert pins.text() == "DIFFERS environment: numpy==2.4.6 (original), numpy==2.5.0 (reproduced)"


def test_what_the_original_did_not_record_is_not_named_as_a_cause():
    reproduced = {"lab.environment": "mlflow==3.17.2", "lab.platform": "Linux x86_64, CPython 3.11.7"}
    lines = [*metric_lines({"mse": 1.0}, {"mse": 2.0}, rtol=0), *environment_lines({}, reproduced)]
    assert [line.text() for line in lines[1:]] == [
        "DIFFERS environment: not recorded (original), mlflow==3.17.2 (reproduced)",
        "DIFFERS platform: not recorded (original), Linux x86_64, CPython 3.11.7 (reproduced)"]
    assert likely_causes(lines) == []


def test_a_trials_study_values_are_not_its_trainings_metrics():
    run = SimpleNamespace(data=SimpleNamespace(
        tags={"sweep.trial_number": "2"},
        metrics={"mse": 1.0, "value": 1.0, "value_1": 3.0, "intermediate_value": 0.9,
                 "candidate_mse": 1.1}))
    original = Original(run, "diab", "0" * 40, [], {})
    assert original.metrics == {"mse": 1.0}
