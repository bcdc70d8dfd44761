"""The Boundaries page's hand-set weights (nncore.lessons.hand): the arrays a learner edits, the
network they are for, and where they came from; kept while the learner visits other pages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nncore import ExperimentSpec

from app.state.slots import slot


@dataclass
class HandWeights:
    spec: ExperimentSpec | None = None  # the network (and data) the weights are for
    weights: list[np.ndarray] | None = None
    source: str = ""  # where they came from, in words ("the seed's initial weights", ...)
    edits: int = 0  # numbers typed since they were loaded


def hand_weights() -> HandWeights:
    return slot(HandWeights)
