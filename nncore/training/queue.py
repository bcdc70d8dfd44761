"""The training queue: a few slots for the whole server, given first come, first served.

    ticket = QUEUE.enter(owner, jobs)   # in line, in the order of the clicks
    ticket.wait(0.2)                    # True once it holds a slot (each of its jobs waits on it)
    ticket.place()                      # Place(running=2, waiting_ahead=1, seconds=6.0) while it waits
    ticket.leave(job)                   # a job of it ended, or stopped before it began

A ticket is one entry in the line: one training, or a lesson's group of trainings that must run
together (the optimizer race's runners start from the same weights and are compared side by side),
which holds one slot as a whole. The slot is given back when the last of its jobs leaves.

One owner (a browser session) holds at most one ticket: entering again *replaces* its earlier
ticket. The earlier one's jobs are told to stop (a running training stops and keeps its weights);
if it was still waiting, the new ticket takes its place in the line, so changing one's mind costs
no place; otherwise the new one goes to the back, as anyone's would.

The estimate of a wait comes from recent per-epoch timings (of the same kind of network when the
queue has seen one, else of any), times the epochs the trainings ahead have left, laid over the
slots as they free up, soonest first.
"""

from __future__ import annotations

import heapq
import itertools
import os
import statistics
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable

# Trainings at once for the whole process: the machine has few cores, sessions share them.
MAX_RUNNING_JOBS = int(os.environ.get("NNCORE_MAX_JOBS", "2"))
DEFAULT_EPOCH_S = 0.25  # a per-epoch guess before the queue has timed any training
START_S = 0.3  # a training's own start: its network lent, its data ready, its first call
TIMINGS_KEPT = 50

WAITING, RUNNING, LEFT = "waiting", "running", "left"
REPLACED = "Replaced by a newer training of the same session"


@dataclass(frozen=True)
class Place:
    """Where a waiting ticket is: trainings running, tickets waiting before it, seconds to its slot."""

    running: int
    waiting_ahead: int
    seconds: float

    @property
    def ahead(self) -> int:
        return self.running + self.waiting_ahead

    def text(self) -> str:
        n = self.ahead
        parts = []
        if self.running:
            parts.append(f"{self.running} running")
        if self.waiting_ahead:
            parts.append(f"{self.waiting_ahead} waiting before you")
        who = f"{n} training{'s' if n != 1 else ''} ahead of you" if n else "you are next"
        detail = f" ({', '.join(parts)})" if parts and n else ""
        return f"Waiting for a free training slot: {who}{detail}, about {max(1, round(self.seconds))} s."


class Ticket:
    """One entry in the line, for one or more jobs that run together."""

    def __init__(self, queue: "TrainingQueue", owner: str | None, jobs: Iterable[Any], key: Any):
        self.queue = queue
        self.owner = owner
        self.key = key  # what its per-epoch time is estimated by
        self.number = next(queue._numbers)
        self.state = WAITING
        self._jobs = weakref.WeakSet(jobs)
        self.members = len(self._jobs)
        self.entered = time.monotonic()
        self.granted: float | None = None
        self.first_estimate: float | None = None  # seconds, when it entered (for the bench)
        self.replaced = False

    # ---- what its jobs call ----------------------------------------------------------------

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` s for the slot; True once this ticket holds it."""
        q = self.queue
        with q._cond:
            if self.state == WAITING:
                q._cond.wait(timeout)
            return self.state == RUNNING

    def leave(self, job: Any = None) -> None:
        """One of its jobs is done with it (finished, failed, or stopped while waiting). When the
        last one leaves, the ticket's place or slot is given back at once."""
        self.queue._leave(self)

    def place(self) -> Place | None:
        """Where it stands while it waits (None once it runs or has left)."""
        return self.queue._place(self)

    @property
    def waited(self) -> float | None:
        return None if self.granted is None else self.granted - self.entered

    # ---- what the queue asks of it ---------------------------------------------------------

    def jobs(self) -> list[Any]:
        return list(self._jobs)

    def seconds_left(self) -> float:
        """Seconds until its jobs are done (they run side by side: the longest of them): their own
        estimate once they train (from their elapsed time), else epochs left times the recent
        per-epoch time for this kind of network."""
        total = 0.0
        per_epoch = self.queue.epoch_seconds(self.key)
        for job in self.jobs():
            s = job.snapshot()
            if s.finished:
                continue
            if s.seconds_left is not None:
                total = max(total, s.seconds_left)
            else:
                total = max(total, START_S + (s.epochs - s.epoch) * per_epoch)
        return total


class TrainingQueue:
    def __init__(self, slots: int = MAX_RUNNING_JOBS):
        self.slots = max(1, slots)
        self._cond = threading.Condition()
        self._waiting: list[Ticket] = []
        self._running: list[Ticket] = []
        self._by_owner: dict[str, Ticket] = {}
        self._numbers = itertools.count(1)
        self._timings: dict[Any, deque] = {}
        self._all_timings: deque = deque(maxlen=TIMINGS_KEPT)

    # ---- entering and leaving ------------------------------------------------------------------

    def enter(self, owner: str | None, jobs: Iterable[Any], key: Any = None) -> Ticket:
        """A new ticket for `jobs` (one training, or a group that runs together) at the back of the
        line, or in the place of the owner's earlier ticket if that one was still waiting (whose
        jobs are then stopped, as are those of an earlier ticket that runs)."""
        jobs = list(jobs)
        ticket = Ticket(self, owner, jobs, key)
        old = None
        with self._cond:
            old = self._by_owner.get(owner) if owner is not None else None
            if old is not None and old.state == WAITING:
                self._waiting[self._waiting.index(old)] = ticket
                old.state = LEFT
            else:
                self._waiting.append(ticket)
            if old is not None:
                old.replaced = True
            if owner is not None:
                self._by_owner[owner] = ticket
            self._grant()
            place = self._place_locked(ticket)
            ticket.first_estimate = place.seconds if place else 0.0
            self._cond.notify_all()
        if old is not None:
            for job in old.jobs():
                job.stop(REPLACED)
        return ticket

    def _leave(self, ticket: Ticket) -> None:
        with self._cond:
            ticket.members -= 1
            if ticket.members > 0 or ticket.state == LEFT:
                return
            if ticket.state == WAITING:
                self._waiting.remove(ticket)
            elif ticket.state == RUNNING:
                self._running.remove(ticket)
            ticket.state = LEFT
            if ticket.owner is not None and self._by_owner.get(ticket.owner) is ticket:
                del self._by_owner[ticket.owner]
            self._grant()
            self._cond.notify_all()

    def _grant(self) -> None:
        """First come, first served: the front of the line takes each free slot."""
        while self._waiting and len(self._running) < self.slots:
            ticket = self._waiting.pop(0)
            ticket.state = RUNNING
            ticket.granted = time.monotonic()
            self._running.append(ticket)

    # ---- estimates --------------------------------------------------------------------------

    def record_epoch(self, key: Any, seconds: float) -> None:
        """A training of this kind of network took `seconds` for one epoch (sharing the cores)."""
        with self._cond:
            self._timings.setdefault(key, deque(maxlen=TIMINGS_KEPT)).append(seconds)
            self._all_timings.append(seconds)

    def epoch_seconds(self, key: Any) -> float:
        recent = self._timings.get(key) or self._all_timings
        return statistics.median(recent) if recent else DEFAULT_EPOCH_S

    def _place(self, ticket: Ticket) -> Place | None:
        with self._cond:
            return self._place_locked(ticket)

    def _place_locked(self, ticket: Ticket) -> Place | None:
        if ticket.state != WAITING:
            return None
        i = self._waiting.index(ticket)
        free_at = [t.seconds_left() for t in self._running] + [0.0] * (self.slots - len(self._running))
        heapq.heapify(free_at)
        for ahead in self._waiting[:i]:
            heapq.heappush(free_at, heapq.heappop(free_at) + ahead.seconds_left())
        return Place(len(self._running), i, free_at[0])

    # ---- for pages and tests ----------------------------------------------------------------

    def counts(self) -> tuple[int, int]:
        """(tickets running, tickets waiting)."""
        with self._cond:
            return len(self._running), len(self._waiting)

    def ticket_of(self, owner: str) -> Ticket | None:
        with self._cond:
            return self._by_owner.get(owner)


QUEUE = TrainingQueue()
