"""The pool of compiled networks: reuse without a trace of the last training."""

import numpy as np
import pytest

from nncore import ExperimentSpec
from bench.report import numpy_epoch
from nncore.model import build_model
from nncore.training.pool import EXECUTOR_SETTING, POOL, ModelPool, pool_key
from nncore.training.job import DONE, TrainingJob


def test_trainings_of_one_network_share_one_compiled_model(small_digits):
    spec = ExperimentSpec.from_dict({"hidden": "7:relu", "epochs": 1})
    built = POOL.built
    for lr in (0.001, 0.01, 0.003):  # the learning rate is not part of what is traced
        job = TrainingJob(spec.replace(learning_rate=lr), data=small_digits)
        assert job.run().status == DONE
        assert job.network is None  # given back to the pool as soon as the loop ended
    assert POOL.built - built == 1


def test_a_reused_network_trains_exactly_like_a_new_one(small_digits):
    spec = ExperimentSpec.from_dict({"hidden": "9:relu", "epochs": 3, "seed": 4})
    pool = ModelPool()
    histories = []
    for _ in range(2):  # the second borrows the network the first trained (and Adam's state)
        net = pool.lend(spec)
        assert net.trainings == len(histories) + 1
        x, y = small_digits.x_train, small_digits.y_train
        for _ in range(spec.epochs):
            net.model.reset_metrics()
            logs, losses = net.train(x, y, spec.batch_size)
        histories.append((logs, losses, [w.copy() for w in net.model.get_weights()]))
        pool.give_back(net)
    assert pool.built == 1 and pool.reused == 1
    (logs_a, losses_a, w_a), (logs_b, losses_b, w_b) = histories
    assert logs_a == logs_b
    np.testing.assert_array_equal(losses_a, losses_b)
    for a, b in zip(w_a, w_b):
        np.testing.assert_array_equal(a, b)


def test_a_network_is_lent_to_one_job_at_a_time_and_given_back_when_its_loop_ends(small_digits):
    """Two trainings at once get two networks; once they end both are back in the pool, and a
    finished job still answers (its snapshot's weights in a pooled network lent for the call)."""
    spec = ExperimentSpec.from_dict({"hidden": "5:relu", "epochs": 2})
    seen = {}
    a = TrainingJob(spec, data=small_digits, on_epoch=lambda s: seen.setdefault("a", a.network))
    b = TrainingJob(spec, data=small_digits, on_epoch=lambda s: seen.setdefault("b", b.network))
    a.start(), b.start()
    assert a.join(60) and b.join(60)
    assert seen["a"] is not None and seen["b"] is not None and seen["a"] is not seen["b"]
    assert a.network is None and b.network is None
    built = POOL.built
    c = TrainingJob(spec, data=small_digits, on_epoch=lambda s: seen.setdefault("c", c.network))
    assert c.run().status == DONE
    assert POOL.built == built and seen["c"] in (seen["a"], seen["b"])  # reused, not built again
    x = small_digits.x_val[:5]
    fresh = build_model(spec, weights=list(a.snapshot().weights))
    np.testing.assert_allclose(a.outputs(x), fresh(x, training=False).numpy(), atol=1e-5)
    assert POOL.built == built  # answering borrowed a pooled network, it built none


def test_pool_key_ignores_what_the_trace_does_not_depend_on():
    base = ExperimentSpec()
    same = [base.replace(learning_rate=0.1), base.replace(seed=9), base.replace(batch_size=64),
            base.replace(epochs=3)]
    assert all(pool_key(s, base.shape) == pool_key(base, base.shape) for s in same)
    other = [base.replace(optimizer="sgd"), base.replace(output="softmax"),
             ExperimentSpec.from_dict({"hidden": "25:tanh,15:relu"})]
    assert all(pool_key(s, base.shape) != pool_key(base, base.shape) for s in other)


def test_one_call_runs_keras_train_step_on_every_batch_like_the_same_math_in_numpy(small_digits):
    """The app's train call against Adam and softmax cross-entropy written out in NumPy."""
    spec = ExperimentSpec.from_dict({"hidden": "6:relu,5:relu", "epochs": 1, "seed": 2})
    pool = ModelPool()
    net = pool.lend(spec)
    weights = [w.astype(np.float64) for w in build_model(spec, compile=False).get_weights()]
    x, y = small_digits.x_train[:200], small_digits.y_train[:200]
    logs, losses = net.train(x, y, 32)
    assert len(losses) == 7  # 6 batches of 32 and one of 8
    assert logs["loss"] == pytest.approx(float(losses[-1]))  # the running loss after the last batch
    assert 0 <= logs["accuracy"] <= 1
    state = {"t": 0, "m": [np.zeros_like(w) for w in weights], "v": [np.zeros_like(w) for w in weights]}
    numpy_epoch(x.astype(np.float64), y, weights, state, order=np.arange(len(x)))
    for mine, keras_ in zip(weights, net.model.get_weights()):
        np.testing.assert_allclose(keras_, mine, atol=2e-5)
    assert net.model.optimizer.iterations.numpy() == 7 == state["t"]


def test_a_new_network_is_traced_once_for_every_run_length(small_digits):
    """The first training of a network nobody has trained yet pays for one trace of its loop
    (not two: the compiled loss and metrics exist before it) and one of its forward pass, for
    every number of rows (a shorter last run of an epoch, validation, the plane's grid)."""
    spec = ExperimentSpec.from_dict({"hidden": "11:relu,6:relu", "epochs": 2, "batch_size": 64})
    seen = {}
    job = TrainingJob(spec, data=small_digits, on_epoch=lambda s: seen.setdefault("net", job.network))
    assert job.run().status == DONE
    net = seen["net"]
    assert net._train.experimental_get_tracing_count() == 1
    assert net._forward.experimental_get_tracing_count() == 1


def test_rows_gathered_in_the_call_train_exactly_like_those_rows_copied_first(small_digits):
    """Train's epochs pass the whole training set and a run of the epoch's order (`rows`), gathered
    inside the traced call: the same losses, metrics and weights, to the bit, as the same rows
    copied in NumPy first; the forward pass, traced beside the first call, is ready after it
    (traced once) and answers like the model."""
    spec = ExperimentSpec.from_dict({"hidden": "8:relu", "epochs": 1, "seed": 5})
    x, y = small_digits.x_train, small_digits.y_train
    order = np.random.default_rng(1).permutation(len(x))[:150]
    results = []
    for gathered in (True, False):
        net = ModelPool().lend(spec)
        logs, losses = net.train(x, y, 32, order) if gathered else net.train(x[order], y[order], 32)
        results.append((logs, losses, net.model.get_weights(), net))
    (logs_a, losses_a, w_a, net), (logs_b, losses_b, w_b, _) = results
    assert len(losses_a) == 5 and logs_a == logs_b
    np.testing.assert_array_equal(losses_a, losses_b)
    for a, b in zip(w_a, w_b):
        np.testing.assert_array_equal(a, b)
    with net._forward_lock:  # the thread that traced it beside the first call has finished
        assert net._forward is not None and net._forward.experimental_get_tracing_count() == 1
    np.testing.assert_allclose(net.forward(x[:4]), net.model(x[:4], training=False).numpy(), atol=1e-6)
    assert net._forward.experimental_get_tracing_count() == 1


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "momentum", "rmsprop"])
def test_a_dense_network_trains_inline_with_the_same_numbers_as_tensorflows_default_executor(
        small_digits, monkeypatch, optimizer):
    """A network of Dense layers runs its batches through TensorFlow's single-threaded executor (its
    ops in the calling thread, not handed to the inter-op pool), its functions not optimized by
    Grappler: the losses, metrics and weights are those of the default executor with Grappler up to
    float32 rounding (the order of a sum's terms); NNCORE_TRAIN_EXECUTOR=default turns both off."""
    spec = ExperimentSpec.from_dict({"hidden": "12:relu,6:tanh", "epochs": 3, "seed": 2, "optimizer": optimizer})
    x, y = small_digits.x_train, small_digits.y_train
    runs, answers = {}, {}
    for setting in ("default", None):
        if setting is None:
            monkeypatch.delenv(EXECUTOR_SETTING, raising=False)
        else:
            monkeypatch.setenv(EXECUTOR_SETTING, setting)
        net = ModelPool().lend(spec)  # a pool of its own: a network decides at its first training
        for _ in range(spec.epochs):
            net.model.reset_metrics()
            logs, losses = net.train(x, y, spec.batch_size)
        runs[setting] = (net.inline, logs, losses, [w.copy() for w in net.model.get_weights()])
        answers[setting] = (net.forward(small_digits.x_val[:50]), net.layer_outputs(small_digits.x_val[:50]))
    (inline_a, logs_a, losses_a, w_a), (inline_b, logs_b, losses_b, w_b) = runs["default"], runs[None]
    assert (inline_a, inline_b) == (False, True)
    assert logs_a.keys() == logs_b.keys() and 0 < logs_b["loss"] < 2.3
    np.testing.assert_allclose([logs_b[k] for k in logs_a], list(logs_a.values()), rtol=1e-5)
    np.testing.assert_allclose(losses_b, losses_a, rtol=1e-5)
    for a, b in zip(w_a, w_b):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)
    # and it answers through the same executor: outputs and each layer's values as the default's
    (out_a, layers_a), (out_b, layers_b) = answers["default"], answers[None]
    np.testing.assert_allclose(out_b, out_a, rtol=1e-4, atol=1e-5)
    assert len(layers_a) == len(layers_b) == 3
    for a, b in zip(layers_a, layers_b):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)


def test_a_network_with_convolutions_keeps_tensorflows_default_executor(small_digits, monkeypatch):
    monkeypatch.delenv(EXECUTOR_SETTING, raising=False)
    spec = ExperimentSpec.from_preset("lecture-cnn").replace(epochs=1)
    net = ModelPool().lend(spec)
    logs, _ = net.train(small_digits.x_train[:64], small_digits.y_train[:64], spec.batch_size)
    assert net.inline is False and np.isfinite(logs["loss"])


def test_a_dense_networks_calls_skip_grappler_and_the_threads_options_are_put_back_after():
    """While a dense network's function is called, this thread's call options say: the single-threaded
    executor, and Grappler off (disable_meta_optimizer), the rest of the configuration kept; after
    the call, the options are what they were (other calls of the thread, a CNN's, keep Grappler)."""
    import tensorflow as tf
    from tensorflow.core.protobuf import config_pb2
    from tensorflow.python.eager import context

    from nncore.training.pool import INLINE_EXECUTOR, Network

    def options():
        current = context.context().function_call_options
        config = config_pb2.ConfigProto()
        config.ParseFromString(current.config_proto_serialized)
        return current.executor_type, config.graph_options.rewrite_options.disable_meta_optimizer, \
            config.allow_soft_placement

    before = options()
    net = Network(model=None, key=((("Dense", (), ()),), None))
    during = net._call(tf.function(lambda: tf.constant(1.0)))
    seen = net._call(lambda: options())
    assert float(during) == 1.0 and net.inline
    assert seen == (INLINE_EXECUTOR, True, before[2]) and before[:2] != seen[:2]
    assert options() == before
