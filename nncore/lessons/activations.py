"""Activation functions and the ReLU lab: Keras' own curves and slopes, the lecture's advice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..registry import ACTIVATIONS, LEAKY_SLOPE  # noqa: F401
from ..spec import ExperimentSpec
from ..synthetic import relu_lab_target  # noqa: F401  (the lab's target lives with the data it makes)
from ..training.job import TrainingJob

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


@dataclass(frozen=True)
class ReluFit:
    """What Keras found for the ReLU lab: the 3 units' weights and where each bends."""

    weights: np.ndarray  # (3,) w of each unit
    biases: np.ndarray  # (3,) b of each unit
    bends: np.ndarray  # (3,) -b/w: where each unit turns on or off
    output_weights: np.ndarray  # (3,) the output layer's weights
    output_bias: float
    x: np.ndarray  # the 300 points on [0, 3]
    target: np.ndarray
    output: np.ndarray  # the fitted curve on x
    loss: float  # mean squared error on the 300 points
    history: tuple[float, ...]  # training MSE per epoch
    dead_units: tuple[int, ...]  # units with z <= 0 on every x: their gradient is 0 for good
    seconds: float


RELU_LAB_INITS = ("hinges", "keras")


def relu_lab_job(seed: int = 0, init: str = "hinges", epochs: int = 200):
    """The lab's network as a training job (not started): Dense(3, relu) -> Dense(1, linear),
    MeanSquaredError, Adam(0.02), batches of 30 of the 300 points (the preset `relu-lab`).

    `init="hinges"` (default) starts the way the lab's solution looks: unit 0 faces left
    (w < 0), units 1 and 2 face right (w > 0), slopes of random size in [0.5, 1.5] and
    bends at random places in [0.2, 2.8] (a generator of its own, seeded); the output layer
    starts at the lab's weights 1, bias 0. Every unit then starts active on part of [0, 3],
    and the fit is reliable.

    `init="keras"` keeps Keras' defaults (Glorot-uniform weights, zero biases), seeded as
    the Train page seeds. With b = 0 and x >= 0, a unit whose w starts negative has z <= 0
    on all of [0, 3]: it starts dead, its gradient is 0 and it stays dead, and the fit gets
    stuck (a known failure of ReLU, shown on purpose).
    """
    if init not in RELU_LAB_INITS:
        raise ValueError(f"init must be one of {RELU_LAB_INITS}, got {init!r}")
    spec = ExperimentSpec.from_preset("relu-lab").replace(seed=seed, epochs=epochs)
    weights = None
    if init == "hinges":
        rng = np.random.default_rng(seed)
        w = np.array([-1.0, 1.0, 1.0]) * rng.uniform(0.5, 1.5, 3)
        bend = rng.uniform(0.2, 2.8, 3)
        weights = [w[None, :].astype(np.float32), (-w * bend).astype(np.float32),
                   np.ones((3, 1), np.float32), np.zeros(1, np.float32)]
    return TrainingJob(spec, initial_weights=weights, views=False)


def relu_lab_result(snapshot) -> ReluFit:
    """The fit as of a job's snapshot (its weights), checked against the target on 300 points."""
    kernel, bias, out_w, out_b = (np.asarray(a, np.float64) for a in snapshot.weights)
    w, b = kernel[0], bias
    x = np.linspace(0, 3, 300)
    z = w[:, None] * x[None, :] + b[:, None]
    output = out_w[:, 0] @ np.maximum(0.0, z) + out_b[0]
    target = relu_lab_target(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        bends = -b / w
    return ReluFit(w, b, bends, out_w[:, 0], float(out_b[0]), x, target, output,
                   float(np.mean((output - target) ** 2)), tuple(snapshot.history.get("loss", ())),
                   tuple(i for i in range(3) if np.all(z[i] <= 0)), snapshot.elapsed)


def fit_relu_lab(seed: int = 0, init: str = "hinges", epochs: int = 200) -> ReluFit:
    """Train the lab's network to the end in this thread (headless use; a page starts the job)."""
    job = relu_lab_job(seed, init, epochs)
    try:
        return relu_lab_result(job.run())
    finally:
        job.release()
