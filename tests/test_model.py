"""Building the spec's network in Keras, its summary, and the code a learner takes home."""

import subprocess
import sys

import numpy as np

from nncore import ExperimentSpec, Layer
from nncore.export import keras_code
from nncore.model import build_model, count_params, summary_rows
from nncore.registry import Shape


def test_practice_lab_network_matches_the_course():
    spec = ExperimentSpec()
    model = build_model(spec)
    assert [layer.name for layer in model.layers] == ["L1", "L2", "L3"]
    assert [layer.units for layer in model.layers] == [25, 15, 10]
    assert model.layers[-1].activation.__name__ == "linear"
    assert model.count_params() == count_params(spec) == 20175
    # The course's lab reads 400 pixels (20x20) and has 10,575 parameters.
    assert count_params(spec, Shape(400, 10)) == 10575
    assert build_model(spec, Shape(400, 10)).count_params() == 10575


def test_summary_rows_add_up():
    rows = summary_rows(ExperimentSpec())
    assert [r["parameters"] for r in rows] == [0, 19625, 390, 160]
    assert rows[1]["output shape"] == "(None, 25)"


def test_same_seed_same_weights_other_seed_other_weights():
    a = build_model(ExperimentSpec(seed=3)).get_weights()
    b = build_model(ExperimentSpec(seed=3)).get_weights()
    c = build_model(ExperimentSpec(seed=4)).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_softmax_output_gives_probabilities_and_logits_output_does_not(digits):
    x = digits.x_val[:5]
    probs = np.asarray(build_model(ExperimentSpec(output="softmax"))(x))
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5) and (probs >= 0).all()
    logits = np.asarray(build_model(ExperimentSpec(output="logits", hidden=(Layer(4, "linear"),)))(x))
    assert (logits < 0).any()


def test_exported_keras_code_runs_and_trains(tmp_path):
    spec = ExperimentSpec(hidden=(Layer(16, "relu"),), loss="categorical_crossentropy", epochs=1)
    code = keras_code(spec)
    assert "CategoricalCrossentropy(from_logits=True)" in code
    assert "Dense(16, activation='relu', name='L1')" in code
    script = tmp_path / "exported_model.py"
    script.write_text(code)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "predicted digit:" in result.stdout
