"""A sweep's settings: lists, ranges, grids, seeded draws, and the line a user sees for bad input."""

from __future__ import annotations

import pytest

from diab.params import DiabParams
from mnist.params import MnistParams
from sweep.cli import parse_args
from sweep.space import Range, SpaceError, draws, grid, parse_space


def test_lists_make_a_grid():
    space = parse_space(DiabParams, {"max_depth": "4,6,8", "n_estimators": "100,200"})
    settings = grid(space)
    assert len(settings) == 6
    assert {(s["max_depth"], s["n_estimators"]) for s in settings} == {
        (d, n) for d in (4, 6, 8) for n in (100, 200)}


def test_values_take_the_parameter_types():
    space = parse_space(MnistParams, {"learning_rate": "0.01,0.1", "epochs": "3"})
    assert space == {"learning_rate": [0.01, 0.1], "epochs": [3]}


def test_ranges_draw_repeatably_within_bounds():
    space = parse_space(DiabParams, {"max_depth": "2:12", "test_size": "0.2:0.3", "max_features": "2,4"})
    assert space["max_depth"] == Range(2, 12)
    first, again, other = draws(space, 20, seed=1), draws(space, 20, seed=1), draws(space, 20, seed=2)
    assert first == again and first != other
    assert all(2 <= s["max_depth"] <= 12 and isinstance(s["max_depth"], int) for s in first)
    assert all(0.2 <= s["test_size"] <= 0.3 for s in first)
    assert {s["max_features"] for s in first} == {2, 4}


BAD_SPACES = [
    ({"max_depth": ""}, "--max_depth: '' is neither a list (a,b,c) nor a range (low:high)"),
    ({"max_depth": "4,,8"}, "--max_depth: '4,,8' is neither a list"),
    ({"max_depth": "2:5:8"}, "--max_depth: '2:5:8' is neither a list"),
    ({"max_depth": "4,x"}, "--max_depth: every value must be an integer in [1, 100], got 'x'"),
    ({"max_depth": "0:5"}, "--max_depth: every value must be an integer in [1, 100], got '0'"),
    ({"max_depth": "9:3"}, "--max_depth: range '9:3' has its low end above its high end"),
    ({"depth": "3"}, "--depth: not a parameter of DiabParams"),
    ({"register_as": "x"}, "--register_as: not a parameter of DiabParams"),
]


@pytest.mark.parametrize(("assignments", "message"), BAD_SPACES)
def test_bad_space_is_refused(assignments, message):
    with pytest.raises(SpaceError) as raised:
        parse_space(DiabParams, assignments)
    assert message in str(raised.value)


def test_range_without_trials_and_trials_without_range_are_refused():
    with pytest.raises(SpaceError, match="a range needs trials"):
        grid(parse_space(DiabParams, {"max_depth": "2:12"}))
    with pytest.raises(SpaceError, match="random search needs at least one range"):
        draws(parse_space(DiabParams, {"max_depth": "3"}), 5, seed=0)


@pytest.mark.parametrize(("argv", "message"), [
    (["--workers", "0"], "argument --workers: must be 'auto' or an integer in [1, 64], got '0'"),
    (["--workers", "-2"], "argument --workers: must be 'auto' or an integer in [1, 64], got '-2'"),
    (["--trials", "-1"], "argument --trials: must be an integer in [0, 10000], got '-1'"),
    (["--model", "svm"], "argument --model: must be one of diab, mnist, got 'svm'"),
    (["--max_depth"], "unrecognized arguments: --max_depth"),
    (["--model", "mnist", "--max_depth", "3"], "--max_depth: not a parameter of MnistParams"),
])
def test_bad_sweep_arguments_exit_with_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        parse_args(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_workers_default_to_the_cores():
    import os

    _, _, workers, _, settings = parse_args(["--max_depth", "3,4"])
    assert workers == os.cpu_count() and len(settings) == 2
