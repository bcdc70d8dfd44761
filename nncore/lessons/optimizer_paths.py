"""Adam vs gradient descent, part 2: the lecture's contour picture, computed by Keras.

A loss J of two parameters, drawn as contours, and each optimizer's path across it step by
step. The paths come from Keras' own optimizers (`keras.optimizers.SGD`, `SGD(momentum=0.9)`,
`RMSprop`, `Adam`) applying `tf.GradientTape` gradients to two `tf.Variable`s, exactly as in a
network's training step. Beside each path: every parameter's step at every step, |Δθ|, and
its effective learning rate |Δθ| / |∂J/∂θ|: one number α for gradient descent, one per
parameter, growing and shrinking, for Adam.

One Adam step and one momentum step are also written out by hand (m, v, m̂, v̂, the update)
from the same gradients; they agree with Keras' update to float32 precision.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .optimizers import RACE_NAMES, RACERS  # the same names as the race
from ..registry import OPTIMIZERS

ESCAPE = 1e4  # a path whose parameter passes this has left for good: it diverged
# The α's a learner can pick for an optimizer on a surface (each optimizer's own, Optimizer.surface_rates
# in the registry, among them).
ALPHAS = (0.0003, 0.001, 0.003, 0.0075, 0.01, 0.019, 0.03, 0.1, 0.3, 0.5, 1.0)

# The regression's data: 12 houses, size x in units of 10 m² (5 to 25: not scaled to about
# [-1, 1]) and price y in units of 10,000.
_X = np.linspace(5.0, 25.0, 12)
_Y = 1.5 * _X + 5.0 + np.random.default_rng(0).normal(0, 1.0, len(_X))


@dataclass(frozen=True)
class Surface:
    """A loss of two parameters: J as a formula that works on NumPy arrays and TF tensors alike."""

    name: str
    label: str
    help: str
    params: tuple[str, str]
    J: Callable  # J(p, q, ops): ops is numpy or tensorflow.math-like (mean only)
    start: tuple[float, float]
    box: tuple[tuple[float, float], tuple[float, float]]  # the plotted window
    steps: int

    @property
    def rates(self) -> dict[str, float]:
        """A learning rate per optimizer (by race name) that shows the lecture's picture: each
        registry optimizer's own for this surface (Optimizer.surface_rates)."""
        return {r: dict(OPTIMIZERS[RACE_NAMES[r]].surface_rates)[self.name] for r in RACERS}

    def grid(self, n: int = 121) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(p values, q values, J on the grid as J[q, p]) for the contour plot."""
        p = np.linspace(*self.box[0], n)
        q = np.linspace(*self.box[1], n)
        P, Q = np.meshgrid(p, q)
        return p, q, np.asarray(self.J(P, Q, np), np.float64)

    @functools.cached_property
    def _lowest(self) -> tuple[float, float, float]:
        """(p, q, J) at the lowest point of a fine grid: computed once per surface."""
        p, q, J = self.grid(401)
        i, j = np.unravel_index(np.argmin(J), J.shape)
        return float(p[j]), float(q[i]), float(J[i, j])

    @property
    def minimum(self) -> tuple[float, float]:
        return self._lowest[:2]

    @property
    def minimum_loss(self) -> float:
        """J at `minimum`."""
        return self._lowest[2]


def _regression(w, b, ops):
    """J(w, b) = 1/(2m) Σ (w·x + b − y)², written with the data's moments so that it works on a
    grid of (w, b) as well as on two tf.Variables."""
    xx, x, xy, y, yy = (float(np.mean(v)) for v in (_X * _X, _X, _X * _Y, _Y, _Y * _Y))
    return 0.5 * (w * w * xx + 2 * w * b * x + b * b - 2 * w * xy - 2 * b * y + yy)


SURFACES = {s.name: s for s in (
    Surface("valley", "Linear regression, unscaled feature (a long narrow valley)",
            "J(w, b) = 1/(2m) Σ (w·x + b − y)² on 12 houses, x = size in 10 m² (5 to 25), y = price: the "
            "feature is not scaled, so J is 1,800 times steeper across the valley than along it. Gradient "
            "descent must keep α below 0.0075 or it diverges, and then it crawls along the valley.",
            ("w", "b"), _regression, (0.0, 0.0), ((-0.5, 3.0), (-1.5, 8.0)), 150),
    Surface("bowl", "Elongated bowl", "J(w1, w2) = (w1² + 100·w2²) / 2: 100 times steeper in w2 than in "
            "w1. Gradient descent diverges above α = 0.02; just below it zig-zags across w2 and crawls along w1.",
            ("w1", "w2"), lambda p, q, ops: 0.5 * (p * p + 100.0 * q * q), (-4.5, 1.0), ((-5.0, 2.0), (-1.5, 1.5)), 100),
)}


@dataclass(frozen=True)
class Path:
    """One optimizer's walk on a surface: its points, gradients and steps, from Keras."""

    optimizer: str  # as given (gd, momentum, rmsprop, adam)
    learning_rate: float
    points: np.ndarray  # (k + 1, 2): θ before step 1, after step 1, ...
    grads: np.ndarray  # (k, 2): ∂J/∂θ at the start of each step
    loss: np.ndarray  # (k + 1,)
    diverged: str = ""  # why the path ended early, if it did

    @property
    def steps(self) -> np.ndarray:
        """(k, 2): the step each parameter took, Δθ = θ_after − θ_before."""
        return np.diff(self.points, axis=0)

    @property
    def effective_rate(self) -> np.ndarray:
        """(k, 2): |Δθ| / |∂J/∂θ| per parameter: gradient descent's α, Adam's α per parameter."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.abs(self.grads) > 1e-12, np.abs(self.steps) / np.abs(self.grads), np.nan)


def keras_optimizer(name: str, learning_rate: float):
    """The Keras optimizer the registry builds for a race name (gd -> SGD, momentum -> SGD(momentum=0.9))."""
    return OPTIMIZERS[RACE_NAMES[name]].build(learning_rate)


def walk(surface: Surface | str, name: str, learning_rate: float, steps: int | None = None) -> Path:
    """`steps` steps of the Keras optimizer on the surface from its start, one apply_gradients each."""
    from .. import import_keras

    import_keras()
    import tensorflow as tf

    surface = SURFACES[surface] if isinstance(surface, str) else surface
    steps = surface.steps if steps is None else steps
    opt = keras_optimizer(name, learning_rate)
    theta = [tf.Variable(v, dtype=tf.float32, name=n) for v, n in zip(surface.start, surface.params)]

    def step():  # eager, op by op: the same numbers on every run (a traced step was not, here)
        with tf.GradientTape() as tape:
            J = surface.J(theta[0], theta[1], tf)
        grads = tape.gradient(J, theta)
        opt.apply_gradients(zip(grads, theta))
        return J, tf.stack(grads)

    points, grads, losses, why = [[v.numpy() for v in theta]], [], [], ""
    for k in range(steps):
        J, g = step()
        losses.append(float(J))
        grads.append(g.numpy())
        points.append([v.numpy() for v in theta])
        if not np.all(np.isfinite(points[-1])) or np.max(np.abs(points[-1])) > ESCAPE:
            why = (f"diverged at step {k + 1}: {surface.params[int(np.argmax(np.abs(points[-1])))]} passed "
                   f"{ESCAPE:g} (α = {learning_rate:g} overshoots the steep direction more every step)")
            points.pop()
            grads.pop()
            break
    p = np.asarray(points, np.float64)
    losses = np.asarray(surface.J(p[:, 0], p[:, 1], np), np.float64)
    return Path(name, learning_rate, p, np.asarray(grads, np.float64).reshape(-1, 2), losses, why)


# ---- one step written out by hand ---------------------------------------------------------------

@dataclass(frozen=True)
class HandStep:
    """Step t of an optimizer written out with its numbers (one row per parameter), beside Keras."""

    optimizer: str
    t: int
    learning_rate: float
    terms: dict[str, np.ndarray]  # name -> (2,) values, in the order the formulas use them
    formulas: tuple[str, ...]  # the lines of the computation, in words of the terms
    theta_before: np.ndarray
    theta_hand: np.ndarray
    theta_keras: np.ndarray

    @property
    def difference(self) -> np.ndarray:
        return np.abs(self.theta_hand - self.theta_keras)

    @property
    def agrees(self) -> bool:
        """Equal to float32 precision: within 4 float32 epsilons (4.8e-7) of the parameter's size,
        or of 1 for a parameter near 0 (where a tiny value is the difference of larger ones)."""
        size = np.maximum.reduce([np.abs(self.theta_before), np.abs(self.theta_keras), np.ones(2)])
        tolerance = 4 * float(np.finfo(np.float32).eps) * size
        return bool(np.all(self.difference <= tolerance))


def adam_by_hand(path: Path, t: int, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7) -> HandStep:
    """Adam's step t (1-based) from the path's own gradients g_1..g_t:
    m = β1·m + (1−β1)·g,  v = β2·v + (1−β2)·g²,  m̂ = m/(1−β1^t),  v̂ = v/(1−β2^t),
    update = α·m̂/(√v̂ + ε̂),  θ = θ − update.
    In float32, as Keras computes. Keras' averages use 1 − β2 = 0.001 but its bias correction
    uses β2^t in float32, where 0.999 is 0.99900001 and 1 − 0.999¹ = 0.00099998713: so Keras'
    v̂ is 1.000013 times the exact one, and its first steps 0.0006 % shorter. Exact float64
    arithmetic would differ from Keras there; this follows it. Keras also adds ε to √v before
    the bias correction, so its ε̂ = ε/√(1−β2^t); with ε = 1e-7 that changes no digit shown."""
    f = np.float32
    b1, b2, eps, alpha = f(beta_1), f(beta_2), f(epsilon), f(path.learning_rate)
    m = v = np.zeros(2, f)
    for g in path.grads[:t].astype(f):
        m_prev, v_prev = m, v
        m = b1 * m + f(1 - beta_1) * g
        v = b2 * v + f(1 - beta_2) * g * g
    g = path.grads[t - 1]
    m_hat, v_hat = m / (f(1) - b1 ** f(t)), v / (f(1) - b2 ** f(t))
    eps_hat = eps / np.sqrt(f(1) - b2 ** f(t))
    update = alpha * m_hat / (np.sqrt(v_hat) + eps_hat)
    before = path.points[t - 1]
    m_prev, v_prev, m, v, m_hat, v_hat, update = (np.float64(a) for a in (m_prev, v_prev, m, v, m_hat, v_hat, update))
    return HandStep("adam", t, path.learning_rate,
                    {"g": g, "m before": m_prev, "v before": v_prev, "m": m, "v": v, "m̂": m_hat, "v̂": v_hat,
                     "update α·m̂/(√v̂+ε)": update},
                    (f"m = {beta_1}·m + {1 - beta_1:.1f}·g", f"v = {beta_2}·v + {1 - beta_2:.3f}·g²",
                     f"m̂ = m / (1 − {beta_1}^{t})", f"v̂ = v / (1 − {beta_2}^{t})",
                     f"update = α·m̂ / (√v̂ + ε), α = {path.learning_rate:g}", "θ = θ − update"),
                    before, before - update, path.points[t])


def momentum_by_hand(path: Path, t: int, momentum: float = 0.9) -> HandStep:
    """SGD with momentum's step t as Keras writes it: u = μ·u − α·g, θ = θ + u."""
    u = np.zeros(2)
    for g in path.grads[:t]:
        u_prev = u
        u = momentum * u - path.learning_rate * g
    before = path.points[t - 1]
    return HandStep("momentum", t, path.learning_rate,
                    {"g": path.grads[t - 1], "u before": u_prev, "u (the step)": u},
                    (f"u = {momentum}·u − α·g, α = {path.learning_rate:g}", "θ = θ + u"),
                    before, before + u, path.points[t])


def by_hand(path: Path, t: int) -> HandStep | None:
    """The hand-written step for Adam or momentum paths (None for the others)."""
    if RACE_NAMES.get(path.optimizer) == "adam":
        return adam_by_hand(path, t)
    if RACE_NAMES.get(path.optimizer) == "momentum":
        return momentum_by_hand(path, t)
    return None
