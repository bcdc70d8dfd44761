"""nncore: the playground's headless backend (data, specs, models, training jobs).

Importing nncore is light: TensorFlow loads only when a model is built or trained.
"""

import os
import threading

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of logs

from .spec import ExperimentSpec, Layer, SpecError  # noqa: E402

__all__ = ["ExperimentSpec", "Layer", "SpecError"]


_TF_LOCK = threading.Lock()


def import_keras():
    """Import TensorFlow and Keras once, from whichever thread asks first.

    Two threads importing TensorFlow at the same moment can deadlock in Python's import
    machinery, so code that may be the first in a process to need Keras (a training job's
    thread, a lesson, the Draw page's models) imports it through here; code that runs only
    after that (building a model inside a job) may `import keras` directly.
    """
    with _TF_LOCK:
        import tensorflow  # noqa: F401
        import keras

    return keras
