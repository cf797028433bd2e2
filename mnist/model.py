"""The lab's network in Keras 3 (any backend): Flatten, N x (Dense relu, Dropout), Dense softmax.

The lab's notebook put the output layer and the optimizer inside the hidden-layer loop, so
with two hidden layers it stacked two softmax layers; here the output layer comes once.
"""

from __future__ import annotations

from mnist.data import IMAGE_SHAPE
from mnist.params import MnistParams

N_CLASSES = 10


def build_model(params: MnistParams, steps_per_execution: int = 1):
    """The compiled network: SGD with Nesterov momentum, sparse cross-entropy, accuracy.

    `steps_per_execution` runs that many training steps per call into the backend; it
    changes no result, only the per-step overhead (large on a GPU).
    """
    import keras

    layers = [keras.Input(shape=IMAGE_SHAPE), keras.layers.Flatten()]
    for _ in range(params.num_hidden_layers):
        layers += [keras.layers.Dense(params.num_hidden_units, activation="relu"),
                   keras.layers.Dropout(params.dropout)]
    layers.append(keras.layers.Dense(N_CLASSES, activation="softmax"))
    model = keras.Sequential(layers, name="mnist_mlp")
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=params.learning_rate, momentum=params.momentum,
                                       nesterov=True),
        loss="sparse_categorical_crossentropy", metrics=["accuracy"],
        steps_per_execution=steps_per_execution)
    return model
