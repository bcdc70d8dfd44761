"""The Draw page through AppTest: a drawing (Fabric.js paths, as the canvas sends them) in,
the preprocessing steps, the prediction, the raw output and the multi-label answers out."""

import pytest

from apptest import open_app, wait_until_finished

SEVEN = [{"type": "path", "path": [["M", 80, 60], ["L", 200, 60], ["L", 150, 150], ["L", 120, 230]]}]
ONE = [{"type": "path", "path": [["M", 140, 40], ["L", 141, 140], ["L", 142, 240]]}]


def draw(at, objects):
    at.session_state["canvas"] = {"drawing": {"raw": {"objects": objects}, "data": None},
                                  "backgroundFit": None}
    return at.run()


def prediction(at):
    texts = [m.value for m in at.markdown if m.value.startswith("## Prediction:")]
    return texts[0].removeprefix("## ") if texts else None


@pytest.fixture
def at():
    return open_app("views/draw.py")


def test_empty_canvas_asks_for_a_drawing(at):
    assert prediction(at) is None
    assert any("Draw a digit" in i.value for i in at.info)


def test_a_drawing_is_classified_with_its_steps_and_raw_output(at):
    draw(at, SEVEN)
    assert not at.exception
    assert prediction(at) == "Prediction: 7"
    images = at.get("image")
    assert len(images) == 5  # the taught habits (one element), drawing, cropped, 20x20, 28x28
    raw_logits = [c.value for c in at.caption if c.value.startswith("Raw output:")][0]
    assert any("logits z" in m.value for m in at.markdown)
    assert any("keras.ops.softmax" in c.value for c in at.code)

    at.segmented_control(key="output_mode").set_value("softmax").run()
    assert prediction(at) == "Prediction: 7"
    raw_probs = [c.value for c in at.caption if c.value.startswith("Raw output:")][0]
    assert raw_probs != raw_logits
    values = [float(part.split(": ")[1]) for part in raw_probs.removeprefix("Raw output: ").split("  ")]
    assert abs(sum(values) - 1) < 0.01 and min(values) >= 0  # the softmax layer's output
    assert any("probabilities a" in m.value for m in at.markdown)


def test_two_digits_two_answers(at):
    draw(at, ONE)
    assert prediction(at) == "Prediction: 1"
    draw(at, SEVEN)
    assert prediction(at) == "Prediction: 7"


def test_the_sessions_own_network_answers_once_trained(at):
    at.switch_page("views/train.py").run()
    at.number_input(key="epochs").set_value(3).run()
    at.button(key="train").click().run()
    wait_until_finished(at, seconds=120)
    del at.query_params["run"]  # the Train page's ?run=<id>; the navigation opens Draw without it
    at.switch_page("views/draw.py").run()
    draw(at, SEVEN)
    assert not at.exception
    assert any("your network from the Train page" in c.value for c in at.caption)
    assert prediction(at) is not None
    at.toggle(key="use_default").set_value(True).run()
    assert any("default CNN" in c.value for c in at.caption)
