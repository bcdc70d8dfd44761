"""The experiment spec: the one value that crosses from the page to the backend.

A spec says everything about a training: the data, the layers, the output, the loss, the
optimizer and the fit settings. It is frozen, validates itself, and turns into and out of
plain JSON. Widgets build a spec; nncore takes a spec.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from .layer import Layer, SpecError, check_window, parse_hidden
from .registry import (ACTIVATIONS, DATASETS, LAYER_KINDS, LOSSES, MAX_USER_CLASSES, OPTIMIZERS, OUTPUTS,
                       PRESETS, Registry, Shape, is_point_set)

MAX_HIDDEN_LAYERS = 8  # (a layer's units or filters: its kind's max_size in the registry)


class Limits(NamedTuple):
    """A number field's range: `low` to `high` (above `low` when `low_open`), whole numbers when `kind` is int."""

    low: float
    high: float
    kind: type = int
    low_open: bool = False

    def text(self) -> str:
        """The range in words, as a page's help says it: "20 to 20,000", "above 0, at most 100"."""
        def show(v: float) -> str:
            return f"{v:,}" if self.kind is int else f"{v:g}"
        low = f"above {show(self.low)}, at most" if self.low_open else f"{show(self.low)} to"
        return f"{low} {show(self.high)}"


# The number fields' ranges: validation (problems), the builder's help, the race and the targets read them here.
LIMITS = {
    "learning_rate": Limits(0, 100, float, low_open=True),
    "batch_size": Limits(1, 4096),
    "epochs": Limits(1, 1000),
    "validation_split": Limits(0.05, 0.5, float),
    "seed": Limits(0, 2**31 - 1),
    "points": Limits(20, 20000),
    "noise": Limits(0, 5, float),
    "train_size": Limits(1, 10**7),
}


@dataclass(frozen=True)
class ExperimentSpec:
    dataset: str = "digits-5k"
    hidden: tuple[Layer, ...] = (Layer(25, "relu"), Layer(15, "relu"))
    output: str = "logits"
    loss: str = "sparse_categorical_crossentropy"
    optimizer: str = "adam"
    learning_rate: float = 0.001
    batch_size: int = 32
    epochs: int = 40
    validation_split: float = 0.2
    seed: int = 0
    augment: bool = False  # randomly shift, rotate, scale and thicken the training images
    points: int | None = None  # how many points a 2-D point set has (None: the set's default)
    noise: float | None = None  # its noise (None: the set's default)
    train_size: int | None = None  # train on this many examples of the training split (None: all)
    classes: int | None = None  # how many classes the learner's own points have (set from the data)

    # ---- checking -------------------------------------------------------------------

    def problems(self) -> list[SpecError]:
        """Every problem with this spec (empty when it is good), each naming its field."""
        errors: list[SpecError] = []

        def choice(field_name: str, value: Any, registry: Registry) -> None:
            if value not in registry:
                errors.append(SpecError(field_name, f"unknown {registry.kind} {value!r}; "
                                        f"allowed: {registry.allowed()}"))

        def number(field_name: str, value: Any, low: float, high: float, kind: type,
                   low_open: bool = False) -> None:
            ok_type = isinstance(value, (int, float)) and not isinstance(value, bool)
            if kind is int:
                ok_type = ok_type and float(value).is_integer()
            if not ok_type or value != value:  # NaN
                errors.append(SpecError(field_name, f"must be a{'n integer' if kind is int else ' number'}, got {value!r}"))
                return
            too_low = value <= low if low_open else value < low
            if too_low or value > high:
                lo = f"greater than {low:g}" if low_open else f"at least {low:g}"
                errors.append(SpecError(field_name, f"must be {lo} and at most {high:g}, got {value:g}"))

        choice("dataset", self.dataset, DATASETS)
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            errors.append(SpecError("hidden", f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(self.hidden)}"))
        seen_dense = False
        info = DATASETS.get(self.dataset)
        image = info.shape.image if info else None
        feature_map: tuple[int, int] | None = image  # height and width after each layer, while known
        for i, layer in enumerate(self.hidden):
            name = f"hidden layer {i + 1}"
            if layer.kind not in LAYER_KINDS:
                choice(f"{name} kind", layer.kind, LAYER_KINDS)
                continue
            kind = LAYER_KINDS[layer.kind]
            if kind.size:
                number(f"{name} {kind.size}", layer.units, 1, kind.max_size, int)
                choice(f"{name} activation", layer.activation, ACTIVATIONS)
            if not kind.image_only:
                if layer.kernel is not None or layer.stride is not None:
                    errors.append(SpecError(f"{name} kind", "only Conv2D and pooling layers have a window "
                                            "(kernel) and a stride; a Dense unit reads every input"))
                seen_dense = True
                continue
            if not image:
                errors.append(SpecError(f"{name} kind", f"{kind.label} needs "
                                        "images; this dataset's examples are plain vectors"))
                continue
            if seen_dense:
                errors.append(SpecError(f"{name} kind", f"{kind.label} must come "
                                        "before the Dense layers (they flatten the image)"))
            if feature_map is not None:
                feature_map = check_window(errors, name, layer, feature_map, number)
        # the output and the loss must fit the data's labels (classes, yes/no answers, numbers)
        for field_name, value, registry in (("output", self.output, OUTPUTS), ("loss", self.loss, LOSSES)):
            if value not in registry:
                choice(field_name, value, registry)
            elif info and info.labels not in registry[value].labels:
                fits = [n for n, c in registry.items() if info.labels in c.labels]
                errors.append(SpecError(field_name, f"{registry.kind} {value!r} does not fit {self.dataset}'s "
                                        f"labels ({info.labels}); allowed: {registry.allowed(fits)}"))
        choice("optimizer", self.optimizer, OPTIMIZERS)
        for name in ("learning_rate", "batch_size", "epochs", "validation_split", "seed"):
            number(name, getattr(self, name), *LIMITS[name])
        points_set = is_point_set(self.dataset)
        for name in ("points", "noise"):
            value = getattr(self, name)
            if value is None:
                continue
            if not points_set:
                errors.append(SpecError(name, f"only 2-D point sets have {name}; {self.dataset} does not"))
            else:
                number(name, value, *LIMITS[name])
        if self.train_size is not None:
            number("train_size", self.train_size, *LIMITS["train_size"])
            if not errors or errors[-1].field != "train_size":
                classes = len(info.classes) if info else 1
                most = train_examples(self)
                if self.train_size < classes:
                    errors.append(SpecError("train_size", f"at least {classes} (one example of each class), "
                                            f"got {self.train_size}"))
                elif most is not None and self.train_size > most:
                    errors.append(SpecError("train_size", f"at most {most:,}: the training split of {self.dataset} "
                                            f"(validation share {self.validation_split:g}) has {most:,} examples, "
                                            f"got {self.train_size:,}"))
        if self.classes is not None:
            if not (info and info.user_data):
                errors.append(SpecError("classes", f"only your own points set their classes; {self.dataset} "
                                        "has its own"))
            else:
                number("classes", self.classes, 2, MAX_USER_CLASSES, int)
        if not isinstance(self.augment, bool):
            errors.append(SpecError("augment", f"must be true or false, got {self.augment!r}"))
        elif self.augment and not image:
            errors.append(SpecError("augment", "augmentation shifts and rotates images; this dataset has none"))
        return errors

    def validate(self) -> "ExperimentSpec":
        """Return self if good; raise the first SpecError otherwise."""
        errors = self.problems()
        if errors:
            raise errors[0]
        return self

    # ---- derived facts ----------------------------------------------------------------

    @property
    def from_logits(self) -> bool:
        return OUTPUTS[self.output].from_logits

    @property
    def label_format(self) -> str:
        """How the loss wants the labels: "integer", "one-hot", "0 or 1" or "number"."""
        return LOSSES[self.loss].label_format

    @property
    def shape(self) -> Shape:
        """The shape of this spec's examples: inputs, output units, image size (one value)."""
        info = DATASETS[self.dataset]
        if info.user_data and isinstance(self.classes, int) and not isinstance(self.classes, bool):
            return Shape(info.shape.features, self.classes)  # the learner's own points: one unit per class
        return info.shape

    @property
    def hidden_text(self) -> str:
        return ",".join(str(layer) for layer in self.hidden)

    def point_set(self) -> tuple[int, float]:
        """(points, noise) of this spec's 2-D point set, the set's defaults where unset."""
        info = DATASETS[self.dataset]
        return (self.points if self.points is not None else info.points,
                self.noise if self.noise is not None else info.noise)

    @property
    def is_convolutional(self) -> bool:
        return any(layer.kind != "dense" for layer in self.hidden)

    # ---- plain data in and out ----------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["hidden"] = [layer.to_dict() for layer in self.hidden]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any], base: "ExperimentSpec | None" = None) -> "ExperimentSpec":
        """A spec from plain data; unknown keys and ill-typed values raise SpecError."""
        if not isinstance(data, dict):
            raise SpecError("spec", "must be a JSON object of settings")
        base = base or cls()
        known = {f.name for f in dataclasses.fields(cls)}
        changes: dict[str, Any] = {}
        for key, value in data.items():
            if key == "preset":
                base = cls.from_preset(value).replace(**changes)
                continue
            if key not in known:
                raise SpecError(key, f"unknown setting; allowed: {', '.join(sorted(known))}")
            changes[key] = _coerce(key, value)
        return dataclasses.replace(base, **changes)

    @classmethod
    def from_json(cls, text: str, base: "ExperimentSpec | None" = None) -> "ExperimentSpec":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise SpecError("config", f"not valid JSON ({e.msg} at line {e.lineno})") from None
        return cls.from_dict(data, base)

    @classmethod
    def from_preset(cls, name: str) -> "ExperimentSpec":
        if name not in PRESETS:
            raise SpecError("preset", f"unknown preset {name!r}; allowed: {PRESETS.allowed()}")
        return cls.from_dict(dict(PRESETS[name].fields))

    def replace(self, **changes: Any) -> "ExperimentSpec":
        """A copy with some fields changed (values coerced as from JSON)."""
        return self.from_dict(changes, base=self)

    def with_settings(self, settings: list[str]) -> "ExperimentSpec":
        """Apply CLI-style `key=value` strings, e.g. `hidden=25:relu,15:relu`."""
        changes: dict[str, Any] = {}
        for item in settings:
            key, sep, value = item.partition("=")
            if not sep:
                raise SpecError(item, "expected KEY=VALUE, e.g. learning_rate=0.01")
            changes[key.strip()] = value.strip()
        return self.replace(**changes)


def train_examples(spec: "ExperimentSpec") -> int | None:
    """How many examples the training split of the spec's data has (None: known only once loaded)."""
    info = DATASETS.get(spec.dataset)
    if info is None:
        return None
    n = spec.point_set()[0] if info.is_point_set else info.examples
    split = spec.validation_split
    if n is None or not isinstance(split, (int, float)) or not 0 < split < 1:
        return None
    return int(n - math.ceil(split * n))  # as scikit-learn's train_test_split counts


_FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(ExperimentSpec)}
_LAYER_KEYS = tuple(f.name for f in dataclasses.fields(Layer))


def _coerce(key: str, value: Any) -> Any:
    """A value from JSON or a command line, turned into the field's type."""
    kind = _FIELD_TYPES[key]
    if kind.endswith(" | None"):
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "default")):
            return None
        kind = kind.removesuffix(" | None")
    if key == "hidden":
        if isinstance(value, str):
            return parse_hidden(value)
        if isinstance(value, (list, tuple)):
            layers = []
            for i, item in enumerate(value):
                if isinstance(item, Layer):
                    layers.append(item)
                elif isinstance(item, dict) and set(item) <= set(_LAYER_KEYS) and "units" in item:
                    layers.append(Layer(item["units"], item.get("activation", "relu"), item.get("kind", "dense"),
                                        item.get("kernel"), item.get("stride")))
                elif isinstance(item, str):
                    layers.extend(parse_hidden(item))
                else:
                    raise SpecError(f"hidden layer {i + 1}", 'expected {"units": N, "activation": NAME, '
                                    '"kind": dense|conv|pool, "kernel": K, "stride": S}')
            return tuple(layers)
        raise SpecError("hidden", "expected a list of layers or text like 25:relu,15:relu")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.strip().lower() in ("true", "1", "yes")
        raise SpecError(key, f"must be true or false, got {value!r}")
    if kind in ("int", "float"):
        return _number(key, value, kind)
    if not isinstance(value, str):
        raise SpecError(key, f"must be a name, got {value!r}")
    return value


def _number(key: str, value: Any, kind: str) -> Any:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise SpecError(key, f"must be a number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(key, f"must be a number, got {value!r}")
    if kind == "int" and float(value).is_integer():
        return int(value)
    return float(value) if kind == "float" else value
