"""Label formats, the 0-or-1 network, and multi-label vs multi-class scenes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..data import SCENE_FEATURES, SCENE_LABELS, Dataset, zero_one  # noqa: F401
from ..export import keras_code
from ..spec import ExperimentSpec
from ..synthetic import traffic_scenes  # noqa: F401
from ..training.job import TrainingJob

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
    return zero_one(data)


@dataclass(frozen=True)
class BinaryResult:
    spec: ExperimentSpec  # the preset zero-or-one: Dense(25, sigmoid) -> Dense(15, sigmoid) -> Dense(1, sigmoid)
    history: dict[str, tuple[float, ...]]  # loss, accuracy, val_loss, val_accuracy per epoch
    val_accuracy: float
    val_probabilities: np.ndarray  # (n_val,) the network's P(y = 1)
    y_val: np.ndarray
    seconds: float

    def code(self) -> str:
        """The Keras code of this network and its training, as a runnable script."""
        return keras_code(self.spec)


def zero_or_one_job(epochs: int = 20, seed: int = 0):
    """The course's 0-or-1 network as a training job (not started), on the 0s and 1s of the
    offline digits (the preset `zero-or-one`); held-out 0s and 1s score it."""
    return TrainingJob(ExperimentSpec.from_preset("zero-or-one").replace(epochs=epochs, seed=seed), views=False)


def binary_result(job) -> BinaryResult:
    """The 0-or-1 network's numbers as of its job's snapshot."""
    s = job.snapshot()
    p = np.asarray(s.val_probabilities, np.float64)[:, 0]
    y_val = np.asarray(job.data.y_val)
    return BinaryResult(job.spec, dict(s.history), float(np.mean((p >= 0.5) == (y_val == 1))), p, y_val, s.elapsed)


def train_binary(epochs: int = 20, seed: int = 0) -> BinaryResult:
    """Train the 0-or-1 network to the end in this thread (headless use; a page starts the job)."""
    job = zero_or_one_job(epochs, seed)
    try:
        job.run()
        return binary_result(job)
    finally:
        job.release()


# ---- 8. Multi-label vs multi-class: cars, buses and pedestrians --------------------------------

@dataclass(frozen=True)
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


def scene_jobs(seed: int = 0, epochs: int = 30):
    """Two networks on the same 1,500 scenes (the same split), as training jobs (not started):

    (i) multi-label (preset scenes-multilabel): Dense(16, relu) -> Dense(3, sigmoid),
        BinaryCrossentropy: three yes/no answers, each its own probability; they need not sum to 1.
    (ii) multi-class (preset scenes-multiclass): Dense(16, relu) -> Dense(3, linear) with
        SparseCategoricalCrossentropy(from_logits=True), trained on the biggest object only;
        its softmax outputs compete and always sum to 1.
    """
    return tuple(TrainingJob(ExperimentSpec.from_preset(name).replace(seed=seed, epochs=epochs), views=False)
                 for name in ("scenes-multilabel", "scenes-multiclass"))


def compare_scenes(multilabel, multiclass, examples: int = 6) -> SceneComparison:
    """The two finished jobs side by side on the held-out scenes; `examples` of them shown,
    chosen to include scenes with two or three objects."""
    p_sig = np.asarray(multilabel.snapshot().val_probabilities, np.float64)
    p_soft = np.asarray(multiclass.snapshot().val_probabilities, np.float64)
    x, y_val, main_val = multilabel.data.x_val, np.asarray(multilabel.data.y_val), np.asarray(multiclass.data.y_val)
    right = (p_sig >= 0.5) == (y_val == 1)
    counts = y_val.sum(axis=1)  # show busy scenes first: that is where the two differ
    order = np.concatenate([np.flatnonzero(counts == 3)[:2], np.flatnonzero(counts == 2)[:examples],
                            np.flatnonzero(counts == 1)])[:examples]
    return SceneComparison(
        SCENE_LABELS, x[order], y_val[order], main_val[order], p_sig[order], p_soft[order],
        {label: float(right[:, i].mean()) for i, label in enumerate(SCENE_LABELS)},
        float(right.all(axis=1).mean()), float(np.mean(p_soft.argmax(axis=1) == main_val)),
        {"multilabel": multilabel.snapshot().elapsed, "multiclass": multiclass.snapshot().elapsed})


def train_multilabel_vs_multiclass(seed: int = 0, epochs: int = 30, examples: int = 6) -> SceneComparison:
    """Train both scene networks to the end in this thread (headless use; a page starts the jobs)."""
    jobs = scene_jobs(seed, epochs)
    try:
        for job in jobs:
            job.run()
        return compare_scenes(*jobs, examples=examples)
    finally:
        for job in jobs:
            job.release()
