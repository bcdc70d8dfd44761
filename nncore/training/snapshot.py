"""What a page sees of a training: an immutable Snapshot, and the Status it is in.

The recorder (nncore.training.recorder) is the only writer of snapshots; a job hands out the
latest one; pages only read them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class Status(enum.StrEnum):
    """Where a training is. A StrEnum: it prints, compares and turns into JSON as its value."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    STOPPED = "stopped"
    DIVERGED = "diverged"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset({Status.DONE, Status.STOPPED, Status.DIVERGED, Status.FAILED})


@dataclass(frozen=True)
class Snapshot:
    """Everything a page draws, as of one moment of the training. Read-only."""

    status: Status = Status.QUEUED
    message: str = ""
    epoch: int = 0  # epochs completed
    epochs: int = 0
    step: int = 0  # batches done in the current epoch
    steps_per_epoch: int = 0
    elapsed: float = 0.0  # seconds of training
    history: dict[str, tuple[float, ...]] = field(default_factory=dict)  # per epoch
    batch_loss: tuple[tuple[float, float], ...] = ()  # (epochs done, running loss)
    val_probabilities: np.ndarray | None = None  # (n_val, outputs): probabilities (or numbers)
    weights: tuple[np.ndarray, ...] | None = None  # the weights after the last epoch (read-only)
    boundary: Any = None  # nncore.training.probes.Boundary, for 2-D point sets
    plane: Any = None  # nncore.training.probes.Plane: digits in a PCA plane, for images
    optimizer_state: tuple[np.ndarray, ...] | None = None  # the optimizer's variables at the end (Step goes on from them)
    result: Any = None  # a job's own answer beside the curves: a Step's numbers (nncore.training.step.StepResult)
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
