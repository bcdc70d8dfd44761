"""From a spec to a compiled Keras model, and to the Keras code a learner can take home.

The model is the course's: a `Sequential` of layers named L1, L2, ... (Dense, or Conv2D and
MaxPooling2D on images), the last one a Dense layer with one unit per class (or per yes/no
question, or one for a number) whose activation the spec's output says: linear logits (the
loss gets `from_logits=True`), softmax, sigmoid, or linear for regression.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from .registry import ACTIVATIONS, BINARY, CLASSES, DATASETS, LOSSES, MULTI_HOT, OPTIMIZERS, OUTPUTS, Shape
from .spec import ExperimentSpec

# Keras' global seed is process-wide: seed and build under one lock so that two sessions
# building at once each get the weights their own seed gives.
_BUILD_LOCK = threading.Lock()


def seed_initializers(seed: int) -> None:
    """What `keras.utils.set_random_seed(seed)` does for building, without its TensorFlow part.

    Keras' initializers take their seeds from Python's `random` (and NumPy's) when a layer is
    made, so this gives exactly the weights set_random_seed gives. `tf.random.set_seed` is
    left out on purpose: it clears TensorFlow's kernel caches, after which every traced
    function in the process (other sessions' trainings, the Draw page's model) spends ~0.2 s
    being set up again on its next call. (Call it under _BUILD_LOCK.)
    """
    random.seed(seed)
    np.random.seed(seed)


def build_optimizer(spec: ExperimentSpec):
    return OPTIMIZERS[spec.optimizer].build(spec.learning_rate)


def build_loss(spec: ExperimentSpec):
    return LOSSES[spec.loss].build(spec.from_logits)


def build_metrics(spec: ExperimentSpec) -> list:
    """What `fit` reports beside the loss, named "accuracy" where the labels are classes or yes/no
    answers (for those, the share of answers right at the 0.5 threshold); none for a number."""
    labels = DATASETS[spec.dataset].labels
    if labels == CLASSES:
        return ["accuracy"]
    if labels in (BINARY, MULTI_HOT):
        import keras

        return [keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0 if spec.from_logits else 0.5)]
    return []


@dataclass(frozen=True)
class PlannedLayer:
    """One Keras layer of a spec's network, with its shape and parameter count worked out."""

    name: str
    cls: str  # keras.layers class name
    args: tuple
    kwargs: dict
    output_shape: tuple[int, ...]
    params: int
    how: str

    def short(self) -> str:
        """How the layer reads in one line of prose: Dense(25, relu), MaxPooling2D(2x2), ..."""
        act = self.kwargs.get("activation")
        if self.cls == "Dense":
            return f"Dense({self.args[0]}, {act})"
        if self.cls == "Conv2D":
            k, s = self.kwargs["kernel_size"], self.kwargs.get("strides", 1)
            return f"Conv2D({self.args[0]} {k}x{k}{f' stride {s}' if s != 1 else ''}, {act})"
        if self.cls == "MaxPooling2D":
            return f"MaxPooling2D({self.kwargs['pool_size']}x{self.kwargs['pool_size']})"
        return self.cls

    def code(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.cls}({', '.join(parts + [f'name={self.name!r}'])})"


def plan(spec: ExperimentSpec, shape: Shape | None = None) -> list[PlannedLayer]:
    """The layers `build_model` makes for `spec` (on data of `shape`, by default the spec's
    dataset's), in order, without TensorFlow."""
    shape_ = shape or spec.shape
    n_features, n_classes, image_shape = shape_.features, shape_.outputs, shape_.image
    layers: list[PlannedLayer] = []
    shape: tuple[int, ...] = (n_features,)
    if spec.is_convolutional:
        shape = (*image_shape, 1)
        layers.append(PlannedLayer("image", "Reshape", (shape,), {}, shape, 0,
                                   f"the {n_features} pixels as a {image_shape[0]}x{image_shape[1]} image"))

    def flatten() -> None:
        nonlocal shape
        if len(shape) == 3:
            shape = (shape[0] * shape[1] * shape[2],)
            layers.append(PlannedLayer("flatten", "Flatten", (), {}, shape, 0,
                                       f"the {shape[0]} numbers as one vector"))

    def dense(name: str, units: int, activation: str) -> None:
        nonlocal shape
        flatten()
        fan_in = shape[0]
        shape = (units,)
        layers.append(PlannedLayer(name, "Dense", (units,), {"activation": activation}, shape,
                                   fan_in * units + units, f"{fan_in} x {units} weights + {units} biases"))

    for i, layer in enumerate(spec.hidden):
        name = f"L{i + 1}"
        activation = ACTIVATIONS[layer.activation].keras if layer.kind != "pool" else None
        if layer.kind == "dense":
            dense(name, layer.units, activation)
        elif layer.kind == "conv":
            h, w, c = shape
            f, k, s = layer.units, layer.kernel, layer.stride
            shape = (-(-h // s), -(-w // s), f)  # padding="same": ceil(n / stride) windows a row
            kwargs = {"kernel_size": k, **({"strides": s} if s != 1 else {}), "padding": "same",
                      "activation": activation}
            layers.append(PlannedLayer(name, "Conv2D", (f,), kwargs, shape, k * k * c * f + f,
                                       f"{k}x{k}x{c} x {f} weights (shared by every window) + {f} biases"))
        else:  # pool
            h, w, c = shape
            p = layer.kernel
            shape = (h // p, w // p, c)
            layers.append(PlannedLayer(name, "MaxPooling2D", (), {"pool_size": p}, shape, 0,
                                       f"the largest of each {p}x{p} block; no weights"))
    dense(f"L{len(spec.hidden) + 1}", n_classes, OUTPUTS[spec.output].activation)
    return layers


def build_model(spec: ExperimentSpec, shape: Shape | None = None, compile: bool = True,
                weights: list[np.ndarray] | None = None):
    """The spec's network, compiled with its loss and optimizer. Weights depend only on the seed
    (or are the `weights` given, e.g. a finished training's)."""
    from . import import_keras

    keras = import_keras()  # through its lock: a page may build one while the warm-up imports TensorFlow
    spec.validate()
    shape = shape or spec.shape
    with _BUILD_LOCK:
        seed_initializers(spec.seed)
        layers: list[Any] = [keras.Input(shape=(shape.features,))]
        for p in plan(spec, shape):
            layers.append(getattr(keras.layers, p.cls)(*p.args, **p.kwargs, name=p.name))
        model = keras.Sequential(layers, name="my_model")
    if weights is not None:
        model.set_weights(list(weights))
    if compile:
        model.compile(optimizer=build_optimizer(spec), loss=build_loss(spec), metrics=build_metrics(spec))
    return model


def macs_per_example(spec: ExperimentSpec, shape: Shape | None = None) -> int:
    """Multiply-adds of one forward pass: what a training step costs, roughly, per example."""
    total, channels = 0, 1
    for p in plan(spec, shape):
        if p.cls == "Dense":
            total += p.params
        elif p.cls == "Conv2D":
            h, w, f = p.output_shape
            total += h * w * p.kwargs["kernel_size"] ** 2 * channels * f
        if len(p.output_shape) == 3:
            channels = p.output_shape[2]
    return total


def count_params(spec: ExperimentSpec, shape: Shape | None = None) -> int:
    """Weights plus biases, computed from the spec alone (no TensorFlow needed)."""
    return sum(p.params for p in plan(spec, shape))


def summary_rows(spec: ExperimentSpec, shape: Shape | None = None) -> list[dict[str, Any]]:
    """What model.summary() prints, worked out from the spec: layer, output shape, parameters."""
    n_features = (shape or spec.shape).features
    what = "pixel values" if (shape or spec.shape).image else "input values"
    rows = [{"layer": "input", "type": "Input", "activation": "", "output shape": f"(None, {n_features})",
             "parameters": 0, "how": f"{n_features} {what}"}]
    for p in plan(spec, shape):
        rows.append({"layer": p.name, "type": p.cls, "activation": p.kwargs.get("activation", ""),
                     "output shape": str((None, *p.output_shape)), "parameters": p.params, "how": p.how})
    return rows
