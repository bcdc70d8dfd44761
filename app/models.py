"""The models the Draw page asks: shipped defaults (cached once per server) or the session's own."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from nncore.inference.predictor import (
    ASSETS,
    DEFAULT_MODELS,
    PROPERTIES_MODEL,
    Predictor,
    load_predictor,
)
from nncore.model import build_model
from nncore.outputs import to_probabilities
from nncore.spec import ExperimentSpec
from nncore.training.job import TrainingJob


@st.cache_resource(show_spinner="Loading the default model (TensorFlow starts once, ~4 s)...")
def default_predictor(name: str) -> Predictor:
    return load_predictor(ASSETS / name)


@st.cache_resource(show_spinner="Measuring the default CNN on MNIST's validation digits (once per server)...")
def default_finetune_start():
    """What "Fine-tune on my writing" starts from by default (nncore.inference.finetune.Start)."""
    from nncore.inference.finetune import default_start

    return default_start(default_predictor(DEFAULT_MODELS["logits"]))


def properties_predictor() -> Predictor:
    return default_predictor(PROPERTIES_MODEL)


UNRELIABLE_BELOW = 0.5  # a network under 50 % validation accuracy is named as unreliable (chance: 10 %)


@dataclass
class Answerer:
    """Whoever answers a drawing: its output layer's values for a batch of 784-pixel rows."""

    title: str
    spec: ExperimentSpec
    outputs: callable
    live: bool = False  # True while the session's training job is still changing it
    val_accuracy: float | None = None  # how it did on its validation digits (None: not measured yet)

    @property
    def unreliable(self) -> bool:
        """It answers little better than a guess: under UNRELIABLE_BELOW on its validation digits."""
        return self.val_accuracy is not None and self.val_accuracy < UNRELIABLE_BELOW

    def answer(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(raw outputs, probabilities) from one call of the model."""
        raw = self.outputs(x)
        return raw, to_probabilities(raw, self.spec.from_logits)


def default_answerer(output: str) -> Answerer:
    p = default_predictor(DEFAULT_MODELS[output])
    acc = p.metrics.get("val_accuracy")
    n = len(p.members)
    kind = (f"the average of {n} CNNs' logits" + ("" if p.from_logits else ", then a softmax")
            if n > 1 else f"{output} output")
    title = (f"the default CNN shipped with the app ({kind}, validation accuracy {acc:.1%})" if acc
             else f"the default CNN ({kind})")
    return Answerer(title, p.spec, p.outputs)


def job_answerer(job: TrainingJob) -> Answerer | None:
    """The session's own network, if it has been built for 28x28 digits."""
    if job is None or job.snapshot().weights is None or job.data.image_shape != (28, 28):
        return None
    s = job.snapshot()

    def outputs(x: np.ndarray) -> np.ndarray:
        return job.outputs(np.asarray(x, np.float32).reshape(-1, 784))

    acc = s.last("val_accuracy")
    state = "training now" if not s.finished else f"{s.status}, {s.epoch} epochs"
    if acc is not None:
        state += f", validation accuracy {acc:.1%}"
    title = f"your network from the Train page ({job.spec.hidden_text or 'no hidden layers'}, {state})"
    return Answerer(title, job.spec, outputs, live=not s.finished, val_accuracy=acc)


# ---- stored runs: their weights answer drawings, and go home as a .keras file ---------------

def keras_file(spec: ExperimentSpec, weights: list[np.ndarray]) -> bytes:
    """The network as a `.keras` file's bytes: standard Keras layers only, so
    `keras.saving.load_model(path)` loads it with safe_mode on; no optimizer state."""
    model = build_model(spec, compile=False, weights=list(weights))
    with tempfile.TemporaryDirectory(prefix="nn-playground-") as folder:
        path = Path(folder) / "model.keras"  # our own name: nothing from a link becomes a path
        model.save(path)
        return path.read_bytes()


@st.cache_resource(max_entries=8, show_spinner="Loading the run's network...")
def _run_predictor(run_id: str, spec_json: str, _weights: list[np.ndarray]) -> Predictor:
    spec = ExperimentSpec.from_json(spec_json)
    return Predictor(build_model(spec, compile=False, weights=_weights), spec, {}, run_id)


def run_answerer(run, weights: list[np.ndarray]) -> Answerer | None:
    """A stored run's network (from a `?run=` link), if it reads 28x28 digits."""
    if run.spec.shape.image != (28, 28):
        return None
    p = _run_predictor(run.id, run.spec.to_json(), weights)
    acc = run.last("val_accuracy")
    title = (f"run {run.id} ({run.spec.hidden_text or 'no hidden layers'}, {run.epochs} epochs"
             + (f", validation accuracy {acc:.1%})" if acc is not None else ")"))
    return Answerer(title, run.spec, p.outputs, val_accuracy=acc)
