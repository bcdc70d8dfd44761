"""The Keras callback inside every training job (imported only when training starts).

It records the loss every few batches and the validation metrics every epoch, checks the
job's stop flag, and catches a loss that becomes NaN or infinite: the last good weights
come back and the job says what happened and what to try.
"""

from __future__ import annotations

import math
import time

import keras
import numpy as np

from .registry import OPTIMIZERS
from .train import DIVERGED, DONE, STOPPED, TrainingJob, to_probabilities

VIEW_INTERVAL = 0.2  # seconds between two boundary grids


class Recorder(keras.callbacks.Callback):
    def __init__(self, job: TrainingJob, x_val: np.ndarray, y_val: np.ndarray, steps: int):
        super().__init__()
        self.job, self.x_val, self.y_val, self.steps = job, x_val, y_val, steps
        self.labels_val = y_val.argmax(-1) if y_val.ndim == 2 else y_val
        self.history: dict[str, list[float]] = {
            "loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
        self.batch_loss: list[tuple[float, float]] = []
        self.good_weights: list[np.ndarray] = []
        self.good_epoch = 0
        self.diverged = False
        self.epoch = 0
        self.step = 0
        self.t0 = time.perf_counter()
        self.probes: dict[str, object] = {}
        self.last_view = -1.0

    def seconds(self) -> float:
        return time.perf_counter() - self.t0

    def on_train_begin(self, logs=None):
        self.good_weights = self.model.get_weights()
        job, data = self.job, self.job.data
        if job.views and data.is_points:
            from .boundary import BoundaryProbe

            self.probes["boundary"] = BoundaryProbe(self.model, data.bounds(), job.spec.from_logits)
        elif job.views and data.image_shape is not None:
            from .boundary import PlaneProbe

            self.probes["plane"] = PlaneProbe(self.model, data.x_train, data.x_val, data.y_val,
                                              job.spec.from_logits)
        self._views(0, force=True)
        self.t0 = time.perf_counter()

    def _views(self, epoch: int, force: bool = False) -> None:
        """Boundary grids, at most a few times a second (the page redraws twice a second)."""
        if not self.probes or (not force and time.perf_counter() - self.last_view < VIEW_INTERVAL):
            return
        self.job._publish(**{name: probe(epoch) for name, probe in self.probes.items()})
        self.last_view = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.step = epoch, 0

    def on_train_batch_end(self, batch, logs=None):
        loss = float(logs["loss"])
        self.step = min(batch + 1, self.steps)  # Keras may count past the end of an uneven last call
        if not math.isfinite(loss):
            return self._diverge(f"epoch {self.epoch + 1}, batch {self.step}", loss)
        self.batch_loss.append((self.epoch + self.step / self.steps, loss))
        self.job._publish(step=self.step, elapsed=self.seconds(), batch_loss=tuple(self.batch_loss))
        if self.job.stop_requested:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.diverged:
            return
        loss = float(logs["loss"])
        if not math.isfinite(loss):
            return self._diverge(f"the end of epoch {epoch + 1}", loss)
        val_loss, val_accuracy, probs = self._validate()
        if self.step < self.steps:  # stopped mid-epoch: show the model as it is, no epoch point
            self.job._publish(elapsed=self.seconds(), val_probabilities=probs)
            self._views(epoch, force=True)
            return
        self.history["loss"].append(loss)
        self.history["accuracy"].append(float(logs["accuracy"]))
        self.history["val_loss"].append(val_loss)
        self.history["val_accuracy"].append(val_accuracy)
        self.good_weights = self.model.get_weights()
        self.good_epoch = epoch + 1
        self.job._publish(epoch=epoch + 1, step=0, elapsed=self.seconds(), val_probabilities=probs,
                          history={k: tuple(v) for k, v in self.history.items()})
        self._views(epoch + 1, force=epoch + 1 == self.job.spec.epochs)

    def _validate(self) -> tuple[float, float, np.ndarray]:
        outputs = self.model(self.x_val, training=False)
        val_loss = float(self.model.loss(self.y_val, outputs))
        probs = to_probabilities(np.asarray(outputs), self.job.spec.from_logits)
        probs.setflags(write=False)
        return val_loss, float(np.mean(probs.argmax(-1) == self.labels_val)), probs

    def _diverge(self, where: str, loss: float) -> None:
        self.diverged = True
        self.model.stop_training = True
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
        """The last word once fit returns: done, or stopped early."""
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
