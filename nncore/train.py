"""Training as a job: Keras `fit` in a worker thread that the page can watch and stop.

    job = TrainingJob(spec)      # validates the spec, nothing runs yet
    job.start()                  # fit runs in a thread; job.run() runs it right here
    job.snapshot()               # what the charts need, at any moment, never blocking
    job.stop()                   # ends the epoch early; the weights trained so far stay

A Keras callback (`_Recorder`) records the loss every few batches and the validation
metrics every epoch, checks the stop flag, and catches a loss that becomes NaN or
infinite: then the last good weights come back and the job says what happened.
The worker thread never touches Streamlit; the page only reads `snapshot()`.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from .data import Dataset, DatasetUnavailable, load_dataset
from .model import build_model
from .spec import ExperimentSpec

# Status names a page can show.
QUEUED, RUNNING, DONE, STOPPED, DIVERGED, FAILED = (
    "queued", "running", "done", "stopped", "diverged", "failed")
FINISHED = (DONE, STOPPED, DIVERGED, FAILED)

# A process-wide cap on trainings at once: the machine has few cores, sessions share them.
MAX_RUNNING_JOBS = int(os.environ.get("NNCORE_MAX_JOBS", "2"))
_SLOTS = threading.BoundedSemaphore(MAX_RUNNING_JOBS)

# How many times per epoch the loss is recorded and the stop flag checked. Keras runs the
# batches between two checks in one call (`steps_per_execution`), which is much faster
# than returning to Python after every batch.
UPDATES_PER_EPOCH = 8


@dataclass(frozen=True)
class Snapshot:
    """Everything the page draws, as of one moment of the training. Read-only."""

    status: str = QUEUED
    message: str = ""
    epoch: int = 0  # epochs completed
    epochs: int = 0
    step: int = 0  # batches done in the current epoch
    steps_per_epoch: int = 0
    elapsed: float = 0.0  # seconds of training
    history: dict[str, tuple[float, ...]] = field(default_factory=dict)  # per epoch
    batch_loss: tuple[tuple[float, float], ...] = ()  # (epochs done, running loss)
    val_probabilities: np.ndarray | None = None  # (n_val, n_classes)
    boundary: Any = None  # nncore.boundary.Boundary, for 2-D point sets
    plane: Any = None  # nncore.boundary.Plane: digits in a PCA plane, for images
    version: int = 0

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def progress(self) -> float:
        total = self.epochs * self.steps_per_epoch
        return min(1.0, (self.epoch * self.steps_per_epoch + self.step) / total) if total else 0.0

    @property
    def seconds_left(self) -> float | None:
        p = self.progress
        if self.finished or p <= 0:
            return None
        return self.elapsed * (1 - p) / p

    def last(self, name: str) -> float | None:
        values = self.history.get(name, ())
        return values[-1] if values else None


def to_probabilities(outputs: np.ndarray, from_logits: bool) -> np.ndarray:
    """Softmax of logits (stable: subtract the max first), or the probabilities themselves."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if not from_logits:
        return outputs
    z = outputs - outputs.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class TrainingJob:
    """One training of one spec. Safe to read from any thread while it runs."""

    def __init__(self, spec: ExperimentSpec, data: Dataset | None = None,
                 alive: Callable[[], bool] | None = None, views: bool = True):
        self.spec = spec.validate()
        self._data = data
        self._alive = alive or (lambda: True)
        self.views = views  # compute decision boundaries / the digits' plane while training
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._snapshot = Snapshot(epochs=spec.epochs)
        self.model = None
        self.seconds = 0.0  # training time only: not imports, data loading or building

    # ---- control --------------------------------------------------------------------

    def start(self) -> "TrainingJob":
        self._thread = threading.Thread(target=self.run, name="nncore-training", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self._snapshot.finished

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set() or not self._alive()

    # ---- reading --------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def data(self) -> Dataset:
        if self._data is None:
            self._data = load_dataset(self.spec)
        return self._data

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Probabilities for rows of x from the model as it is now."""
        if self.model is None:
            raise RuntimeError("the model is not built yet")
        outputs = np.asarray(self.model(np.asarray(x, np.float32), training=False))
        return to_probabilities(outputs, self.spec.from_logits)

    def _publish(self, **changes: Any) -> None:
        s = self._snapshot
        self._snapshot = replace(s, version=s.version + 1, **changes)

    # ---- the work -------------------------------------------------------------------

    def run(self) -> Snapshot:
        """Train to the end (or stop, or divergence) in this thread; returns the last snapshot."""
        acquired = False
        try:
            self._publish(status=QUEUED, message="Waiting for a free training slot...")
            while not (acquired := _SLOTS.acquire(timeout=0.2)):
                if self.stop_requested:
                    self._publish(status=STOPPED, message="Stopped before it started.")
                    return self._snapshot
            self._train()
        except DatasetUnavailable as e:
            self._publish(status=FAILED, message=str(e))
        except Exception as e:  # a failure is a state the page shows, never a crash
            self._publish(status=FAILED, message=f"Training failed: {type(e).__name__}: {e}")
        finally:
            if acquired:
                _SLOTS.release()
        return self._snapshot

    def _train(self) -> None:
        self._publish(status=RUNNING, message="Starting: loading TensorFlow and the data...")
        from . import import_keras

        import_keras()
        import tensorflow as tf

        spec, data = self.spec, self.data
        y_train, y_val = data.y_train, data.y_val
        if spec.label_format == "one-hot":
            y_train = np.eye(data.n_classes, dtype=np.float32)[y_train]
            y_val = np.eye(data.n_classes, dtype=np.float32)[y_val]
        n = len(data.x_train)
        steps = math.ceil(n / spec.batch_size)
        per_call = max(1, steps // UPDATES_PER_EPOCH)
        self.model = build_model(spec, data.n_features, data.n_classes, steps_per_execution=per_call,
                                 image_shape=data.image_shape)
        batches = (tf.data.Dataset.from_tensor_slices((data.x_train, y_train))
                   .shuffle(n, seed=spec.seed, reshuffle_each_iteration=True)
                   .batch(spec.batch_size))
        if spec.augment:
            from .augment import make_augmenter

            batches = batches.map(make_augmenter(spec.seed))
        batches = batches.prefetch(tf.data.AUTOTUNE)
        from .recorder import Recorder

        recorder = Recorder(self, data.x_val, y_val, steps)
        self._publish(status=RUNNING, message="Training...", steps_per_epoch=steps)
        self.model.fit(batches, epochs=spec.epochs, verbose=0, shuffle=False, callbacks=[recorder])
        self.seconds = recorder.seconds()
        recorder.finish()
