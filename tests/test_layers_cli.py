"""The CLI with train_size and the new layer settings: a small convolutional network against a
dense one on the same validation digits; shape errors exit 2 naming the layer; the `layers`
experiment headless. In this process (nncore_here: its main(), output and exit code);
tests/test_cli.py runs `python -m nncore` as a process."""

import json

import pytest

from helpers import nncore_here


def last_json(result):
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_conv_against_dense_on_500_digits_same_validation_digits(capsys):
    common = ["--set", "train_size=500", "--set", "epochs=6", "--json"]
    dense = last_json(nncore_here(capsys, "train", "--preset", "practice-lab", *common))
    conv = last_json(nncore_here(capsys, "train", "--preset", "lecture-cnn", *common))
    for out in (dense, conv):
        assert out["train_samples"] == 500 and out["val_samples"] == 1000
        assert out["spec"]["train_size"] == 500 and out["epochs"] == 6
    assert dense["params"] == 20175 and conv["params"] == 9226
    assert conv["spec"]["hidden"][0] == {"units": 8, "activation": "relu", "kind": "conv", "kernel": 5, "stride": 1}
    # both learn far beyond chance (10%) from 500 digits; the conv net with under half the parameters
    assert dense["val_accuracy"] > 0.6 and conv["val_accuracy"] > 0.6
    full = last_json(nncore_here(capsys, "train", "--preset", "practice-lab", "--set", "epochs=1", "--json"))
    assert full["train_samples"] == 4000 and full["val_samples"] == 1000


def test_new_layer_settings_on_the_command_line(capsys):
    out = last_json(nncore_here(capsys, "train", "--set", "hidden=conv4k5s2:relu,pool3,10:relu",
                                "--set", "train_size=300", "--set", "epochs=2", "--json"))
    # 5x5x1x4+4 = 104; 28/2 = 14, pool 3 -> 4x4x4 = 64 -> Dense(10): 650; output 110
    assert out["params"] == 104 + 650 + 110 and out["train_samples"] == 300


@pytest.mark.parametrize("setting, field, words", [
    ("hidden=conv8s4:relu,pool3,conv4k5:relu", "hidden layer 3 kernel", "5x5 window is larger than its 2x2 input"),
    ("hidden=conv8:relu,pool,pool,pool,pool,pool", "hidden layer 6 pool size", "below 1x1"),
    ("hidden=conv8k40:relu", "hidden layer 1 kernel", "at most 28"),
    ("hidden=conv8x5:relu", "hidden layer 1", "conv8k5s2:relu"),
    ("train_size=4001", "train_size", "at most 4,000"),
    ("train_size=lots", "train_size", "must be a number"),
])
def test_shape_and_size_errors_exit_2_naming_the_field(capsys, setting, field, words):
    result = nncore_here(capsys, "train", "--set", setting, "--json")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"error: {field}:") and words in lines[0]


def test_layers_experiment_headless(capsys):
    out = last_json(nncore_here(capsys, "layers", "--sizes", "100,200", "--epochs", "2", "--json"))
    runs = out["runs"]
    assert [(r["network"], r["train_samples"]) for r in runs] == [("dense", 100), ("conv", 100), ("dense", 200),
                                                                  ("conv", 200)]
    assert out["val_samples"] == 1000 and len(out["val_checksum"]) == 8
    for r in runs:
        assert r["status"] == "done" and r["epochs"] == 2 and r["val_samples"] == 1000
        assert r["seconds_per_epoch"] > 0 and r["gap"] == pytest.approx(r["train_accuracy"] - r["val_accuracy"], abs=2e-4)
    assert {r["params"] for r in runs} == {20175, 9226}
    bad = nncore_here(capsys, "layers", "--sizes", "100,x")
    assert bad.returncode == 2 and bad.stderr.strip().startswith("error: sizes:")
