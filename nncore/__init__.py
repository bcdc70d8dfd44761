"""nncore: the playground's headless backend (data, specs, models, training jobs).

Importing nncore is light: TensorFlow loads only when a model is built or trained.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of logs

from .spec import ExperimentSpec, Layer, SpecError  # noqa: E402

__all__ = ["ExperimentSpec", "Layer", "SpecError"]
