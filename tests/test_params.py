"""Parameter declarations: parsing, ranges, and the one line a user sees for bad input."""

from __future__ import annotations

import pytest

from diab.params import DiabParams
from runkit.params import allowed, declared, parse


def test_defaults_are_the_labs():
    assert parse(DiabParams, [], prog="diab") == DiabParams(
        n_estimators=200, max_depth=6, max_features=4, test_size=0.25, seed=42, register_as="")


def test_values_are_parsed_to_their_types():
    params = parse(DiabParams, ["--max_depth", "8", "--test_size", "0.3", "--register_as", "rf"],
                   prog="diab")
    assert (params.max_depth, params.test_size, params.register_as) == (8, 0.3, "rf")


BAD_INPUT = [
    (["--max_depth", "abc"], "argument --max_depth: must be an integer in [1, 100], got 'abc'"),
    (["--max_depth", "0"], "argument --max_depth: must be an integer in [1, 100], got '0'"),
    (["--max_depth", "-3"], "argument --max_depth: must be an integer in [1, 100], got '-3'"),
    (["--n_estimators", "2.5"], "argument --n_estimators: must be an integer in [1, 5000], got '2.5'"),
    (["--n_estimators", "8.0"], "argument --n_estimators: must be an integer in [1, 5000], got '8.0'"),
    (["--n_estimators", ""], "argument --n_estimators: must be an integer in [1, 5000], got ''"),
    (["--n_estimators", "99999999"], "must be an integer in [1, 5000], got '99999999'"),
    (["--max_features", "11"],
     "argument --max_features: must be an integer in [1, 10] (the diabetes data has 10 features)"),
    (["--max_features", "0"], "argument --max_features: must be an integer in [1, 10]"),
    (["--test_size", "1"], "argument --test_size: must be a number in (0, 1), got '1'"),
    (["--test_size", "0"], "argument --test_size: must be a number in (0, 1), got '0'"),
    (["--test_size", "nan"], "argument --test_size: must be a number in (0, 1), got 'nan'"),
    (["--seed", "-1"], "argument --seed: must be an integer in [0, 4294967295], got '-1'"),
    (["--depth", "3"], "unrecognized arguments: --depth 3"),
    (["--max", "3"], "unrecognized arguments: --max 3"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_INPUT)
def test_bad_input_is_one_line_naming_the_parameter(argv, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        parse(DiabParams, argv, prog="diab")
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("diab: error: ")
    assert message in err


def test_every_parameter_has_help_and_a_documented_range():
    for item in declared(DiabParams):
        assert item.help
        assert allowed(item.kind, item.bounds)
