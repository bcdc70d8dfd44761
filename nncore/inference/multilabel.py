"""Multi-label: several yes/no questions about one image, each with its own sigmoid.

Softmax answers "which one of the ten?": its outputs compete and sum to 1. A multi-label
head answers independent questions ("is it even?", "is it greater than 4?", "does it have
a closed loop?"): one sigmoid unit per question, trained with BinaryCrossentropy, and the
outputs need not sum to anything.
"""

from __future__ import annotations

import time

import numpy as np

from ..augment import make_augmenter
from ..data import load_dataset
from ..model import build_model
from ..spec import ExperimentSpec

# question -> the digits for which the answer is yes
PROPERTIES: dict[str, frozenset[int]] = {
    "is even": frozenset({0, 2, 4, 6, 8}),
    "is greater than 4": frozenset({5, 6, 7, 8, 9}),
    "has a closed loop": frozenset({0, 6, 8, 9}),
}


def property_labels(digits: np.ndarray) -> np.ndarray:
    """(n, 3) zeros and ones: each digit's answers to the PROPERTIES questions."""
    return np.array([[d in yes for yes in PROPERTIES.values()] for d in digits], dtype=np.float32)


def properties_spec(seed: int = 0, epochs: int = 30, train_size: int | None = None) -> ExperimentSpec:
    """The trunk the draw page's models use; the head is swapped for 3 sigmoid units. `train_size`:
    that many of the training digits (all unless given)."""
    return ExperimentSpec.from_preset("draw-cnn").replace(seed=seed, epochs=epochs, train_size=train_size)


def train_properties_model(seed: int = 0, epochs: int = 30, data=None, train_size: int | None = None):
    """Train the multi-label model on the offline digits (the draw-cnn spec's split: its validation
    digits are held out); returns (model, spec, metrics). An offline tool (`python -m nncore
    assets`), so it uses `fit` in the calling thread."""
    from .. import import_keras

    keras = import_keras()
    import tensorflow as tf

    spec = properties_spec(seed, epochs, train_size)
    data = data or load_dataset(spec)
    trunk = build_model(spec)
    with_head = keras.Sequential(
        [keras.Input((784,)), *trunk.layers[:-1], keras.layers.Dense(len(PROPERTIES), activation="sigmoid", name="properties")],
        name="properties_model")
    with_head.compile(optimizer=keras.optimizers.Adam(spec.learning_rate),
                      loss=keras.losses.BinaryCrossentropy(), metrics=["binary_accuracy"])
    y_train, y_val = property_labels(data.y_train), property_labels(data.y_val)
    batches = (tf.data.Dataset.from_tensor_slices((data.x_train, y_train))
               .shuffle(len(y_train), seed=seed).batch(spec.batch_size)
               .map(make_augmenter(seed)).prefetch(tf.data.AUTOTUNE))
    t0 = time.perf_counter()
    history = with_head.fit(batches, epochs=epochs, verbose=0, shuffle=False,
                            validation_data=(data.x_val, y_val))
    seconds = time.perf_counter() - t0
    answers = with_head(data.x_val, training=False).numpy() > 0.5
    metrics = {
        "train_loss": float(history.history["loss"][-1]),
        "val_loss": float(history.history["val_loss"][-1]),
        "val_accuracy_per_question": {q: float(np.mean(answers[:, i] == y_val[:, i]))
                                      for i, q in enumerate(PROPERTIES)},
        "epochs": epochs,
        "seconds": round(seconds, 1),
    }
    return with_head, spec, metrics
