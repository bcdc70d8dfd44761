"""The server's warm-up: work done in the background so that a learner's first Train is fast,
and that gets out of the way the moment a learner asks for a training.

What it does, in this order (one thread, started by the first page of a fresh server):

1. imports TensorFlow and Keras (~2.5-4 s on 2 cores; nothing else can train before this);
2. for each preset it is given, the Train page's default first: builds its network and traces its
   training step and the live views a page asks for, by training it for one epoch outside the
   queue; the network then waits, traced, in the pool (nncore.training.pool) for the first Train.

How it yields: a training a person asked for never waits for it.

- Before each preset, and every 50 ms while one is traced, it looks at the training queue. While
  any training is waiting or running there, it pauses; its own training is stopped at its next
  call (a fraction of a second), giving its network back to the pool; it resumes when the queue
  has been empty for `QUIET_S` (3 s), with the preset it was stopped in.
- If a learner's training needs the very network the warm-up is building or training (the
  default preset, clicked at once), the pool hands it over as soon as the warm-up lets go of it
  (`ModelPool.lend` waits for it instead of building and tracing a second one beside it).
- Only importing TensorFlow and one trace already begun cannot be interrupted; the first is
  needed by the click too, the second takes about a second.

A preset whose network the pool has already built (a learner trained it first) is skipped.
`WarmUp.log` keeps what was done and when, for `python -m bench first-click` and the tests.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Iterable

from ..spec import ExperimentSpec
from .job import _EXITING, TrainingJob
from .pool import POOL
from .queue import QUEUE

POLL_S = 0.05  # how often a running warm-up looks at the queue
# The queue empty this long before the warm-up goes on: a learner who has just trained looks at
# the results and often trains again within a few seconds; a trace begun then would be in the way.
QUIET_S = 3.0
LOG_SETTING = "NNCORE_WARM_UP_LOG"  # set: each step of the warm-up is printed to stderr as it happens
YIELDED = "The server's warm-up paused for a learner's training"


def demand() -> bool:
    """Is any training waiting or running in the queue (a person's, or a lesson's)?"""
    running, waiting = QUEUE.counts()
    return running + waiting > 0


class WarmUp:
    def __init__(self, presets: Iterable[str] = ("practice-lab",), delay: float = 0.0):
        self.presets = list(presets)
        self.delay = delay
        self.log: list[tuple[float, str]] = []  # (seconds since start(), what happened)
        self.done = threading.Event()
        self._t0 = time.monotonic()
        self._thread: threading.Thread | None = None

    def start(self) -> "WarmUp":
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self.run, name="nncore-warm-up", daemon=True)
        self._thread.start()
        return self

    def _note(self, what: str) -> None:
        self.log.append((round(time.monotonic() - self._t0, 2), what))
        if os.environ.get(LOG_SETTING):
            print(f"warm-up {self.log[-1][0]:6.2f} s  {what}", file=sys.stderr, flush=True)

    def run(self) -> None:
        try:
            time.sleep(self.delay)
            from .. import import_keras

            self._note("importing TensorFlow")
            import_keras()
            self._note("TensorFlow imported")
            for preset in self.presets:
                self._warm(preset)
                if _EXITING.is_set():
                    return
            self._note("done")
        finally:
            self.done.set()

    def _wait_quiet(self) -> None:
        """Pause while the queue has trainings, until it has been empty for QUIET_S."""
        quiet_since = None
        paused = False
        while not _EXITING.is_set():
            if demand():
                if not paused:
                    self._note("paused: a training was asked for")
                    paused = True
                quiet_since = None
            elif not paused:
                return
            else:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= QUIET_S:
                    self._note("resumed")
                    return
            time.sleep(POLL_S)

    def _warm(self, preset: str) -> None:
        """Trace one preset's network (again after each pause, until it is traced or known)."""
        try:
            spec = ExperimentSpec.from_preset(preset).replace(epochs=1)
        except Exception:
            return
        while not _EXITING.is_set():
            self._wait_quiet()
            try:
                if POOL.knows(spec):
                    self._note(f"{preset}: its network is built already")
                    return
                self._note(f"{preset}: tracing")
                job = TrainingJob(spec, queued=False, background=True).start()
                while not job.join(POLL_S):
                    if demand():
                        job.stop(YIELDED)
                snapshot = job.snapshot()
            except Exception:  # a warm-up is a favour: a preset that cannot train now is traced on its first Train
                self._note(f"{preset}: failed, left for its first Train")
                return
            if job.stop_requested:
                self._note(f"{preset}: stopped at epoch {snapshot.epoch}, batch {snapshot.step} (yielded)")
                continue  # POOL.knows(spec) now, unless it stopped before building
            self._note(f"{preset}: traced ({snapshot.status})")
            return


def warm_up(delay: float = 0.0, presets: Iterable[str] = ("practice-lab",)) -> WarmUp:
    """Run the warm-up in this thread (for a server: `WarmUp(...).start()`)."""
    w = WarmUp(presets, delay)
    w.run()
    return w
