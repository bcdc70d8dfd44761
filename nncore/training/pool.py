"""Compiled Keras networks, kept and lent again, so a session can train many times.

Every new Keras model that is fitted leaves about 7 MB in TensorFlow's runtime (its traced
train function) that neither `keras.backend.clear_session()` nor the garbage collector
gives back, and tracing it costs ~0.6 s. A learner who presses Train twenty times would
grow the server by 150 MB and wait for twenty traces. So a job borrows its network here:

    net = POOL.lend(spec, shape)    # shape: the data's registry.Shape
    net.train(x, y, batch_size) # batches through Keras' own train_step, in one traced call
    net.train(x, y, batch_size, rows)  # the batches of those rows of x, y, gathered in the call
    POOL.give_back(net)         # when the session no longer needs that model

A network is lent to one job at a time. Before it is lent again its weights are set to the
ones a fresh `build_model(spec)` would have for the spec's seed, its optimizer's state is
set back to the start and its learning rate to the spec's, so a pooled training gives the
same numbers as a fresh one. Networks are shared by everything their traced functions
depend on (layers, output, loss, optimizer kind), not by the learning rate, seed, batch size
or number of epochs.

`Network.train` is the app's inner loop: a run of batches in one call of a traced function
that calls the model's own `train_step` (Keras' loss, gradients, optimizer and metrics, as
`fit` does) for each batch and returns every batch's running loss. It is Keras' "training
loop from scratch" pattern: `fit` itself, on this machine, spends more time going from batch
to batch (its tf.data iterator and per-step control flow, ~0.2 ms a batch) than a batch of
the course network takes.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model import build_model, plan
from ..registry import DATASETS, LOSSES, OPTIMIZERS, Shape
from ..spec import ExperimentSpec

# Idle networks kept for later, least recently used dropped first.
MAX_IDLE = 12

# A network without convolutions trains (and answers: forward, layer_outputs) through TensorFlow's
# single-threaded executor (tf.experimental.function_executor_type): its while loop runs each
# batch's small ops one after another in the calling thread, where the default executor hands every
# op to the inter-op thread pool, whose idle threads spin waiting for the next. The same numbers up
# to float32 rounding (weights within 1e-6 after 3 epochs, tests/test_pool.py), the same speed, and
# 30-40 % less CPU for the course's networks (a 25-15 network, 20 epochs: 0.65-0.94 s of wall and
# CPU against 0.71-0.91 s taking 1.06-1.38 CPU-s); two at once in two threads still run side by
# side (1.27-1.45 s against 1.37-1.44 s). The first training of a fresh process: 0.81 s against
# 1.00 s (python -m bench warm, 5 rounds each, the same hour); its validations and plane through it
# too: 0.93-1.02 s against 0.96-1.09 s (8 rounds alternated, twice). Convolutions lose with it (a
# CNN epoch: 2.5-3.2 s against 1.5-1.7 s), so they keep the default. NNCORE_TRAIN_EXECUTOR="default"
# turns it off (to compare).
INLINE_EXECUTOR = "SINGLE_THREADED_EXECUTOR"
EXECUTOR_SETTING = "NNCORE_TRAIN_EXECUTOR"


def pool_key(spec: ExperimentSpec, shape: Shape) -> tuple:
    """What a network's compiled and traced functions depend on."""
    layers = tuple((p.cls, p.args, tuple(sorted(p.kwargs.items()))) for p in plan(spec, shape))
    optimizer = OPTIMIZERS[spec.optimizer]
    return (layers, shape, LOSSES[spec.loss].keras_class, spec.from_logits, DATASETS[spec.dataset].labels,
            optimizer.keras_class, optimizer.args)


@dataclass(eq=False)
class Network:
    """A compiled Keras model with the traced helpers that go with it."""

    model: Any
    key: tuple
    optimizer_start: list[np.ndarray] = field(default_factory=list)
    _train: Any = None
    _forward: Any = None
    _layer_outputs: Any = None
    _forward_lock: Any = field(default_factory=threading.Lock)  # held while forward is made and traced
    trainings: int = 0
    background: bool = False  # lent to the server's warm-up now
    inline: bool = field(init=False)  # trains and answers through INLINE_EXECUTOR

    def __post_init__(self) -> None:
        self.inline = (os.environ.get(EXECUTOR_SETTING, INLINE_EXECUTOR) == INLINE_EXECUTOR and bool(self.key)
                       and not any("Conv" in layer[0] for layer in self.key[0]))

    def train(self, x, y, batch_size: int, rows=None) -> tuple[dict[str, float], np.ndarray]:
        """Batches of `batch_size` from x, y in order, one `train_step` each, in one call.
        `rows`: train on these rows of x, y, in this order (the batches are gathered inside the
        traced call: x, y can be the whole training set, converted to tensors once, with no copy of
        it made in Python per call). Returns the metrics after the last batch and the running loss
        after every batch."""
        import tensorflow as tf

        x, y = _tensor(x), tf.convert_to_tensor(y)
        rows = tf.range(tf.shape(x)[0]) if rows is None else tf.convert_to_tensor(np.asarray(rows, np.int32))
        if self._train is None:
            # traced once, for runs of any length: the epoch's last, shorter run does not trace again
            signature = [tf.TensorSpec([None, *x.shape[1:]], x.dtype), tf.TensorSpec([None, *y.shape[1:]], y.dtype),
                         tf.TensorSpec([None], tf.int32), tf.TensorSpec([], tf.int32)]
            self._train = tf.function(_train_loop(self.model), input_signature=signature, autograph=False)
            _build_compiled(self.model, x, y)
            self._call(self._train.get_concrete_function)  # the trace, in this thread
            self._prepare_beside(x, y)
        logs, losses = self._call(self._train, x, y, rows, tf.constant(batch_size, tf.int32))
        return {k: float(v) for k, v in logs.items()}, losses.numpy()

    def _prepare_beside(self, x, y) -> None:
        """While the first call of the train function runs (TensorFlow's C++, which lets go of Python's
        lock), another thread traces `forward` and runs the loss once on two rows (its eager ops' first
        run): the first validation needs both a moment later. A first training of a fresh process (the
        practice lab, 10 epochs), with this and the batches gathered in the graph: 0.64 s against
        0.74 s before both (6 fresh processes each, alternated; the gather alone: 0.74 s against
        0.76 s). Only a speed-up: forward waits for it (the lock), and if it fails, forward traces as
        before."""
        if self._forward is not None:
            return
        self._forward_lock.acquire()  # taken here, so that no forward() can come before the thread has it

        def prepare():
            try:
                forward = self._forward_function(x.shape[1:])
                outputs = self._call(forward, x[:2])
                self.model.loss(y[:2], outputs)
            except Exception:
                pass
            finally:
                self._forward_lock.release()

        try:
            threading.Thread(target=prepare, name="nncore-prepare", daemon=True).start()
        except RuntimeError:  # no thread to be had: forward traces when it is first called, as before
            self._forward_lock.release()

    def _call(self, function, *args):
        """function(*args) (one of the traced helpers) through INLINE_EXECUTOR when this network uses
        it (`inline`). An op that executor cannot run is refused before any runs: the network then
        uses the default executor from that call on."""
        import tensorflow as tf

        if self.inline:
            try:
                with tf.experimental.function_executor_type(INLINE_EXECUTOR):
                    _without_grappler()
                    return function(*args)
            except (tf.errors.UnimplementedError, tf.errors.InvalidArgumentError):
                self.inline = False  # the default executor says what is wrong, if anything is
        return function(*args)

    def optimizer_state(self) -> tuple[np.ndarray, ...]:
        """The optimizer's variables as they are (its step count, Adam's moments...), as arrays."""
        return tuple(np.array(v.numpy()) for v in self.model.optimizer.variables)

    def set_optimizer_state(self, values, learning_rate: float) -> None:
        """Put back what optimizer_state() gave (ignored when it does not fit this optimizer), then
        the spec's learning rate (a learner may change it between two steps)."""
        variables = self.model.optimizer.variables
        if len(values) == len(variables) and all(np.shape(a) == tuple(v.shape) for a, v in zip(values, variables)):
            for variable, value in zip(variables, values):
                variable.assign(value)
        self.model.optimizer.learning_rate = learning_rate

    def forward(self, x) -> np.ndarray:
        """The output layer's values for a batch, through one traced call (not eager)."""
        x = _tensor(x)
        with self._forward_lock:
            forward = self._forward_function(x.shape[1:])
        return np.asarray(self._call(forward, x))

    def _forward_function(self, shape):
        """The traced forward function (made on first use; the caller holds _forward_lock)."""
        if self._forward is None:
            import tensorflow as tf

            model = self.model
            # traced once for any number of rows (validation, the plane's grid, a drawing)
            self._forward = tf.function(lambda v: model(v, training=False), autograph=False,
                                        input_signature=[tf.TensorSpec([None, *shape], tf.float32)])
        return self._forward

    def layer_outputs(self, x) -> list[np.ndarray]:
        """Every Dense layer's output for a batch (for the unit views), in one traced call."""
        if self._layer_outputs is None:
            import keras
            import tensorflow as tf

            dense = [layer for layer in self.model.layers if hasattr(layer, "units")]
            multi = keras.Model(self.model.inputs, [layer.output for layer in dense])
            self._layer_outputs = tf.function(lambda v: multi(v, training=False), autograph=False,
                                              input_signature=[tf.TensorSpec([None, *np.shape(x)[1:]], tf.float32)])
        return [np.asarray(o) for o in self._call(self._layer_outputs, _tensor(x))]



def _train_loop(model):
    """for each batch of `rows`: model.train_step(batch), as a graph (a tf.while_loop over the batches)."""
    import tensorflow as tf

    def train(x, y, rows, batch_size):
        steps = (tf.shape(rows)[0] + batch_size - 1) // batch_size

        def body(i, losses):
            batch = rows[i * batch_size:(i + 1) * batch_size]
            logs = model.train_step((tf.gather(x, batch), tf.gather(y, batch)))
            return i + 1, losses.write(i, logs["loss"])

        _, losses = tf.while_loop(lambda i, _: i < steps, body,
                                  (tf.constant(0), tf.TensorArray(tf.float32, size=steps)))
        with tf.control_dependencies([losses.flow]):  # the metrics as they are after the last batch
            return model.get_metrics_result(), losses.stack()

    return train


def _without_grappler() -> None:
    """Inside tf.experimental.function_executor_type (which puts this thread's call options back as
    they were when it ends): the functions this thread calls for the first time are not run through
    Grappler, TensorFlow's graph optimizer. For a dense network of the course, optimizing its traced
    functions cost more than it gave back: its first training 1.02 s against 1.17 s, the next 40 epochs
    1.61 s against 1.68 s (5 fresh processes each, alternated), the same numbers; a CNN's epochs were
    15-20 % slower without it, so networks with convolutions keep it (they are not `inline`). Through
    TensorFlow's private eager context (the call options are per thread there; the public switch,
    tf.config.optimizer, is for the whole process): if that ever changes, Grappler simply stays on."""
    try:
        from tensorflow.core.protobuf import config_pb2
        from tensorflow.python.eager import context

        options = context.context().function_call_options
        config = config_pb2.ConfigProto()
        config.ParseFromString(options.config_proto_serialized or b"")
        config.graph_options.rewrite_options.disable_meta_optimizer = True
        options.config_proto_serialized = config
    except Exception:
        pass


def _build_compiled(model, x, y) -> None:
    """Create the compiled loss's and metrics' variables before the first trace (from one row of
    labels and an output of the model's shape): created inside it, they make tf.function trace
    the whole loop twice."""
    try:
        import tensorflow as tf

        y_pred = tf.zeros([1, *model.output_shape[1:]], tf.float32)  # its shape is all they need
        for part in (getattr(model, "_compile_loss", None), getattr(model, "_compile_metrics", None)):
            if part is not None and not part.built:
                part.build(y[:1], y_pred)
    except Exception:  # only a speed-up (Keras' private parts): without it the first call traces twice
        pass


def _tensor(x):
    """A float32 tensor as it is (pass one to skip the copy when the same batch comes often)."""
    import tensorflow as tf

    return x if isinstance(x, tf.Tensor) else tf.convert_to_tensor(np.asarray(x, np.float32))


def as_network(model_or_net) -> Network:
    """A pooled Network as it is; a bare Keras model wrapped (its helpers traced on first use)."""
    if isinstance(model_or_net, Network):
        return model_or_net
    return Network(model_or_net, ())


class ModelPool:
    def __init__(self, max_idle: int = MAX_IDLE):
        self.max_idle = max_idle
        self._idle: "OrderedDict[int, Network]" = OrderedDict()
        self._lock = threading.Lock()
        self._returned = threading.Condition(self._lock)  # a network came back
        self._known: set[tuple] = set()  # keys of every network built
        self._background: dict[tuple, int] = {}  # key: networks of it lent to the warm-up now
        self.built = 0  # networks made (each one costs a trace and ~7 MB for good)
        self.reused = 0

    def lend(self, spec: ExperimentSpec, shape: Shape | None = None,
             weights: list[np.ndarray] | None = None, optimizer_state=None, background: bool = False,
             waiting=None, wait_s: float = 30.0) -> Network:
        """A network for `spec` on data of `shape` (the spec's dataset's by default), with the
        weights a fresh build for the spec's seed has, or the `weights` given; its optimizer fresh,
        or with `optimizer_state` (Network.optimizer_state() of a network of the same key: a
        training that goes on where another one stopped, e.g. Train after Step).

        `background`: for the server's warm-up. A network of the same kind that the warm-up holds
        is waited for (at most `wait_s`; the warm-up lets go of it within a moment of a training
        being asked for) rather than built and traced a second time beside it; `waiting()` is
        called once if that happens (to say so)."""
        shape = shape or spec.shape
        key = pool_key(spec, shape)
        deadline = time.monotonic() + wait_s
        with self._lock:
            while True:
                net = next((n for n in self._idle.values() if n.key == key), None)
                if net is not None:
                    del self._idle[id(net)]
                    self.reused += 1
                    break
                if background or not self._background.get(key) or time.monotonic() >= deadline:
                    break
                if waiting is not None:
                    waiting, announce = None, waiting
                    self._lock.release()
                    try:
                        announce()
                    finally:
                        self._lock.acquire()
                    continue
                self._returned.wait(min(0.5, max(0.0, deadline - time.monotonic())))
            if background:  # from now on (its build included) a learner's training waits for it
                self._background[key] = self._background.get(key, 0) + 1
        try:
            if net is None:
                net = self._build(spec, key, shape, weights)
            else:
                self._reset(net, spec, shape, weights)
        except BaseException:
            if background:
                with self._lock:
                    self._background[key] -= 1
                    self._returned.notify_all()
            raise
        if optimizer_state is not None:
            net.set_optimizer_state(optimizer_state, spec.learning_rate)
        net.trainings += 1
        net.background = background
        return net

    def knows(self, spec: ExperimentSpec, shape: Shape | None = None) -> bool:
        """Has a network for `spec` been built here (idle now, or lent)?"""
        key = pool_key(spec, shape or spec.shape)
        with self._lock:
            return key in self._known

    def forward(self, spec: ExperimentSpec, shape: Shape, weights, x: np.ndarray) -> np.ndarray:
        """The output layer's values for x from a network of `spec` with these `weights`: a finished
        training's answers, from a pooled network lent for the call (no Keras model per job)."""
        key = pool_key(spec, shape)
        with self._lock:
            net = next((n for n in self._idle.values() if n.key == key), None)
            if net is not None:
                del self._idle[id(net)]
        if net is None:
            net = self._build(spec, key, shape, list(weights))
        else:
            net.model.set_weights(list(weights))
        try:
            return net.forward(x)
        finally:
            self.give_back(net)

    def give_back(self, net: Network) -> None:
        with self._lock:
            if net.background:
                net.background = False
                self._background[net.key] -= 1
            if id(net) in self._idle:
                return
            self._idle[id(net)] = net
            while len(self._idle) > self.max_idle:
                self._idle.popitem(last=False)
            self._returned.notify_all()

    # ---- making and resetting ---------------------------------------------------------

    def _build(self, spec, key, shape, weights) -> Network:
        model = build_model(spec, shape, weights=weights)
        model.optimizer.build(model.trainable_variables)  # its state at the start, kept to go back to
        net = Network(model, key, [np.array(v.numpy()) for v in model.optimizer.variables])
        with self._lock:
            self.built += 1
            self._known.add(key)
        return net

    def _reset(self, net: Network, spec, shape, weights) -> None:
        if weights is None:
            weights = build_model(spec, shape, compile=False).get_weights()
        net.model.set_weights(list(weights))
        for variable, value in zip(net.model.optimizer.variables, net.optimizer_start):
            variable.assign(value)
        net.model.optimizer.learning_rate = spec.learning_rate
        net.model.reset_metrics()


POOL = ModelPool()
