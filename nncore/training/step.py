"""One step of gradient descent at a time, as a job: the Step button of Train and Boundaries.

    start = StepStart.after(job, spec)          # from a finished job's weights, or the seed's
    job = StepJob(spec, start, mode="batch")    # or "epoch": the rest of the current epoch
    job.run()                                   # (or .start(): a job like any other, in the queue)
    r = job.snapshot().result                   # StepResult: the loss before and after, per layer...

A step is Train's own step: the same pooled network and the same traced train function
(`Network.train`, Keras' `train_step`), on the batch Train would take there (batch b of
epoch e's seeded order), with the optimizer's state carried from step to step (Adam's moments
too). So Step, Step, Step gives the weights Train's first three batches give, and Train after
Step goes on from the stepped weights and optimizer (`StepStart.weights`, `optimizer_state`).

Around the step it measures what a learner wants to see: the loss on the step's examples before
and after, the loss on the whole training set before and after, each layer's gradient (from
tf.GradientTape at the weights before, on the step's examples) and how far its weights moved,
per unit; on a point set the decision boundary before and after. A series of steps is one run:
its history ("step_loss": what train_step reported, "train_loss_full": the whole set after each
step) grows step by step, and every step saves it again under the same run id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data import Dataset
from ..outputs import accuracy, to_probabilities
from ..spec import ExperimentSpec
from .batches import epoch_order, loss_labels, steps_per_call
from .job import TrainingJob
from .snapshot import Status

MODES = {"batch": "one batch", "epoch": "one epoch"}


@dataclass(frozen=True)
class LayerChange:
    """One layer's part of a step: the gradient's size and the weights' change, per unit (its
    incoming weights and bias together) and for the whole layer."""

    name: str
    gradient: np.ndarray  # (units,) |dJ/d(w, b)| of each unit, at the weights before the step
    change: np.ndarray  # (units,) |(w, b) after - before| of each unit
    weights: np.ndarray  # (units,) |(w, b)| of each unit before the step

    @property
    def gradient_size(self) -> float:
        return float(np.sqrt((self.gradient ** 2).sum()))

    @property
    def change_size(self) -> float:
        return float(np.sqrt((self.change ** 2).sum()))


@dataclass(frozen=True)
class StepResult:
    """What one press of Step did."""

    mode: str  # "batch" or "epoch"
    epoch: int  # the epoch the step was in (from 0)
    first_batch: int  # its first batch (from 0)
    batches: int  # batches run (1 for "batch")
    examples: int
    steps_per_epoch: int
    keras_loss: float  # what train_step reported (its running mean over the step's batches)
    batch_loss_before: float  # the loss on the step's examples at the weights before...
    batch_loss_after: float  # ...and after
    train_loss_before: float  # the loss on the whole training set before and after
    train_loss_after: float
    val_loss: float | None
    val_accuracy: float | None
    layers: tuple[LayerChange, ...]
    learning_rate: float
    boundary_before: Any = None  # nncore.training.probes.Boundary of the weights before (point sets)
    steps_taken: int = 1  # steps in this series, this one included

    def where(self) -> str:
        """"epoch 1, batch 3" (counted from 1) or "epoch 1, batches 4-125"."""
        last = self.first_batch + self.batches
        which = f"batch {last}" if self.batches == 1 else f"batches {self.first_batch + 1}-{last}"
        return f"epoch {self.epoch + 1}, {which} of {self.steps_per_epoch}"


@dataclass(frozen=True)
class StepStart:
    """Where a step begins: weights (None: the spec's seeded ones), the optimizer's state, the
    position (`epoch` epochs done, `batch` batches into the next) and the series so far."""

    weights: tuple[np.ndarray, ...] | None = None
    optimizer_state: tuple[np.ndarray, ...] | None = None
    epoch: int = 0
    batch: int = 0
    history: dict = field(default_factory=dict)
    steps_taken: int = 0
    note: str = ""  # where it comes from, in words

    @classmethod
    def after(cls, job, spec: ExperimentSpec) -> "StepStart":
        """Go on from `job` (a StepJob or a TrainingJob, finished) when it trained the same network on
        the same data (the learning rate and the epochs may differ); else from the spec's seed."""
        if job is None:
            return cls(note="from the initial weights (the seed's)")
        s = job.snapshot()
        if not same_network(job.spec, spec) or s.weights is None or s.status == Status.FAILED:
            return cls(note="from the initial weights (the seed's): the settings changed since the last training")
        optimizer = s.optimizer_state if job.spec.optimizer == spec.optimizer else None
        if isinstance(job, StepJob):
            return cls(s.weights, optimizer, s.epoch, s.step, dict(s.history),
                       s.result.steps_taken if s.result is not None else 0, "going on from the last step")
        if s.status == Status.DIVERGED:  # its kept weights are those after a whole epoch
            return cls(s.weights, None, s.epoch, 0, note=f"from the last good weights of the training (epoch {s.epoch})")
        return cls(s.weights, optimizer, s.epoch, s.step,
                   note=f"going on from the training's weights (after {s.epoch} epochs"
                        + (f" and {s.step} batches)" if s.step else ")"))


def same_network(a: ExperimentSpec, b: ExperimentSpec) -> bool:
    """Same network on the same data, in the same batches: one's weights go on in the other."""
    return a.replace(learning_rate=b.learning_rate, epochs=b.epochs) == b


def step_problem(spec: ExperimentSpec) -> str | None:
    """Why Step cannot step this spec (None: it can)."""
    if spec.augment:
        return "Step takes Train's batches as they are: switch off augmentation to step."
    return None


class StepJob(TrainingJob):
    """One batch (or the rest of an epoch) of Train's training step, measured. A job like any other:
    it waits for a slot, trains in its thread (or in run()), and publishes one Snapshot."""

    def __init__(self, spec: ExperimentSpec, start: StepStart | None = None, mode: str = "batch",
                 data: Dataset | None = None, owner: str | None = None, views: bool = True, **options):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.start_from = start or StepStart()
        self.mode = mode
        super().__init__(spec, data=data, owner=owner, views=views,
                         initial_weights=list(self.start_from.weights) if self.start_from.weights is not None else None,
                         optimizer_state=self.start_from.optimizer_state, **options)

    def _train(self) -> None:
        recorder = self._recorder
        recorder.starting()
        self._load_keras()
        problem = step_problem(self.spec)
        if problem:
            return recorder.failed(problem)
        spec, data, start = self.spec, self.data, self.start_from
        y_train, y_val = loss_labels(spec, data)
        n, size = len(data.x_train), spec.batch_size
        steps = math.ceil(n / size)
        epoch, batch = start.epoch, start.batch
        if batch >= steps:
            epoch, batch = epoch + 1, 0
        net = self._borrow(spec, data)
        recorder.net, recorder.model, recorder.steps = net, net.model, steps
        rows = epoch_order(spec.seed, epoch, n)[batch * size:(batch + 1 if self.mode == "batch" else steps) * size]
        x, y = data.x_train[rows], y_train[rows]
        probe = None
        if self.views and data.is_points:
            from .probes import BoundaryProbe

            probe = BoundaryProbe(net, data.bounds(), spec.from_logits)
        boundary_before = probe(epoch) if probe is not None else None
        before = net.model.get_weights()
        loss_before, full_before = _loss(net, x, y), _full_loss(net, data.x_train, y_train)
        gradients = _gradients(net.model, x, y)

        net.model.reset_metrics()
        per_call = steps_per_call(spec, data) * size
        logs: dict[str, float] = {}
        for i in range(0, len(rows), per_call):  # as Train calls it: runs of batches, one traced call each
            logs, losses = net.train(x[i:i + per_call], y[i:i + per_call], size)
            if not np.all(np.isfinite(losses)):
                net.model.set_weights(before)
                return recorder.failed(f"The loss became {losses[~np.isfinite(losses)][0]} during the step: "
                                       "the learning rate is too large. The weights are as they were.")
        after = net.model.get_weights()
        batches = math.ceil(len(rows) / size)
        done = batch + batches
        next_epoch, next_batch = (epoch + 1, 0) if done >= steps else (epoch, done)
        full_after = _full_loss(net, data.x_train, y_train)
        val_loss = val_accuracy = probs = None
        if len(data.x_val):
            outputs = net.forward(data.x_val)
            val_loss = float(net.model.loss(y_val, outputs))
            probs = to_probabilities(outputs, spec.from_logits, data.labels)
            probs.setflags(write=False)
            val_accuracy = accuracy(probs, y_val, data.labels)
        taken = start.steps_taken + 1
        result = StepResult(self.mode, epoch, batch, batches, len(rows), steps, float(logs["loss"]),
                            loss_before, _loss(net, x, y), full_before, full_after, val_loss, val_accuracy,
                            _layer_changes(net.model, gradients, before, after), spec.learning_rate,
                            boundary_before, taken)
        history = {k: list(v) for k, v in start.history.items()}
        if not history:
            history = {"step_loss": [], "train_loss_full": [full_before]}  # the whole set's loss before step 1
        history["step_loss"].append(result.keras_loss)
        history["train_loss_full"].append(full_after)
        message = (f"Step {taken}: {MODES[self.mode]} ({result.where()}, {len(rows):,} examples). Loss on "
                   f"them {loss_before:.4f} → {result.batch_loss_after:.4f}; on the whole training set "
                   f"{full_before:.4f} → {full_after:.4f}.")
        recorder.stepped(result, after, next_epoch, next_batch, history, message, net.optimizer_state(),
                         probs, probe(next_epoch) if probe is not None else None)


def _loss(net, x, y) -> float:
    return float(net.model.loss(y, net.forward(x)))


def _full_loss(net, x, y, rows: int = 8192) -> float:
    total = 0.0
    for i in range(0, len(x), rows):
        total += _loss(net, x[i:i + rows], y[i:i + rows]) * len(x[i:i + rows])
    return total / len(x)


def _gradients(model, x, y) -> list[np.ndarray]:
    """dJ/dw for every weight of the model, at its weights now, on (x, y): the loss as Keras
    computes it in train_step (the compiled loss on the outputs), by tf.GradientTape."""
    import tensorflow as tf

    x = tf.convert_to_tensor(np.asarray(x, np.float32))
    with tf.GradientTape() as tape:
        loss = model.loss(y, model(x, training=True))
    return [np.asarray(g) for g in tape.gradient(loss, model.trainable_weights)]


def _per_unit(arrays: list[np.ndarray]) -> np.ndarray:
    """|(w, b)| of each unit: a layer's kernel (..., units) and bias (units,) together."""
    return np.sqrt(sum((np.asarray(a, np.float64).reshape(-1, a.shape[-1]) ** 2).sum(0) for a in arrays))


def _layer_changes(model, gradients, before, after) -> tuple[LayerChange, ...]:
    out, i = [], 0
    for layer in model.layers:
        k = len(layer.trainable_weights)
        if not k:
            continue
        grads, old, new = gradients[i:i + k], before[i:i + k], after[i:i + k]
        out.append(LayerChange(layer.name, _per_unit(grads), _per_unit([b - a for a, b in zip(old, new)]),
                               _per_unit(old)))
        i += k
    return tuple(out)
