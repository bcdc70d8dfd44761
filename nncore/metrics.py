"""Numbers computed from a model's answers (scikit-learn does the counting)."""

from __future__ import annotations

import numpy as np


def confusion(labels: np.ndarray, probabilities: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (true label, predicted label): rows true, columns predicted."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(labels, np.asarray(probabilities).argmax(-1), labels=list(range(n_classes)))
