"""What a training writes down: the one writer of its Snapshots.

The job's loop calls it after every call of the network's train function (a run of batches)
and at the end of every epoch; the job also tells it when the training waits for a slot,
fails, or ends before it began. It records the running loss after every few batches and the
validation metrics every epoch, asks its probes for the live views a few times a second, and
catches a loss that becomes NaN or infinite: the last good weights come back and the snapshot
says what happened and what to try. Nothing else publishes a Snapshot.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any, Callable

import numpy as np

from ..data import Dataset
from ..outputs import accuracy, to_probabilities
from ..registry import CLASSES, NUMBER, OPTIMIZERS
from ..spec import ExperimentSpec
from .probes import BoundaryProbe, PlaneProbe
from .snapshot import Snapshot, Status

VIEW_INTERVAL = 0.2  # seconds between two boundary grids
LOSS_POINTS_PER_EPOCH = 8  # points of the running-loss curve per epoch


def _frozen(arrays: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    out = []
    for a in arrays:
        a = np.array(a, copy=True)
        a.setflags(write=False)
        out.append(a)
    return tuple(out)


class Recorder:
    def __init__(self, spec: ExperimentSpec, stop_requested: Callable[[], bool] = lambda: False,
                 full_train_loss: bool = False):
        """`full_train_loss`: also record "train_loss_full", the loss on the whole training set
        before epoch 1 and after each epoch (so that runs from the same start compare exactly)."""
        self.spec = spec
        self.full_train_loss = full_train_loss
        self.stop_requested = stop_requested
        self.snapshot = Snapshot(epochs=spec.epochs)
        self.stop = False  # the loop ends after this call (stop asked, or divergence)
        self.diverged = False
        self.t0 = time.perf_counter()

    def _publish(self, **changes: Any) -> None:
        s = self.snapshot
        self.snapshot = replace(s, version=s.version + 1, **changes)

    # ---- before and around the loop ---------------------------------------------------------

    def queued(self, message: str = "Waiting for a free training slot...") -> None:
        """Waiting in the training queue; `message` says where (place and estimate)."""
        self._publish(status=Status.QUEUED, message=message)

    def stopped_before_start(self, message: str = "Stopped before it started.") -> None:
        self._publish(status=Status.STOPPED, message=message)

    def close(self) -> None:
        """The loop has ended: let go of the network, the data's tensors and the probes (the
        snapshot keeps everything a page shows), so that a finished job holds only its snapshot."""
        for name in ("net", "model", "data", "x_val", "y_val", "y_train", "probes", "good_weights"):
            self.__dict__.pop(name, None)

    def starting(self, message: str = "Starting: loading the data...") -> None:
        """Before the loop: what it is doing (the page shows it under a progress bar at 0)."""
        self._publish(status=Status.RUNNING, message=message)

    def failed(self, message: str) -> None:
        self._publish(status=Status.FAILED, message=message)

    def seconds(self) -> float:
        return time.perf_counter() - self.t0

    def begin(self, net, data: Dataset, y_val: np.ndarray, steps: int, views: bool,
              y_train: np.ndarray | None = None) -> None:
        """The loop is about to run `steps` batches an epoch on the lent network `net`
        (`y_train`: the training labels as the loss takes them, for the full training loss)."""
        import tensorflow as tf

        self.net, self.model, self.data, self.steps = net, net.model, data, steps
        self.y_val = y_val
        self.x_val = tf.constant(np.asarray(data.x_val, np.float32))  # converted once, used every epoch
        self.every = max(1, steps // LOSS_POINTS_PER_EPOCH)  # batches between two loss points
        self.history: dict[str, list[float]] = {"loss": [], "val_loss": []}
        if data.labels != NUMBER:
            self.history.update(accuracy=[], val_accuracy=[])
        self.batch_loss: list[tuple[float, float]] = []
        self.good_weights = self.model.get_weights()
        self.good_epoch = 0
        self.epoch = self.step = 0
        self.probes: dict[str, Callable[[int], Any]] = {}
        self.last_view = -1.0
        if views and data.is_points:
            self.probes["boundary"] = BoundaryProbe(net, data.bounds(), self.spec.from_logits)
        elif views and data.image_shape is not None and data.labels == CLASSES:
            self.probes["plane"] = PlaneProbe(net, data.x_train, data.x_val, data.y_val, self.spec.from_logits)
        self._views(0, force=True)
        full = {}
        if self.full_train_loss:
            self.y_train = y_train
            self.history["train_loss_full"] = [self._full_loss()]  # the initial weights' loss
            full = {"history": {k: tuple(v) for k, v in self.history.items()}}
        self.t0 = time.perf_counter()
        self._publish(status=Status.RUNNING, message="Training...", steps_per_epoch=steps,
                      weights=_frozen(self.good_weights), **full)

    def _full_loss(self, rows: int = 8192) -> float:
        """The loss on the whole training set as the weights are now, in runs of `rows`."""
        x, n, total = self.data.x_train, len(self.data.x_train), 0.0
        for i in range(0, n, rows):
            outputs = self.net.forward(x[i:i + rows])
            total += float(self.model.loss(self.y_train[i:i + rows], outputs)) * len(outputs)
        return total / n

    def _views(self, epoch: int, force: bool = False, wait: bool = False) -> None:
        """Boundary grids, at most a few times a second (the page redraws about once a second).
        A probe still getting ready (the digits' plane computes its PCA beside the training) is
        skipped until it is, except with `wait` (the last view of a training)."""
        if not self.probes or (not force and time.perf_counter() - self.last_view < VIEW_INTERVAL):
            return
        if wait:
            for probe in self.probes.values():
                getattr(probe, "wait", lambda: None)()
        views = {name: probe(epoch) for name, probe in self.probes.items()}
        views = {name: view for name, view in views.items() if view is not None}
        if views:
            self._publish(**views)
        self.last_view = time.perf_counter()

    # ---- while the loop runs ----------------------------------------------------------------

    def epoch_begin(self, epoch: int) -> None:
        self.epoch, self.step = epoch, 0

    def after_call(self, logs: dict[str, float], losses: np.ndarray) -> None:
        """After one call of the train function: `losses` is the running loss after each batch."""
        begin = self.step
        self.step = min(begin + len(losses), self.steps)
        bad = np.flatnonzero(~np.isfinite(losses))
        if len(bad):
            return self._diverge(f"epoch {self.epoch + 1}, batch {begin + bad[0] + 1}", float(losses[bad[0]]))
        for i, value in enumerate(losses):  # every `every`-th batch, and the call's last
            done = begin + i + 1
            if done % self.every == 0 or i == len(losses) - 1:
                self.batch_loss.append((self.epoch + done / self.steps, float(value)))
        self._publish(step=self.step, elapsed=self.seconds(), batch_loss=tuple(self.batch_loss))
        for probe in self.probes.values():  # after the first call: the network's trace is done
            getattr(probe, "start", lambda: None)()
        if self.stop_requested():
            self.stop = True
        else:
            self._views(self.epoch)

    def epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if self.diverged:
            return
        loss = logs["loss"]
        if not math.isfinite(loss):
            return self._diverge(f"the end of epoch {epoch + 1}", loss)
        val_loss, val_accuracy, probs = self._validate()
        if self.step < self.steps:  # stopped mid-epoch: show the model as it is, no epoch point
            self._publish(elapsed=self.seconds(), val_probabilities=probs)
            self._views(epoch, force=True, wait=True)
            return
        self.history["loss"].append(loss)
        self.history["val_loss"].append(val_loss)
        if "accuracy" in self.history:
            self.history["accuracy"].append(logs["accuracy"])
            self.history["val_accuracy"].append(val_accuracy)
        if self.full_train_loss:
            self.history["train_loss_full"].append(self._full_loss())
        self.good_weights = self.model.get_weights()
        self.good_epoch = epoch + 1
        self._publish(epoch=epoch + 1, step=0, elapsed=self.seconds(), val_probabilities=probs,
                      history={k: tuple(v) for k, v in self.history.items()}, weights=_frozen(self.good_weights))
        last = epoch + 1 == self.spec.epochs
        self._views(epoch + 1, force=last, wait=last)

    def _validate(self) -> tuple[float, float | None, np.ndarray]:
        outputs = self.net.forward(self.x_val)
        val_loss = float(self.model.loss(self.y_val, outputs))
        probs = to_probabilities(outputs, self.spec.from_logits, self.data.labels)
        probs.setflags(write=False)
        return val_loss, accuracy(probs, self.y_val, self.data.labels), probs

    def _diverge(self, where: str, loss: float) -> None:
        self.diverged = self.stop = True
        self.model.set_weights(self.good_weights)
        spec = self.spec
        advice = (f"The learning rate {spec.learning_rate:g} is too large for "
                  f"{OPTIMIZERS.label(spec.optimizer)}: try one 10 to 100 times smaller")
        if spec.optimizer != "adam":
            advice += ", or Adam with 0.001"
        kept = f"the weights after epoch {self.good_epoch}" if self.good_epoch else "the initial weights"
        self._publish(status=Status.DIVERGED, elapsed=self.seconds(), weights=_frozen(self.good_weights),
                      message=f"The loss became {loss} at {where}: gradient descent overshot "
                              f"and diverged. {advice}. Kept {kept}.")

    def finish(self, reason: str = "") -> None:
        """The last word once the loop ends: done, or stopped early (with the weights as they are;
        `reason`: why it was stopped, when not by its Stop button)."""
        if self.diverged:
            return
        s = self.snapshot
        weights = _frozen(self.model.get_weights())
        if s.epoch < s.epochs:
            where = f"during epoch {s.epoch + 1}" if self.step < self.steps else f"after epoch {s.epoch}"
            why = f"{reason.rstrip('.')}: stopped" if reason else "Stopped"
            self._publish(status=Status.STOPPED, elapsed=self.seconds(), weights=weights,
                          message=f"{why} {where}; the model keeps the weights trained so far.",
                          optimizer_state=self._optimizer_state())
            return
        message = f"Done: {s.epochs} epochs in {self.seconds():.1f} s."
        chance = 1 / self.model.output_shape[-1]
        if (self.data.labels == CLASSES and s.last("val_accuracy") is not None
                and s.last("val_accuracy") < 1.5 * chance):
            message += (f" But the network learned nothing: validation accuracy "
                        f"{s.last('val_accuracy'):.0%} is guessing. A learning rate that is "
                        f"too large can push every ReLU unit to zero for good (dead ReLUs); "
                        f"try a smaller one, or Adam with 0.001.")
        self._publish(status=Status.DONE, elapsed=self.seconds(), weights=weights, message=message,
                      optimizer_state=self._optimizer_state())

    def _optimizer_state(self):
        """The optimizer's variables now, read-only (a Step after this training goes on with them)."""
        return _frozen(self.net.optimizer_state())

    def stepped(self, result, weights, epoch: int, step: int, history: dict, message: str,
                optimizer_state, val_probabilities=None, boundary=None) -> None:
        """A Step's one publication (nncore.training.step): its numbers, the weights after it, where
        the next step starts (`epoch` epochs done, `step` batches into the next) and the series so far."""
        self._publish(status=Status.DONE, elapsed=self.seconds(), weights=_frozen(weights), epoch=epoch, step=step,
                      steps_per_epoch=self.steps, history={k: tuple(v) for k, v in history.items()}, result=result,
                      message=message, optimizer_state=_frozen(optimizer_state), val_probabilities=val_probabilities,
                      **({"boundary": boundary} if boundary is not None else {}))
