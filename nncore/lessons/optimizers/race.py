"""The race itself: one TrainingJob per entrant, all from the spec's seeded initial weights (shown by
a short checksum), on the same data; each job's curves read back as a RaceRun."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import numpy as np

from ...data import load_dataset
from ...model import build_model
from ...spec import ExperimentSpec
from ...training.group import JobGroup
from ...training.job import TrainingJob
from .entrants import Entrant, check_entrants, check_size


def initial_weights(spec: ExperimentSpec, shape=None) -> list[np.ndarray]:
    """The spec's network's starting weights for its seed (what every run of the race starts from)."""
    from ... import import_keras

    import_keras()
    return build_model(spec, shape, compile=False).get_weights()


def checksum(weights) -> str:
    """A short fingerprint of the weights' exact bytes: equal checksums, bitwise-equal weights."""
    h = hashlib.sha256()
    for w in weights:
        h.update(np.ascontiguousarray(w, np.float32).tobytes())
    return h.hexdigest()[:8]


def epochs_to(loss, target: float) -> int | None:
    """The first epoch after which the loss is at or below `target` (0: it started there)."""
    return next((k for k, value in enumerate(loss) if value <= target), None)


@dataclass(frozen=True)
class RaceRun:
    """One runner's curves as of its job's latest snapshot."""

    entrant: Entrant
    status: str
    message: str
    loss: tuple[float, ...]  # on the whole training set: [0] before any step, [k] after epoch k
    val_loss: tuple[float, ...]  # per epoch, from epoch 1
    accuracy: tuple[float, ...]
    val_accuracy: tuple[float, ...]
    epoch: int
    epochs: int
    progress: float
    seconds: float

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    def to_json(self) -> dict:
        return {"optimizer": self.entrant.name, "learning_rate": self.entrant.learning_rate,
                "loss": list(self.loss),
                "val_accuracy": self.val_accuracy[-1] if self.val_accuracy else None,
                "seconds": round(self.seconds, 3)}


class Race(JobGroup):
    """The jobs of one race (TrainingJobs, views off, full training loss on), and what they share."""

    def __init__(self, spec: ExperimentSpec, entrants, jobs, checksum: str):
        self.spec, self.entrants, self.jobs, self.checksum = spec, tuple(entrants), tuple(jobs), checksum

    def runs(self) -> list[RaceRun]:
        return [race_run(e, job) for e, job in zip(self.entrants, self.jobs)]


def race_run(entrant: Entrant, job) -> RaceRun:
    s = job.snapshot()
    h = s.history
    return RaceRun(entrant, str(s.status), s.message, tuple(h.get("train_loss_full", ())), tuple(h.get("val_loss", ())),
                   tuple(h.get("accuracy", ())), tuple(h.get("val_accuracy", ())), s.epoch, s.epochs, s.progress,
                   s.elapsed)


def make_race(spec: ExperimentSpec, entrants, epochs: int | None = None, data=None) -> Race:
    """The race's jobs (not started): one per entrant, all from the spec's seeded initial weights,
    on the same data (loaded once), with the spec's batch size, seed and `epochs`."""
    spec = spec.replace(epochs=epochs) if epochs is not None else spec
    problems = check_entrants(entrants)
    too_big = check_size(spec.validate(), entrants)
    if problems or too_big:
        raise (problems or [too_big])[0]
    data = data if data is not None else load_dataset(spec)
    weights = initial_weights(spec, data.shape)
    jobs = [TrainingJob(spec.replace(optimizer=e.optimizer, learning_rate=e.learning_rate), data=data,
                        views=False, initial_weights=weights, full_train_loss=True) for e in entrants]
    return Race(spec, entrants, jobs, checksum(weights))


def run_race(spec: ExperimentSpec, entrants, epochs: int | None = None) -> tuple[Race, list[RaceRun], float]:
    """A whole race here (headless): its jobs started together, waited for, given back.
    Returns the race, its runs and the wall-clock seconds from start to the last finish."""
    race = make_race(spec, entrants, epochs)
    t0 = time.perf_counter()
    race.start()
    race.join()
    seconds = time.perf_counter() - t0
    race.release()
    return race, race.runs(), seconds
