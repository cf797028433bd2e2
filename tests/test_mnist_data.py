"""Reading MNIST: npz, IDX folders raw or gzipped, keras's loader offline, and bad files."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from mnist.data import IDX_FILES, DataError, load_data
from tests.mnist_fixtures import make_mnist, write_idx_folder, write_npz
from tests.processes import REPO


def test_npz_is_read_as_unit_floats(tmp_path):
    raw = make_mnist()
    data = load_data(str(write_npz(tmp_path / "m.npz", raw)))
    assert data.x_train.dtype == np.float32 and data.x_train.shape == (600, 28, 28)
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    np.testing.assert_allclose(data.x_test * 255, raw.x_test, atol=1e-3)
    np.testing.assert_array_equal(data.y_train, raw.y_train)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder_gives_the_same_data(tmp_path, gz):
    raw = make_mnist()
    from_idx = load_data(str(write_idx_folder(tmp_path / "idx", raw, gz=gz)))
    from_npz = load_data(str(write_npz(tmp_path / "m.npz", raw)))
    for a, b in zip(from_idx, from_npz, strict=True):
        np.testing.assert_array_equal(a, b)


def expect_error(data_path, *fragments):
    with pytest.raises(DataError) as raised:
        load_data(str(data_path))
    message = str(raised.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message
    return message


def test_missing_path(tmp_path):
    expect_error(tmp_path / "nope.npz", "data_path:", "nope.npz does not exist")


def test_folder_missing_one_idx_file(tmp_path):
    folder = write_idx_folder(tmp_path / "idx")
    (folder / IDX_FILES["y_test"]).unlink()
    expect_error(folder, "missing t10k-labels-idx1-ubyte")


def test_truncated_idx_file(tmp_path):
    folder = write_idx_folder(tmp_path / "idx")
    images = folder / IDX_FILES["x_train"]
    images.write_bytes(images.read_bytes()[:-100])
    expect_error(folder, str(images), "truncated")


def test_corrupt_gzip_file(tmp_path):
    folder = write_idx_folder(tmp_path / "idx", gz=True)
    labels = folder / (IDX_FILES["y_train"] + ".gz")
    labels.write_bytes(b"not gzip at all")
    expect_error(folder, str(labels), "not a readable gzip file")


def test_not_an_idx_file(tmp_path):
    folder = write_idx_folder(tmp_path / "idx")
    (folder / IDX_FILES["x_test"]).write_bytes(b"\x00\x00\x0d\x03" + bytes(20))
    expect_error(folder, "t10k-images-idx3-ubyte", "bad magic number")


def test_truncated_npz(tmp_path):
    path = write_npz(tmp_path / "m.npz")
    path.write_bytes(path.read_bytes()[:500])
    expect_error(path, str(path), "not a readable .npz file")


def test_npz_missing_an_array(tmp_path):
    path = tmp_path / "m.npz"
    raw = make_mnist()
    np.savez(path, x_train=raw.x_train, y_train=raw.y_train, x_test=raw.x_test)
    expect_error(path, "missing arrays y_test")


def test_wrongly_shaped_images(tmp_path):
    raw = make_mnist()
    path = write_npz(tmp_path / "m.npz", raw._replace(x_train=raw.x_train.reshape(600, 784)))
    expect_error(path, "train images must be uint8 of shape (N, 28, 28), got uint8 (600, 784)")


def test_labels_out_of_range(tmp_path):
    raw = make_mnist()
    labels = raw.y_test.copy()
    labels[0] = 12
    expect_error(write_npz(tmp_path / "m.npz", raw._replace(y_test=labels)), "labels must be integers 0 to 9")


def test_lengths_must_match(tmp_path):
    raw = make_mnist()
    expect_error(write_npz(tmp_path / "m.npz", raw._replace(y_train=raw.y_train[:10])),
                 "train has 600 images but labels of shape (10,)")


def test_idx_files_written_to_the_format_are_read(tmp_path):
    """Files laid out byte by byte as the IDX format says (big-endian sizes after a magic number
    whose third byte 0x08 means unsigned bytes, fourth the number of dimensions)."""
    images = np.arange(2 * 28 * 28, dtype=np.uint32).reshape(2, 28, 28) % 256
    files = {"train-images-idx3-ubyte": bytes.fromhex("00000803 00000002 0000001c 0000001c"),
             "t10k-images-idx3-ubyte": bytes.fromhex("00000803 00000002 0000001c 0000001c")}
    for name, header in files.items():
        (tmp_path / name).write_bytes(header + images.astype(np.uint8).tobytes())
    for name in ("train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"):
        (tmp_path / name).write_bytes(bytes.fromhex("00000801 00000002") + bytes([7, 3]))
    data = load_data(str(tmp_path))
    np.testing.assert_array_equal(data.y_train, [7, 3])
    np.testing.assert_allclose(data.x_test[1, 0, :3] * 255, [16, 17, 18], atol=1e-3)  # 784 % 256 = 16


def test_keras_loader_without_network_or_cache_fails_fast(tmp_path):
    """No data_path, no cache, no network: one line pointing at data_path, within seconds.

    "No network" is made, not assumed: every HTTP(S) request goes through a proxy on a
    127.0.0.1 port where nothing listens, so keras's download is refused on any machine.
    """
    from tests.processes import free_port

    nowhere = f"http://127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
    env.update(KERAS_HOME=str(tmp_path / "keras"), PYTHONPATH=str(REPO), HTTP_PROXY=nowhere,
               HTTPS_PROXY=nowhere, http_proxy=nowhere, https_proxy=nowhere)
    script = ("from mnist.data import load_data, DataError\n"
              "try:\n    load_data('')\nexcept DataError as e:\n    print(e)\n    raise SystemExit(3)\n")
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 3, done.stderr[-2000:]
    assert time.monotonic() - start < 60
    last_line = done.stdout.splitlines()[-1]  # keras itself prints "Downloading data from ..."
    assert last_line.startswith("data_path: keras could not load MNIST")
    assert "pass -P data_path=" in last_line
