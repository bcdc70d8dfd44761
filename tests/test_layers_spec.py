"""Other layer types in the spec: conv filters, kernel and stride, pooling size, train_size;
the shapes checked before training, parameter counts against Keras, the exported code run."""

import subprocess
import sys

import numpy as np
import pytest

from nncore import ExperimentSpec, Layer, SpecError
from nncore.data import load_dataset
from nncore.export import keras_code
from nncore.model import build_model, count_params, summary_rows
from nncore.spec import parse_hidden


def test_todays_hidden_grammar_keeps_todays_defaults():
    layers = parse_hidden("conv8:relu,pool,16:relu")
    assert layers == (Layer(8, "relu", "conv", 3, 1), Layer(0, "linear", "pool", 2), Layer(16, "relu"))
    assert layers == (Layer(8, "relu", "conv"), Layer(0, "linear", "pool"), Layer(16, "relu"))
    spec = ExperimentSpec(hidden=layers)
    assert spec.hidden_text == "conv8:relu,pool,16:relu"  # written back exactly as before
    # the Dense layers' JSON is as it was; a stored spec without kernel or stride still loads
    assert spec.to_dict()["hidden"][2] == {"units": 16, "activation": "relu", "kind": "dense"}
    old = {"hidden": [{"units": 8, "activation": "relu", "kind": "conv"}, {"units": 0, "activation": "linear",
                                                                          "kind": "pool"}]}
    assert ExperimentSpec.from_dict(old).hidden == layers[:2]
    # 3x3 windows, padding "same", 2x2 pooling: 28x28x8, then 14x14x8 = 1,568 inputs to Dense(16)
    rows = summary_rows(spec)
    assert [r["output shape"] for r in rows[2:5]] == ["(None, 28, 28, 8)", "(None, 14, 14, 8)", "(None, 1568)"]
    assert count_params(spec) == (9 * 8 + 8) + (1568 * 16 + 16) + (16 * 10 + 10)


def test_new_grammar_reads_kernel_stride_and_pool_size_and_writes_them_back():
    layers = parse_hidden("conv6k5s2:tanh, pool3, conv4k2:relu, maxpool")
    assert layers == (Layer(6, "tanh", "conv", 5, 2), Layer(0, "linear", "pool", 3), Layer(4, "relu", "conv", 2, 1),
                      Layer(0, "linear", "pool", 2))
    spec = ExperimentSpec(hidden=layers)
    assert spec.hidden_text == "conv6k5s2:tanh,pool3,conv4k2:relu,pool"
    assert ExperimentSpec.from_json(spec.to_json()) == spec
    assert ExperimentSpec().with_settings([f"hidden={spec.hidden_text}"]) == spec
    with pytest.raises(SpecError, match="conv8k5s2:relu"):
        parse_hidden("conv8x5:relu")


@pytest.mark.parametrize("hidden", [
    "conv8:relu,pool,16:relu",
    "conv6k5s2:relu,pool3,conv4k2:tanh,10:relu",
    "conv3k7s3:relu,conv5k1:relu,pool,8:relu",
    "conv4k4s4:relu,pool7",
])
def test_parameter_counts_and_shapes_are_keras_own(hidden):
    spec = ExperimentSpec(hidden=parse_hidden(hidden))
    model = build_model(spec, compile=False)
    assert model.count_params() == count_params(spec)
    rows = summary_rows(spec)[1:]
    assert len(rows) == len(model.layers)
    for row, layer in zip(rows, model.layers):
        assert row["parameters"] == layer.count_params(), (row, layer.name)
        assert row["output shape"] == str(tuple(layer.output.shape)), (row, layer.name)


@pytest.mark.parametrize("hidden, field, words", [
    ("conv8k29:relu", "hidden layer 1 kernel", "at most 28"),
    ("conv8s4:relu,pool3,conv4k5:relu", "hidden layer 3 kernel", "5x5 window is larger than its 2x2 input"),
    ("conv8:relu,pool,pool,pool,pool,pool", "hidden layer 6 pool size", "below 1x1"),
    ("conv8:relu,pool30", "hidden layer 2 pool size", "at most 28"),
    ("conv8s3:relu,pool4,pool3", "hidden layer 3 pool size", "3x3 pool is larger than its 2x2 input"),
    ("conv8s0:relu", "hidden layer 1 stride", "at least 1"),
])
def test_shapes_are_checked_before_training_and_named(hidden, field, words):
    spec = ExperimentSpec().with_settings([f"hidden={hidden}"])
    problems = spec.problems()
    assert problems and problems[0].field == field, problems
    assert words in problems[0].message


def test_layer_settings_that_do_not_belong_are_named():
    dense = ExperimentSpec.from_dict({"hidden": [{"units": 8, "kernel": 3}]})
    assert dense.problems()[0].field == "hidden layer 1 kind" and "reads every input" in dense.problems()[0].message
    pool = ExperimentSpec.from_dict({"hidden": [{"units": 0, "kind": "pool", "kernel": 2, "stride": 1}]})
    assert pool.problems()[0].field == "hidden layer 1 stride"
    with pytest.raises(SpecError, match="pool"):
        parse_hidden("25:relu,pooly")


def test_train_size_is_stratified_and_leaves_the_validation_set_alone():
    full = load_dataset(ExperimentSpec())
    few = load_dataset(ExperimentSpec(train_size=500))
    other_seed = load_dataset(ExperimentSpec(train_size=500, seed=0).replace(train_size=1000))
    assert len(full.x_train) == 4000 and len(few.x_train) == 500 and len(other_seed.x_train) == 1000
    assert np.bincount(few.y_train).tolist() == [50] * 10
    for d in (few, other_seed):
        assert np.array_equal(d.x_val, full.x_val) and np.array_equal(d.y_val, full.y_val)
    # the chosen digits are rows of the full training split, and the same for the same seed
    rows = {r.tobytes() for r in full.x_train}
    assert all(r.tobytes() in rows for r in few.x_train)
    assert np.array_equal(load_dataset(ExperimentSpec(train_size=500)).x_train, few.x_train)
    assert ExperimentSpec(train_size=4001).problems()[0].field == "train_size"
    assert ExperimentSpec(train_size=5).problems()[0].message.startswith("at least 10")
    assert ExperimentSpec().with_settings(["train_size=default"]).train_size is None


def test_lecture_cnn_preset_is_small_and_convolutional():
    spec = ExperimentSpec.from_preset("lecture-cnn")
    assert spec.is_convolutional and spec.problems() == []
    assert count_params(spec) == build_model(spec, compile=False).count_params() == 9226
    assert count_params(spec) < count_params(ExperimentSpec.from_preset("practice-lab"))


def test_exported_code_with_new_layer_settings_runs_as_printed(tmp_path):
    spec = ExperimentSpec(hidden=parse_hidden("conv4k5s2:relu,pool3,8:relu"), train_size=200, epochs=1)
    code = keras_code(spec)
    assert "Conv2D(4, kernel_size=5, strides=2, padding='same', activation='relu', name='L1')" in code
    assert "MaxPooling2D(pool_size=3, name='L2')" in code
    assert "train_size=200" in code
    script = tmp_path / "exported_cnn.py"
    script.write_text(code + "\nprint('params:', model.count_params(), 'train:', len(X_train), 'val:', len(X_val))\n")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"params: {count_params(spec)} train: 200 val: 1000" in result.stdout
    assert "predicted digit:" in result.stdout
