"""From a network's raw outputs to what they mean: the one stable softmax and sigmoid.

    stable_softmax(z)                      softmax after subtracting the largest z (never overflows)
    to_probabilities(outputs, from_logits) probabilities from logits, or the probabilities as they are
    accuracy(probabilities, y, labels)     the share right: argmax for classes, >= 0.5 for yes/no
"""

from __future__ import annotations

import numpy as np

from .registry import BINARY, CLASSES, MULTI_HOT


def stable_softmax(z: np.ndarray) -> np.ndarray:
    """Softmax after subtracting the largest z: the same answer, and e^z never overflows."""
    z = np.asarray(z)
    ez = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return ez / np.sum(ez, axis=-1, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), written with tanh so that a large -z does not overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, np.float64)))


def to_probabilities(outputs: np.ndarray, from_logits: bool, labels: str = CLASSES) -> np.ndarray:
    """Probabilities from an output layer's values (float64): softmax of logits for classes,
    a sigmoid per unit for yes/no answers; outputs that already are probabilities (or
    numbers, for regression) come back as they are."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if not from_logits:
        return outputs
    return sigmoid(outputs) if labels in (BINARY, MULTI_HOT) else stable_softmax(outputs)


def accuracy(probabilities: np.ndarray, y: np.ndarray, labels: str = CLASSES) -> float | None:
    """The share of answers right: the most probable class (y integers or one-hot rows), or each
    yes/no answer at the 0.5 threshold; None for regression (numbers have no right answer)."""
    if labels in (BINARY, MULTI_HOT):
        y = np.asarray(y, np.float64).reshape(probabilities.shape)
        return float(np.mean((probabilities >= 0.5) == (y >= 0.5)))
    if labels != CLASSES:
        return None
    y = np.asarray(y)
    truth = y.argmax(-1) if y.ndim == 2 else y
    return float(np.mean(probabilities.argmax(-1) == truth))
