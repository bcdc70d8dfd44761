"""Weights you can set: a small network on a 2-D point set, computed in NumPy from weights a
learner types in (the ReLU lab's idea, build the target by hand, carried to a classifier).

    params = parameters(spec)                 # every weight and bias, named: "L1 unit 0: weight from x1"
    weights = set_parameter(weights, params[0], 1.5)
    view = hand_view(spec, weights, data)     # the boundary, every unit's view, the loss and accuracy

Nothing here trains: the forward pass of up to two hidden layers of up to eight units over a
100x100 grid is a few NumPy products, so the picture follows each typed number at once. The
network is the one Keras builds for the spec (Keras' layout: kernel (inputs, units), then bias),
so "Train from here" hands the same arrays to a training as its initial weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..outputs import stable_softmax as softmax
from ..registry import ACTIVATIONS
from ..spec import ExperimentSpec
from ..training.probes import GRID, MAX_UNITS_SHOWN, Boundary, UnitView, grid

MAX_HIDDEN_LAYERS = 2
MAX_UNITS = 8
TRY_PRESET = "two-lines"


def too_big(spec: ExperimentSpec) -> str | None:
    """Why the weights of this network cannot be set by hand here (None: they can)."""
    if len(spec.hidden) > MAX_HIDDEN_LAYERS or any(layer.kind != "dense" or layer.units > MAX_UNITS
                                                   for layer in spec.hidden):
        return (f"Weights can be set by hand for small networks: up to {MAX_HIDDEN_LAYERS} hidden Dense layers of up to "
                f"{MAX_UNITS} units (this one has {spec.hidden_text or 'none'}). Try the preset '{TRY_PRESET}'.")
    if spec.output not in ("logits", "softmax"):
        return "Weights can be set by hand for a classifier with logits or a softmax layer."
    return None


@dataclass(frozen=True)
class Param:
    """One weight or bias: array `array` of the weights list, at `index` in it."""

    array: int
    index: tuple[int, ...]
    layer: str  # "L1"
    unit: int
    source: str | None  # what the weight connects from ("x1", "L1 unit 0"); None for a bias

    @property
    def label(self) -> str:
        return f"{self.layer} unit {self.unit}: " + (f"weight from {self.source}" if self.source else "bias")

    @property
    def key(self) -> str:
        """A short stable name: "1:0,1" (array 1, index (0, 1))."""
        return f"{self.array}:{','.join(map(str, self.index))}"


def layer_sizes(spec: ExperimentSpec) -> list[int]:
    return [2, *(layer.units for layer in spec.hidden), spec.shape.outputs]


def parameters(spec: ExperimentSpec) -> list[Param]:
    """Every weight and bias, unit by unit: its incoming weights, then its bias."""
    sizes, out = layer_sizes(spec), []
    for n, (fan_in, units) in enumerate(zip(sizes, sizes[1:])):
        layer = f"L{n + 1}"
        names = ["x1", "x2"] if n == 0 else [f"L{n} unit {i}" for i in range(fan_in)]
        for j in range(units):
            out += [Param(2 * n, (i, j), layer, j, names[i]) for i in range(fan_in)]
            out.append(Param(2 * n + 1, (j,), layer, j, None))
    return out


def zeros(spec: ExperimentSpec) -> list[np.ndarray]:
    sizes = layer_sizes(spec)
    return [a for n, u in zip(sizes, sizes[1:]) for a in (np.zeros((n, u), np.float32), np.zeros(u, np.float32))]


def fits(spec: ExperimentSpec, weights) -> bool:
    """Are these weights (a list of arrays) shaped for this spec's network?"""
    want = [a.shape for a in zeros(spec)]
    return weights is not None and [np.shape(w) for w in weights] == want


def set_parameter(weights, param: Param, value: float) -> list[np.ndarray]:
    """New arrays with one number changed (the ones given are left as they are)."""
    out = [np.array(w, np.float32, copy=True) for w in weights]
    out[param.array][param.index] = np.float32(value)
    return out


def forward(spec: ExperimentSpec, weights, x: np.ndarray) -> list[np.ndarray]:
    """Every layer's output for rows of x: hidden activations, then the output layer's logits z
    (for a softmax output too: the probabilities are softmax(z))."""
    a, outs = np.asarray(x, np.float64), []
    for n, layer in enumerate(spec.hidden):
        a = ACTIVATIONS[layer.activation].g(a @ weights[2 * n] + weights[2 * n + 1])
        outs.append(a)
    outs.append(a @ weights[-2] + weights[-1])
    return outs


def probabilities(spec: ExperimentSpec, weights, x) -> np.ndarray:
    return softmax(forward(spec, weights, x)[-1])


def loss_and_accuracy(spec: ExperimentSpec, weights, x, y) -> tuple[float, float]:
    """Cross-entropy (what SparseCategoricalCrossentropy gives, clipped as Keras clips) and accuracy."""
    p = probabilities(spec, weights, x)
    picked = np.clip(p[np.arange(len(y)), np.asarray(y)], 1e-7, 1.0)
    return float(-np.log(picked).mean()), float(np.mean(p.argmax(1) == np.asarray(y)))


@dataclass(frozen=True)
class HandView:
    boundary: Boundary
    loss: float  # on the training points
    accuracy: float
    val_loss: float | None
    val_accuracy: float | None


def hand_view(spec: ExperimentSpec, weights, data, size: int = GRID) -> HandView:
    """The boundary and every unit's view of the plane for these weights, and their loss."""
    x1, x2, points = grid(data.bounds(), size)
    outs = forward(spec, weights, points)
    p = softmax(outs[-1])
    shape = (size, size)
    units = []
    for n, values in enumerate(outs[:-1]):
        units += [UnitView(f"L{n + 1}", u, "activation", values[:, u].reshape(shape).astype(np.float32))
                  for u in range(min(values.shape[1], MAX_UNITS_SHOWN))]
    units += [UnitView(f"L{len(outs)}", u, "logit", outs[-1][:, u].reshape(shape).astype(np.float32))
              for u in range(min(outs[-1].shape[1], MAX_UNITS_SHOWN))]
    boundary = Boundary(x1, x2, p.argmax(1).astype(np.uint8).reshape(shape), p.max(1).astype(np.float32).reshape(shape),
                        tuple(units))
    loss, acc = loss_and_accuracy(spec, weights, data.x_train, data.y_train)
    val = loss_and_accuracy(spec, weights, data.x_val, data.y_val) if len(data.y_val) else (None, None)
    return HandView(boundary, loss, acc, *val)


def check_value(text) -> float:
    """A typed weight: a finite number of reasonable size."""
    value = float(text)
    if not np.isfinite(value) or abs(value) > 1000:
        raise ValueError("a weight must be a number from -1000 to 1000")
    return value


