"""Training as a job: a training loop in a worker thread that a page can watch and stop.

    job = TrainingJob(spec)      # validates the spec, nothing runs yet
    job.start()                  # trains in a thread; job.run() trains right here
    job.snapshot()               # what the charts need, at any moment, never blocking
    job.stop()                   # ends the epoch early; the weights trained so far stay
    job.release()                # nobody needs it any more (its network is back in the pool)

A job waits for a slot in the server's training queue (nncore.training.queue: first come, first
served, its place and an estimate in the snapshot's message while it waits), then borrows a compiled network from the pool and runs chunks of batches (nncore.training.batches) through it
(each chunk one traced call of Keras' own train_step). It tells its `Recorder`
(nncore.training.recorder) what happened after each call and each epoch; the recorder alone
writes the Snapshots a page reads, checks the stop flag and catches a loss that becomes NaN
or infinite. When the loop ends (done, stopped, diverged or failed) the network goes back to the
pool at once and the job keeps only its snapshot (weights as plain arrays): a finished job's
`outputs(x)` borrows a pooled network of its kind for the call. The worker thread never touches
Streamlit; a page only reads `snapshot()` and calls the public methods below.
"""

from __future__ import annotations

import atexit
import itertools
import math
import threading
import time
import weakref
from typing import Callable, Iterable

import numpy as np

from ..data import Dataset, DatasetUnavailable, load_dataset
from ..model import build_model
from ..outputs import to_probabilities
from ..spec import ExperimentSpec
from .batches import call_chunks, loss_labels, steps_per_call
from .pool import POOL
from .queue import MAX_RUNNING_JOBS, QUEUE, Ticket  # noqa: F401 (MAX_RUNNING_JOBS: for pages and tests)
from .recorder import Recorder
from .snapshot import Snapshot, Status

# Status names, for pages and tests that compare with them (Status is a StrEnum).
QUEUED, RUNNING, DONE, STOPPED, DIVERGED, FAILED = (Status.QUEUED, Status.RUNNING, Status.DONE,
                                                    Status.STOPPED, Status.DIVERGED, Status.FAILED)

WAIT_POLL = 0.2  # seconds between two looks at the line (place, stop, a session gone) while waiting

_IDS = itertools.count(1)
_RUNNING: "weakref.WeakSet[TrainingJob]" = weakref.WeakSet()  # jobs whose loop may be running now
_EXITING = threading.Event()


def stop_all(reason: str = "The server stopped", timeout: float = 10.0) -> None:
    """Stop every training of this process and wait for their loops to end (at most `timeout` s).
    Run at the interpreter's exit: a thread killed inside TensorFlow's C++ aborts the process."""
    _EXITING.set()
    jobs = list(_RUNNING)
    for job in jobs:
        job.stop(reason)
    deadline = time.monotonic() + timeout
    for job in jobs:
        job._done.wait(max(0.0, deadline - time.monotonic()))


atexit.register(stop_all)


class TrainingJob:
    """One training of one spec. Safe to read from any thread while it runs."""

    def __init__(self, spec: ExperimentSpec, data: Dataset | None = None,
                 alive: Callable[[], bool] | None = None, views: bool = True,
                 initial_weights: list[np.ndarray] | None = None, full_train_loss: bool = False,
                 owner: str | None = None, on_epoch: Callable[[Snapshot], None] | None = None,
                 queued: bool = True, optimizer_state=None, background: bool = False):
        """`data`: the spec's data already loaded (or other data of the same shape); `alive`: a
        check the job calls while it waits for a slot, False takes it out of the line (its session
        has gone; once it trains, a training goes on to its end); `views`: compute decision
        boundaries / the digits' plane while training; `initial_weights`: start from these
        instead of the spec's seeded initialisation (a lesson's own start, or a race's shared
        one); `full_train_loss`: record the loss on the whole training set before epoch 1 and
        after each epoch, as the history series "train_loss_full" (a race compares these);
        `owner`: who it trains for (a browser session): an owner holds one place in the queue,
        its next training replaces this one; `on_epoch`: called in the worker with the snapshot
        after each epoch (an exception there fails this training, as any in the loop would);
        `queued`: wait for a slot in the queue (False: the server's own warm-up, a lesson's chained
        preparation); `optimizer_state`: the optimizer's variables to start from (a snapshot's
        optimizer_state: Train going on after Step, with Adam's moments as they were); `background`:
        the server's warm-up (nncore.training.warmup), whose network a learner's training of the
        same kind takes over as soon as this one stops."""
        self.spec = spec.validate()
        self.id = next(_IDS)  # tells this training from the session's others
        self.views = views
        self.owner = owner
        self._data = data
        self._alive = alive or (lambda: True)
        self._on_epoch = on_epoch
        self._queued = queued
        self._background = background
        self._initial_weights = initial_weights
        self._optimizer_state = optimizer_state
        self._stop = threading.Event()
        self._done = threading.Event()  # its run() has returned
        self._stop_reason = ""
        self._thread: threading.Thread | None = None
        self._recorder = Recorder(self.spec, lambda: self.stop_requested, full_train_loss)
        self._network = None  # nncore.training.pool.Network, borrowed while the loop runs
        self._pool_lock = threading.Lock()
        self._ticket: Ticket | None = None
        self.seconds = 0.0  # training time only: not imports, data loading or building

    # ---- control --------------------------------------------------------------------

    def start(self, ticket: Ticket | None = None) -> "TrainingJob":
        """Take a place in the training queue now (in the order of the clicks), then train in a
        thread once a slot is free. `ticket`: a place shared with other jobs (see start_together)."""
        self._ticket = ticket or self._enter()
        place = self._ticket.place() if self._ticket is not None else None
        if place is not None:  # the page that started it shows its place at once
            self._recorder.queued(place.text())
        self._thread = threading.Thread(target=self.run, name="nncore-training", daemon=True)
        self._thread.start()
        return self

    def _enter(self) -> Ticket | None:
        return QUEUE.enter(self.owner, [self], self.timing_key) if self._queued else None

    @property
    def timing_key(self) -> tuple:
        """What this training's time per epoch depends on (for the queue's estimates)."""
        s = self.spec
        return (s.dataset, s.hidden, s.batch_size, s.augment, s.points, self.views)

    def stop(self, reason: str = "") -> None:
        if reason and not self._stop.is_set():
            self._stop_reason = reason
        self._stop.set()

    def set_alive(self, alive: Callable[[], bool]) -> None:
        """A check the job calls while it waits for a slot: False takes it out of the line (its
        session has gone). Set it before start()."""
        self._alive = alive

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.snapshot().finished

    def release(self) -> None:
        """Nobody will read this job again. Its network goes back to the pool by itself when its
        loop ends; this is kept for callers that say so explicitly."""

    def _give_back(self) -> None:
        with self._pool_lock:
            net, self._network = self._network, None
        if net is not None:
            POOL.give_back(net)

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def ticket(self) -> Ticket | None:
        """Its place in the training queue (None: not queued)."""
        return self._ticket

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
        """The pooled network this job has borrowed (None before it is built and once its loop ends).
        For nncore and tests; pages read snapshot() and the methods below."""
        return self._network

    @property
    def model(self):
        """The Keras model being trained while the loop runs; once it has ended, a new Keras model
        with the snapshot's weights (keras_model(): built on each call, nothing kept); None before
        the model is built."""
        net = self._network
        if net is not None:
            return net.model
        return self.keras_model() if self.snapshot().weights is not None else None

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """The output layer's values (logits, or probabilities) for rows of x, from the model as it
        is now, live while it trains; from the last snapshot's weights once it was given back."""
        with self._pool_lock:
            net = self._network
            if net is not None:
                return net.forward(np.asarray(x, np.float32))
        weights = self.snapshot().weights
        if weights is None:
            raise RuntimeError("the model is not built yet")

        return POOL.forward(self.spec, self.data.shape, weights, np.asarray(x, np.float32))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Probabilities for rows of x from the model as it is now."""
        return to_probabilities(self.outputs(x), self.spec.from_logits, self.data.labels)

    def keras_model(self):
        """A new Keras model of this spec with the snapshot's weights (to save, or keep after the
        job's network has gone back to the pool)."""
        weights = self.snapshot().weights
        if weights is None:
            raise RuntimeError("the model is not built yet")
        return build_model(self.spec, self.data.shape, weights=list(weights))

    # ---- the work -------------------------------------------------------------------

    def run(self) -> Snapshot:
        """Wait for a slot, then train to the end (or stop, or divergence) in this thread;
        returns the last snapshot. Whatever happens, the slot and the network are given back."""
        recorder = self._recorder
        _RUNNING.add(self)
        if _EXITING.is_set():
            self.stop("The server stopped")
        ticket = self._ticket = self._ticket or self._enter()
        try:
            if self._stop.is_set():  # stopped before its thread began (e.g. a chained run of a lesson)
                recorder.stopped_before_start(f"{self._stop_reason} before it started." if self._stop_reason
                                              else "Stopped before it started.")
                return self.snapshot()
            if ticket is not None and not self._wait_for_slot(ticket):
                return self.snapshot()
            self._train()
        except DatasetUnavailable as e:
            recorder.failed(str(e))
        except Exception as e:  # a failure is a state the page shows, never a crash
            recorder.failed(f"Training failed: {type(e).__name__}: {e}")
        finally:
            if ticket is not None:
                ticket.leave(self)
            self._give_back()
            recorder.close()
            _RUNNING.discard(self)
            self._done.set()
        return self.snapshot()

    def _wait_for_slot(self, ticket: Ticket) -> bool:
        """Wait in line, the place and estimate in the snapshot; False: it left the line (stopped,
        replaced by its owner's newer training, or its session has gone)."""
        recorder, shown = self._recorder, None
        while not ticket.wait(WAIT_POLL):
            if self._stop.is_set() or not self._alive():
                if self._stop_reason:
                    why = f"{self._stop_reason} before it started."
                elif self._stop.is_set():
                    why = "Stopped before it started."
                else:
                    why = "Left the line: its page was closed before a slot was free."
                recorder.stopped_before_start(why)
                return False
            place = ticket.place()
            if place is not None and place.text() != shown:
                shown = place.text()
                recorder.queued(shown)
        return True

    def _load_keras(self) -> None:
        """Import TensorFlow (or wait for the thread that is importing it), saying so meanwhile."""
        from .. import TYPICAL_IMPORT_S, import_keras, import_keras_in_background, keras_loading, keras_ready

        if not keras_ready():
            ready = import_keras_in_background()
            while not ready.is_set():
                began = keras_loading()
                if began is None:  # the import in the background failed: import here, raising its error
                    break
                left = TYPICAL_IMPORT_S - began
                when = (f"about {left:.0f} s more" if left >= 0.5 else "a moment more") if left > -2 else \
                    "longer than usual: the server is busy, or reads it from disk for the first time since a reboot"
                self._recorder.starting(f"Starting: loading TensorFlow, the library that trains the network "
                                        f"(once per server start; {began:.0f} s so far, {when})...")
                ready.wait(0.25)
        import_keras()

    def _borrow(self, spec: ExperimentSpec, data: Dataset):
        """The pooled network for this training, with its starting weights and optimizer state (a
        network the server's warm-up holds is taken over, not traced again: the page says so)."""
        net = POOL.lend(spec, data.shape, self._initial_weights, self._optimizer_state, background=self._background,
                        waiting=lambda: self._recorder.starting("Starting: taking over the network the server "
                                                                "was preparing in the background..."))
        with self._pool_lock:
            self._network = net
        return net

    def _train(self) -> None:
        recorder = self._recorder
        recorder.starting()
        self._load_keras()  # first: loading the data imports scikit-learn, which TensorFlow imports too
        spec, data = self.spec, self.data
        if self._background and self._stop.is_set():
            recorder.stopped_before_start(f"{self._stop_reason} before it started.")
            return
        y_train, y_val = loss_labels(spec, data)
        steps = math.ceil(len(data.x_train) / spec.batch_size)

        recorder.starting("Starting: building the network and tracing its training step (once per kind of "
                          "network on this server)...")
        net = self._borrow(spec, data)
        per_call = steps_per_call(spec, data)
        calls = math.ceil(steps / per_call)  # calls of the train function per epoch
        chunks = call_chunks(data.x_train, y_train, spec, per_call * spec.batch_size)
        recorder.begin(net, data, y_val, steps, self.views, y_train)
        for epoch in range(spec.epochs):
            started = time.perf_counter()
            net.model.reset_metrics()
            recorder.epoch_begin(epoch)
            logs: dict[str, float] = {}
            for _ in range(calls):
                x, y, rows = next(chunks)
                logs, losses = net.train(x, y, spec.batch_size, rows)
                recorder.after_call(logs, losses)
                if recorder.stop:
                    break
            recorder.epoch_end(epoch, logs)
            if not recorder.stop:
                QUEUE.record_epoch(self.timing_key, time.perf_counter() - started)
            if self._on_epoch is not None:
                self._on_epoch(self.snapshot())
            if recorder.stop:
                break
        self.seconds = recorder.seconds()
        recorder.finish(self._stop_reason)


def start_together(jobs: Iterable[TrainingJob], owner: str | None = None) -> Ticket:
    """Start jobs that must run side by side (a lesson's group, e.g. the optimizer race) on one
    place in the queue: they wait together and hold one slot together."""
    jobs = list(jobs)
    ticket = QUEUE.enter(owner, jobs, jobs[0].timing_key if jobs else None)
    for job in jobs:
        job.start(ticket)
    return ticket
