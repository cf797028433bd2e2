"""Seconds per training epoch of the mnist network on the full MNIST, any Keras backend.

    KERAS_BACKEND=jax python benchmarks/epoch_time.py --data mnist.npz --epochs 5 \\
        --steps-per-execution 1 32 235

Trains the project's own network (mnist.model.build_model) with the lab's last cell
(batch_size 256) once per steps-per-execution value, and prints each epoch's time, the
steady epoch (median after the first, which compiles) and the test accuracy. No MLflow.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import SHARED  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED / "data" / "mnist.npz")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--steps-per-execution", type=int, nargs="+", default=[1])
    args = parser.parse_args()

    import keras

    from mnist.data import load_data
    from mnist.model import build_model
    from mnist.params import MnistParams

    data = load_data(str(args.data))
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}, "
          f"devices {_devices(keras.backend.backend())}")
    for steps in args.steps_per_execution:
        keras.utils.set_random_seed(42)
        model = build_model(MnistParams(batch_size=args.batch_size), steps_per_execution=steps)
        epoch_times: list[float] = []
        clock = EpochClock(epoch_times)
        model.fit(data.x_train, data.y_train, batch_size=args.batch_size, epochs=args.epochs,
                  verbose=0, callbacks=[clock.callback(keras)])
        _, accuracy = model.evaluate(data.x_test, data.y_test, batch_size=1024, verbose=0)
        steady = statistics.median(epoch_times[1:]) if len(epoch_times) > 1 else epoch_times[0]
        print(f"steps_per_execution {steps:4d}: epochs {', '.join(f'{t:.3f}' for t in epoch_times)} s; "
              f"steady {steady:.3f} s/epoch; test accuracy {accuracy:.4f}", flush=True)


class EpochClock:
    """Collects the wall time of each epoch into a list."""

    def __init__(self, times: list[float]):
        self.times = times

    def callback(self, keras):
        times = self.times

        class Clock(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                times.append(time.perf_counter() - self.start)

        return Clock()


def _devices(backend: str) -> str:
    if backend == "jax":
        import jax

        return ", ".join(str(d) for d in jax.devices())
    if backend == "torch":
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    import tensorflow as tf

    return ", ".join(d.name for d in tf.config.list_logical_devices())


if __name__ == "__main__":
    main()
