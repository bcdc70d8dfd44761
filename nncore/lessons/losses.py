"""Label formats, the 0-or-1 network, and multi-label vs multi-class scenes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..registry import BINARY, DATASETS
from ..data import SCENE_FEATURES, SCENE_LABELS, Dataset, traffic_scenes  # noqa: F401

# ---- 6. Label formats -----------------------------------------------------------------------

def label_formats(y_int: np.ndarray, n_classes: int) -> dict[str, np.ndarray]:
    """The same labels two ways: integers (for Sparse...) and one-hot rows (for Categorical...)."""
    from .. import import_keras

    keras = import_keras()
    y_int = np.asarray(y_int, np.int64)
    return {"integers": y_int, "one_hot": keras.utils.to_categorical(y_int, n_classes).astype(np.float32)}


def same_loss_both_ways(logits: np.ndarray, y_int: np.ndarray) -> tuple[float, float]:
    """(SparseCategoricalCrossentropy on integer labels, CategoricalCrossentropy on one-hot)."""
    from .. import import_keras

    keras = import_keras()
    logits = np.asarray(logits, np.float32)
    one_hot = label_formats(y_int, logits.shape[-1])["one_hot"]
    sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(np.asarray(y_int), logits)
    categorical = keras.losses.CategoricalCrossentropy(from_logits=True)(one_hot, logits)
    return float(sparse), float(categorical)


MISMATCHES = ("one-hot to sparse", "integers to categorical")

# A small batch for the mismatch demo: 4 examples, 3 classes.
_DEMO_LOGITS = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [0.1, 0.2, 3.0], [1.0, 0.0, 0.0]], np.float32)
_DEMO_LABELS = np.array([0, 1, 2, 0])


@dataclass(frozen=True)
class Mismatch:
    """What Keras does when the labels are in the other loss's format."""

    kind: str
    code: str
    labels_shape: tuple[int, ...]
    outputs_shape: tuple[int, ...]
    raised: bool
    error_type: str  # "" when Keras did not raise
    message: str  # Keras' own message (trimmed), or "" when it did not raise
    loss: float | None  # what Keras returned when it did not raise
    right_loss: float  # the loss with the labels in the right format
    explanation: str


def mismatch(kind: str, logits: np.ndarray | None = None, y_int: np.ndarray | None = None) -> Mismatch:
    """Call a Keras loss with the wrong label format and report what really happens.

    "one-hot to sparse": one-hot rows given to SparseCategoricalCrossentropy.
    "integers to categorical": integer labels given to CategoricalCrossentropy.
    """
    from .. import import_keras

    keras = import_keras()
    logits = _DEMO_LOGITS if logits is None else np.asarray(logits, np.float32)
    y_int = _DEMO_LABELS if y_int is None else np.asarray(y_int)
    one_hot = label_formats(y_int, logits.shape[-1])["one_hot"]
    right = same_loss_both_ways(logits, y_int)[0]
    if kind == "one-hot to sparse":
        loss, labels = keras.losses.SparseCategoricalCrossentropy(from_logits=True), one_hot
        code = "SparseCategoricalCrossentropy(from_logits=True)(y_one_hot, logits)"
        why = ("SparseCategoricalCrossentropy wants one integer per example (shape (n,)), the "
               "index of the true class; it was given one-hot rows (shape (n, classes)). Use "
               "CategoricalCrossentropy for one-hot labels, or give the integers.")
    elif kind == "integers to categorical":
        loss, labels = keras.losses.CategoricalCrossentropy(from_logits=True), y_int
        code = "CategoricalCrossentropy(from_logits=True)(y_integers, logits)"
        why = ("CategoricalCrossentropy wants a one-hot row per example (shape (n, classes)); it "
               "was given integers (shape (n,)). Use SparseCategoricalCrossentropy for integer "
               "labels, or turn them into one-hot rows with keras.utils.to_categorical.")
    else:
        raise ValueError(f"kind must be one of {MISMATCHES}, got {kind!r}")
    try:
        value = float(loss(labels, logits))
    except Exception as e:  # Keras' own error is the lesson
        message = " ".join(str(e).split())
        return Mismatch(kind, code, labels.shape, logits.shape, True, type(e).__name__,
                        message[:400] + ("..." if len(message) > 400 else ""), None, right, why)
    return Mismatch(kind, code, labels.shape, logits.shape, False, "", "", value, right,
                    f"Keras did not complain and returned a loss of {value:.4f} (the right loss "
                    f"is {right:.4f}): a silent mismatch, worse than an error. " + why)


# ---- 7. Binary classification: is it a 0 or a 1? -----------------------------------------------

def binary_zero_one_data(data: Dataset) -> Dataset:
    """Only the 0s and 1s of a digits data set, labels 0 and 1 (the course's first network)."""
    keep_train, keep_val = np.isin(data.y_train, (0, 1)), np.isin(data.y_val, (0, 1))
    return Dataset(f"{data.name} (0 and 1)", data.x_train[keep_train], data.y_train[keep_train],
                   data.x_val[keep_val], data.y_val[keep_val], DATASETS["digits-0-1"].shape, ("0", "1"), BINARY)


@dataclass(frozen=True)
class BinarySpec:
    """The course's first network: 25 -> 15 -> 1 sigmoid units, BinaryCrossentropy, Adam."""

    hidden: tuple[tuple[int, str], ...] = ((25, "sigmoid"), (15, "sigmoid"))
    output: tuple[int, str] = (1, "sigmoid")
    loss: str = "BinaryCrossentropy"
    learning_rate: float = 0.001
    epochs: int = 20
    batch_size: int = 32
    seed: int = 0

    def code(self) -> str:
        """The Keras code of this network, as the course writes it."""
        layers = [f"    Dense({u}, activation={a!r}, name='L{i + 1}')," for i, (u, a) in
                  enumerate((*self.hidden, self.output))]
        return "\n".join([
            f"keras.utils.set_random_seed({self.seed})",
            "model = keras.Sequential([", "    keras.Input(shape=(784,)),", *layers, "])",
            f"model.compile(loss=keras.losses.{self.loss}(),",
            f"              optimizer=keras.optimizers.Adam({self.learning_rate}), metrics=['accuracy'])",
            f"model.fit(x_train, y_train, epochs={self.epochs}, batch_size={self.batch_size})",
        ])


def binary_spec(epochs: int = 20, seed: int = 0) -> BinarySpec:
    return BinarySpec(epochs=epochs, seed=seed)


@dataclass
class BinaryResult:
    spec: BinarySpec
    model: Any
    history: dict[str, list[float]]  # loss, accuracy, val_loss, val_accuracy per epoch
    val_accuracy: float
    val_probabilities: np.ndarray  # (n_val,) the network's P(y = 1)
    y_val: np.ndarray
    seconds: float


def train_binary(data: Dataset, epochs: int = 20, seed: int = 0, callback: Any = None) -> BinaryResult:
    """Train the course's 0-or-1 network on the data's 0s and 1s; held-out 0s and 1s score it.

    `data` is a digits Dataset (its other digits are dropped). `callback` is a Keras
    callback, or a list of them, handed to `fit` so a page can watch the training live.
    """
    from .. import import_keras
    from ..model import _BUILD_LOCK

    keras = import_keras()
    spec = binary_spec(epochs, seed)
    d = binary_zero_one_data(data) if set(np.unique(data.y_train)) - {0, 1} else data
    with _BUILD_LOCK:
        keras.utils.set_random_seed(seed)
        model = keras.Sequential(
            [keras.Input((d.n_features,))]
            + [keras.layers.Dense(u, activation=a, name=f"L{i + 1}")
               for i, (u, a) in enumerate((*spec.hidden, spec.output))], name="zero_or_one")
    model.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.Adam(spec.learning_rate),
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    callbacks = [] if callback is None else list(callback) if isinstance(callback, (list, tuple)) else [callback]
    y_train, y_val = d.y_train.astype(np.float32), d.y_val.astype(np.float32)
    t0 = time.perf_counter()
    history = model.fit(d.x_train, y_train, epochs=epochs, batch_size=spec.batch_size, verbose=0,
                        validation_data=(d.x_val, y_val), callbacks=callbacks)
    seconds = time.perf_counter() - t0
    p = np.asarray(model(d.x_val, training=False), np.float64)[:, 0]
    return BinaryResult(spec, model, {k: [float(v) for v in vs] for k, vs in history.history.items()},
                        float(np.mean((p >= 0.5) == (d.y_val == 1))), p, np.asarray(d.y_val), seconds)


# ---- 8. Multi-label vs multi-class: cars, buses and pedestrians --------------------------------

@dataclass
class SceneComparison:
    labels: tuple[str, ...]
    x: np.ndarray  # the example scenes' features
    truth: np.ndarray  # (k, 3) which objects are in each example scene
    main: np.ndarray  # (k,) index of each example scene's biggest object
    sigmoid: np.ndarray  # (k, 3) multi-label network: P(object present), one question each
    softmax: np.ndarray  # (k, 3) multi-class network: P(this is the one main object)
    multilabel_accuracy: dict[str, float]  # held-out accuracy per question (threshold 0.5)
    exact_match: float  # held-out scenes with all three answers right
    multiclass_accuracy: float  # held-out accuracy of the softmax network's single answer
    seconds: dict[str, float] = field(default_factory=dict)


def train_multilabel_vs_multiclass(n: int = 1500, seed: int = 0, epochs: int = 30,
                                   examples: int = 6) -> SceneComparison:
    """Two networks on the same scenes, side by side.

    (i) multi-label: Dense(16, relu) -> Dense(3, sigmoid), BinaryCrossentropy: three
        yes/no answers, each its own probability; they need not sum to 1.
    (ii) multi-class: Dense(16, relu) -> Dense(3, linear) with
        SparseCategoricalCrossentropy(from_logits=True), trained on the biggest object
        only; its softmax outputs compete and always sum to 1.
    80% of the scenes train, the rest are held out; `examples` held-out scenes are shown,
    chosen to include scenes with two or three objects.
    """
    from .. import import_keras
    from ..model import _BUILD_LOCK

    keras = import_keras()
    import tensorflow as tf

    x, y, main = traffic_scenes(n, seed, with_main=True)
    cut = int(0.8 * n)
    seconds: dict[str, float] = {}

    def train(name: str, units: int, activation: str, loss: Any, targets: np.ndarray):
        with _BUILD_LOCK:
            keras.utils.set_random_seed(seed)
            model = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(16, activation="relu"),
                                      keras.layers.Dense(units, activation=activation)], name=name)
        model.compile(loss=loss, optimizer=keras.optimizers.Adam(0.01), steps_per_execution=8)
        t0 = time.perf_counter()
        model.fit(x[:cut], targets[:cut], epochs=epochs, batch_size=32, verbose=0)
        seconds[name] = time.perf_counter() - t0
        return model

    multilabel = train("multilabel", 3, "sigmoid", keras.losses.BinaryCrossentropy(), y)
    multiclass = train("multiclass", 3, "linear", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                       main)
    p_sig = np.asarray(multilabel(x[cut:], training=False), np.float64)
    p_soft = np.asarray(tf.nn.softmax(multiclass(x[cut:], training=False)), np.float64)
    y_val, main_val = y[cut:], main[cut:]
    right = (p_sig >= 0.5) == (y_val == 1)
    counts = y_val.sum(axis=1)  # show busy scenes first: that is where the two differ
    order = np.concatenate([np.flatnonzero(counts == 3)[:2], np.flatnonzero(counts == 2)[:examples],
                            np.flatnonzero(counts == 1)])[:examples]
    return SceneComparison(
        SCENE_LABELS, x[cut:][order], y_val[order], main_val[order], p_sig[order], p_soft[order],
        {label: float(right[:, i].mean()) for i, label in enumerate(SCENE_LABELS)},
        float(right.all(axis=1).mean()), float(np.mean(p_soft.argmax(axis=1) == main_val)), seconds)
