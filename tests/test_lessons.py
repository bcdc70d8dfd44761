"""The lessons' numbers: the course's published values, and what NumPy, TensorFlow and Keras really do."""

import inspect
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from nncore.lessons import activations as A
from nncore.lessons import losses as L
from nncore.lessons import softmax as S

COURSE_SOFTMAX = [0.0321, 0.0871, 0.2369, 0.6439]  # softmax([1, 2, 3, 4]) in the course's lab


def test_importing_lessons_does_not_load_tensorflow():
    code = "import sys, nncore.lessons.activations, nncore.lessons.softmax, nncore.lessons.losses; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.split()
    assert out == ["False", "False"]


# ---- activations --------------------------------------------------------------------------

def test_keras_curves_match_the_formulas_and_their_derivatives():
    x = np.linspace(-6, 6, 241)
    curves = A.activation_curves(list(A.ACTIVATION_FUNCTIONS), x)
    assert set(curves) == set(A.ACTIVATION_FUNCTIONS)
    for name, (g, dg) in A.ACTIVATION_FUNCTIONS.items():
        assert curves[name]["y"].shape == curves[name]["dy"].shape == x.shape
        assert np.allclose(curves[name]["y"], g(x), atol=1e-5), name
        assert np.allclose(curves[name]["dy"], dg(x), atol=1e-5), name
    # ReLU: slope 0 on the left (off), 1 on the right; sigmoid flat on both sides.
    relu, sig = curves["relu"]["dy"], curves["sigmoid"]["dy"]
    assert relu[x < 0].max() == 0 and relu[x > 0].min() == 1
    assert sig[0] < 0.01 and sig[-1] < 0.01 and sig.max() == pytest.approx(0.25, abs=1e-4)


def test_leaky_slope_is_keras_default():
    import keras

    default = inspect.signature(keras.activations.leaky_relu).parameters["negative_slope"].default
    assert A.LEAKY_SLOPE == default
    assert A.activation_curves(["leaky_relu"], np.array([-2.0]))["leaky_relu"]["dy"][0] == pytest.approx(default)


def test_guidance_follows_the_lecture():
    output = {g.choice: g.when for g in A.ACTIVATION_GUIDANCE if g.layer == "output"}
    assert "binary" in output["sigmoid"]
    assert "negative or positive" in output["linear"] and "never negative" in output["relu"]
    hidden = [g for g in A.ACTIVATION_GUIDANCE if g.layer == "hidden"]
    assert hidden[0].choice == "relu" and "one side" in hidden[0].why and "faster" in hidden[0].why


# ---- the ReLU lab -------------------------------------------------------------------------

def test_relu_lab_target_is_the_labs_curve():
    assert A.relu_lab_target(np.array([0.0, 1.0, 2.0, 3.0])).tolist() == [2.0, 0.0, 1.0, 4.0]
    x = np.linspace(0, 3, 301)
    slopes = np.diff(A.relu_lab_target(x)) / np.diff(x)
    assert np.allclose(slopes[x[1:] <= 1], -2) and np.allclose(slopes[(x[:-1] >= 1) & (x[1:] <= 2)], 1)
    assert np.allclose(slopes[x[:-1] >= 2], 3)


def test_relu_lab_answer_is_exact_and_a_wrong_one_is_not():
    assert A.relu_lab_error(**A.RELU_LAB_ANSWER)["max_abs_error"] < 1e-12
    wrong = dict(A.RELU_LAB_ANSWER, b2=-3.0)  # unit 2 turns on at x = 1.5 instead of 2
    assert A.relu_lab_error(**wrong)["max_abs_error"] > 0.5
    x = np.linspace(0, 3, 7)
    units = A.relu_lab_units(x, **A.RELU_LAB_ANSWER)
    assert units["z"].shape == units["a"].shape == (3, 7)
    assert np.array_equal(units["a"], np.maximum(units["z"], 0))
    assert np.allclose(units["output"], units["a"].sum(axis=0))
    assert np.allclose(units["z"][0], -2 * x + 2)  # unit 0 is the lab's fixed one


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_keras_finds_the_relu_lab_curve(seed):
    fit = A.fit_relu_lab(seed=seed)
    assert fit.loss < 1e-3 and fit.history[-1] < fit.history[0]
    assert np.max(np.abs(fit.output - A.relu_lab_target(fit.x))) < 0.1
    assert fit.dead_units == ()
    # the returned weights are the network: recompute its output by hand
    a = np.maximum(0, fit.weights[:, None] * fit.x[None, :] + fit.biases[:, None])
    assert np.allclose(fit.output_weights @ a + fit.output_bias, fit.output, atol=1e-4)


def test_the_relu_lab_trains_as_a_job_beside_the_caller_and_two_runs_agree():
    """The fit is a TrainingJob (a thread, a snapshot, Stop); the same seed gives the same numbers
    even while another training runs in the process."""
    from nncore import ExperimentSpec
    from nncore.training.job import TrainingJob

    other = TrainingJob(ExperimentSpec(epochs=3)).start()  # a third "session" training meanwhile
    jobs = [A.relu_lab_job(seed=1).start() for _ in range(2)]
    for job in jobs:
        assert job.join(timeout=300) and job.snapshot().status == "done"
    a, b = (A.relu_lab_result(job.snapshot()) for job in jobs)
    assert a.loss == b.loss and np.array_equal(a.weights, b.weights) and a.history == b.history
    other.join(timeout=300)
    stopped = A.relu_lab_job(seed=1, epochs=1000).start()
    stopped.stop()
    assert stopped.join(timeout=60) and stopped.snapshot().status == "stopped"
    for job in (*jobs, other, stopped):
        job.release()


def test_keras_default_initialisation_can_leave_relu_units_dead():
    fit = A.fit_relu_lab(seed=0, init="keras")
    assert fit.dead_units and fit.loss > 0.01
    with pytest.raises(ValueError):
        A.fit_relu_lab(init="zeros")


# ---- softmax and numerical round-off --------------------------------------------------------

def test_softmax_course_numbers_three_ways():
    z = np.array([1.0, 2.0, 3.0, 4.0])
    assert np.allclose(S.my_softmax(z), COURSE_SOFTMAX, atol=5e-5)
    assert np.allclose(S.my_softmax(z), S.tf_softmax(z), atol=1e-10, rtol=0)
    assert np.allclose(S.stable_softmax(z), S.my_softmax(z), atol=1e-15)
    rows = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]])
    assert np.allclose(S.stable_softmax(rows), [S.my_softmax(r) for r in rows], atol=1e-15)


def test_roundoff_example():
    r = S.roundoff_example()
    assert r["x1"] != r["x2"] and not r["equal"]
    assert 0 < abs(r["difference"]) < 1e-15
    assert r["x1_printed"] == "0.000200000000000000"  # the lecture's printout
    assert r["x2_printed"] == "0.000199999999999978"
    assert abs(r["difference_float32"]) > abs(r["difference"])  # fewer digits, more round-off


def test_naive_softmax_overflows_in_float32_and_the_stable_one_does_not():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow warning escapes
        big = S.softmax_overflow(100.0)
        pair = S.softmax_overflow(logits=[1000.0, 999.0, 0.0])
        small = S.softmax_overflow(10.0)
    for r in (big, pair):
        assert r["naive_has_inf"] and r["naive_has_nan"]
        assert r["stable_finite"] and r["stable_sum"] == pytest.approx(1.0, abs=1e-6)
    assert np.allclose(pair["stable"][:2], S.my_softmax(np.array([1.0, 0.0])), atol=1e-6)
    assert big["overflow_above"] == pytest.approx(np.log(np.finfo(np.float32).max))
    assert not small["naive_has_inf"] and np.allclose(small["naive"], small["stable"], atol=1e-6)


# ---- the loss three ways ---------------------------------------------------------------------

def test_loss_three_ways_on_a_very_wrong_prediction():
    a, b, c = S.loss_three_ways([0.0, 100.0], 0)
    for row in (a, b):
        assert row.loss == pytest.approx(100.0, abs=1e-3)
        assert np.allclose(row.grad, [-1.0, 1.0], atol=1e-3)
        assert row.logits_recovered
    cap = S.clipping()
    assert cap["epsilon"] == pytest.approx(1e-7)
    assert c.loss == pytest.approx(16.118, abs=1e-3)
    assert c.loss == pytest.approx(cap["loss_cap"], abs=1e-5)
    assert np.all(np.abs(c.grad) < 1e-6) and not c.logits_recovered
    assert all(row.code and row.why for row in (a, b, c))


def test_loss_three_ways_agree_when_nothing_is_clipped():
    logits, label = np.array([2.0, 1.0, 0.1]), 0
    rows = S.loss_three_ways(logits, label)
    p = S.stable_softmax(logits)
    for row in rows:
        assert row.loss == pytest.approx(-np.log(p[label]), abs=1e-5)
        assert np.allclose(row.grad, p - np.eye(3)[label], atol=1e-5)  # p - y
        assert np.allclose(row.probabilities, p, atol=1e-6)


# ---- label formats ----------------------------------------------------------------------------

def test_label_formats_and_the_same_loss_both_ways():
    y = np.array([0, 2, 1, 2])
    f = L.label_formats(y, 3)
    assert f["one_hot"].shape == (4, 3) and np.array_equal(f["one_hot"].argmax(axis=1), y)
    assert np.array_equal(f["one_hot"].sum(axis=1), np.ones(4))
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [0.1, 0.2, 3.0], [1.0, 0.0, 0.0]])
    sparse, categorical = L.same_loss_both_ways(logits, y)
    by_hand = -np.mean(np.log(S.stable_softmax(logits)[np.arange(4), y]))
    assert sparse == pytest.approx(categorical, abs=1e-6)
    assert sparse == pytest.approx(by_hand, abs=1e-5)


@pytest.mark.parametrize("kind", L.MISMATCHES)
def test_wrong_label_format_gives_the_real_keras_error(kind):
    m = L.mismatch(kind)
    assert m.raised and m.error_type and m.loss is None
    assert "shape" in m.message and m.explanation
    with pytest.raises(ValueError):
        L.mismatch("strings to sparse")


# ---- binary classification: 0 or 1 --------------------------------------------------------------

def test_zero_one_network_learns(digits):
    d = L.binary_zero_one_data(digits)
    assert set(np.unique(d.y_train)) == set(np.unique(d.y_val)) == {0, 1}
    assert len(d.y_val) == np.isin(digits.y_val, (0, 1)).sum()

    job = L.zero_or_one_job(epochs=20, seed=0).start()
    seen = set()  # the epochs a page watching the job sees pass, live
    while not job.snapshot().finished:
        seen.add(job.snapshot().epoch)
        time.sleep(0.01)
    seen.add(job.snapshot().epoch)
    r = L.binary_result(job)
    job.release()
    assert max(seen) == 20 and len(seen) > 2 and len(r.history["loss"]) == 20
    assert r.history["loss"][-1] < r.history["loss"][0]
    assert r.val_accuracy > 0.98
    assert r.val_accuracy == pytest.approx(np.mean((r.val_probabilities >= 0.5) == (r.y_val == 1)))
    assert len(r.y_val) == len(d.y_val)  # scored on the held-out 0s and 1s
    assert "Dense(25, activation='sigmoid'" in r.code() and "BinaryCrossentropy" in r.code()


# ---- multi-label vs multi-class ------------------------------------------------------------------

def test_traffic_scenes():
    x, y = L.traffic_scenes(300, seed=1)
    assert x.shape == (300, len(L.SCENE_FEATURES)) and y.shape == (300, 3)
    assert set(np.unique(y)) == {0.0, 1.0} and y.sum(axis=1).min() >= 1
    assert (y.sum(axis=1) >= 2).any()  # some scenes have several objects
    x2, y2, main = L.traffic_scenes(300, seed=1, with_main=True)
    assert np.array_equal(x, x2) and np.all(y[np.arange(300), main] == 1)


def test_sigmoid_outputs_need_not_sum_to_one_softmax_outputs_do():
    c = L.train_multilabel_vs_multiclass(seed=0)
    assert np.allclose(c.softmax.sum(axis=1), 1.0, atol=1e-5)
    sums = c.sigmoid.sum(axis=1)
    assert np.max(np.abs(sums - 1)) > 0.5
    busy = c.truth.sum(axis=1) >= 2
    assert busy.any() and np.all(sums[busy] > 1.5)  # several objects: several confident yeses
    assert min(c.multilabel_accuracy.values()) > 0.9 and c.exact_match > 0.85
    assert c.multiclass_accuracy > 0.8
