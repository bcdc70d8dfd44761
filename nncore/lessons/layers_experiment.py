"""Other layer types, part 3: the lecture's claims about convolutional layers, measured.

    experiment = make_experiment(epochs=20)          # jobs, not started: dense and conv at 3 sizes
    experiment.start(); experiment.join()
    rows = experiment.rows()                         # parameters, accuracies, gap, seconds per epoch

The lecture says a convolutional layer (each unit reads a window) computes faster, needs less
training data and overfits less than a dense one. Here a dense network (the practice lab's,
25 and 15 ReLU units) and a small convolutional one (the `lecture-cnn` preset) train with the
app's own trainer (TrainingJob) on 500, 1,000 and 4,000 training digits (the spec's
`train_size`, drawn stratified from the same training split) and are measured on the same
1,000 validation digits. Everything else is equal: optimizer, learning rate, batch size,
epochs, seed.

The runs train one after another, never two at once, so that each one's time per epoch is
its own (two trainings at once on a small machine share its cores), and each network is traced
once before its first timed run, so that no run's first epoch is charged for the tracing.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

import numpy as np

from ..data import load_dataset
from ..model import count_params, macs_per_example
from ..spec import ExperimentSpec, SpecError
from ..training.group import JobGroup
from ..training.job import TrainingJob

SIZES = (500, 1000, 4000)
DEFAULT_EPOCHS = 20
MAX_EPOCHS = 100
ARMS = {"dense": "practice-lab", "conv": "lecture-cnn"}  # which preset's layers each network has


class ExperimentError(SpecError):
    """An experiment setting a learner got wrong (names the setting, like SpecError)."""


def arm_spec(arm: str, train_size: int, epochs: int, seed: int = 0) -> ExperimentSpec:
    """The spec of one run: the arm's layers, the practice lab's training settings, `train_size` digits."""
    base = ExperimentSpec.from_preset("practice-lab")
    return base.replace(hidden=ExperimentSpec.from_preset(ARMS[arm]).hidden, train_size=train_size,
                        epochs=epochs, seed=seed).validate()


def parse_sizes(text: str | list) -> tuple[int, ...]:
    """"500,1000,4000" -> (500, 1000, 4000); each checked as a train_size (1 to 5 sizes)."""
    items = [s.strip() for s in text.split(",")] if isinstance(text, str) else [str(s) for s in text]
    sizes = []
    for item in items:
        try:
            sizes.append(int(item.replace("_", "")))
        except ValueError:
            raise ExperimentError("sizes", f"must be whole numbers of training digits, got {item!r}") from None
    if not 1 <= len(sizes) <= 5:
        raise ExperimentError("sizes", f"give 1 to 5 sizes, got {len(sizes)}")
    for size in sizes:
        problems = ExperimentSpec(train_size=size).problems()
        if problems:
            raise ExperimentError("sizes", problems[0].message)
    return tuple(sizes)


def check_epochs(epochs) -> int:
    if isinstance(epochs, str):
        try:
            epochs = int(epochs)
        except ValueError:
            raise ExperimentError("epochs", f"must be a whole number, got {epochs!r}") from None
    if not 1 <= int(epochs) <= MAX_EPOCHS:
        raise ExperimentError("epochs", f"must be from 1 to {MAX_EPOCHS}, got {epochs}")
    return int(epochs)


def _warm_up(spec: ExperimentSpec) -> None:
    """Trace the spec's network and give it back to the pool, so that the timed run borrows a traced
    network and its first epoch is not charged for the tracing. Two short epochs on two sizes: the
    pool's train function traces once per batch shape, then once for any shape (reduce_retracing)."""
    for size in (100, 60):  # outside the queue: the experiment already holds its place (a slot)
        warm = TrainingJob(spec.replace(epochs=1, train_size=size), views=False, queued=False)
        warm.run()
        warm.release()


def _chain(job, previous, warm: bool):
    """Make `job` wait for `previous` to finish before it trains (its snapshot says queued meanwhile),
    trace its network first if `warm`, and give its network back to the pool when it ends (its
    weights stay in its last snapshot), for the next run of the same network to reuse."""
    run = job.run

    def run_after():
        while previous is not None and not previous.join(0.2):
            if job.stop_requested:
                break
        if job.stop_requested:
            return run()  # says "stopped before it started" and gives its queue place back
        if warm:
            _warm_up(job.spec)
        try:
            return run()
        finally:
            job.release()

    job.run = run_after
    return job


@dataclass(frozen=True)
class Row:
    """One run as measured (so far): a network at a training-set size."""

    arm: str  # "dense" or "conv"
    hidden: str
    train_size: int
    params: int
    macs: int  # multiply-adds of one forward pass of one digit
    status: str
    message: str
    epoch: int
    epochs: int
    train_accuracy: float | None
    val_accuracy: float | None
    seconds: float
    val_samples: int

    @property
    def gap(self) -> float | None:
        """Training minus validation accuracy after the last epoch: how much it overfits."""
        if self.train_accuracy is None or self.val_accuracy is None:
            return None
        return self.train_accuracy - self.val_accuracy

    @property
    def seconds_per_epoch(self) -> float | None:
        return self.seconds / self.epoch if self.epoch else None

    def to_json(self) -> dict:
        r = lambda v, n=4: None if v is None else round(v, n)  # noqa: E731
        return {"network": self.arm, "hidden": self.hidden, "train_samples": self.train_size,
                "val_samples": self.val_samples, "params": self.params, "macs_per_digit": self.macs,
                "epochs": self.epoch, "status": self.status, "train_accuracy": r(self.train_accuracy),
                "val_accuracy": r(self.val_accuracy), "gap": r(self.gap),
                "seconds_per_epoch": r(self.seconds_per_epoch, 3)}


class Experiment(JobGroup):
    """The experiment's TrainingJobs (views off), each to wait for the one before it."""

    def __init__(self, runs: list[tuple[str, int]], jobs: list, val_checksum: str, val_samples: int):
        self.runs, self.jobs = tuple(runs), tuple(jobs)
        self.val_checksum, self.val_samples = val_checksum, val_samples

    def rows(self) -> list[Row]:
        rows = []
        for (arm, size), job in zip(self.runs, self.jobs):
            s = job.snapshot()
            seconds = job.seconds if s.finished and job.seconds else s.elapsed
            rows.append(Row(arm, job.spec.hidden_text, size, count_params(job.spec), macs_per_example(job.spec),
                            str(s.status), s.message, s.epoch, s.epochs, s.last("accuracy"), s.last("val_accuracy"),
                            seconds, self.val_samples))
        return rows


def checksum(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:8]


def make_experiment(sizes=SIZES, epochs: int = DEFAULT_EPOCHS, seed: int = 0,
                    arms: tuple[str, ...] = ("dense", "conv")) -> Experiment:
    """The jobs (not started): each arm at each size, smallest first, one after another."""
    epochs = check_epochs(epochs)
    sizes = parse_sizes(list(sizes))
    runs, jobs, val = [], [], None
    for size in sizes:
        for arm in arms:
            spec = arm_spec(arm, size, epochs, seed)
            data = load_dataset(spec)
            if val is None:
                val = data
            # the same validation digits for every run (the split does not depend on train_size)
            if not (np.array_equal(data.x_val, val.x_val) and np.array_equal(data.y_val, val.y_val)):
                raise RuntimeError("the validation digits differ between runs")
            first = size == sizes[0]  # the first run of each network traces it, untimed
            jobs.append(_chain(TrainingJob(spec, data=data, views=False), jobs[-1] if jobs else None, first))
            runs.append((arm, size))
    return Experiment(runs, jobs, checksum(val.x_val, val.y_val), len(val.x_val))


def run_experiment(sizes=SIZES, epochs: int = DEFAULT_EPOCHS, seed: int = 0) -> tuple[Experiment, float]:
    """The whole experiment here (headless): started, waited for, given back; and its wall-clock seconds."""
    experiment = make_experiment(sizes, epochs, seed)
    t0 = time.perf_counter()
    experiment.start().join()
    seconds = time.perf_counter() - t0
    experiment.release()
    return experiment, seconds


def findings(rows: list[Row]) -> list[str]:
    """What the measurement says about each of the lecture's three claims, in plain sentences."""
    by = {(r.arm, r.train_size): r for r in rows if r.val_accuracy is not None}
    sizes = sorted({size for _, size in by})
    pairs = [(by[("dense", n)], by[("conv", n)]) for n in sizes if ("dense", n) in by and ("conv", n) in by]
    if not pairs:
        return []
    out = []
    d, c = pairs[-1]
    if d.seconds_per_epoch and c.seconds_per_epoch:
        ratio = c.seconds_per_epoch / d.seconds_per_epoch
        faster = ratio < 1
        out.append(f"**Faster?** {'Yes' if faster else 'No'}, on this machine: at {c.train_size:,} digits an epoch "
                   f"of the convolutional network took {c.seconds_per_epoch:.2f} s, the dense one's "
                   f"{d.seconds_per_epoch:.2f} s ({ratio:.1f}x). It has {c.params:,} parameters against "
                   f"{d.params:,}, but {c.macs:,} multiply-adds per digit against {d.macs:,}: every weight of a "
                   "filter is used at every window position"
                   + ("." if faster else ", and a CPU pays per multiply-add, not per parameter. The lecture's "
                      "'faster' holds against a dense layer of the same reach (one unit per window, each with "
                      "its own weights) or on hardware built for convolutions, not against this small dense net."))
    better = [(d, c) for d, c in pairs if c.val_accuracy > d.val_accuracy]
    out.append("**Less data?** " + "; ".join(
        f"{d.train_size:,} digits: convolutional {c.val_accuracy:.1%}, dense {d.val_accuracy:.1%}" for d, c in pairs)
        + (" (validation accuracy on the same digits). " + (
            "The convolutional network is ahead at every size." if len(better) == len(pairs) else
            f"The convolutional network is ahead at {len(better)} of {len(pairs)} sizes.")))
    d_gap = [d.gap for d, _ in pairs if d.gap is not None]
    c_gap = [c.gap for _, c in pairs if c.gap is not None]
    if d_gap and c_gap:
        less = sum(cg < dg for cg, dg in zip(c_gap, d_gap))
        out.append("**Overfits less?** Training minus validation accuracy: " + "; ".join(
            f"{d.train_size:,} digits: convolutional {c.gap:+.1%}, dense {d.gap:+.1%}" for d, c in pairs
            if d.gap is not None and c.gap is not None)
            + f". The convolutional gap is smaller at {less} of {len(c_gap)} sizes.")
    return out


def report(experiment: Experiment, seconds: float, as_json: bool = False) -> str:
    """The CLI's output: one JSON line, or a table."""
    rows = experiment.rows()
    if as_json:
        return json.dumps({"runs": [r.to_json() for r in rows], "val_samples": experiment.val_samples,
                           "val_checksum": experiment.val_checksum, "seconds": round(seconds, 2)})
    lines = [f"Validation: the same {experiment.val_samples:,} digits for every run (checksum "
             f"{experiment.val_checksum}); {rows[0].epochs if rows else 0} epochs each; {seconds:.1f} s in all.",
             f"{'network':<8} {'train digits':>12} {'params':>8} {'val acc':>8} {'train acc':>9} {'gap':>7} "
             f"{'s/epoch':>8}"]
    for r in rows:
        acc = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
        gap = "–" if r.gap is None else f"{r.gap:+.3f}"
        spe = "–" if r.seconds_per_epoch is None else f"{r.seconds_per_epoch:.3f}"
        lines.append(f"{r.arm:<8} {r.train_size:>12,} {r.params:>8,} {acc(r.val_accuracy):>8} "
                     f"{acc(r.train_accuracy):>9} {gap:>7} {spe:>8}" + (f"  {r.message}" if r.status != "done" else ""))
    return "\n".join(lines)
