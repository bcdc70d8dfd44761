"""Live runs: the server's trainings by run id, so that any page can find one again.

A training belongs to the server, not to the browser tab that started it:

    live = LiveRun(job, run_id, session, store=store)
    LIVE.start(live)          # the job takes its place in the queue; a saver thread follows it
    LIVE.get(run_id)          # from any session: a reload, or the run's address in another tab

The saver thread writes the run to the store when it starts (status "running"), again every
PROGRESS_EVERY seconds (curves so far, `updated`: one small row write), and once more when it ends; a
finished run stays here LINGER_S seconds more (a page that reloads just then still finds it
live), then only the store has it. So a restart finds every run: finished ones as they ended,
cut-off ones still "running" with a stale `updated`, which the store marks "interrupted".

When the database is away as a training ends (restarted, unreachable), the saver tries its final
record again every PROGRESS_EVERY seconds for SAVE_RETRY_S seconds (the same record each time, so it
is stored once); meanwhile the page has the training live, and its Runs tab says the run will be
saved when the database is back. With a shared database (N replicas), `Sweeper` marks the runs a
replica that died left "running" as interrupted once they are stale, whoever opens them or not.

Who watches a run (`watchers`: browser session ids) decides only one thing: a run still waiting
for a slot leaves the line as soon as none of its watchers is connected. A run that trains goes
on to its end whoever watches: its cost is bounded by its epochs, and a reload must find it.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..metrics import confusion
from ..registry import CLASSES, DATASETS
from ..runs import (
    INTERRUPTED,
    INTERRUPTED_MESSAGE,
    PROGRESS_EVERY,
    RUNNING,
    STALE_AFTER,
    Run,
    RunStore,
    StoreError,
)
from .job import TrainingJob, stop_all

LINGER_S = 60.0  # a finished run stays live this long after its last save
SAVE_RETRY_S = 600.0  # a finished run the store could not take is tried again for this long
# This server process, as the run store records who trains a run.
SERVER = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(eq=False)
class LiveRun:
    """A training on its way to becoming a stored run."""

    job: TrainingJob
    run_id: str
    session: str = ""
    changes: str = ""
    parent: str | None = None
    store: RunStore | None = None
    learner: str | None = None  # whose run, and the class it is for: nncore.people.tags_for at its start
    class_id: str | None = None
    created: float = field(default_factory=time.time)
    watchers: set = field(default_factory=set)  # browser sessions that show it
    run: Run | None = None  # the stored record, once finished
    error: str | None = None  # why it could not be saved
    finished_at: float | None = None
    cut_off: bool = False  # the server is stopping under it: stored as interrupted
    stored: bool = False  # the finished run is in the store (or there is no store)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self) -> Run:
        """The run as of now: "running" (with its curves so far) until the job has finished."""
        s, spec = self.job.snapshot(), self.job.spec
        matrix, names = None, ()
        if s.finished and s.val_probabilities is not None and DATASETS[spec.dataset].labels == CLASSES:
            data = self.job.data
            matrix = tuple(tuple(int(v) for v in row)
                           for row in confusion(data.y_val, s.val_probabilities, data.n_classes))
            names = tuple(str(c) for c in data.class_names)
        status, message = (str(s.status) if s.finished else RUNNING), s.message
        if self.cut_off and s.finished and s.status == "stopped":
            status, message = INTERRUPTED, INTERRUPTED_MESSAGE
        return Run(self.run_id, spec, self.session, self.created, status, message, s.epoch, round(s.elapsed, 2),
                   dict(s.history), matrix, names, self.parent, self.changes,
                   s.finished and s.weights is not None, time.time(), SERVER, self.learner, self.class_id)

    def save(self, retry: bool = False) -> Run:
        """Write the run as it is now; once finished, its final record with its weights, once (the
        saver and a page may both ask). When that write failed, only `retry` (the saver's) writes
        the same record again: a page's rerun never waits for a database that is away."""
        with self.lock:
            if self.run is not None and (self.stored or not retry):
                return self.run
            run = self.run or self.record()
            finished = run.status != RUNNING
            weights = self.job.snapshot().weights if finished else None
            stored = False
            try:
                if self.store is not None:
                    self.store.save(run, list(weights) if weights is not None else None)
                self.error, stored = None, True
            except StoreError as e:
                self.error = str(e)
            except Exception as e:  # never let a save take a page or the saver down
                self.error = f"{type(e).__name__}: {e}"
            if finished:
                self.run, self.stored = run, stored
                self.finished_at = self.finished_at or time.monotonic()
            return run


class LiveRuns:
    def __init__(self):
        self._runs: dict[str, LiveRun] = {}
        self._lock = threading.Lock()

    def start(self, live: LiveRun, ticket=None) -> LiveRun:
        """Register the run, start its job (its place in the queue is taken now) and its saver."""
        with self._lock:
            self._runs[live.run_id] = live
        live.save()  # "running" in the store from the start
        live.job.start(ticket)
        threading.Thread(target=self._follow, args=(live,), name="nncore-run-saver", daemon=True).start()
        return live

    def get(self, run_id: str) -> LiveRun | None:
        with self._lock:
            return self._runs.get(run_id)

    def running(self) -> list[LiveRun]:
        with self._lock:
            return [r for r in self._runs.values() if not r.job.snapshot().finished]

    def _follow(self, live: LiveRun) -> None:
        while not live.job.join(PROGRESS_EVERY):
            live.save()  # even unchanged (waiting in line): `updated` says this server still has it
        live.save(retry=True)
        give_up = time.monotonic() + SAVE_RETRY_S
        while not live.stored and time.monotonic() < give_up:  # the database is away: try again
            time.sleep(PROGRESS_EVERY)
            live.save(retry=True)
        time.sleep(LINGER_S)
        with self._lock:
            if self._runs.get(live.run_id) is live:
                del self._runs[live.run_id]


LIVE = LiveRuns()


def _at_exit() -> None:
    """The server stops: its trainings stop (a thread killed inside TensorFlow would abort the
    process) and the runs they were are stored as interrupted, with what they had recorded."""
    cut = LIVE.running()
    for live in cut:
        live.cut_off = True
    stop_all()
    for live in cut:
        live.save()


atexit.register(_at_exit)  # after job.py's: runs first


def server_gone(server: str) -> bool:
    """Is the server process that wrote `server` (host:pid:token) known to be gone? Only a
    process of this machine can be checked: its pid no longer runs, or it is this process's pid
    under another token (a container restarted with the same pid). Elsewhere: not known (False;
    the run's `updated` going stale says it instead)."""
    host, _, rest = server.partition(":")
    pid, _, token = rest.partition(":")
    me_host, me_pid, me_token = SERVER.split(":")
    if host != me_host or not pid.isdigit() or token == me_token:
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it runs, as another user
        return False
    return _zombie(int(pid))


def _zombie(pid: int) -> bool:
    """Has process `pid` ended, with no parent yet to collect its exit status (a killed replica
    whose supervisor has not reaped it)? It still answers a signal 0, but runs nothing. Linux's
    /proc says so (state Z, or X while it goes); elsewhere: not known (False)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] in (["Z"], ["X"])


class Sweeper(threading.Thread):
    """Every `every` seconds, the runs of the shared store left "running" and not saved for
    STALE_AFTER seconds (their replica died: no exit hook ran) become interrupted. One cheap UPDATE;
    a database away meanwhile is skipped until it is back."""

    def __init__(self, store: RunStore, every: float = STALE_AFTER):
        super().__init__(name="nncore-run-sweeper", daemon=True)
        self.store, self.every = store, every
        self.stopped = threading.Event()

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                self.store.interrupt_stale()
            except Exception:  # noqa: BLE001 (the database away, or anything else: try next time)
                pass


def interrupt_cut_off(store: RunStore, newest: int = 200) -> int:
    """Mark as interrupted the runs left "running" by a server that has gone: not saved for
    STALE_AFTER seconds (any server), or written by a process of this machine that no longer
    runs (a restart: found at once). What they had recorded stays. Returns how many."""
    count = store.interrupt_stale()
    for run in store.list(limit=newest):
        if run.status == RUNNING and LIVE.get(run.id) is None and server_gone(run.server):
            store.save(dataclasses.replace(run, status=INTERRUPTED, message=INTERRUPTED_MESSAGE))
            count += 1
    return count
