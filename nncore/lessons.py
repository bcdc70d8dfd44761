"""The numbers behind the week's lessons: activations, softmax, numerical stability, losses.

Every number a lesson page shows comes from here, computed by real NumPy, TensorFlow and
Keras: the activation curves are Keras' own functions with derivatives from
`tf.GradientTape`, the losses are Keras' losses, the networks are trained with `fit`.
TensorFlow loads only when a function needs it, so importing this module stays light.

    ACTIVATION_FUNCTIONS, activation_curves, ACTIVATION_GUIDANCE     # choosing activations
    relu_lab_target, relu_lab_units, RELU_LAB_ANSWER, fit_relu_lab    # the ReLU lab
    my_softmax, tf_softmax, stable_softmax                            # softmax three ways
    roundoff_example, softmax_overflow                                # numerical round-off
    loss_three_ways, clipping                                         # why from_logits=True
    label_formats, same_loss_both_ways, mismatch                      # sparse vs one-hot labels
    binary_zero_one_data, binary_spec, train_binary                   # the first classifier
    traffic_scenes, train_multilabel_vs_multiclass                    # multi-label vs multi-class
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .data import Dataset

# ---- 1. Activation functions ------------------------------------------------------------

# Keras' leaky_relu lets 0.2 of a negative input through (its `negative_slope` default).
LEAKY_SLOPE = 0.2


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + e^-x), without overflow for large -x


# name -> (g, g'): the formulas in NumPy, to set beside Keras' own curves.
ACTIVATION_FUNCTIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "relu": (lambda x: np.maximum(0.0, x), lambda x: (x > 0).astype(float)),
    "linear": (lambda x: np.asarray(x, float), lambda x: np.ones_like(x, float)),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "leaky_relu": (lambda x: np.where(x > 0, x, LEAKY_SLOPE * x),
                   lambda x: np.where(x > 0, 1.0, LEAKY_SLOPE)),
    "swish": (lambda x: x * _sigmoid(x),
              lambda x: _sigmoid(x) + x * _sigmoid(x) * (1 - _sigmoid(x))),
}


def activation_curves(names: list[str] | tuple[str, ...], x: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """g(x) and its slope g'(x) for each named activation, from Keras itself.

    g is `keras.activations.get(name)`, the function a Dense layer applies; the slope is
    what backpropagation uses, taken by `tf.GradientTape` (no hand-written formula).
    Returns {name: {"y": g(x), "dy": g'(x)}} as float64 NumPy arrays.
    """
    from . import import_keras

    keras = import_keras()
    import tensorflow as tf

    curves = {}
    for name in names:
        g = keras.activations.get(name)
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


def relu_lab_target(x: np.ndarray) -> np.ndarray:
    """The lab's target on [0, 3]: slopes -2, 1, 3 on [0, 1], [1, 2], [2, 3], continuous."""
    x = np.asarray(x, np.float64)
    return np.where(x < 1, -2 * x + 2, np.where(x < 2, x - 1, 3 * x - 5))


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
    from . import import_keras
    from .model import _BUILD_LOCK

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


# ---- 3. Softmax -------------------------------------------------------------------------

def my_softmax(z: np.ndarray) -> np.ndarray:
    """Softmax as the course's lab writes it: a_j = e^z_j / sum_k e^z_k."""
    ez = np.exp(z)
    sm = ez / np.sum(ez)
    return sm


def tf_softmax(z: np.ndarray) -> np.ndarray:
    """TensorFlow's softmax (tf.nn.softmax) of z, as a NumPy array in z's float type."""
    from . import import_keras

    import_keras()
    import tensorflow as tf

    return tf.nn.softmax(tf.constant(np.asarray(z))).numpy()


def stable_softmax(z: np.ndarray) -> np.ndarray:
    """Softmax after subtracting the largest z: the same answer, and e^z never overflows."""
    z = np.asarray(z)
    ez = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return ez / np.sum(ez, axis=-1, keepdims=True)


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
    from . import import_keras

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
    from . import import_keras

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


# ---- 6. Label formats -----------------------------------------------------------------------

def label_formats(y_int: np.ndarray, n_classes: int) -> dict[str, np.ndarray]:
    """The same labels two ways: integers (for Sparse...) and one-hot rows (for Categorical...)."""
    from . import import_keras

    keras = import_keras()
    y_int = np.asarray(y_int, np.int64)
    return {"integers": y_int, "one_hot": keras.utils.to_categorical(y_int, n_classes).astype(np.float32)}


def same_loss_both_ways(logits: np.ndarray, y_int: np.ndarray) -> tuple[float, float]:
    """(SparseCategoricalCrossentropy on integer labels, CategoricalCrossentropy on one-hot)."""
    from . import import_keras

    keras = import_keras()
    logits = np.asarray(logits, np.float32)
    one_hot = label_formats(y_int, logits.shape[-1])["one_hot"]
    sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(np.asarray(y_int), logits)
    categorical = keras.losses.CategoricalCrossentropy(from_logits=True)(one_hot, logits)
    return float(sparse), float(categorical)


MISMATCHES = ("one-hot to sparse", "integers to categorical")

# A small batch for the mismatch demo: 4 examples, 3 classes.
_DEMO_LOGITS = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [0.1, 0.2, 3.0], [1.0, 0.0, 0.0]], np.float32)
_DEMO_LABELS = np.array([0, 1, 2, 0])


@dataclass(frozen=True)
class Mismatch:
    """What Keras does when the labels are in the other loss's format."""

    kind: str
    code: str
    labels_shape: tuple[int, ...]
    outputs_shape: tuple[int, ...]
    raised: bool
    error_type: str  # "" when Keras did not raise
    message: str  # Keras' own message (trimmed), or "" when it did not raise
    loss: float | None  # what Keras returned when it did not raise
    right_loss: float  # the loss with the labels in the right format
    explanation: str


def mismatch(kind: str, logits: np.ndarray | None = None, y_int: np.ndarray | None = None) -> Mismatch:
    """Call a Keras loss with the wrong label format and report what really happens.

    "one-hot to sparse": one-hot rows given to SparseCategoricalCrossentropy.
    "integers to categorical": integer labels given to CategoricalCrossentropy.
    """
    from . import import_keras

    keras = import_keras()
    logits = _DEMO_LOGITS if logits is None else np.asarray(logits, np.float32)
    y_int = _DEMO_LABELS if y_int is None else np.asarray(y_int)
    one_hot = label_formats(y_int, logits.shape[-1])["one_hot"]
    right = same_loss_both_ways(logits, y_int)[0]
    if kind == "one-hot to sparse":
        loss, labels = keras.losses.SparseCategoricalCrossentropy(from_logits=True), one_hot
        code = "SparseCategoricalCrossentropy(from_logits=True)(y_one_hot, logits)"
        why = ("SparseCategoricalCrossentropy wants one integer per example (shape (n,)), the "
               "index of the true class; it was given one-hot rows (shape (n, classes)). Use "
               "CategoricalCrossentropy for one-hot labels, or give the integers.")
    elif kind == "integers to categorical":
        loss, labels = keras.losses.CategoricalCrossentropy(from_logits=True), y_int
        code = "CategoricalCrossentropy(from_logits=True)(y_integers, logits)"
        why = ("CategoricalCrossentropy wants a one-hot row per example (shape (n, classes)); it "
               "was given integers (shape (n,)). Use SparseCategoricalCrossentropy for integer "
               "labels, or turn them into one-hot rows with keras.utils.to_categorical.")
    else:
        raise ValueError(f"kind must be one of {MISMATCHES}, got {kind!r}")
    try:
        value = float(loss(labels, logits))
    except Exception as e:  # Keras' own error is the lesson
        message = " ".join(str(e).split())
        return Mismatch(kind, code, labels.shape, logits.shape, True, type(e).__name__,
                        message[:400] + ("..." if len(message) > 400 else ""), None, right, why)
    return Mismatch(kind, code, labels.shape, logits.shape, False, "", "", value, right,
                    f"Keras did not complain and returned a loss of {value:.4f} (the right loss "
                    f"is {right:.4f}): a silent mismatch, worse than an error. " + why)


# ---- 7. Binary classification: is it a 0 or a 1? -----------------------------------------------

def binary_zero_one_data(data: Dataset) -> Dataset:
    """Only the 0s and 1s of a digits data set, labels 0 and 1 (the course's first network)."""
    keep_train, keep_val = np.isin(data.y_train, (0, 1)), np.isin(data.y_val, (0, 1))
    return Dataset(f"{data.name} (0 and 1)", data.x_train[keep_train], data.y_train[keep_train],
                   data.x_val[keep_val], data.y_val[keep_val], data.image_shape, ("0", "1"))


@dataclass(frozen=True)
class BinarySpec:
    """The course's first network: 25 -> 15 -> 1 sigmoid units, BinaryCrossentropy, Adam."""

    hidden: tuple[tuple[int, str], ...] = ((25, "sigmoid"), (15, "sigmoid"))
    output: tuple[int, str] = (1, "sigmoid")
    loss: str = "BinaryCrossentropy"
    learning_rate: float = 0.001
    epochs: int = 20
    batch_size: int = 32
    seed: int = 0

    def code(self) -> str:
        """The Keras code of this network, as the course writes it."""
        layers = [f"    Dense({u}, activation={a!r}, name='L{i + 1}')," for i, (u, a) in
                  enumerate((*self.hidden, self.output))]
        return "\n".join([
            f"keras.utils.set_random_seed({self.seed})",
            "model = keras.Sequential([", "    keras.Input(shape=(784,)),", *layers, "])",
            f"model.compile(loss=keras.losses.{self.loss}(),",
            f"              optimizer=keras.optimizers.Adam({self.learning_rate}), metrics=['accuracy'])",
            f"model.fit(x_train, y_train, epochs={self.epochs}, batch_size={self.batch_size})",
        ])


def binary_spec(epochs: int = 20, seed: int = 0) -> BinarySpec:
    return BinarySpec(epochs=epochs, seed=seed)


@dataclass
class BinaryResult:
    spec: BinarySpec
    model: Any
    history: dict[str, list[float]]  # loss, accuracy, val_loss, val_accuracy per epoch
    val_accuracy: float
    val_probabilities: np.ndarray  # (n_val,) the network's P(y = 1)
    y_val: np.ndarray
    seconds: float


def train_binary(data: Dataset, epochs: int = 20, seed: int = 0, callback: Any = None) -> BinaryResult:
    """Train the course's 0-or-1 network on the data's 0s and 1s; held-out 0s and 1s score it.

    `data` is a digits Dataset (its other digits are dropped). `callback` is a Keras
    callback, or a list of them, handed to `fit` so a page can watch the training live.
    """
    from . import import_keras
    from .model import _BUILD_LOCK

    keras = import_keras()
    spec = binary_spec(epochs, seed)
    d = binary_zero_one_data(data) if set(np.unique(data.y_train)) - {0, 1} else data
    with _BUILD_LOCK:
        keras.utils.set_random_seed(seed)
        model = keras.Sequential(
            [keras.Input((d.n_features,))]
            + [keras.layers.Dense(u, activation=a, name=f"L{i + 1}")
               for i, (u, a) in enumerate((*spec.hidden, spec.output))], name="zero_or_one")
    model.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.Adam(spec.learning_rate),
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    callbacks = [] if callback is None else list(callback) if isinstance(callback, (list, tuple)) else [callback]
    y_train, y_val = d.y_train.astype(np.float32), d.y_val.astype(np.float32)
    t0 = time.perf_counter()
    history = model.fit(d.x_train, y_train, epochs=epochs, batch_size=spec.batch_size, verbose=0,
                        validation_data=(d.x_val, y_val), callbacks=callbacks)
    seconds = time.perf_counter() - t0
    p = np.asarray(model(d.x_val, training=False), np.float64)[:, 0]
    return BinaryResult(spec, model, {k: [float(v) for v in vs] for k, vs in history.history.items()},
                        float(np.mean((p >= 0.5) == (d.y_val == 1))), p, np.asarray(d.y_val), seconds)


# ---- 8. Multi-label vs multi-class: cars, buses and pedestrians --------------------------------

SCENE_LABELS = ("car", "bus", "pedestrian")
SCENE_FEATURES = ("wheels", "length", "height", "windows", "legs", "noise 1", "noise 2")
# How much each object, at size 1, adds to each measured feature of a scene.
_SCENE_MIX = np.array([
    # wheels length height windows legs
    [1.0, 1.0, 0.3, 0.5, 0.0],   # car
    [1.0, 2.5, 1.0, 2.0, 0.0],   # bus
    [0.0, 0.1, 0.8, 0.0, 1.5],   # pedestrian
])


def _scenes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    present = rng.random((n, 3)) < np.array([0.5, 0.35, 0.45])
    empty = ~present.any(axis=1)  # every scene shows at least one object
    present[empty, rng.integers(0, 3, int(empty.sum()))] = True
    size = np.where(present, rng.uniform(0.5, 1.5, (n, 3)), 0.0)  # how big (near) each object looks
    measured = size @ _SCENE_MIX + rng.normal(0, 0.15, (n, 5))
    x = np.hstack([measured, rng.normal(0, 1, (n, 2))]).astype(np.float32)
    return x, present.astype(np.float32), size.argmax(axis=1)


def traffic_scenes(n: int = 1500, seed: int = 0, with_main: bool = False):
    """A synthetic version of the lecture's street scenes: is there a car, a bus, a pedestrian?

    Each scene has each object or not (independently; never none at all), each at a random
    size. Its 7 features are noisy measurements that the objects add to ("wheels",
    "length", "height", "windows", "legs") and 2 features of pure noise.
    Returns (X (n, 7) float32, Y (n, 3) zeros and ones), and with `with_main=True` also
    the index of the biggest object in each scene (the one label a softmax could give).
    """
    x, y, main = _scenes(n, seed)
    return (x, y, main) if with_main else (x, y)


@dataclass
class SceneComparison:
    labels: tuple[str, ...]
    x: np.ndarray  # the example scenes' features
    truth: np.ndarray  # (k, 3) which objects are in each example scene
    main: np.ndarray  # (k,) index of each example scene's biggest object
    sigmoid: np.ndarray  # (k, 3) multi-label network: P(object present), one question each
    softmax: np.ndarray  # (k, 3) multi-class network: P(this is the one main object)
    multilabel_accuracy: dict[str, float]  # held-out accuracy per question (threshold 0.5)
    exact_match: float  # held-out scenes with all three answers right
    multiclass_accuracy: float  # held-out accuracy of the softmax network's single answer
    seconds: dict[str, float] = field(default_factory=dict)


def train_multilabel_vs_multiclass(n: int = 1500, seed: int = 0, epochs: int = 30,
                                   examples: int = 6) -> SceneComparison:
    """Two networks on the same scenes, side by side.

    (i) multi-label: Dense(16, relu) -> Dense(3, sigmoid), BinaryCrossentropy: three
        yes/no answers, each its own probability; they need not sum to 1.
    (ii) multi-class: Dense(16, relu) -> Dense(3, linear) with
        SparseCategoricalCrossentropy(from_logits=True), trained on the biggest object
        only; its softmax outputs compete and always sum to 1.
    80% of the scenes train, the rest are held out; `examples` held-out scenes are shown,
    chosen to include scenes with two or three objects.
    """
    from . import import_keras
    from .model import _BUILD_LOCK

    keras = import_keras()
    import tensorflow as tf

    x, y, main = traffic_scenes(n, seed, with_main=True)
    cut = int(0.8 * n)
    seconds: dict[str, float] = {}

    def train(name: str, units: int, activation: str, loss: Any, targets: np.ndarray):
        with _BUILD_LOCK:
            keras.utils.set_random_seed(seed)
            model = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(16, activation="relu"),
                                      keras.layers.Dense(units, activation=activation)], name=name)
        model.compile(loss=loss, optimizer=keras.optimizers.Adam(0.01), steps_per_execution=8)
        t0 = time.perf_counter()
        model.fit(x[:cut], targets[:cut], epochs=epochs, batch_size=32, verbose=0)
        seconds[name] = time.perf_counter() - t0
        return model

    multilabel = train("multilabel", 3, "sigmoid", keras.losses.BinaryCrossentropy(), y)
    multiclass = train("multiclass", 3, "linear", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                       main)
    p_sig = np.asarray(multilabel(x[cut:], training=False), np.float64)
    p_soft = np.asarray(tf.nn.softmax(multiclass(x[cut:], training=False)), np.float64)
    y_val, main_val = y[cut:], main[cut:]
    right = (p_sig >= 0.5) == (y_val == 1)
    counts = y_val.sum(axis=1)  # show busy scenes first: that is where the two differ
    order = np.concatenate([np.flatnonzero(counts == 3)[:2], np.flatnonzero(counts == 2)[:examples],
                            np.flatnonzero(counts == 1)])[:examples]
    return SceneComparison(
        SCENE_LABELS, x[cut:][order], y_val[order], main_val[order], p_sig[order], p_soft[order],
        {label: float(right[:, i].mean()) for i, label in enumerate(SCENE_LABELS)},
        float(right.all(axis=1).mean()), float(np.mean(p_soft.argmax(axis=1) == main_val)), seconds)
