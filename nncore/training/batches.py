"""What a training feeds its network, call after call: how many batches go into one call of the
traced train function, the labels in the form the spec's loss takes, and the examples in each
epoch's seeded order (Train's batches, and Step's, are runs of the same order)."""

from __future__ import annotations

import math

import numpy as np

from ..augment import make_augmenter
from ..data import Dataset
from ..model import macs_per_example
from ..registry import CLASSES
from ..spec import ExperimentSpec

# Many batches run in one call of the network's traced train function (nncore.training.pool):
# going back to Python after every batch costs more than a small network's batch itself.
# One call covers about CALL_SECONDS of work, estimated from the network's size, so the page
# still gets several updates a second and Stop answers within that time. A batch costs about
# BATCH_OVERHEAD_S plus its forward multiply-adds at MACS_PER_SECOND (fitted on a 2-core machine).
CALL_SECONDS = 0.15
BATCH_OVERHEAD_S = 3e-4
MACS_PER_SECOND = 2.2e10

def steps_per_call(spec: ExperimentSpec, data: Dataset) -> int:
    """Batches per call of the network's train function: about CALL_SECONDS of work, at most an epoch."""
    steps = math.ceil(len(data.x_train) / spec.batch_size)
    macs = macs_per_example(spec, data.shape)
    per_batch = BATCH_OVERHEAD_S + spec.batch_size * macs / MACS_PER_SECOND
    return max(1, min(steps, int(CALL_SECONDS / per_batch)))


def loss_labels(spec: ExperimentSpec, data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(y_train, y_val) as the spec's loss takes them: integers, one-hot rows, or float rows."""
    y_train, y_val = data.y_train, data.y_val
    if spec.label_format == "one-hot":
        return np.eye(data.n_classes, dtype=np.float32)[y_train], np.eye(data.n_classes, dtype=np.float32)[y_val]
    if data.labels != CLASSES:  # 0/1 answers and numbers: float rows, one per output unit
        return (np.asarray(y_train, np.float32).reshape(len(y_train), -1),
                np.asarray(y_val, np.float32).reshape(len(y_val), -1))
    return y_train, y_val


def epoch_order(seed: int, epoch: int, n: int) -> np.ndarray:
    """The order of the training rows in epoch `epoch` (from 0) without augmentation: a shuffle
    seeded by the spec's seed and the epoch alone. Train's batches, and Step's, are runs of it."""
    return np.random.default_rng([seed, epoch]).permutation(n)


def call_chunks(x: np.ndarray, y: np.ndarray, spec: ExperimentSpec, size: int):
    """Runs of `size` examples for the train function, epoch after epoch, as (x, y, rows): each
    epoch in a new order (a shuffle seeded by the spec's seed and the epoch alone: the same on
    every run, whatever else the process does). Without augmentation, the whole of x and y
    (tensors made once) and a run of that order's row numbers, which the train function gathers
    in its graph: copying each epoch's shuffled 12 MB in NumPy and converting it cost 4 ms an epoch,
    35 ms in the first two, of a first training's 0.8 s. A tf.data pipeline would trace its
    functions anew for every training, which costs a first training more than its epochs.
    Augmented, through tf.data (rows None: the batches as they come), prepared a call ahead in its
    threads."""
    import tensorflow as tf

    if not spec.augment:
        xs, ys = tf.convert_to_tensor(np.asarray(x, np.float32)), tf.convert_to_tensor(y)

        def plain():
            for epoch in range(spec.epochs):
                order = epoch_order(spec.seed, epoch, len(x)).astype(np.int32)
                for start in range(0, len(x), size):
                    yield xs, ys, order[start:start + size]

        return plain()

    n, seed = len(x), tf.constant(spec.seed, tf.int64)
    xs, ys = tf.constant(x), tf.constant(y)

    def order(epoch):
        return tf.random.experimental.stateless_shuffle(tf.range(n, dtype=tf.int64), seed=tf.stack([seed, epoch]))

    chunks = (tf.data.Dataset.range(spec.epochs).map(order)
              .flat_map(lambda indices: tf.data.Dataset.from_tensor_slices(indices).batch(size))
              .map(lambda i: (tf.gather(xs, i), tf.gather(ys, i))))

    return ((xb, yb, None) for xb, yb in chunks.map(make_augmenter(spec.seed)).prefetch(2))
