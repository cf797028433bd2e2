"""Small MNIST-shaped data the tests make themselves: ten learnable digit-like patterns."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from mnist.data import IDX_FILES, Mnist


def make_mnist(n_train: int = 600, n_test: int = 200, seed: int = 0) -> Mnist:
    """uint8 images (N, 28, 28): class k lights up its own band of rows and columns, plus noise."""
    rng = np.random.default_rng(seed)

    def split(n: int):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28))
        for index, label in enumerate(labels):
            images[index, 2 + 2 * label: 5 + 2 * label, :] += 180
            images[index, :, 2 + 2 * label: 5 + 2 * label] += 120
        return np.clip(images, 0, 255).astype(np.uint8), labels

    (x_train, y_train), (x_test, y_test) = split(n_train), split(n_test)
    return Mnist(x_train, y_train, x_test, y_test)


def tiny_data() -> Mnist:
    """`make_mnist()` scaled to [0, 1] floats, as training takes it."""
    from mnist.data import to_unit_float

    raw = make_mnist()
    return raw._replace(x_train=to_unit_float(raw.x_train), x_test=to_unit_float(raw.x_test))


def write_npz(path: Path, data: Mnist | None = None) -> Path:
    """Save in keras's npz layout (x_train, y_train, x_test, y_test)."""
    np.savez_compressed(path, **(data or make_mnist())._asdict())
    return path


def idx_bytes(array: np.ndarray) -> bytes:
    """An array of unsigned bytes in the IDX format of the original MNIST files."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_folder(folder: Path, data: Mnist | None = None, gz: bool = False) -> Path:
    """Write the four IDX files, raw or gzipped, into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, stem in IDX_FILES.items():
        payload = idx_bytes(getattr(data or make_mnist(), key))
        if gz:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(payload))
        else:
            (folder / stem).write_bytes(payload)
    return folder
