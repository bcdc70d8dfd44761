"""The offline digits and the seeded split."""

import numpy as np
import pytest

from nncore import ExperimentSpec
from nncore.data import DatasetUnavailable, load_digits_5k, load_dataset, load_mnist_full


def test_offline_digits_are_5000_real_mnist_digits():
    x, y = load_digits_5k()
    assert x.shape == (5000, 784) and x.dtype == np.uint8
    assert np.bincount(y).tolist() == [500] * 10
    assert x.max() == 255 and x.min() == 0
    # a real handwritten digit: most pixels are background, a stroke is in the middle
    assert 0.05 < (x > 0).mean() < 0.35


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
    # Nothing listens on port 9 here: this is what a machine with no internet sees.
    monkeypatch.setenv("NNCORE_MNIST_URL", "http://127.0.0.1:9/mnist.npz")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    load_mnist_full.cache_clear()
    with pytest.raises(DatasetUnavailable, match="offline|could not be loaded") as info:
        load_mnist_full()
    assert "digits-5k" in str(info.value)
