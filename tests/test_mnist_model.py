"""The mnist network and its training on tiny data: layers, learning, repeatability."""

from __future__ import annotations

import numpy as np
import pytest

from mnist import MnistParams, fit_and_evaluate
from mnist.model import build_model
from tests.mnist_fixtures import make_mnist, tiny_data


@pytest.mark.parametrize("hidden_layers", [1, 2, 3])
def test_n_hidden_layers_give_n_hidden_dense_and_one_output(hidden_layers):
    model = build_model(MnistParams(num_hidden_layers=hidden_layers, num_hidden_units=32))
    dense = [layer for layer in model.layers if layer.__class__.__name__ == "Dense"]
    dropout = [layer for layer in model.layers if layer.__class__.__name__ == "Dropout"]
    assert [layer.get_config()["activation"] for layer in dense] == ["relu"] * hidden_layers + ["softmax"]
    assert [layer.units for layer in dense] == [32] * hidden_layers + [10]
    assert len(dropout) == hidden_layers
    assert model.layers[0].__class__.__name__ == "Flatten"
    assert model.output_shape == (None, 10)


def test_optimizer_is_sgd_with_nesterov_momentum():
    config = build_model(MnistParams(learning_rate=0.01, momentum=0.5)).optimizer.get_config()
    assert config["name"].startswith("sgd") and config["nesterov"] is True
    assert np.isclose(config["learning_rate"], 0.01) and np.isclose(config["momentum"], 0.5)


SMALL = MnistParams(epochs=3, batch_size=32, num_hidden_units=64)


def test_training_learns_the_tiny_data():
    result = fit_and_evaluate(SMALL, tiny_data())
    assert len(result.history["loss"]) == 3
    assert result.history["loss"][-1] < result.history["loss"][0]
    assert result.metrics["test_accuracy"] > 0.8  # chance is 0.1
    probabilities = result.model.predict(tiny_data().x_test[:5], verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)


def test_same_seed_same_accuracy_to_four_decimals():
    first = fit_and_evaluate(SMALL, tiny_data()).metrics
    second = fit_and_evaluate(SMALL, tiny_data()).metrics
    assert round(first["test_accuracy"], 4) == round(second["test_accuracy"], 4)
    assert round(first["test_loss"], 4) == round(second["test_loss"], 4)


@pytest.mark.parametrize("validation_fraction", [0.2, 0.0])
def test_training_on_arrays_split_and_converted_once_gives_the_same_network_bit_for_bit(validation_fraction):
    """A sweep's worker hands each fit the arrays it split and converted once (`fit_arrays`): the
    weights and every epoch's numbers are those of a fit on the NumPy arrays that Keras splits."""
    from mnist.train import fit_arrays, train

    data = tiny_data()
    params = MnistParams(epochs=2, batch_size=32, num_hidden_units=32,
                         validation_fraction=validation_fraction)
    on_numpy, numpy_history = train(params, data)
    arrays = fit_arrays(data, validation_fraction)
    assert arrays is not None and (arrays.x_val is None) == (validation_fraction == 0)
    on_converted, converted_history = train(params, data, arrays=arrays)
    again, again_history = train(params, data, arrays=arrays)  # the same arrays serve every fit
    assert converted_history == numpy_history == again_history
    assert ("val_accuracy" in numpy_history) == (validation_fraction > 0)
    for expected, got, third in zip(on_numpy.get_weights(), on_converted.get_weights(), again.get_weights(),
                                    strict=True):
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(third, expected)


def test_a_split_keras_would_refuse_is_left_to_keras():
    from mnist.train import fit_arrays

    assert fit_arrays(make_mnist(n_train=1, n_test=1), 0.5) is None  # floor(1 * 0.5) = 0 images to train on
