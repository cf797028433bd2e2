"""A sweep's space and plan: lists, ranges, log ranges, grids, Optuna distributions, and the
one line a user sees for bad input."""

from __future__ import annotations

import os

import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from diab.params import DiabParams
from mlflow_lab.sweep.plan import parse_args
from mlflow_lab.sweep.space import Range, SpaceError, as_text, distributions, grid, parse_space, searchable
from mnist.params import MnistParams


def test_lists_make_a_grid():
    space = parse_space(DiabParams, {"max_depth": "4,6,8", "n_estimators": "100,200"})
    settings = grid(space)
    assert len(settings) == 6
    assert {(s["max_depth"], s["n_estimators"]) for s in settings} == {
        (d, n) for d in (4, 6, 8) for n in (100, 200)}


def test_values_take_the_parameter_types():
    space = parse_space(MnistParams, {"learning_rate": "0.01,0.1", "epochs": "3"})
    assert space == {"learning_rate": [0.01, 0.1], "epochs": [3]}


def test_ranges_become_optuna_distributions():
    space = parse_space(MnistParams, {"epochs": "2:8", "learning_rate": "0.005:0.5:log",
                                      "dropout": "0.1:0.5", "batch_size": "64,128"})
    assert space["learning_rate"] == Range(0.005, 0.5, log=True)
    found = distributions(space)
    assert found["epochs"] == IntDistribution(2, 8)
    assert found["learning_rate"] == FloatDistribution(0.005, 0.5, log=True)
    assert found["dropout"] == FloatDistribution(0.1, 0.5)
    assert found["batch_size"] == CategoricalDistribution([64, 128])
    assert [as_text(space[name]) for name in ("epochs", "learning_rate", "batch_size")] == \
        ["2:8", "0.005:0.5:log", "64,128"]


BAD_SPACES = [
    ({"max_depth": ""}, "--max_depth: '' is neither a list (a,b,c) nor a range"),
    ({"max_depth": "4,,8"}, "--max_depth: '4,,8' is neither a list"),
    ({"max_depth": "2:5:8"}, "--max_depth: '2:5:8' is neither a list"),
    ({"max_depth": "4,6:log"}, "--max_depth: '4,6:log' is neither a list"),  # :log goes with low:high
    ({"max_depth": "4:log"}, "--max_depth: '4:log' is neither a list"),
    ({"max_depth": "4,x"}, "--max_depth: every value must be an integer in [1, 100], got 'x'"),
    ({"max_depth": "0:5"}, "--max_depth: every value must be an integer in [1, 100], got '0'"),
    ({"max_depth": "9:3"}, "--max_depth: range '9:3' has its low end above its high end"),
    ({"test_size": "0:0.5:log"}, "--test_size: every value must be a number in (0, 1)"),
    ({"depth": "3"}, "--depth: not a parameter of DiabParams"),
    ({"register_as": "x"}, "--register_as: not a parameter of DiabParams"),
]


@pytest.mark.parametrize(("assignments", "message"), BAD_SPACES)
def test_bad_space_is_refused(assignments, message):
    with pytest.raises(SpaceError) as raised:
        parse_space(DiabParams, assignments)
    assert message in str(raised.value)


def test_range_without_trials_and_search_without_range_are_refused():
    with pytest.raises(SpaceError, match="a range needs trials"):
        grid(parse_space(DiabParams, {"max_depth": "2:12"}))
    with pytest.raises(SpaceError, match="a search needs at least one range"):
        searchable(parse_space(DiabParams, {"max_depth": "3"}))


@pytest.mark.parametrize(("argv", "message"), [
    (["--workers", "0"], "argument --workers: must be 'auto' or an integer in [1, 64], got '0'"),
    (["--trials", "-1"], "argument --trials: must be an integer in [0, 10000], got '-1'"),
    (["--model", "svm"], "argument --model: must be one of diab, mnist, got 'svm'"),
    (["--sampler", "cmaes"], "argument --sampler: must be one of auto, grid, random, tpe, got 'cmaes'"),
    (["--backend", "ray"], "argument --backend: must be one of local, spark, yarn, or a URL starting "
                      "spark://, sc://, k8s://, got 'ray'"),
    (["--prune", "true", "--max_depth", "3,4"], "argument --prune: diab trains in one step"),
    (["--model", "mnist", "--prune", "true", "--validation_fraction", "0", "--epochs", "2,3"],
     "argument --prune: needs validation_fraction above 0"),
    (["--sampler", "tpe", "--max_depth", "3,4"], "argument --trials: sampler tpe needs trials > 0"),
    (["--sampler", "grid", "--trials", "4", "--max_depth", "3,4"],
     "argument --trials: a grid runs each of its cells once"),
    (["--max_depth"], "argument --max_depth: expected a value"),
    (["--max_depth", "3,4", "stray"], "unrecognized arguments: --max_depth 3,4 stray"),
    (["--model", "mnist", "--max_depth", "3"], "--max_depth: not a parameter of MnistParams"),
    (["--log_models", "best"], "argument --log_models: must be one of improving, all, none, got 'best'"),
    (["--log_models", "none", "--register_as", "rf", "--max_depth", "3,4"],
     "argument --log_models: none keeps no trial's model, so register_as has none to register"),
])
def test_bad_sweep_arguments_exit_with_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        parse_args(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_sampler_follows_trials_and_pruning_holds_out_images():
    plan = parse_args(["--max_depth", "3,4"])
    assert plan.workers == os.cpu_count() and plan.sampler == "grid" and len(grid(plan.space)) == 2
    assert parse_args(["--trials", "5", "--max_depth", "3:9"]).sampler == "tpe"
    pruned = parse_args(["--model", "mnist", "--trials", "4", "--prune", "true", "--epochs", "3",
                         "--learning_rate", "0.01:0.1:log"])
    assert pruned.space["validation_fraction"] == [0.1]
    assert pruned.given == {"epochs": "3", "learning_rate": "0.01:0.1:log"}  # as given, without pruning's


@pytest.mark.parametrize("argv", [
    ["--workers=2", "--model", "diab", "--max_depth", "3,4", "--n_estimators=10,20"],
    ["--model=diab", "--max_depth=3,4", "--workers", "2", "--n_estimators", "10,20"],
])
def test_the_stored_plan_rebuilds_the_same_sweep_however_flags_were_written(argv):
    """`--name=value` flags once shifted the stored argv's pairs (`--workers=2 --model diab ...`)."""
    from mlflow_lab.sweep.params import SweepParams
    from mlflow_lab.sweep.plan import from_stored

    plan = parse_args(argv)
    assert plan.space == {"max_depth": [3, 4], "n_estimators": [10, 20]} and plan.workers == 2
    again = from_stored(plan.stored(), SweepParams(workers="1"))
    assert (again.space, again.sampler, again.params.model, again.workers) == (plan.space, "grid", "diab", 1)


def test_a_resumed_sweep_keeps_the_models_it_logs():
    """`log_models` is part of the stored plan; a plan stored before it existed resumes with the default."""
    import json

    from mlflow_lab.sweep.params import SweepParams
    from mlflow_lab.sweep.plan import from_stored

    plan = parse_args(["--max_depth", "3,4", "--log_models", "all"])
    assert from_stored(plan.stored(), SweepParams(log_models="none")).params.log_models == "all"
    older = json.loads(plan.stored())
    del older["log_models"]
    assert from_stored(json.dumps(older), SweepParams()).params.log_models == "improving"


def test_spark_without_pyspark_is_one_line(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pyspark" else real(name, *a))
    with pytest.raises(SystemExit):
        parse_args(["--backend", "spark", "--max_depth", "3,4"])
    assert "backend=spark needs pyspark, which is not installed" in capsys.readouterr().err


def test_spark_without_java_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(SystemExit):
        parse_args(["--backend", "spark", "--max_depth", "3,4"])
    assert "backend=spark needs Java 17 or later" in capsys.readouterr().err


def test_spark_connect_needs_no_java_but_its_client(monkeypatch, capsys):
    import importlib.util

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert parse_args(["--backend", "sc://127.0.0.1:15002", "--max_depth", "3,4"]).params.backend \
        == "sc://127.0.0.1:15002"
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "grpc_status" else real(name, *a))
    monkeypatch.setenv("SPARK_REMOTE", "sc://127.0.0.1:15002")
    with pytest.raises(SystemExit):
        parse_args(["--backend", "spark", "--max_depth", "3,4"])
    assert "backend=spark is Spark Connect, whose client is not installed" in capsys.readouterr().err


def test_a_models_own_seed_is_swept_like_its_other_parameters():
    """`-P seed=1,2,3` sweeps the model's seed (its spread over seeds); the sampler's is sampler_seed."""
    plan = parse_args(["--model", "diab", "--max_depth", "3", "--seed", "1,2,3", "--sampler_seed", "7"])
    assert plan.space == {"max_depth": [3], "seed": [1, 2, 3]} and plan.params.sampler_seed == 7
    assert [cell["seed"] for cell in grid(plan.space)] == [1, 2, 3]


def test_a_plan_stored_before_sampler_seed_was_named_so_resumes_with_its_sampler_seed():
    """Plans stored until 2026-12 name the sampler's seed `seed`; it is not read as the model's."""
    import json

    from mlflow_lab.sweep.params import SweepParams
    from mlflow_lab.sweep.plan import from_stored

    stored = json.dumps({"model": "diab", "sampler": "tpe", "trials": 4, "seed": 5, "prune": "false",
                         "pruner": "median", "space": {"max_depth": "3:9"}}, sort_keys=True)
    plan = from_stored(stored, SweepParams())
    assert plan.params.sampler_seed == 5 and "seed" not in plan.space


@pytest.mark.parametrize(("name", "kind"), [("random", "RandomSampler"), ("tpe", "TPESampler")])
def test_a_sampler_name_gives_that_optuna_sampler_seeded(name, kind):
    import optuna

    from mlflow_lab.sweep.study import make_sampler

    first, second = make_sampler(name, 4), make_sampler(name, 4)
    assert type(first) is getattr(optuna.samplers, kind)
    space = {"x": FloatDistribution(0.0, 1.0)}
    draws = [optuna.create_study(sampler=sampler).ask(space).params["x"] for sampler in (first, second)]
    assert draws[0] == draws[1]  # the seed reaches the sampler
