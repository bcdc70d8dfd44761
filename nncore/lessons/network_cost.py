"""Why backprop: the derivative of J with respect to every parameter in about N + P steps, not N × P.

Nudging each of P parameters and running the forward pass again (N nodes each time) costs about
N × P; one forward and one backward pass cost about N + P. `network_cost` measures both on a
Train network (the learner's spec, the default ExperimentSpec() otherwise): the backward pass in
full, nudging on a sample of parameters, extrapolated to all P.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..data import load_dataset
from ..model import build_loss, build_model, count_params, plan
from ..spec import ExperimentSpec


def count_nodes(spec) -> int:
    """Numbers one example's forward pass computes: each unit's z, its a = g(z) when g is not
    linear, each pooled value, and the loss J."""
    total = 1
    for p in plan(spec):
        size = math.prod(p.output_shape)
        if p.cls in ("Dense", "Conv2D"):
            total += size * (1 if p.kwargs.get("activation") in (None, "linear") else 2)
        elif p.cls == "MaxPooling2D":
            total += size
    return total


@dataclass(frozen=True)
class Cost:
    """What the gradient of every parameter of a network costs, two ways, measured on one batch."""

    network: str  # e.g. "784 → Dense(25, relu) → Dense(15, relu) → Dense(10, linear)"
    nodes: int  # N
    params: int  # P
    batch: int
    backward_seconds: float  # all P derivatives by one forward and one backward pass (median)
    nudge_seconds: float  # one parameter nudged, J computed again, the parameter put back (mean)
    sampled: int  # parameters actually nudged; the rest is extrapolated
    disagreement: float  # largest |nudged − backprop| derivative on the sample (float32, ε = 1e-3)

    @property
    def steps_backprop(self) -> int:
        return self.nodes + self.params

    @property
    def steps_nudging(self) -> int:
        return self.nodes * self.params

    @property
    def nudge_all_seconds(self) -> float:
        """Extrapolated from the sample: nudge_seconds × P."""
        return self.nudge_seconds * self.params

    @property
    def ratio(self) -> float:
        return self.nudge_all_seconds / self.backward_seconds


def network_cost(spec=None, sample: int = 60, batch: int = 32, repeats: int = 7,
                 epsilon: float = 1e-3, seed: int = 0) -> Cost:
    """Time the gradient of all the network's parameters by backprop (tf.GradientTape) against
    nudging `sample` parameters one at a time (each nudge: add ε, compute J, take ε off, all in one
    traced call), on the first `batch` training examples. The weights are put back exactly after."""
    from .. import import_keras

    import_keras()
    import tensorflow as tf

    spec = (spec or ExperimentSpec()).validate()
    data = load_dataset(spec)
    model = build_model(spec, compile=False)
    loss_fn = build_loss(spec)
    x, y = tf.constant(data.x_train[:batch]), tf.constant(data.y_train[:batch])
    variables = [v.value if hasattr(v, "value") else v for v in model.trainable_variables]

    @tf.function
    def grads_of():
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=False))
        return loss, tape.gradient(loss, variables)

    def nudger(v):
        @tf.function
        def nudge(index, eps):
            v.scatter_nd_add(index, eps)
            loss = loss_fn(y, model(x, training=False))
            v.scatter_nd_add(index, -eps)
            return loss
        return nudge

    loss, grads = grads_of()  # traces it once
    L0, grads = float(loss), [g.numpy() for g in grads]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        grads_of()[1][0].numpy()  # .numpy() waits for the result
        times.append(time.perf_counter() - t0)

    saved = [v.numpy() for v in variables]
    sizes = np.array([s.size for s in saved])
    edges = np.cumsum(sizes)
    picks = np.random.default_rng(seed).choice(int(edges[-1]), size=min(sample, int(edges[-1])), replace=False)
    where = []
    for flat in picks:
        vi = int(np.searchsorted(edges, flat, side="right"))
        where.append((vi, np.unravel_index(int(flat - (edges[vi] - sizes[vi])), saved[vi].shape)))
    nudges = [nudger(v) for v in variables]
    for vi in {vi for vi, _ in where}:  # trace each variable's nudge before the clock starts
        nudges[vi](tf.constant([list(where[0][1])] if where[0][0] == vi else
                               [[0] * saved[vi].ndim]), tf.constant([0.0]))
    eps = tf.constant([epsilon], tf.float32)
    disagreement = 0.0
    t0 = time.perf_counter()
    for vi, idx in where:
        nudged = (float(nudges[vi](tf.constant([list(idx)]), eps)) - L0) / epsilon
        disagreement = max(disagreement, abs(nudged - float(grads[vi][idx])))
    nudge_each = (time.perf_counter() - t0) / len(where)
    for v, s in zip(variables, saved):
        v.assign(s)
    network = " → ".join([str(spec.shape.features) if hasattr(spec, "shape") else "input"]
                         + [p.short() for p in plan(spec) if p.cls not in ("Reshape", "Flatten")])
    return Cost(network, count_nodes(spec), count_params(spec), batch, float(np.median(times)),
                nudge_each, len(where), disagreement)
