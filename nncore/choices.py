"""The kinds of record a registry holds (nncore.registry): a data set's Shape, and for each kind of
choice a small frozen record (an activation, a layer kind, an output, a loss, an optimizer, a data
set, a preset), with the ordered read-only map that holds them.

Nothing here imports TensorFlow at import time: a record's `build` imports Keras when called.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterator, Mapping, TypeVar

import numpy as np

# What a data set's labels are, and so which outputs and losses fit them.
CLASSES = "classes"  # one class of several per example: integers 0..k-1
BINARY = "binary"  # one yes/no per example: 0 or 1
MULTI_HOT = "multi-hot"  # several independent yes/no answers per example: rows of 0s and 1s
NUMBER = "number"  # a real number per example (regression)


@dataclass(frozen=True)
class Shape:
    """The shape of a data set's examples, as the network sees it: the one value that says how
    many inputs (`features`), how many output units (`outputs`), and whether the inputs are
    images (`image`: rows of `features` pixels that are `image` high and wide)."""

    features: int
    outputs: int
    image: tuple[int, int] | None = None


@dataclass(frozen=True)
class Choice:
    """One entry of a registry: its name, a label for the page and one line of explanation."""

    name: str
    label: str
    help: str


@dataclass(frozen=True, kw_only=True)
class Activation(Choice):
    keras: str  # the name keras.activations.get() and Dense(activation=...) take
    g: Callable[[np.ndarray], np.ndarray]  # the formula, in NumPy
    dg: Callable[[np.ndarray], np.ndarray]  # its slope g'(z), in NumPy


@dataclass(frozen=True, kw_only=True)
class LayerKind(Choice):
    keras_class: str
    size: str | None  # what the layer's size counts ("units", "filters"), None: no size
    max_size: int = 0
    image_only: bool = False  # works on images only, before the Dense layers


@dataclass(frozen=True, kw_only=True)
class Output(Choice):
    activation: str  # the output layer's activation
    from_logits: bool  # the loss gets logits (it applies softmax/sigmoid itself)
    labels: frozenset[str]  # the label kinds this output can answer


@dataclass(frozen=True, kw_only=True)
class Loss(Choice):
    keras_class: str
    labels: frozenset[str]  # the label kinds it takes
    label_format: str  # how a learner writes the labels: "integer", "one-hot", "0 or 1", ...
    label_example: str
    takes_logits: bool = True  # has a from_logits argument

    def code(self, from_logits: bool) -> str:
        args = f"from_logits={from_logits}" if self.takes_logits else ""
        return f"keras.losses.{self.keras_class}({args})"

    def build(self, from_logits: bool):
        import keras

        cls = getattr(keras.losses, self.keras_class)
        return cls(from_logits=from_logits) if self.takes_logits else cls()


@dataclass(frozen=True, kw_only=True)
class Optimizer(Choice):
    keras_class: str
    args: tuple[tuple[str, Any], ...] = ()  # fixed arguments beside the learning rate
    # On the Optimizers page: the name a race calls it by ("gd" for plain SGD; empty: its own name),
    # its colour there, and for each loss surface of the lesson's part 2 (nncore.lessons.optimizer_paths,
    # by name) an α that shows the lecture's picture. A new optimizer races and walks with these alone.
    race_name: str = ""
    color: str = "#7f7f7f"
    surface_rates: tuple[tuple[str, float], ...] = ()

    @property
    def racer(self) -> str:
        """The name a race calls it by."""
        return self.race_name or self.name

    def code(self, learning_rate: float) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.args)
        return f"keras.optimizers.{self.keras_class}(learning_rate={learning_rate:g}{args})"

    def build(self, learning_rate: float):
        import keras

        return getattr(keras.optimizers, self.keras_class)(learning_rate=learning_rate, **dict(self.args))


@dataclass(frozen=True, kw_only=True)
class DatasetInfo(Choice):
    shape: Shape
    labels: str = CLASSES
    classes: tuple[str, ...] = tuple(str(d) for d in range(10))
    points: int | None = None  # a 2-D point set: its default number of points
    noise: float | None = None  # and its default noise
    examples: int | None = None  # how many examples it has (None: a point set's `points`, or not fixed)
    page: str = "train"  # where a learner picks it: "train", "boundaries", or "lesson" (a lesson's own)
    user_data: bool = False  # the learner's own points, held by the page (nncore.points), never in a link

    @property
    def is_point_set(self) -> bool:
        return self.points is not None

    @property
    def is_plane(self) -> bool:
        """2-D points (x1, x2) with classes, drawn as a plane: a point set or the learner's own."""
        return self.is_point_set or self.user_data


@dataclass(frozen=True, kw_only=True)
class Preset(Choice):
    fields: Mapping[str, Any]  # spec fields; anything left out keeps the spec's default


T = TypeVar("T", bound=Choice)


class Registry(Mapping[str, T], Generic[T]):
    """An ordered, read-only map name -> record, with the messages a learner needs."""

    def __init__(self, kind: str, choices: list[T]):
        self.kind = kind
        self._choices = {c.name: c for c in choices}

    def __getitem__(self, name: str) -> T:
        return self._choices[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._choices)

    def __len__(self) -> int:
        return len(self._choices)

    def names(self) -> list[str]:
        return list(self._choices)

    def label(self, name: str) -> str:
        return self._choices[name].label

    def allowed(self, names: list[str] | None = None) -> str:
        return ", ".join(self._choices if names is None else names)
