"""Teach the Draw model your handwriting: fine-tune a copy of a network on a learner's own drawn
examples, mixed with a replay of the digits it learnt from, so that it learns their habits without
forgetting MNIST.

    examples = parse_examples(json.loads(text))   # [{"label", "strokes": [[[x, y], ...], ...]}]
    start = default_start()                       # or train_page_start(job): what is fine-tuned
    plan = FineTune.plan(examples, start, epochs=5)
    job = plan.job()                              # a TrainingJob like every training (queue, Stop)
    job.run()
    plan.report(job)                              # held-back examples and MNIST, before and after

Examples are data, never code: numbers in a JSON list, checked against the limits below before
anything is drawn. Strokes are in pixels of the Draw page's canvas (CANVAS x CANVAS) and become the
network's 784 inputs through the canvas's own preprocessing (preprocess.from_strokes).

Some of each digit's examples are held back (HOLD_BACK): the fine-tuned network never trains on
them, so "before" and "after" on them say how it reads the learner's *next* drawings. The network
trains on the rest, each as drawn and written again up to MAX_REPEATS times (turned, slanted,
stretched and bent a little: handwriting.bend_strokes), beside REPLAY digits of its own training set,
at a learning rate of LEARNING_RATE; its MNIST validation accuracy before and after says how much it forgot.

The default CNN is the average of four networks (predictor.average_of); the copy that learns is its
first network (the one the Layers page shows), so the fine-tuned network is one ordinary network of
a spec: a run of the store like any other (curves, downloads, a link that answers drawings).
"before" is the default CNN as the learner met it (all four networks); `start_before` the first
network alone.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import preprocess
from .preprocess import BRUSH, CANVAS

MAX_EXAMPLES = 300  # examples a learner keeps (a file or a session)
MAX_PER_DIGIT = 40
MAX_STROKES = 30  # strokes in one drawing
MAX_POINTS = 3000  # points in one drawing, all strokes together
MAX_BYTES = 4 * 2**20  # an examples file
SLACK = 0.5 * CANVAS  # a point may lie this far outside the canvas (a stroke dragged past its edge)
HOLD_BACK = 0.2  # the share of each digit's examples held back (digits with 3 or more examples)
REPEATS_TARGET = 400  # the learner's examples are repeated to about this many per epoch...
MAX_REPEATS = 20  # ...but each at most this many times
REPLAY = 1000  # digits of the network's own training set in each epoch (it does not forget them)
LEARNING_RATE = 3e-4  # Adam, from fresh moments: a third of the draw networks' own rate
EPOCHS = 5


class ExamplesError(ValueError):
    """Examples that break a rule: the message names the example and the rule."""


@dataclass(frozen=True)
class Example:
    """One drawing and what it was: strokes as (x, y) points in canvas pixels."""

    label: int
    strokes: tuple[tuple[tuple[float, float], ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "strokes": [[[x, y] for x, y in s] for s in self.strokes]}

    def inputs(self) -> np.ndarray:
        """The 784 inputs, as the Draw page makes them from these strokes."""
        return preprocess.from_strokes([list(s) for s in self.strokes], (CANVAS, CANVAS), BRUSH).input[0]


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ExamplesError(f"{where}: a coordinate must be a finite number, not {json.dumps(v)[:20]}")
    if not -SLACK <= v <= CANVAS + SLACK:
        raise ExamplesError(f"{where}: {v:g} is outside the {CANVAS}x{CANVAS} canvas (pixels, 0 to {CANVAS})")
    return float(v)


def parse_example(item: Any, n: int) -> Example:
    """One {"label", "strokes"} object, checked; `n` counts from 1 in messages."""
    where = f"example {n}"
    if not isinstance(item, dict):
        raise ExamplesError(f"{where}: must be an object with \"label\" and \"strokes\", not {type(item).__name__}")
    unknown = set(item) - {"label", "strokes"}
    if unknown:
        raise ExamplesError(f"{where}: unknown field {sorted(unknown)[0]!r} (only \"label\" and \"strokes\")")
    label = item.get("label")
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
        raise ExamplesError(f"{where}: \"label\" must be a digit 0-9, not {json.dumps(label)[:20]}")
    strokes = item.get("strokes")
    if not isinstance(strokes, list) or not strokes:
        raise ExamplesError(f"{where}: \"strokes\" must be a non-empty list of strokes")
    if len(strokes) > MAX_STROKES:
        raise ExamplesError(f"{where}: {len(strokes)} strokes, at most {MAX_STROKES}")
    total, out = 0, []
    for k, stroke in enumerate(strokes, 1):
        if not isinstance(stroke, list) or not stroke:
            raise ExamplesError(f"{where}, stroke {k}: must be a non-empty list of [x, y] points")
        total += len(stroke)
        if total > MAX_POINTS:
            raise ExamplesError(f"{where}: more than {MAX_POINTS} points")
        points = []
        for p in stroke:
            if not isinstance(p, list) or len(p) != 2:
                raise ExamplesError(f"{where}, stroke {k}: a point must be [x, y], not {json.dumps(p)[:30]}")
            points.append((_number(p[0], f"{where}, stroke {k}"), _number(p[1], f"{where}, stroke {k}")))
        out.append(tuple(points))
    return Example(label, tuple(out))


def parse_examples(data: Any) -> list[Example]:
    """A JSON list of examples, every rule checked (ExamplesError names the first broken one)."""
    if not isinstance(data, list):
        raise ExamplesError("the examples must be a JSON list of {\"label\", \"strokes\"} objects")
    if not data:
        raise ExamplesError("the list of examples is empty")
    if len(data) > MAX_EXAMPLES:
        raise ExamplesError(f"{len(data)} examples, at most {MAX_EXAMPLES}")
    examples = [parse_example(item, n) for n, item in enumerate(data, 1)]
    counts = np.bincount([e.label for e in examples], minlength=10)
    if counts.max() > MAX_PER_DIGIT:
        raise ExamplesError(f"{counts.max()} examples of the digit {counts.argmax()}, at most {MAX_PER_DIGIT} of each")
    return examples


def load_examples(path: str | Path) -> list[Example]:
    """Examples from a JSON file (read as data: json.loads, nothing else)."""
    path = Path(path)
    if not path.is_file():
        raise ExamplesError(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise ExamplesError(f"{path.name} is over {MAX_BYTES // 2**20} MB")
    return loads_examples(path.read_bytes())


def loads_examples(raw: bytes) -> list[Example]:
    if len(raw) > MAX_BYTES:
        raise ExamplesError(f"the file is over {MAX_BYTES // 2**20} MB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ExamplesError(f"not JSON: {e}") from None
    return parse_examples(data)


def dumps_examples(examples: list[Example]) -> str:
    return json.dumps([e.to_dict() for e in examples])


def held_back(labels: np.ndarray, fraction: float = HOLD_BACK, seed: int = 0) -> np.ndarray:
    """A mask of the examples held back: of each digit with 3 or more examples, round(n x fraction)
    of them (at least one), chosen by a seeded shuffle."""
    labels = np.asarray(labels)
    mask = np.zeros(len(labels), bool)
    rng = np.random.default_rng(seed)
    for d in range(10):
        idx = np.flatnonzero(labels == d)
        if len(idx) >= 3 and fraction > 0:
            mask[rng.permutation(idx)[:max(1, round(len(idx) * fraction))]] = True
    return mask


def rewritten(examples: list[Example], rng: np.random.Generator) -> np.ndarray:
    """Each example written once more: its strokes turned, slanted, stretched and bent a little
    (handwriting.bend_strokes, as the Draw model's own new writings), as 784 inputs."""
    from .handwriting import bend_strokes

    return np.array([preprocess.from_strokes([[tuple(p) for p in s] for s in bend_strokes(e.strokes, rng)],
                                             (CANVAS, CANVAS), BRUSH).input[0] for e in examples], np.float32)


def accuracy(outputs: np.ndarray, y: np.ndarray) -> float | None:
    return float((np.asarray(outputs).argmax(1) == y).mean()) if len(y) else None


@dataclass
class Start:
    """What is fine-tuned: a network of `spec` with `weights`, its own training data (`data`: the
    replay, and the MNIST validation digits), and how the learner met it (`answer`: its outputs for
    rows of inputs; `mnist`: its validation accuracy on data.x_val; `first_mnist`: that of the network
    that learns, measured once here, not at each fine-tune)."""

    name: str
    spec: Any
    weights: list[np.ndarray]
    data: Any
    answer: Callable[[np.ndarray], np.ndarray]
    mnist: float
    first_mnist: float


def default_start(predictor=None) -> Start:
    """The shipped default CNN: its first network learns; `answer` is all four, as the page asks them."""
    from ..data import load_dataset
    from .predictor import ASSETS, DEFAULT_MODELS, load_predictor

    predictor = predictor or load_predictor(ASSETS / DEFAULT_MODELS["logits"])
    spec = predictor.spec
    data = load_dataset(spec)  # the split the default CNN was measured on: its validation digits
    from ..training.pool import POOL

    mnist = accuracy(predictor.outputs(data.x_val), data.y_val)
    first = list(predictor.members[0].get_weights())
    first_mnist = accuracy(POOL.forward(spec, data.shape, first, data.x_val), data.y_val)
    return Start("the default CNN", spec, first, data, predictor.outputs, mnist, first_mnist)


def job_start(job) -> Start:
    """A finished training of 28x28 digits (the learner's own Train-page network, or a fine-tune)."""
    s = job.snapshot()
    if s.weights is None or job.data.image_shape != (28, 28):
        raise ValueError("that network was not trained on 28x28 digits")
    data = job.data
    weights = [np.asarray(w) for w in s.weights]
    mnist = accuracy(job.outputs(data.x_val), data.y_val)
    return Start("your Train-page network", job.spec, weights, data, job.outputs, mnist, mnist)


@dataclass
class FineTune:
    """The plan of one fine-tune: which examples train and which are held back, the data and spec
    of its TrainingJob, and the "before" figures."""

    start: Start
    examples: list[Example]
    x: np.ndarray  # every example's 784 inputs
    y: np.ndarray
    held: np.ndarray  # mask: held back
    spec: Any
    data: Any
    before_outputs: np.ndarray  # the network the learner met, on every example
    start_outputs: np.ndarray  # the network that learns, before it does
    start_mnist: float
    seed: int = 0
    made: float = field(default_factory=time.perf_counter)

    @classmethod
    def plan(cls, examples: list[Example], start: Start, epochs: int = EPOCHS, seed: int = 0) -> "FineTune":
        from ..training.pool import POOL

        if len(examples) < 2:
            raise ExamplesError("fine-tuning needs at least 2 examples")
        x = np.array([e.inputs() for e in examples], np.float32)
        y = np.array([e.label for e in examples], np.int64)
        held = held_back(y, seed=seed)
        own = [e for e, h in zip(examples, held) if not h]
        rng = np.random.default_rng(seed)
        repeats = max(1, min(MAX_REPEATS, math.ceil(REPEATS_TARGET / max(1, len(own)))))
        own_x = np.concatenate([x[~held]] + [rewritten(own, rng) for _ in range(repeats - 1)])
        own_y = np.tile(y[~held], repeats)
        replay = rng.choice(len(start.data.x_train), min(REPLAY, len(start.data.x_train)), replace=False)
        data = replace(start.data, x_train=np.concatenate([own_x, start.data.x_train[replay]]),
                       y_train=np.concatenate([own_y, start.data.y_train[replay]]))
        spec = start.spec.replace(epochs=int(epochs), learning_rate=LEARNING_RATE, train_size=None).validate()
        start_outputs = POOL.forward(spec, data.shape, start.weights, x)
        return cls(start, examples, x, y, held, spec, data, np.asarray(start.answer(x)), start_outputs,
                   start.first_mnist, seed)

    @property
    def trained(self) -> int:
        return int((~self.held).sum())

    def job(self, **kwargs):
        """The TrainingJob that fine-tunes (kwargs: TrainingJob's, e.g. owner, queued, views)."""
        from ..training.job import TrainingJob

        return TrainingJob(self.spec, data=self.data, initial_weights=self.start.weights, **kwargs)

    def describe(self) -> str:
        """The run's "changes": where it started and what it learnt from."""
        replay = min(REPLAY, len(self.start.data.x_train))
        return (f"fine-tuned from {self.start.name} on {self.trained} of your drawings "
                f"({int(self.held.sum())} held back), beside {replay:,} of its own training digits")

    def report(self, job) -> dict[str, Any]:
        """Before and after: on the held-back examples, on MNIST's validation digits, and which of
        the learner's examples changed answer. `job`: the finished fine-tune."""
        s = job.snapshot()
        if s.weights is None:
            raise ValueError("the fine-tune has no weights yet")
        after_outputs = job.outputs(self.x)
        after_mnist = s.last("val_accuracy")
        if after_mnist is None:
            after_mnist = accuracy(job.outputs(self.data.x_val), self.data.y_val)
        h = self.held
        before, after, first = self.before_outputs.argmax(1), after_outputs.argmax(1), self.start_outputs.argmax(1)
        changed = [{"example": int(i) + 1, "label": int(self.y[i]), "before": int(before[i]), "after": int(after[i]),
                    "held_back": bool(h[i])} for i in np.flatnonzero(before != after)]
        return {"before": accuracy(self.before_outputs[h], self.y[h]), "after": accuracy(after_outputs[h], self.y[h]),
                "mnist_before": self.start.mnist, "mnist_after": float(after_mnist),
                "seconds": round(time.perf_counter() - self.made, 1),
                "start": self.start.name, "start_before": accuracy(self.start_outputs[h], self.y[h]),
                "start_mnist_before": self.start_mnist,
                "examples": len(self.examples), "held_back": int(h.sum()), "trained_on": self.trained,
                "training_seconds": round(job.seconds, 1), "epochs": s.epoch, "status": str(s.status),
                "train_accuracy_before": accuracy(self.before_outputs[~h], self.y[~h]),
                "train_accuracy_after": accuracy(after_outputs[~h], self.y[~h]),
                "changed": changed}
