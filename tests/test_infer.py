"""Saved models: the shipped defaults answer drawings well, fast, and can be rebuilt from code."""

import json

import numpy as np
import pytest

from nncore.inference.predictor import (ASSETS, DEFAULT_MODELS, DRAW_DATASET, DRAW_EPOCHS, DRAW_HIDDEN,
                                        DRAW_MEMBERS, DRAW_SEED, PROPERTIES_MODEL, build_assets, load_predictor)
from nncore.data import load_dataset
from nncore.spec import ExperimentSpec
from nncore.inference.multilabel import PROPERTIES, property_labels


@pytest.fixture(scope="module")
def logits_model():
    return load_predictor(ASSETS / DEFAULT_MODELS["logits"])


@pytest.fixture(scope="module")
def softmax_model():
    return load_predictor(ASSETS / DEFAULT_MODELS["softmax"])


def test_shipped_models_say_what_they_are(logits_model, softmax_model):
    assert logits_model.spec.output == "logits" and logits_model.from_logits
    assert softmax_model.spec.output == "softmax" and not softmax_model.from_logits
    for p in (logits_model, softmax_model):
        assert p.spec.is_convolutional and p.spec.augment
        assert p.metrics["val_accuracy"] >= 0.97
        # the files in assets/ are what `python -m nncore assets` builds from today's recipe
        assert (p.spec.hidden_text, p.spec.seed, p.spec.epochs) == (DRAW_HIDDEN, DRAW_SEED, DRAW_EPOCHS)
        assert len(p.members) == DRAW_MEMBERS and [m["seed"] for m in p.metrics["each"]] == list(
            range(DRAW_SEED, DRAW_SEED + DRAW_MEMBERS))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_softmax_model_is_built_from_the_shipped_logits_model(digits, logits_model, softmax_model):
    # one file ships (the logits model); the softmax model is it with a Softmax layer after its output
    assert (ASSETS / f"{DEFAULT_MODELS['logits']}.keras").exists()
    assert not list(ASSETS.glob(f"{DEFAULT_MODELS['softmax']}.*"))
    assert softmax_model.name == DEFAULT_MODELS["softmax"] and "Softmax" in softmax_model.metrics["built_as"]
    assert softmax_model.spec == logits_model.spec.replace(output="softmax")
    x = digits.x_val[:200]
    np.testing.assert_allclose(softmax_model.outputs(x), softmax(logits_model.outputs(x).astype(np.float64)),
                               atol=1e-6)
    np.testing.assert_allclose(softmax_model.probabilities(x), logits_model.probabilities(x), atol=1e-6)
    # the same four networks (their weights, not copies of other numbers)
    for net, twin in zip(softmax_model.members, logits_model.members):
        assert all(np.array_equal(a, b) for a, b in zip(net.get_weights(), twin.get_weights()))
    assert [layer.name for layer in softmax_model.model.layers][-1] == "softmax"


def test_shipped_models_classify_the_validation_digits(digits, logits_model, softmax_model):
    # the validation split of the models' own spec: digits they never trained on
    from nncore.data import load_dataset

    data = load_dataset(logits_model.spec)
    answers = logits_model.probabilities(data.x_val).argmax(1)
    assert np.mean(answers == data.y_val) == pytest.approx(logits_model.metrics["val_accuracy"], abs=0.002)
    # the softmax model is the same four networks (the test above): the same answers, so the same
    # accuracy, shown on a fifth of them rather than paying for all of them twice
    assert softmax_model.metrics["val_accuracy"] == logits_model.metrics["val_accuracy"]
    some = slice(0, len(data.x_val) // 5)
    assert np.array_equal(softmax_model.probabilities(data.x_val[some]).argmax(1), answers[some])


def test_raw_outputs_logits_versus_probabilities(digits, logits_model, softmax_model):
    x = digits.x_val[:20]
    z = logits_model.outputs(x)
    assert (z < 0).any() and not np.allclose(z.sum(1), 1)
    a = softmax_model.outputs(x)
    assert np.allclose(a.sum(1), 1, atol=1e-5) and (a >= 0).all()
    p = logits_model.probabilities(x)
    assert np.allclose(p.sum(1), 1) and np.array_equal(p.argmax(1), z.argmax(1))
    # the Predictor gives what Keras' own predict gives
    assert np.allclose(z, logits_model.model.predict(x, verbose=0), atol=1e-4)


def test_multilabel_model_answers_three_questions():
    q = load_predictor(ASSETS / PROPERTIES_MODEL)
    assert q.questions == list(PROPERTIES)
    held_out = load_dataset(q.spec)  # the split it was trained on: its validation digits never trained it
    assert held_out.x_val.shape == (500, 784)
    answers = q.probabilities(held_out.x_val)
    assert answers.shape == (len(held_out.x_val), 3) and (answers >= 0).all() and (answers <= 1).all()
    assert not np.allclose(answers.sum(1), 1)  # independent sigmoids, no sum to 1
    right = (answers > 0.5) == property_labels(held_out.y_val).astype(bool)
    assert right.mean(axis=0).min() > 0.95


def test_property_labels():
    assert property_labels(np.array([0, 7, 8])).tolist() == [[1, 0, 1], [0, 1, 0], [1, 1, 1]]


def test_shipped_default_reads_drawn_strokes(logits_model):
    from bench.eval_strokes import evaluate
    from strokes import stroke_digits

    result = evaluate(logits_model, stroke_digits(n_per_digit=20, seed=101))
    assert result["accuracy"] >= 0.95, result["mistakes"]


def test_assets_are_rebuilt_by_code(tmp_path):
    # the recipe on 1,000 of its training digits, 1 epoch: two networks, trained once, saved once
    report = build_assets(tmp_path, epochs=1, seed=3, copies=1, members=2, train_size=1000)
    assert set(report) == {DEFAULT_MODELS["logits"], PROPERTIES_MODEL}
    assert sorted(f.name for f in tmp_path.iterdir()) == sorted(
        f"{name}.{ext}" for name in report for ext in ("json", "keras"))
    x = load_dataset(ExperimentSpec.from_preset("draw-cnn").replace(seed=3)).x_val[:50]
    for name in report:
        info = json.loads((tmp_path / f"{name}.json").read_text())
        assert info["spec"]["seed"] == 3 and info["metrics"]["epochs"] == 1
        predictor = load_predictor(tmp_path / name)
        assert predictor.probabilities(np.zeros((2, 784), np.float32)).shape[0] == 2
    # trained on full MNIST's digits and one new writing of each, by two networks of seeds 3 and 4
    info = json.loads((tmp_path / f"{DEFAULT_MODELS['logits']}.json").read_text())
    metrics = info["metrics"]
    assert info["spec"]["dataset"] == DRAW_DATASET == "mnist" and info["spec"]["output"] == "logits"
    assert metrics["new_writings_per_digit"] == 1 and 1900 <= metrics["train_digits"] <= 2000
    assert metrics["weights"].startswith("the average of the weights after epochs 1-1 (1 of them")
    logits = load_predictor(tmp_path / DEFAULT_MODELS["logits"])
    assert [m["seed"] for m in metrics["each"]] == [3, 4] and len(logits.members) == 2
    # the saved model's output is the average of its two networks' outputs
    each = [np.asarray(m(x, training=False)) for m in logits.members]
    assert not np.allclose(each[0], each[1], atol=1e-3)
    np.testing.assert_allclose(logits.outputs(x), (each[0] + each[1]) / 2, atol=1e-5)
    # the softmax model, built at load from the one file: softmax of those logits
    probabilities = load_predictor(tmp_path / DEFAULT_MODELS["softmax"])
    assert probabilities.spec.output == "softmax" and not probabilities.from_logits
    np.testing.assert_allclose(probabilities.outputs(x), softmax(logits.outputs(x).astype(np.float64)), atol=1e-6)
