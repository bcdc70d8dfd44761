"""What a training job writes down while it trains (imported only when training starts).

The job's loop calls it after every call of the network's train function (a run of batches)
and at the end of every epoch. It records the running loss after every few batches and the
validation metrics every epoch, computes the live views a few times a second, and catches a
loss that becomes NaN or infinite: the last good weights come back and the job says what
happened and what to try.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..registry import OPTIMIZERS
from .job import DIVERGED, DONE, LOSS_POINTS_PER_EPOCH, STOPPED, TrainingJob, to_probabilities

VIEW_INTERVAL = 0.2  # seconds between two boundary grids


class Recorder:
    def __init__(self, job: TrainingJob, x_val: np.ndarray, y_val: np.ndarray, steps: int):
        import tensorflow as tf

        self.job, self.y_val, self.steps = job, y_val, steps
        self.net = job.network
        self.model = self.net.model
        self.x_val = tf.constant(np.asarray(x_val, np.float32))  # converted once, used every epoch
        self.labels_val = y_val.argmax(-1) if y_val.ndim == 2 else y_val
        self.every = max(1, steps // LOSS_POINTS_PER_EPOCH)  # batches between two loss points
        self.history: dict[str, list[float]] = {
            "loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
        self.batch_loss: list[tuple[float, float]] = []
        self.good_weights: list[np.ndarray] = []
        self.good_epoch = 0
        self.diverged = False
        self.stop = False  # the loop ends after this call (stop asked, or divergence)
        self.epoch = 0
        self.step = 0
        self.t0 = time.perf_counter()
        self.probes: dict[str, object] = {}
        self.last_view = -1.0

    def seconds(self) -> float:
        return time.perf_counter() - self.t0

    def begin(self) -> None:
        self.good_weights = self.model.get_weights()
        job, data = self.job, self.job.data
        if job.views and data.is_points:
            from .probes import BoundaryProbe

            self.probes["boundary"] = BoundaryProbe(self.net, data.bounds(), job.spec.from_logits)
        elif job.views and data.image_shape is not None:
            from .probes import PlaneProbe

            self.probes["plane"] = PlaneProbe(self.net, data.x_train, data.x_val, data.y_val,
                                              job.spec.from_logits)
        self._views(0, force=True)
        self.t0 = time.perf_counter()

    def _views(self, epoch: int, force: bool = False) -> None:
        """Boundary grids, at most a few times a second (the page redraws twice a second)."""
        if not self.probes or (not force and time.perf_counter() - self.last_view < VIEW_INTERVAL):
            return
        self.job._publish(**{name: probe(epoch) for name, probe in self.probes.items()})
        self.last_view = time.perf_counter()

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
        self.job._publish(step=self.step, elapsed=self.seconds(), batch_loss=tuple(self.batch_loss))
        if self.job.stop_requested:
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
            self.job._publish(elapsed=self.seconds(), val_probabilities=probs)
            self._views(epoch, force=True)
            return
        self.history["loss"].append(loss)
        self.history["accuracy"].append(logs["accuracy"])
        self.history["val_loss"].append(val_loss)
        self.history["val_accuracy"].append(val_accuracy)
        self.good_weights = self.model.get_weights()
        self.good_epoch = epoch + 1
        self.job._publish(epoch=epoch + 1, step=0, elapsed=self.seconds(), val_probabilities=probs,
                          history={k: tuple(v) for k, v in self.history.items()})
        self._views(epoch + 1, force=epoch + 1 == self.job.spec.epochs)

    def _validate(self) -> tuple[float, float, np.ndarray]:
        outputs = self.net.forward(self.x_val)
        val_loss = float(self.model.loss(self.y_val, outputs))
        probs = to_probabilities(outputs, self.job.spec.from_logits)
        probs.setflags(write=False)
        return val_loss, float(np.mean(probs.argmax(-1) == self.labels_val)), probs

    def _diverge(self, where: str, loss: float) -> None:
        self.diverged = self.stop = True
        self.model.set_weights(self.good_weights)
        spec = self.job.spec
        advice = (f"The learning rate {spec.learning_rate:g} is too large for "
                  f"{OPTIMIZERS.label(spec.optimizer)}: try one 10 to 100 times smaller")
        if spec.optimizer != "adam":
            advice += ", or Adam with 0.001"
        kept = f"the weights after epoch {self.good_epoch}" if self.good_epoch else "the initial weights"
        self.job._publish(status=DIVERGED, elapsed=self.seconds(),
                          message=f"The loss became {loss} at {where}: gradient descent overshot "
                                  f"and diverged. {advice}. Kept {kept}.")

    def finish(self) -> None:
        """The last word once the loop ends: done, or stopped early."""
        if self.diverged:
            return
        s = self.job.snapshot()
        if s.epoch < s.epochs:
            where = f"during epoch {s.epoch + 1}" if self.step < self.steps else f"after epoch {s.epoch}"
            self.job._publish(status=STOPPED, elapsed=self.seconds(),
                              message=f"Stopped {where}; the model keeps the weights trained so far.")
        else:
            message = f"Done: {s.epochs} epochs in {self.seconds():.1f} s."
            chance = 1 / self.model.output_shape[-1]
            if s.last("val_accuracy") is not None and s.last("val_accuracy") < 1.5 * chance:
                message += (f" But the network learned nothing: validation accuracy "
                            f"{s.last('val_accuracy'):.0%} is guessing. A learning rate that is "
                            f"too large can push every ReLU unit to zero for good (dead ReLUs); "
                            f"try a smaller one, or Adam with 0.001.")
            self.job._publish(status=DONE, elapsed=self.seconds(), message=message)
