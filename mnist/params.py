"""The parameters of `mnist`, declared once; the CLI and the MLproject mirror them."""

from __future__ import annotations

from dataclasses import dataclass

from mlflow_lab.gate import min_improvement_field, register_as_field, require_reproduced_field
from mlflow_lab.params import param


@dataclass(frozen=True)
class MnistParams:
    """Network, optimizer and data settings; the defaults are the lab's."""

    batch_size: int = param(128, "images per training step", low=1, high=60000,
                            short="bs", headline=True)
    epochs: int = param(5, "passes over the training images", low=1, high=1000, short="e", headline=True)
    learning_rate: float = param(0.05, "SGD learning rate", low=0, high=10, low_open=True,
                                 short="lr", headline=True)
    num_hidden_units: int = param(512, "units in each hidden Dense layer", low=1, high=16384, short="u")
    num_hidden_layers: int = param(1, "hidden Dense+Dropout blocks", low=1, high=32, short="l")
    dropout: float = param(0.25, "dropout rate after each hidden layer", low=0, high=1, high_open=True,
                           short="do")
    momentum: float = param(0.85, "Nesterov momentum of SGD", low=0, high=1, high_open=True, short="m")
    validation_fraction: float = param(0.0, "fraction of the training images held out to score "
                                       "val_accuracy after each epoch (a sweep prunes on it); 0: none",
                                       low=0, high=1, high_open=True, short="v")
    seed: int = param(42, "seed of the weights, dropout and shuffling", low=0, high=2**31 - 1, short="s")
    data_path: str = param("", "a keras-layout .npz or a folder of the four IDX files (raw or "
                               ".gz); empty: keras's mnist.load_data() (its cache, else a download)")
    register_as: str = register_as_field()
    min_improvement: float = min_improvement_field()
    require_reproduced: str = require_reproduced_field()
