"""One mnist fit on NumPy arrays against one on the arrays a sweep's worker converts once.

    python benchmarks/fit_arrays.py [--data ../shared/data/mnist.npz] [--pairs 5] [--epochs 1]

A sweep's worker trains many settings on the same images; `mnist.train.fit_arrays` converts
them once, where Keras on TensorFlow copies NumPy arrays on every `fit`. Both sides train the
project's network with the same seed (`mnist.train.train`), interleaved; prints every fit's
seconds, the medians, their ratio, and whether the two networks are equal bit for bit. No MLflow.
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
    arrays = fit_arrays(data)
    print(f"fit_arrays, once per process: {time.perf_counter() - started:.3f} s")
    seconds: dict[str, list[float]] = {"NumPy arrays (Keras copies them)": [], "converted once": []}
    same = True
    for _ in range(args.pairs):
        networks = []
        for side, given in zip(seconds, (None, arrays), strict=True):
            started = time.perf_counter()
            model, _ = train(params, data, arrays=given)
            seconds[side].append(time.perf_counter() - started)
            networks.append(model.get_weights())
        same &= all(np.array_equal(a, b) for a, b in zip(*networks, strict=True))
    report(seconds, theirs="NumPy arrays (Keras copies them)", label="seconds per fit")
    print(f"the same network bit for bit in every pair: {same}")


if __name__ == "__main__":
    main()
