"""Softmax three ways, numerical round-off, and why from_logits=True."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..outputs import stable_softmax  # noqa: F401  (the one stable softmax, nncore.outputs)

# ---- 3. Softmax -------------------------------------------------------------------------

def my_softmax(z: np.ndarray) -> np.ndarray:
    """Softmax as the course's lab writes it: a_j = e^z_j / sum_k e^z_k."""
    ez = np.exp(z)
    sm = ez / np.sum(ez)
    return sm


def tf_softmax(z: np.ndarray) -> np.ndarray:
    """TensorFlow's softmax (tf.nn.softmax) of z, as a NumPy array in z's float type."""
    from .. import import_keras

    import_keras()
    import tensorflow as tf

    return tf.nn.softmax(tf.constant(np.asarray(z))).numpy()


# ---- 4. Numerical round-off ---------------------------------------------------------------

def roundoff_example() -> dict[str, Any]:
    """The lecture's example: 2/10000 computed directly, and as (1 + 1/10000) - (1 - 1/10000).

    On paper both are 0.0002; a computer keeps a limited number of digits, and the
    roundabout way loses some. Values are Python floats (float64) with the float32
    versions beside them; the "printed" strings use 18 decimals, as in the lecture.
    """
    x1 = 2.0 / 10000
    x2 = 1 + 1 / 10000 - (1 - 1 / 10000)
    f = np.float32
    x1_32 = f(2.0) / f(10000)
    x2_32 = f(1) + f(1) / f(10000) - (f(1) - f(1) / f(10000))
    return {
        "x1": x1, "x2": x2, "x1_printed": f"{x1:.18f}", "x2_printed": f"{x2:.18f}",
        "difference": x1 - x2, "equal": x1 == x2,
        "x1_float32": float(x1_32), "x2_float32": float(x2_32),
        "x1_float32_printed": f"{x1_32:.18f}", "x2_float32_printed": f"{x2_32:.18f}",
        "difference_float32": float(x1_32 - x2_32),
    }


def softmax_overflow(z_big: float = 100.0, logits: np.ndarray | None = None,
                     dtype: type = np.float32) -> dict[str, Any]:
    """Naive softmax (e^z / sum e^z) against the stable one, in float32 by default.

    The logits are [z_big, 0, -z_big] unless given. e^z overflows float32 for z above
    ln(3.4e38) = 88.7: it becomes inf, and inf / inf is nan. Subtracting the max first
    keeps every exponent at most 0, so nothing overflows. NumPy's overflow warnings are
    silenced here (the flags in the result say what happened instead).
    """
    z = np.asarray([z_big, 0.0, -z_big] if logits is None else logits, dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        exps = np.exp(z)
        naive = exps / np.sum(exps)
        stable = stable_softmax(z)
    return {
        "logits": z, "dtype": np.dtype(dtype).name,
        "exp": exps, "naive": naive, "stable": stable,
        "naive_has_inf": bool(np.isinf(exps).any() or np.isinf(naive).any()),
        "naive_has_nan": bool(np.isnan(naive).any()),
        "stable_finite": bool(np.isfinite(stable).all()),
        "stable_sum": float(np.sum(stable, dtype=np.float64)),
        "overflow_above": float(np.log(np.finfo(dtype).max)),
    }


# ---- 5. The loss and its gradient, three ways ------------------------------------------------

@dataclass(frozen=True)
class LossWay:
    """One way to compute the cross-entropy loss of a single example, and what it gives."""

    name: str
    description: str
    code: str
    loss: float
    grad: np.ndarray  # d loss / d logits
    probabilities: np.ndarray  # what the loss was handed, or softmax(logits) for (a)
    logits_recovered: bool  # did the loss work from the logits?
    why: str


def clipping() -> dict[str, float]:
    """Keras' epsilon (probabilities are clipped to [epsilon, 1 - epsilon] before the log)
    and the largest loss one example can then get, -log(epsilon), computed in float32."""
    from .. import import_keras

    keras = import_keras()
    eps = keras.config.epsilon()
    return {"epsilon": float(eps), "loss_cap": float(-np.log(np.float32(eps)))}


def loss_three_ways(logits: np.ndarray | list[float], label: int) -> list[LossWay]:
    """SparseCategoricalCrossentropy of one example, and its gradient with respect to the logits.

    (a) from the logits, `from_logits=True` (the course's recommendation);
    (b) from Keras' softmax (what `Dense(..., activation="softmax")` applies), `from_logits=False`;
    (c) from `tf.nn.softmax` probabilities, `from_logits=False`.

    Keras' softmax tags its output with the logits it came from (`_keras_logits`), and the
    loss uses them: (b) is as exact as (a) in this Keras. Plain probabilities carry no
    such tag (run eagerly, as here), so (c) must clip them to [epsilon, 1 - epsilon]
    (epsilon = 1e-7) before the log: a very wrong prediction gets loss -log(1e-7) = 16.1
    instead of the true value, and the clipped gradient is 0: nothing left to learn from.
    (Inside a compiled `fit`, Keras' TensorFlow backend would also spot a bare Softmax op.)
    """
    from .. import import_keras

    keras = import_keras()
    import tensorflow as tf

    z = tf.constant(np.asarray(logits, np.float32)[None, :])
    y = tf.constant([int(label)])
    loss_fn = keras.losses.SparseCategoricalCrossentropy
    ways = [
        ("(a) from_logits=True",
         "The output layer is linear (logits); the loss applies softmax itself.",
         "loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits)",
         lambda t: (t, loss_fn(from_logits=True)(y, t)),
         "The recommended way: the loss works from the logits with log-softmax, so it is exact "
         "however wrong the prediction, and the gradient is p - y."),
        ("(b) Keras softmax, from_logits=False",
         "The output layer applies softmax (Dense(10, activation='softmax')); the loss gets probabilities.",
         "loss = keras.losses.SparseCategoricalCrossentropy()(y, keras.activations.softmax(logits))",
         lambda t: (p := keras.activations.softmax(t), loss_fn()(y, p)),
         "The course's first version: this Keras quietly recovers the logits that its softmax "
         "tagged on the output, so it is exact too, but only because of that hidden tag."),
        ("(c) tf.nn.softmax, from_logits=False",
         "Probabilities made outside Keras (tf.nn.softmax); the loss only sees the probabilities.",
         "loss = keras.losses.SparseCategoricalCrossentropy()(y, tf.nn.softmax(logits))",
         lambda t: (p := tf.nn.softmax(t), loss_fn()(y, p)),
         "A probability rounded to 0 or 1 has lost the information: the loss clips it to "
         "[1e-7, 1 - 1e-7], caps at 16.1 and its gradient vanishes; hence from_logits=True."),
    ]
    rows = []
    for name, description, code, compute, why in ways:
        with tf.GradientTape() as tape:
            tape.watch(z)
            probabilities, loss = compute(z)
        grad = tape.gradient(loss, z)
        recovered = probabilities is z or hasattr(probabilities, "_keras_logits")
        shown = tf.nn.softmax(z) if probabilities is z else probabilities
        rows.append(LossWay(name, description, code, float(loss),
                            np.zeros(z.shape[1]) if grad is None else np.asarray(grad, np.float64)[0],
                            np.asarray(shown, np.float64)[0], bool(recovered), why))
    return rows
