"""Parameter declarations: parsing, ranges, and the one line a user sees for bad input."""

from __future__ import annotations

import pytest

from diab.params import DiabParams
from mlflow_lab.params import parse


def test_defaults_are_the_labs():
    assert parse(DiabParams, [], prog="diab") == DiabParams(
        n_estimators=200, max_depth=6, max_features=4, test_size=0.25, seed=42, register_as="",
        min_improvement=0.0)


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


BAD_MNIST_INPUT = [  # once each a `mlflow run` case in test_mnist_e2e.py; the launcher's side is kept there
    (["--batch_size", "0"], "argument --batch_size: must be an integer in [1, 60000], got '0'"),
    (["--learning_rate", "0"], "argument --learning_rate: must be a number in (0, 10], got '0'"),
    (["--dropout", "1"], "argument --dropout: must be a number in [0, 1), got '1'"),
    (["--momentum", "abc"], "argument --momentum: must be a number in [0, 1), got 'abc'"),
    (["--num_hidden_layers", "0"], "argument --num_hidden_layers: must be an integer in [1, 32], got '0'"),
]


@pytest.mark.parametrize(("model", "argv", "message"), [*(("diab", *case) for case in BAD_INPUT),
                                                         *(("mnist", *case) for case in BAD_MNIST_INPUT)])
def test_bad_input_is_one_line_naming_the_parameter(model, argv, message, capsys):
    from mlflow_lab.entries import MODELS

    with pytest.raises(SystemExit) as stopped:
        parse(MODELS[model].params, argv, prog=model)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"{model}: error: ")
    assert message in err


HELP_LINES = [
    "--n_estimators INT number of trees in the forest; an integer in [1, 5000]; default 200",
    "--max_features INT features considered at each split; an integer in [1, 10] "
    "(the diabetes data has 10 features); default 4",
    "--test_size FLOAT fraction of the rows held out for testing; a number in (0, 1); default 0.25",
    "--seed INT seed of the train/test split and of the forest; an integer in [0, 4294967295]; default 42",
    "--register_as STR registered-model name for the trained model: it becomes @champion if it beats "
    "the current one on its own held-out data, else @challenger; empty: do not register; a string; "
    "default ''",
    "--min_improvement FLOAT relative margin by which a model must beat @champion to take it "
    "(0.01: better by a hundredth); 0: any strict improvement; a number in [0, 1); default 0.0",
]


def test_help_tells_each_parameter_what_it_allows_and_its_default(capsys):
    with pytest.raises(SystemExit) as stopped:
        parse(DiabParams, ["--help"], prog="diab")
    assert stopped.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps long lines
    for line in HELP_LINES:
        assert line in text


@pytest.mark.parametrize("logged, expected", [({"data_path": ""}, ""), ({"data_path": "''"}, ""),
                                              ({"data_path": "'/data/a b.npz'"}, "/data/a b.npz"),
                                              ({"data_path": "/data/mnist.npz"}, "/data/mnist.npz")])
def test_logged_params_read_back_including_an_empty_string(logged, expected):
    """mnist's default data_path is "" (keras's cache): the gate and promote read it back."""
    from mlflow_lab.params import from_logged
    from mnist.params import MnistParams

    assert from_logged(MnistParams, logged | {"epochs": "2"}, prog="mnist").data_path == expected
