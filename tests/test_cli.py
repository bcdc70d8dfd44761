"""`python -m nncore`: the backend without a browser (as a process; trainings whose checks are their output also in this process, through nncore_here)."""

import json
import subprocess
import sys

import pytest

from helpers import ROOT, nncore, nncore_here


def test_importing_nncore_loads_neither_streamlit_nor_tensorflow():
    code = ("import sys, nncore, nncore.data, nncore.model, nncore.training.job, nncore.registry; "
            "print(sorted(m for m in ('streamlit', 'tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr


def test_practice_lab_reaches_90_percent_and_is_reproducible(capsys):
    """A new process, then this one (where TensorFlow has run every other test): the same numbers."""
    runs = []
    for result in (nncore("train", "--preset", "practice-lab", "--json"),
                   nncore_here(capsys, "train", "--preset", "practice-lab", "--json")):
        assert result.returncode == 0, result.stderr[-2000:]
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    a, b = runs
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "epochs", "seconds",
                "train_samples", "params"):
        assert key in a
    assert a["val_accuracy"] >= 0.90 and a["epochs"] == 40
    assert a["train_samples"] == 4000 and a["params"] == 20175
    assert a["seconds"] > 0  # measured, not judged: timing belongs to python -m bench
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        assert a[key] == b[key]


def test_config_file_and_settings(tmp_path, capsys):
    config = tmp_path / "small.json"
    config.write_text(json.dumps({"hidden": [{"units": 12, "activation": "tanh"}], "epochs": 2}))
    result = nncore_here(capsys, "train", "--config", str(config), "--set", "output=softmax",
                         "--set", "batch_size=64", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["epochs"] == 2 and out["params"] == 784 * 12 + 12 + 12 * 10 + 10
    assert out["spec"]["output"] == "softmax" and out["spec"]["batch_size"] == 64


@pytest.mark.parametrize("setting, field", [
    ("hidden=0:relu", "hidden layer 1 units"),
    ("learning_rate=-1", "learning_rate"),
    ("hidden=25:wiggly", "hidden layer 1 activation"),
    ("hidden=1000000:relu", "hidden layer 1 units"),
    ("epochs=0", "epochs"),
    ("volume=11", "volume"),
])
def test_bad_spec_exits_2_with_one_line_naming_the_field(setting, field):
    result = nncore("train", "--set", setting, "--json", timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"error: {field}:")


def test_code_prints_runnable_keras():
    result = nncore("code", "--preset", "practice-lab", timeout=60)
    assert result.returncode == 0
    assert "SparseCategoricalCrossentropy(from_logits=True)" in result.stdout
    compile(result.stdout, "exported.py", "exec")


def test_bench_measures_the_apps_trainer_against_plain_fit():
    from bench.report import training

    t = training(repeats=1, epochs=1)
    assert t["samples"] == 4000 and min(t["plain_s"], t["ours_s"], t["numpy_s"], t["first_ours_s"]) > 0
    assert t["speedup"] == pytest.approx(t["plain_s"] / t["ours_s"])
    assert len(t["runs"]["ours"]) == 1


def test_bench_drawing_goes_from_strokes_to_the_right_digit():
    from bench.report import drawing

    d = drawing(calls=5)
    assert d["answer"] == 7  # the benchmark's stroke really is a seven to the shipped model
    assert 0 < d["preprocess_ms"] < d["ours_ms"]
    assert d["speedup"] == pytest.approx(d["predict_ms"] / d["ours_ms"])
