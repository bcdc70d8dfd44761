"""Training as a job: a training loop in a worker thread that a page can watch and stop.

    job = TrainingJob(spec)      # validates the spec, nothing runs yet
    job.start()                  # trains in a thread; job.run() trains right here
    job.snapshot()               # what the charts need, at any moment, never blocking
    job.stop()                   # ends the epoch early; the weights trained so far stay
    job.release()                # its network goes back to the pool (nncore.training.pool)

The job borrows a compiled network from the pool and runs chunks of batches through it
(each chunk one traced call of Keras' own train_step). It tells its `Recorder`
(nncore.training.recorder) what happened after each call and each epoch; the recorder alone
writes the Snapshots a page reads, checks the stop flag and catches a loss that becomes NaN
or infinite. The worker thread never touches Streamlit; a page only reads `snapshot()` and
calls the public methods below.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
import time
import weakref
from typing import Callable

import numpy as np

from ..data import Dataset, DatasetUnavailable, load_dataset
from ..model import macs_per_example
from ..outputs import to_probabilities
from ..registry import CLASSES
from ..spec import ExperimentSpec
from .recorder import Recorder
from .snapshot import Snapshot, Status

# Status names, for pages and tests that compare with them (Status is a StrEnum).
QUEUED, RUNNING, DONE, STOPPED, DIVERGED, FAILED = (Status.QUEUED, Status.RUNNING, Status.DONE,
                                                    Status.STOPPED, Status.DIVERGED, Status.FAILED)

# A process-wide cap on trainings at once: the machine has few cores, sessions share them.
MAX_RUNNING_JOBS = int(os.environ.get("NNCORE_MAX_JOBS", "2"))
_SLOTS = threading.BoundedSemaphore(MAX_RUNNING_JOBS)

# Many batches run in one call of the network's traced train function (nncore.training.pool):
# going back to Python after every batch costs more than a small network's batch itself.
# One call covers about CALL_SECONDS of work, estimated from the network's size, so the page
# still gets several updates a second and Stop answers within that time. A batch costs about
# BATCH_OVERHEAD_S plus its forward multiply-adds at MACS_PER_SECOND (fitted on a 2-core machine).
CALL_SECONDS = 0.15
BATCH_OVERHEAD_S = 3e-4
MACS_PER_SECOND = 2.2e10

_IDS = itertools.count(1)


def warm_up(delay: float = 0.0, preset: str = "practice-lab") -> None:
    """Import TensorFlow and trace a preset's network (one short training, given back to the
    pool), so that the first real training of it starts at full speed. For servers."""
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


class TrainingJob:
    """One training of one spec. Safe to read from any thread while it runs."""

    def __init__(self, spec: ExperimentSpec, data: Dataset | None = None,
                 alive: Callable[[], bool] | None = None, views: bool = True,
                 initial_weights: list[np.ndarray] | None = None, full_train_loss: bool = False):
        """`data`: the spec's data already loaded (or other data of the same shape); `alive`: a
        check the loop calls, False ends the training (its session has gone); `views`: compute
        decision boundaries / the digits' plane while training; `initial_weights`: start from
        these instead of the spec's seeded initialisation (a lesson's own start, or a race's
        shared one); `full_train_loss`: record the loss on the whole training set before epoch 1
        and after each epoch, as the history series "train_loss_full" (a race compares these)."""
        self.spec = spec.validate()
        self.id = next(_IDS)  # tells this training from the session's others
        self.views = views
        self._data = data
        self._alive = alive or (lambda: True)
        self._initial_weights = initial_weights
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._recorder = Recorder(self.spec, lambda: self.stop_requested, full_train_loss)
        self._network = None  # nncore.training.pool.Network, borrowed while this job needs it
        self._finalizer = None
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

    def set_alive(self, alive: Callable[[], bool]) -> None:
        """A check the loop calls while it trains: False ends the training (its session has gone).
        Set it before start()."""
        self._alive = alive

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.snapshot().finished

    def release(self) -> None:
        """Nobody will read this job's model again: it goes back to the pool (once the run ends)."""
        with self._pool_lock:
            self._released = True
            if not self._running:
                self._give_back()

    def _give_back(self) -> None:
        if self._network is not None:
            from .pool import POOL

            POOL.give_back(self._network)
            self._finalizer.detach()
            self._network = None

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set() or not self._alive()

    # ---- reading --------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The latest Snapshot the recorder wrote (immutable; never blocks)."""
        return self._recorder.snapshot

    @property
    def data(self) -> Dataset:
        if self._data is None:
            self._data = load_dataset(self.spec)
        return self._data

    @property
    def network(self):
        """The pooled network this job has borrowed (None before it is built and once given back).
        For nncore and tests; pages read snapshot() and the methods below."""
        return self._network

    @property
    def model(self):
        """The Keras model being trained (see `network`)."""
        return self._network.model if self._network is not None else None

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """The output layer's values (logits, or probabilities) for rows of x, from the model as it
        is now, live while it trains; from the last snapshot's weights once it was given back."""
        net = self._network
        if net is not None:
            return net.forward(np.asarray(x, np.float32))
        weights = self.snapshot().weights
        if weights is None:
            raise RuntimeError("the model is not built yet")
        return np.asarray(self.keras_model()(np.asarray(x, np.float32), training=False))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Probabilities for rows of x from the model as it is now."""
        return to_probabilities(self.outputs(x), self.spec.from_logits, self.data.labels)

    def keras_model(self):
        """A new Keras model of this spec with the snapshot's weights (to save, or keep after the
        job's network has gone back to the pool)."""
        from ..model import build_model

        weights = self.snapshot().weights
        if weights is None:
            raise RuntimeError("the model is not built yet")
        return build_model(self.spec, self.data.shape, weights=list(weights))

    # ---- the work -------------------------------------------------------------------

    def run(self) -> Snapshot:
        """Train to the end (or stop, or divergence) in this thread; returns the last snapshot."""
        acquired = False
        recorder = self._recorder
        with self._pool_lock:
            self._running = True
        try:
            recorder.queued()
            while not (acquired := _SLOTS.acquire(timeout=0.2)):
                if self.stop_requested:
                    recorder.stopped_before_start()
                    return self.snapshot()
            self._train()
        except DatasetUnavailable as e:
            recorder.failed(str(e))
        except Exception as e:  # a failure is a state the page shows, never a crash
            recorder.failed(f"Training failed: {type(e).__name__}: {e}")
        finally:
            if acquired:
                _SLOTS.release()
            with self._pool_lock:
                self._running = False
                if self._released:
                    self._give_back()
        return self.snapshot()

    def _train(self) -> None:
        recorder = self._recorder
        recorder.starting()
        from .. import import_keras

        import_keras()
        spec, data = self.spec, self.data
        y_train, y_val = data.y_train, data.y_val
        if spec.label_format == "one-hot":
            y_train = np.eye(data.n_classes, dtype=np.float32)[y_train]
            y_val = np.eye(data.n_classes, dtype=np.float32)[y_val]
        elif data.labels != CLASSES:  # 0/1 answers and numbers: float rows, one per output unit
            y_train = np.asarray(y_train, np.float32).reshape(len(y_train), -1)
            y_val = np.asarray(y_val, np.float32).reshape(len(y_val), -1)
        steps = math.ceil(len(data.x_train) / spec.batch_size)
        from .pool import POOL

        net = POOL.lend(spec, data.shape, self._initial_weights)
        with self._pool_lock:
            self._network = net
            # a job dropped without release() (its session ended) still gives its network back
            self._finalizer = weakref.finalize(self, POOL.give_back, net)
        per_call = steps_per_call(spec, data)
        calls = math.ceil(steps / per_call)  # calls of the train function per epoch
        chunks = _chunks(data.x_train, y_train, spec, per_call * spec.batch_size)
        recorder.begin(net, data, y_val, steps, self.views, y_train)
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
