"""Activation functions and the ReLU lab: Keras' own curves and slopes, the lecture's advice."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..data import relu_lab_target  # noqa: F401  (the lab's target lives with the data)
from ..registry import ACTIVATIONS, LEAKY_SLOPE  # noqa: F401

# ---- 1. Activation functions ------------------------------------------------------------

# name -> (g, g'): the formulas in NumPy (the registry's records), to set beside Keras' own curves.
ACTIVATION_FUNCTIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    name: (a.g, a.dg) for name, a in ACTIVATIONS.items()}


def activation_curves(names: list[str] | tuple[str, ...], x: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """g(x) and its slope g'(x) for each named activation, from Keras itself.

    g is `keras.activations.get(name)`, the function a Dense layer applies; the slope is
    what backpropagation uses, taken by `tf.GradientTape` (no hand-written formula).
    Returns {name: {"y": g(x), "dy": g'(x)}} as float64 NumPy arrays.
    """
    from .. import import_keras

    keras = import_keras()
    import tensorflow as tf

    curves = {}
    for name in names:
        g = keras.activations.get(ACTIVATIONS[name].keras)
        z = tf.constant(np.asarray(x, np.float32))
        with tf.GradientTape() as tape:
            tape.watch(z)
            a = g(z)
        dy = tape.gradient(a, z)  # the activation acts unit by unit, so this is g'(z)
        curves[name] = {"y": np.asarray(a, np.float64),
                        "dy": np.ones(z.shape) if dy is None else np.asarray(dy, np.float64)}
    return curves


@dataclass(frozen=True)
class Guidance:
    """One piece of the lecture's advice on choosing an activation."""

    layer: str  # "output" or "hidden"
    when: str
    choice: str
    why: str


ACTIVATION_GUIDANCE: tuple[Guidance, ...] = (
    Guidance("output", "binary classification (y is 0 or 1)", "sigmoid",
             "the output is read as the probability that y = 1"),
    Guidance("output", "regression where y can be negative or positive (e.g. a stock price change)",
             "linear", "the output can take any value"),
    Guidance("output", "regression where y is never negative (e.g. a house price)", "relu",
             "the output is 0 or positive"),
    Guidance("hidden", "hidden layers, by default", "relu",
             "it is flat on one side only, so gradient descent is not slowed the way it is where "
             "sigmoid is flat on both sides; and max(0, z) is faster to compute than an exponential"),
    Guidance("hidden", "any layer except possibly the output", "not linear",
             "a network of linear layers is just one linear function (linear regression, or "
             "logistic regression with a sigmoid output): the hidden layers would add nothing"),
)


# ---- 2. The ReLU lab ----------------------------------------------------------------------
# Three ReLU units feed one linear output with weights 1 and bias 0. Each unit is a hinge
# that is flat (off) on one side of z = 0: together they build a piecewise-linear curve.

RELU_LAB_UNIT0 = (-2.0, 2.0)  # (w0, b0): given in the lab, it makes the slope -2 on [0, 1]
RELU_LAB_ANSWER = dict(w1=1.0, b1=-1.0, w2=2.0, b2=-4.0)  # turns on at x = 1 and at x = 2


def relu_lab_units(x: np.ndarray, w1: float, b1: float, w2: float, b2: float) -> dict[str, np.ndarray]:
    """The lab's network on x: z = w x + b and a = max(0, z) for each unit, and their sum.

    Unit 0 is fixed (w0 = -2, b0 = 2); the output layer adds the three a's (weights 1, bias 0).
    Returns {"z": (3, n), "a": (3, n), "output": (n,)}.
    """
    x = np.asarray(x, np.float64)
    w = np.array([RELU_LAB_UNIT0[0], w1, w2], np.float64)[:, None]
    b = np.array([RELU_LAB_UNIT0[1], b1, b2], np.float64)[:, None]
    z = w * x[None, :] + b
    a = np.maximum(0.0, z)
    return {"z": z, "a": a, "output": a.sum(axis=0)}


def relu_lab_error(w1: float, b1: float, w2: float, b2: float,
                   x: np.ndarray | None = None) -> dict[str, float]:
    """How far the learner's network is from the target: max |error| and mean squared error."""
    x = np.linspace(0, 3, 301) if x is None else np.asarray(x, np.float64)
    err = relu_lab_units(x, w1, b1, w2, b2)["output"] - relu_lab_target(x)
    return {"max_abs_error": float(np.max(np.abs(err))), "mse": float(np.mean(err ** 2))}


def fit_relu_lab(seed: int = 0, epochs: int = 20, learning_rate: float = 0.02,
                 init: str = "hinges", n_points: int = 300) -> dict[str, Any]:
    """Let Keras find the lab's weights: Dense(3, relu) -> Dense(1, linear), Adam, MSE.

    The recipe: 300 points on [0, 3], batches of 30, Adam(0.02), 20 epochs of 100 steps.

    `init="hinges"` (default) starts the way the lab's solution looks: unit 0 faces left
    (w < 0), units 1 and 2 face right (w > 0), slopes of random size in [0.5, 1.5] and
    bends at random places in [0.2, 2.8]; the output layer starts at the lab's weights 1,
    bias 0. Every unit then starts active on part of [0, 3], and the fit is reliable.

    `init="keras"` keeps Keras' defaults (Glorot-uniform weights, zero biases). With
    b = 0 and x >= 0, a unit whose w starts negative has z <= 0 on all of [0, 3]: it
    starts dead, its gradient is 0 and it stays dead, and the fit gets stuck (a known
    failure of ReLU, shown on purpose).

    Returns weights, biases, bends (-b/w) of the 3 units, output_weights, output_bias,
    x, target, output (the fitted curve), loss (final MSE on the points), history (MSE
    per epoch), dead_units (units with z <= 0 on every x), and seconds.
    """
    if init not in ("hinges", "keras"):
        raise ValueError(f"init must be 'hinges' or 'keras', got {init!r}")
    from .. import import_keras
    from ..model import _BUILD_LOCK

    keras = import_keras()
    import tensorflow as tf

    x = np.linspace(0, 3, n_points).astype(np.float32)[:, None]
    y = relu_lab_target(x).astype(np.float32)
    with _BUILD_LOCK:  # Keras' seed is process-wide
        keras.utils.set_random_seed(seed)
        out_init = "ones" if init == "hinges" else "glorot_uniform"
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(3, activation="relu", name="L1"),
                                  keras.layers.Dense(1, activation="linear", kernel_initializer=out_init,
                                                     name="L2")], name="relu_lab")
    if init == "hinges":
        rng = np.random.default_rng(seed)
        w = np.array([-1.0, 1.0, 1.0]) * rng.uniform(0.5, 1.5, 3)
        bend = rng.uniform(0.2, 2.8, 3)
        model.layers[0].set_weights([w[None, :].astype(np.float32), (-w * bend).astype(np.float32)])
    steps = 100
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse", steps_per_execution=steps)
    batches = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(n_points, seed=seed)
               .batch(30).repeat())
    t0 = time.perf_counter()
    history = model.fit(batches, epochs=epochs, steps_per_epoch=steps, verbose=0, shuffle=False)
    seconds = time.perf_counter() - t0
    (kernel, bias), (out_w, out_b) = model.layers[0].get_weights(), model.layers[1].get_weights()
    w, b = kernel[0].astype(np.float64), bias.astype(np.float64)
    output = np.asarray(model(x), np.float64)[:, 0]
    z = w[:, None] * x[:, 0][None, :] + b[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        bends = -b / w
    return {
        "weights": w, "biases": b, "bends": bends,
        "output_weights": out_w[:, 0].astype(np.float64), "output_bias": float(out_b[0]),
        "x": x[:, 0].astype(np.float64), "target": y[:, 0].astype(np.float64), "output": output,
        "loss": float(np.mean((output - y[:, 0]) ** 2)),
        "history": [float(v) for v in history.history["loss"]],
        "dead_units": [i for i in range(3) if np.all(z[i] <= 0)],
        "seconds": seconds,
    }
