"""MNIST from a keras-layout .npz, a folder of IDX files, or keras's own loader; checked.

Every failure is a `DataError` whose message is one line naming the file and the problem.
"""

from __future__ import annotations

import gzip
import socket
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from mlflow_lab.faults import Refusal

IMAGE_SHAPE = (28, 28)
IDX_FILES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
             "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}
DOWNLOAD_TIMEOUT_S = 10


class DataError(ValueError, Refusal):
    """MNIST could not be read; the message names the file and what is wrong."""


class Mnist(NamedTuple):
    """Images (N, 28, 28) and labels (N,) of the training and test sets."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_data(data_path: str = "") -> Mnist:
    """Read and check MNIST; pixels as float32 in [0, 1], labels as uint8."""
    if not data_path:
        raw, source = _from_keras(), "keras mnist.load_data()"
    else:
        path = Path(data_path).expanduser()
        if not path.exists():
            raise DataError(f"data_path: {path} does not exist (give a .npz file or a folder of IDX files)")
        raw, source = (_from_folder(path) if path.is_dir() else _from_npz(path)), str(path)
    check(raw, source)
    return Mnist(to_unit_float(raw.x_train), raw.y_train, to_unit_float(raw.x_test), raw.y_test)


def to_unit_float(images: np.ndarray) -> np.ndarray:
    """uint8 pixels to float32 in [0, 1] (the lab's float64 costs twice the memory)."""
    return np.multiply(images, np.float32(1 / 255), dtype=np.float32)


def check(raw: Mnist, source: str) -> None:
    """Refuse data that is not MNIST-shaped: shapes, dtypes, label range, matching lengths."""
    for images, labels, split in ((raw.x_train, raw.y_train, "train"), (raw.x_test, raw.y_test, "test")):
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
            raise DataError(f"{source}: {split} images must be uint8 of shape (N, 28, 28), "
                            f"got {images.dtype} {images.shape}")
        if labels.ndim != 1 or len(labels) != len(images):
            raise DataError(f"{source}: {split} has {len(images)} images but labels of shape {labels.shape}")
        if len(labels) == 0 or not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 \
                or labels.max() > 9:
            raise DataError(f"{source}: {split} labels must be integers 0 to 9")


def _from_npz(path: Path) -> Mnist:
    try:
        with np.load(path, allow_pickle=False) as arrays:
            missing = [key for key in Mnist._fields if key not in arrays]
            if missing:
                raise DataError(f"{path}: missing arrays {', '.join(missing)} "
                                f"(a keras-layout .npz has {', '.join(Mnist._fields)})")
            return Mnist(*(np.asarray(arrays[key]) for key in Mnist._fields))
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        if isinstance(error, DataError):
            raise
        raise DataError(f"{path}: not a readable .npz file ({error})") from None


def _from_folder(folder: Path) -> Mnist:
    arrays = []
    for stem in IDX_FILES.values():
        candidates = [folder / stem, folder / f"{stem}.gz"]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise DataError(f"{folder}: missing {stem} (or {stem}.gz); a data folder holds the four "
                            f"IDX files {', '.join(IDX_FILES.values())}")
        arrays.append(read_idx(found))
    return Mnist(*arrays)


def read_idx(path: Path) -> np.ndarray:
    """One IDX file (unsigned bytes), raw or gzipped, as a numpy array."""
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"{path}: not a readable gzip file ({error})") from None
    if len(data) < 4 or data[:3] != b"\x00\x00\x08" or not 1 <= data[3] <= 3:
        raise DataError(f"{path}: not an IDX file of unsigned bytes (bad magic number)")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    header = 4 + 4 * ndim
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise DataError(f"{path}: truncated or padded: {len(data)} bytes, the header says {expected}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def _from_keras() -> Mnist:
    """keras's loader: its cache, else a download that gives up after a few seconds."""
    import keras

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # keras wraps network errors in several types
        raise DataError(f"data_path: keras could not load MNIST ({type(error).__name__}: "
                        f"{str(error).splitlines()[0] if str(error) else 'no detail'}); "
                        "pass -P data_path=/path/to/mnist.npz (or --data_path)") from None
    finally:
        socket.setdefaulttimeout(previous)
    return Mnist(x_train, y_train, x_test, y_test)


def read_images(path: str) -> np.ndarray:
    """Images to score from an .npz in the training layout: uint8 (N, 28, 28), as float32 in [0, 1].

    The array is `images` or `x`, a keras-layout file's `x_test`, or the file's only array.
    """
    try:
        with np.load(Path(path).expanduser(), allow_pickle=False) as arrays:
            names = list(arrays)
            only = names[0] if len(names) == 1 else None
            key = next((k for k in ("images", "x", "x_test") if k in names), only)
            if key is None:
                raise DataError(f"input: {path} holds {', '.join(names) or 'no arrays'}; give an array "
                                "named images (or x), or a keras-layout file")
            images = np.asarray(arrays[key])
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        if isinstance(error, DataError):
            raise
        raise DataError(f"input: {path} is not a readable .npz file ({error})") from None
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise DataError(f"input: {path}: {key} must be uint8 images of shape (N, 28, 28), "
                        f"got {images.dtype} {images.shape}")
    return to_unit_float(images)
