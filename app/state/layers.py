"""The Other layer types page's own state: its experiment, and the Keras model it shows windows of."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.state.slots import slot


@dataclass
class LayersState:
    experiment: Any = None  # nncore.lessons.layers_experiment.Experiment, the last one started
    models: dict[tuple, Any] = field(default_factory=dict)  # network -> its one Keras model in this session
    shown: dict[tuple, tuple] = field(default_factory=dict)  # network -> (job id, epoch, status) its weights are


def layers_state() -> LayersState:
    return slot(LayersState)
