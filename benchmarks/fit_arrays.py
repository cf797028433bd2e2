"""One mnist fit on NumPy arrays against one on the arrays a sweep's worker splits and converts once.

    python benchmarks/fit_arrays.py [--data ../shared/data/mnist.npz] [--pairs 5] [--epochs 1]

A sweep's worker trains many settings on the same images; `mnist.train.fit_arrays` splits off
the validation images and converts both parts once, where Keras on TensorFlow copies and slices
NumPy arrays on every `fit`. Both sides train the project's network with the same seed and a
validation fraction of 0.1 (`mnist.train.train`), interleaved, the side that goes first
alternating; prints every fit's seconds, the medians, their ratio, and whether the two networks
are equal bit for bit. No MLflow.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import SHARED, report, require  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED / "data" / "mnist.npz")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    from mnist.data import load_data
    from mnist.params import MnistParams
    from mnist.train import fit_arrays, train

    data = load_data(str(require(args.data)))
    params = MnistParams(epochs=args.epochs, num_hidden_units=64, validation_fraction=0.1)
    started = time.perf_counter()
    arrays = fit_arrays(data, params.validation_fraction)
    print(f"fit_arrays, once per process: {time.perf_counter() - started:.3f} s")
    numpy_side, once_side = "NumPy arrays (Keras copies them)", "converted once"
    seconds: dict[str, list[float]] = {numpy_side: [], once_side: []}
    same = True
    for pair in range(args.pairs):
        networks = {}
        sides = [(numpy_side, None), (once_side, arrays)]
        for side, given in sides if pair % 2 == 0 else sides[::-1]:
            started = time.perf_counter()
            model, _ = train(params, data, arrays=given)
            seconds[side].append(time.perf_counter() - started)
            networks[side] = model.get_weights()
        pairs_of_layers = zip(networks[numpy_side], networks[once_side], strict=True)
        same &= all(np.array_equal(a, b) for a, b in pairs_of_layers)
    report(seconds, theirs=numpy_side, label="seconds per fit")
    print(f"the same network bit for bit in every pair: {same}")


if __name__ == "__main__":
    main()
