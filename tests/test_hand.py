"""Weights you can set (issue 26, part 2): the NumPy network is Keras' network (same loss from the same
weights), a learner's weights for the two-lines preset separate it, and the Boundaries page redraws
at each typed number and trains from it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from apptest import open_app, wait_until_finished
from nncore import ExperimentSpec
from nncore.data import load_dataset
from nncore.lessons import hand

BY_HAND = {"L1 unit 0: weight from x1": -1, "L1 unit 0: weight from x2": 1, "L1 unit 0: bias": -1,
           "L1 unit 1: weight from x1": 1, "L1 unit 1: weight from x2": -1, "L1 unit 1: bias": -1,
           "L2 unit 0: weight from L1 unit 0": 5, "L2 unit 0: weight from L1 unit 1": 5, "L2 unit 1: bias": 1}


def test_weights_found_by_hand_split_the_band_and_numpy_agrees_with_keras():
    from nncore.model import build_model

    spec = ExperimentSpec.from_preset("two-lines")
    data = load_dataset(spec)
    params = {p.label: p for p in hand.parameters(spec)}
    assert len(params) == 2 * 2 + 2 + 2 * 2 + 2
    weights = hand.zeros(spec)
    for label, value in BY_HAND.items():
        weights = hand.set_parameter(weights, params[label], value)
    view = hand.hand_view(spec, weights, data)
    assert view.accuracy >= 0.95 and view.loss < 0.2
    model = build_model(spec, data.shape, weights=weights)
    assert view.loss == pytest.approx(float(model.loss(data.y_train, model(data.x_train))), abs=1e-5)
    assert hand.too_big(spec.replace(hidden="9:relu")) and hand.too_big(spec.replace(hidden="2:relu,2:relu,2:relu"))
    assert hand.too_big(spec) is None
    with pytest.raises(ValueError):
        hand.check_value("inf")


def _hand_png(at):
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        if figure["layout"]["title"]["text"] == "The decision boundary of your weights":
            return figure["data"][0]["source"]
    return None


def test_the_boundaries_page_redraws_each_typed_weight_and_trains_from_them():
    at = open_app("views/boundaries.py")
    at.selectbox(key="p_preset").set_value("two-lines").run()
    assert not at.exception
    before, loss_before = _hand_png(at), at.metric[0].value
    at.number_input(key="set_weight").set_value(3.0).run()
    assert not at.exception and _hand_png(at) != before and at.metric[0].value != loss_before
    said = [c.value for c in at.caption if c.value.startswith("Your network's ")]  # the diagram in words
    assert len(said) == 1 and said[0].endswith(": weight from x1 = 3.00.") and "to 3.00" in said[0], said
    at.selectbox(key="weight_choice").set_value("1:0").run()  # L1 unit 0's bias
    assert at.number_input(key="set_weight").value == pytest.approx(0.0)
    assert [c.value for c in at.caption if c.value.startswith("Your network's ")][0].endswith("Chosen: L1 unit 0: bias = 0.00.")
    at.button(key="hand_zeros").click().run()
    assert at.number_input(key="set_weight").value == 0.0
    at.button(key="train_from_here").click().run()
    s = wait_until_finished(at, "points", seconds=120)
    assert s.status == "done" and not at.exception
    from app.state.store import store

    run_id = at.query_params["run"]
    run = store().get(run_id[0] if isinstance(run_id, list) else run_id)
    assert "from hand-set weights (all zeros" in run.changes
