"""Training as a job: a training loop in a worker thread that the page can watch and stop.

    job = TrainingJob(spec)      # validates the spec, nothing runs yet
    job.start()                  # trains in a thread; job.run() trains right here
    job.snapshot()               # what the charts need, at any moment, never blocking
    job.stop()                   # ends the epoch early; the weights trained so far stay
    job.release()                # its network goes back to the pool (nncore.pool)

The job borrows a compiled network from the pool and runs chunks of batches through it
(each chunk one traced call of Keras' own train_step). After each call the `Recorder`
(nncore.recorder) records the running loss, and after each epoch the validation metrics;
it checks the stop flag and catches a loss that becomes NaN or infinite: then the last
good weights come back and the job says what happened.
The worker thread never touches Streamlit; the page only reads `snapshot()`.
"""

from __future__ import annotations

import math
import os
import threading
import weakref
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from ..data import Dataset, DatasetUnavailable, load_dataset
from ..model import macs_per_example
from ..spec import ExperimentSpec

# Status names a page can show.
QUEUED, RUNNING, DONE, STOPPED, DIVERGED, FAILED = (
    "queued", "running", "done", "stopped", "diverged", "failed")
FINISHED = (DONE, STOPPED, DIVERGED, FAILED)

# A process-wide cap on trainings at once: the machine has few cores, sessions share them.
MAX_RUNNING_JOBS = int(os.environ.get("NNCORE_MAX_JOBS", "2"))
_SLOTS = threading.BoundedSemaphore(MAX_RUNNING_JOBS)

# Many batches run in one call of the network's traced train function (nncore.pool):
# going back to Python after every batch costs more than a small network's batch itself.
# One call covers about CALL_SECONDS of work, estimated from the network's size, so the page
# still gets several updates a second and Stop answers within that time. The constants are
# measured on a 2-core machine: a batch costs ~0.3 ms plus its forward multiply-adds at
# ~2.2e10 a second (784-25-15-10: 0.33 ms a batch of 32; the Draw CNN: 12.5 ms a batch of 64).
CALL_SECONDS = 0.15
BATCH_OVERHEAD_S = 3e-4
MACS_PER_SECOND = 2.2e10
# Points of the running-loss curve per epoch (picked from the losses each call returns).
LOSS_POINTS_PER_EPOCH = 8


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


def warm_up(delay: float = 0.0, preset: str = "practice-lab") -> None:
    """Import TensorFlow and trace a preset's network (one short training, given back to the
    pool), so that the first real training of it starts at full speed. For servers."""
    import time

    time.sleep(delay)
    from .. import import_keras

    import_keras()
    job = TrainingJob(ExperimentSpec.from_preset(preset).replace(epochs=1), views=False)
    job.run()
    job.release()


def steps_per_call(spec: ExperimentSpec, data: Dataset) -> int:
    """Batches per call of the network's train function: about CALL_SECONDS of work, at most an epoch."""
    steps = math.ceil(len(data.x_train) / spec.batch_size)
    macs = macs_per_example(spec, data.shape)
    per_batch = BATCH_OVERHEAD_S + spec.batch_size * macs / MACS_PER_SECOND
    return max(1, min(steps, int(CALL_SECONDS / per_batch)))


def _chunks(x: np.ndarray, y: np.ndarray, spec: ExperimentSpec, size: int):
    """Runs of `size` examples for the train function, epoch after epoch: each epoch in a new
    order (a stateless shuffle of the spec's seed and the epoch: the same on every run, whatever
    else the process does), augmented if the spec says so, and prepared a call ahead in
    tf.data's threads while the current one trains."""
    import tensorflow as tf

    n, seed = len(x), tf.constant(spec.seed, tf.int64)
    xs, ys = tf.constant(x), tf.constant(y)

    def order(epoch):
        return tf.random.experimental.stateless_shuffle(tf.range(n, dtype=tf.int64), seed=tf.stack([seed, epoch]))

    chunks = (tf.data.Dataset.range(spec.epochs).map(order)
              .flat_map(lambda indices: tf.data.Dataset.from_tensor_slices(indices).batch(size))
              .map(lambda i: (tf.gather(xs, i), tf.gather(ys, i))))
    if spec.augment:
        from ..augment import make_augmenter

        chunks = chunks.map(make_augmenter(spec.seed))
    return iter(chunks.prefetch(2))


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
        self.network = None  # nncore.pool.Network, borrowed from the pool while this job needs it
        self.model = None
        self._pool_lock = threading.Lock()
        self._running = False
        self._released = False
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

    def release(self) -> None:
        """Nobody will read this job's model again: it goes back to the pool (once the run ends)."""
        with self._pool_lock:
            self._released = True
            if not self._running:
                self._give_back()

    def _give_back(self) -> None:
        if self.network is not None:
            from .pool import POOL

            POOL.give_back(self.network)
            self._finalizer.detach()
            self.network, self.model = None, None

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
        if self.network is None:
            raise RuntimeError("the model is not built yet (or was given back)")
        return to_probabilities(self.network.forward(x), self.spec.from_logits)

    def _publish(self, **changes: Any) -> None:
        s = self._snapshot
        self._snapshot = replace(s, version=s.version + 1, **changes)

    # ---- the work -------------------------------------------------------------------

    def run(self) -> Snapshot:
        """Train to the end (or stop, or divergence) in this thread; returns the last snapshot."""
        acquired = False
        with self._pool_lock:
            self._running = True
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
            with self._pool_lock:
                self._running = False
                if self._released:
                    self._give_back()
        return self._snapshot

    def _train(self) -> None:
        self._publish(status=RUNNING, message="Starting: loading TensorFlow and the data...")
        from .. import import_keras

        import_keras()
        spec, data = self.spec, self.data
        y_train, y_val = data.y_train, data.y_val
        if spec.label_format == "one-hot":
            y_train = np.eye(data.n_classes, dtype=np.float32)[y_train]
            y_val = np.eye(data.n_classes, dtype=np.float32)[y_val]
        n = len(data.x_train)
        steps = math.ceil(n / spec.batch_size)
        from .pool import POOL

        net = POOL.lend(spec, data.shape)
        with self._pool_lock:
            self.network, self.model = net, net.model
            # a job dropped without release() (its session ended) still gives its network back
            self._finalizer = weakref.finalize(self, POOL.give_back, net)
        per_call = steps_per_call(spec, data)
        calls = math.ceil(steps / per_call)  # calls of the train function per epoch
        chunks = _chunks(data.x_train, y_train, spec, per_call * spec.batch_size)
        from .recorder import Recorder

        recorder = Recorder(self, data.x_val, y_val, steps)
        recorder.begin()
        self._publish(status=RUNNING, message="Training...", steps_per_epoch=steps)
        for epoch in range(spec.epochs):
            net.model.reset_metrics()
            recorder.epoch_begin(epoch)
            logs: dict[str, float] = {}
            for _ in range(calls):
                x, y = next(chunks)
                logs, losses = net.train(x, y, spec.batch_size)
                recorder.after_call(logs, losses)
                if recorder.stop:
                    break
            recorder.epoch_end(epoch, logs)
            if recorder.stop:
                break
        self.seconds = recorder.seconds()
        recorder.finish()
