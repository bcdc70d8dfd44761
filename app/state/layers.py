"""The Other layer types page's own state: its experiment, and the Keras model it shows windows of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.state.slots import slot


@dataclass
class LayersState:
    experiment: Any = None  # nncore.lessons.layers_experiment.Experiment, the last one started
    model: tuple[tuple, Any] | None = None  # ((job id, epoch, status), the Keras model with those weights)


def layers_state() -> LayersState:
    return slot(LayersState)
