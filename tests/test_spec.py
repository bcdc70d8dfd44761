"""The spec: defaults, JSON, presets, and a clear message for every bad value."""

import json

import pytest

from nncore import ExperimentSpec, Layer, SpecError
from nncore.registry import ACTIVATIONS, DATASETS, LOSSES, OPTIMIZERS, OUTPUTS, PRESETS
from nncore.spec import parse_hidden


def test_defaults_are_the_practice_lab():
    spec = ExperimentSpec()
    assert spec.hidden == (Layer(25, "relu"), Layer(15, "relu"))
    assert (spec.output, spec.from_logits) == ("logits", True)
    assert spec.loss == "sparse_categorical_crossentropy" and spec.label_format == "integer"
    assert (spec.optimizer, spec.learning_rate, spec.batch_size, spec.epochs) == ("adam", 0.001, 32, 40)
    assert ExperimentSpec.from_preset("practice-lab") == spec
    assert spec.problems() == []


def test_json_round_trip_keeps_every_field():
    spec = ExperimentSpec(hidden=(Layer(8, "tanh"),), output="softmax",
                          loss="categorical_crossentropy", optimizer="momentum",
                          learning_rate=0.05, batch_size=64, epochs=3, validation_split=0.25, seed=7)
    text = spec.to_json()
    assert json.loads(text)["hidden"] == [{"units": 8, "activation": "tanh", "kind": "dense"}]
    assert ExperimentSpec.from_json(text) == spec


def test_parse_hidden_text():
    assert parse_hidden("25:relu, 15:sigmoid") == (Layer(25, "relu"), Layer(15, "sigmoid"))
    assert parse_hidden("10") == (Layer(10, "relu"),)
    assert parse_hidden("") == () == parse_hidden("none")


def test_cli_style_settings_are_coerced():
    spec = ExperimentSpec().with_settings(["learning_rate=0.01", "epochs=5", "hidden=32:tanh",
                                           "output=softmax", "seed=3"])
    assert spec.learning_rate == 0.01 and spec.epochs == 5 and isinstance(spec.epochs, int)
    assert spec.hidden == (Layer(32, "tanh"),) and spec.output == "softmax" and spec.seed == 3


@pytest.mark.parametrize("setting, field, words", [
    ("hidden=0:relu", "hidden layer 1 units", "at least 1"),
    ("hidden=1000000:relu", "hidden layer 1 units", "at most 1024"),
    ("hidden=25:relu,15:softplusish", "hidden layer 2 activation", "allowed: relu"),
    ("learning_rate=-0.1", "learning_rate", "greater than 0"),
    ("epochs=0", "epochs", "at least 1"),
    ("batch_size=2.5", "batch_size", "integer"),
    ("optimizer=adamw", "optimizer", "allowed: adam"),
    ("output=sigmoid", "output", "allowed: logits, softmax"),
    ("loss=mse", "loss", "allowed: sparse_categorical_crossentropy"),
    ("validation_split=0.9", "validation_split", "at most 0.5"),
    ("colour=red", "colour", "unknown setting"),
    ("learning_rate=fast", "learning_rate", "must be a number"),
])
def test_bad_values_name_their_field(setting, field, words):
    with pytest.raises(SpecError) as info:
        ExperimentSpec().with_settings([setting]).validate()
    assert info.value.field == field
    assert words in str(info.value)
    assert str(info.value).startswith(field + ":")


def test_each_number_fields_limits_are_what_validation_enforces_and_say_themselves():
    from nncore.spec import LIMITS

    for name, limits in LIMITS.items():
        if name == "train_size":
            continue  # its real limit is the training split's size (and one example of each class)
        base = ExperimentSpec(dataset="blobs") if name in ("points", "noise") else ExperimentSpec()
        step = 1 if limits.kind is int else 0.01
        assert not base.replace(**{name: limits.high}).problems(), name
        assert [p.field for p in base.replace(**{name: limits.high + step}).problems()] == [name]
        low_ok = not base.replace(**{name: limits.low}).problems()
        assert low_ok != limits.low_open, name
        assert [p.field for p in base.replace(**{name: limits.low - step}).problems()] == [name]
    assert LIMITS["points"].text() == "20 to 20,000" and LIMITS["validation_split"].text() == "0.05 to 0.5"
    assert LIMITS["learning_rate"].text() == "above 0, at most 100"


def test_problems_lists_every_bad_field_at_once():
    spec = ExperimentSpec(hidden=(Layer(0, "relu"),), learning_rate=-1.0, epochs=0)
    fields = [p.field for p in spec.problems()]
    assert fields == ["hidden layer 1 units", "learning_rate", "epochs"]


def test_every_preset_is_a_valid_spec():
    for name in PRESETS:
        ExperimentSpec.from_preset(name).validate()
    with pytest.raises(SpecError, match="allowed: practice-lab"):
        ExperimentSpec.from_preset("nope")


def test_registries_have_labels_and_help():
    for registry in (ACTIVATIONS, OUTPUTS, LOSSES, OPTIMIZERS, DATASETS, PRESETS):
        assert len(registry) >= 2
        for name, choice in registry.items():
            assert choice.name == name and choice.label and choice.help


def test_a_point_sets_own_defaults_are_no_difference_and_stay_out_of_the_address():
    from nncore.address import differences, from_query, same_settings, to_query

    base = ExperimentSpec.from_preset("multiclass-lab")  # the blobs: points 100 given, noise left unset
    assert (base.points, base.noise) == (100, None)
    written = base.replace(points=None, noise=1.0)  # what the Boundaries sidebar holds: the set's defaults
    assert to_query(written, base) == {} and differences(base, written) == [] and same_settings(base, written)
    moons = base.replace(dataset="moons", points=300, noise=0.15)  # the moons' own defaults
    assert to_query(moons, base) == {"dataset": "moons"}
    assert same_settings(from_query(to_query(moons, base), base)[0], moons)
    noisier = base.replace(noise=0.5)  # a value of the learner's own: it stays in the address
    assert to_query(noisier, base) == {"noise": "0.5"}
    assert not same_settings(base, noisier)
