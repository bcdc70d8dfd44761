"""What `fit` does: the week's "Training details", in code and in numbers.

    steps = three_steps()                      # logistic regression and a network: model, cost, descent
    job = UnrollJob(spec, steps=20)            # compile/fit and a tf.GradientTape loop, same start
    job.run().result                           # Unrolled: the largest weight difference, both losses
    jobs = seed_code_jobs(epochs=100)          # the seed code (10 sigmoids) beside softmax / from_logits
    compare_seed_code(*jobs)                   # accuracy, loss, the sum of the ten outputs

The lecture trains a network in the same three steps as logistic regression: (1) say how the
output is computed from the input, (2) say the loss of one example and the cost (their mean), (3)
minimise the cost with gradient descent. `compile` says (2) and `fit` does (3). The unrolled
`fit` shows it: the same network from the same initial weights, trained once by
`model.fit(X, y, batch_size=len(X))` with plain SGD and once by a loop written out (forward,
loss, tape.gradient, w -= α·g), ends with the same weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..spec import ExperimentSpec
from ..training.batches import loss_labels
from ..training.job import TrainingJob
from ..training.pool import POOL

DEFAULT_STEPS = 20
MAX_STEPS = 500
DEFAULT_ALPHA = 0.1
TOLERANCE = 1e-5  # the largest weight difference the lesson promises after DEFAULT_STEPS steps
UNROLL_PRESETS = ("practice-lab", "multiclass-lab")


# ---- 1. the three steps, side by side (NumPy, on six points) ---------------------------------

TOY_X = np.array([[0.5, 1.5], [1.0, 1.0], [1.5, 0.5], [3.0, 0.5], [2.0, 2.0], [1.0, 2.5]])
TOY_Y = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
TOY_ALPHA = 0.5


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def bce(f, y):
    """The logistic loss of each example: -y log f - (1 - y) log(1 - f)."""
    return -y * np.log(f) - (1 - y) * np.log(1 - f)


@dataclass(frozen=True)
class ThreeSteps:
    """One model through the lecture's three steps, once: its code and its numbers."""

    name: str
    code: tuple[str, str, str]  # (1) model, (2) loss and cost, (3) gradient descent
    f_first: float  # the output for the first example
    loss_first: float  # its loss
    cost: float  # J: the mean loss over the six examples
    gradient: dict[str, float]  # |dJ/dp| of each parameter array
    cost_after: float  # J after one step of gradient descent
    params: dict[str, np.ndarray]  # before the step
    params_after: dict[str, np.ndarray]


def three_steps(alpha: float = TOY_ALPHA) -> tuple[ThreeSteps, ThreeSteps]:
    """Logistic regression and a network (2 -> 3 sigmoid -> 1 sigmoid) on the same six points, each
    through (1) its output, (2) its loss and cost, (3) one step of gradient descent."""
    x, y, m = TOY_X, TOY_Y, len(TOY_Y)
    # logistic regression: f = sigmoid(w·x + b)
    w, b = np.array([0.1, -0.2]), 0.0
    f = sigmoid(x @ w + b)
    dj_dw, dj_db = x.T @ (f - y) / m, float(np.mean(f - y))
    w2, b2 = w - alpha * dj_dw, b - alpha * dj_db
    logistic = ThreeSteps(
        "Logistic regression",
        ("z = np.dot(x, w) + b\nf_x = 1 / (1 + np.exp(-z))",
         "loss = -y * np.log(f_x) - (1 - y) * np.log(1 - f_x)\ncost = np.mean(loss)   # J(w, b)",
         "dj_dw = x.T @ (f_x - y) / m\ndj_db = np.mean(f_x - y)\nw = w - alpha * dj_dw\nb = b - alpha * dj_db"),
        float(f[0]), float(bce(f, y)[0]), float(bce(f, y).mean()),
        {"w": float(np.linalg.norm(dj_dw)), "b": abs(dj_db)}, float(bce(sigmoid(x @ w2 + b2), y).mean()),
        {"w": w, "b": np.array([b])}, {"w": w2, "b": np.array([b2])})
    # the network: a1 = sigmoid(x W1 + b1), f = sigmoid(a1 W2 + b2); backprop by hand
    W1 = np.array([[0.5, -0.3, 0.2], [-0.4, 0.6, 0.1]])
    B1 = np.array([0.0, 0.1, -0.1])
    W2 = np.array([[0.7], [-0.5], [0.3]])
    B2 = np.array([0.0])

    def forward(W1, B1, W2, B2):
        a1 = sigmoid(x @ W1 + B1)
        return a1, sigmoid(a1 @ W2 + B2)[:, 0]

    a1, f = forward(W1, B1, W2, B2)
    dz2 = ((f - y) / m)[:, None]  # dJ/dz2 for the logistic loss on a sigmoid
    dW2, dB2 = a1.T @ dz2, dz2.sum(0)
    dz1 = (dz2 @ W2.T) * a1 * (1 - a1)
    dW1, dB1 = x.T @ dz1, dz1.sum(0)
    after = {"W1": W1 - alpha * dW1, "b1": B1 - alpha * dB1, "W2": W2 - alpha * dW2, "b2": B2 - alpha * dB2}
    network = ThreeSteps(
        "Neural network",
        ("model = Sequential([\n    Dense(units=3, activation='sigmoid'),\n    Dense(units=1, activation='sigmoid'),\n])",
         "model.compile(loss=BinaryCrossentropy())   # the same logistic loss, averaged: J(W, B)",
         "model.fit(X, y, epochs=100)   # gradient descent; backpropagation computes dJ/dW"),
        float(f[0]), float(bce(f, y)[0]), float(bce(f, y).mean()),
        {"W1": float(np.linalg.norm(dW1)), "b1": float(np.linalg.norm(dB1)), "W2": float(np.linalg.norm(dW2)),
         "b2": float(np.linalg.norm(dB2))},
        float(bce(forward(after["W1"], after["b1"], after["W2"], after["b2"])[1], y).mean()),
        {"W1": W1, "b1": B1, "W2": W2, "b2": B2}, after)
    return logistic, network


# ---- 2. fit, unrolled ------------------------------------------------------------------------

FIT_CODE = """model.compile(optimizer=keras.optimizers.SGD(learning_rate=alpha), loss=loss_fn)
model.fit(X, y, batch_size=len(X), epochs=steps, shuffle=False)   # one batch = the whole set"""

TAPE_CODE = """for step in range(steps):
    with tf.GradientTape() as tape:
        f = model(X, training=True)            # (1) the output from the input
        cost = loss_fn(y, f)                   # (2) the loss of each example, averaged
    grads = tape.gradient(cost, model.trainable_variables)   # backprop: dJ/dw for every w
    for w, g in zip(model.trainable_variables, grads):
        w.assign_sub(alpha * g)                # (3) w = w - alpha * dJ/dw"""


@dataclass(frozen=True)
class Unrolled:
    """fit and the loop written out, from the same initial weights."""

    steps: int
    examples: int
    learning_rate: float
    max_abs_difference: float  # the largest |w_fit - w_tape| over every weight
    fit_loss: float  # the cost on the whole training set after the steps
    tape_loss: float
    initial_loss: float
    fit_losses: tuple[float, ...]  # the cost before each step, as fit's history says
    tape_losses: tuple[float, ...]  # the same from the loop
    layers: tuple[tuple[str, float], ...]  # (weight name, its largest difference)
    batch_size: int  # a mini-batch size, for the epoch's count of steps
    iterations_per_epoch: int  # measured: optimizer.iterations after fit(..., batch_size, epochs=1)

    def to_json(self) -> dict:
        """The CLI's object (these four keys, exactly)."""
        return {"steps": self.steps, "max_abs_difference": self.max_abs_difference, "fit_loss": self.fit_loss,
                "tape_loss": self.tape_loss}


def steps_per_epoch(examples: int, batch_size: int) -> int:
    """An epoch is one pass through the data: ceil(examples / batch size) steps of gradient descent."""
    return math.ceil(examples / batch_size)


def check_steps(steps) -> int:
    from ..spec import SpecError

    try:
        n = int(steps)
    except (TypeError, ValueError):
        raise SpecError("steps", f"must be a whole number, got {steps!r}") from None
    if not 1 <= n <= MAX_STEPS:
        raise SpecError("steps", f"must be from 1 to {MAX_STEPS}, got {n}")
    return n


def check_alpha(alpha) -> float:
    from ..spec import SpecError

    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise SpecError("learning_rate", f"must be a number, got {alpha!r}") from None
    if not (0 < a <= 10) or not math.isfinite(a):
        raise SpecError("learning_rate", f"must be above 0 and at most 10, got {alpha!r}")
    return a


class UnrollJob(TrainingJob):
    """`fit` and the written-out loop, one after the other on one pooled network (a job like any
    other: in the queue, in its thread, stoppable between the two). `steps` steps of plain SGD with
    learning rate `alpha`, each on the whole training set."""

    def __init__(self, spec: ExperimentSpec, steps: int = DEFAULT_STEPS, alpha: float = DEFAULT_ALPHA,
                 mini_batch: int | None = None, **options):
        self.steps, self.alpha = check_steps(steps), check_alpha(alpha)
        self.mini_batch = mini_batch or spec.batch_size
        super().__init__(spec.replace(optimizer="sgd", learning_rate=self.alpha, augment=False), views=False,
                         **options)

    def _train(self) -> None:
        recorder = self._recorder
        recorder.starting()
        from .. import import_keras

        import_keras()
        import tensorflow as tf

        spec, data = self.spec, self.data
        x, (y, _) = np.asarray(data.x_train, np.float32), loss_labels(spec, data)
        net = POOL.lend(spec, data.shape)  # the seed's weights, SGD(alpha) fresh
        with self._pool_lock:
            self._network = net
        recorder.net, recorder.model, recorder.steps = net, net.model, 1
        model = net.model
        start = model.get_weights()
        loss_fn = model.loss

        def cost() -> float:
            return float(loss_fn(y, net.forward(x)))

        initial = cost()
        history = model.fit(x, y, batch_size=len(x), epochs=self.steps, shuffle=False, verbose=0)
        fit_weights, fit_loss = model.get_weights(), cost()
        if self.stop_requested:
            return recorder.failed("Stopped between fit and the loop.")
        model.set_weights(start)
        xs, tape_losses = tf.constant(x), []
        for _ in range(self.steps):
            with tf.GradientTape() as tape:
                value = loss_fn(y, model(xs, training=True))
            grads = tape.gradient(value, model.trainable_variables)
            for w, g in zip(model.trainable_variables, grads):
                w.assign_sub(self.alpha * g)
            tape_losses.append(float(value))
        tape_weights, tape_loss = model.get_weights(), cost()
        names = [f"{layer.name} {'W' if i == 0 else 'b'}" for layer in model.layers
                 for i, _ in enumerate(layer.trainable_weights)]
        layers = tuple((name, float(np.abs(a - b).max())) for name, a, b in zip(names, fit_weights, tape_weights))
        # what mini-batches change: one epoch of fit at the spec's batch size, its steps counted
        before = int(model.optimizer.iterations.numpy())
        model.fit(x, y, batch_size=self.mini_batch, epochs=1, shuffle=False, verbose=0)
        iterations = int(model.optimizer.iterations.numpy()) - before
        result = Unrolled(self.steps, len(x), self.alpha, max(d for _, d in layers), fit_loss, tape_loss, initial,
                          tuple(float(v) for v in history.history["loss"]), tuple(tape_losses), layers,
                          self.mini_batch, iterations)
        recorder.stepped(result, tape_weights, 0, 0, {}, (
            f"fit and the loop, {self.steps} steps each from the same weights: the largest weight difference "
            f"is {result.max_abs_difference:.2e}."), net.optimizer_state())


def unroll(preset_or_spec, steps: int = DEFAULT_STEPS, alpha: float = DEFAULT_ALPHA, **options) -> Unrolled:
    """Run an UnrollJob here (the CLI); raises with the job's message when it failed."""
    spec = preset_or_spec if isinstance(preset_or_spec, ExperimentSpec) else ExperimentSpec.from_preset(preset_or_spec)
    job = UnrollJob(spec, steps, alpha, **options)
    s = job.run()
    if s.result is None:
        raise RuntimeError(s.message)
    return s.result


# ---- 3. the seed code: ten sigmoid units, or one softmax -------------------------------------

SEED_CODE = """model = Sequential([
    Dense(units=25, activation='sigmoid'),
    Dense(units=15, activation='sigmoid'),
    Dense(units=10, activation='sigmoid'),
])
model.compile(loss=BinaryCrossentropy())
model.fit(X, Y, epochs=100)   # Y: one-hot rows, 3 is [0,0,0,1,0,0,0,0,0,0]"""

SOFTMAX_CODE = """model = Sequential([
    Dense(units=25, activation='sigmoid'),
    Dense(units=15, activation='sigmoid'),
    Dense(units=10, activation='linear'),    # logits
])
model.compile(loss=SparseCategoricalCrossentropy(from_logits=True))
model.fit(X, y, epochs=100)   # y: the digit, 0 to 9
probabilities = tf.nn.softmax(model(X))"""


def seed_code_jobs(epochs: int = 100, seed: int = 0) -> tuple[TrainingJob, TrainingJob]:
    """The seed code (ten sigmoids, BinaryCrossentropy, one-hot labels) and its softmax / from_logits
    twin, same hidden layers, optimizer (Keras' default RMSprop) and epochs. Not started."""
    from ..spec import SpecError

    try:
        epochs = int(epochs)
    except (TypeError, ValueError):
        raise SpecError("epochs", f"must be a whole number, got {epochs!r}") from None
    return tuple(TrainingJob(ExperimentSpec.from_preset(name).replace(epochs=epochs, seed=seed).validate(), views=False)
                 for name in ("seed-code", "seed-code-softmax"))


@dataclass(frozen=True)
class SeedCodeRow:
    name: str
    accuracy: float  # the digit read as the largest output, on the validation digits
    loss: float  # the validation loss of its own loss function
    loss_name: str
    sums: np.ndarray  # the sum of the ten outputs (as probabilities) for the first few validation digits
    outputs: np.ndarray  # (few, 10) those outputs


def compare_seed_code(sigmoid_job, softmax_job, few: int = 5) -> tuple[SeedCodeRow, SeedCodeRow]:
    """Both finished networks on the same validation digits: accuracy (largest output), loss, and
    the sum of the ten outputs for the first `few` digits (the sigmoids' need not be 1)."""
    rows = []
    for job, name, loss in ((sigmoid_job, "ten sigmoid units (the seed code)", "BinaryCrossentropy"),
                            (softmax_job, "softmax over ten logits", "SparseCategoricalCrossentropy")):
        s, data = job.snapshot(), job.data
        probs = np.asarray(s.val_probabilities)
        truth = data.y_val.argmax(-1) if data.y_val.ndim == 2 else data.y_val
        rows.append(SeedCodeRow(name, float(np.mean(probs.argmax(-1) == truth)), float(s.last("val_loss")), loss,
                                probs[:few].sum(-1), probs[:few]))
    return tuple(rows)
