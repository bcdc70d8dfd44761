"""The lesson pages: AppTest drives the widgets, Chromium the softmax slider (every page of the app
opens in Chromium in tests/test_browser_a11y.py, beside axe)."""

from __future__ import annotations

import pytest

from apptest import open_app, wait_for_lesson
from browser import wait_for_app


@pytest.fixture
def at():
    return open_app(timeout=180)


def texts(at):
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def frames(at):
    return [d.value for d in at.dataframe]


def test_softmax_page_shows_the_course_numbers_and_follows_the_sliders(at):
    at.switch_page("views/softmax.py").run()
    assert not at.exception
    table = frames(at)[0]
    assert [round(v, 4) for v in table["my_softmax (NumPy)"]] == [0.0321, 0.0871, 0.2369, 0.6439]
    assert (table["my_softmax (NumPy)"] - table["tf.nn.softmax"]).abs().max() < 1e-10
    at.slider(key="z0").set_value(5.0).run()
    assert round(frames(at)[0]["my_softmax (NumPy)"][0], 4) != 0.0321
    # overflow appears past float32's range
    at.slider(key="z_big").set_value(500.0).run()
    assert any("inf" in e.value and "NaN" in e.value for e in at.error)
    # the loss three ways on logits [0, 100], true class 0
    ways = frames(at)[-1]
    assert [round(float(v), 3) for v in ways["loss"]] == [100.0, 100.0, 16.118]
    assert list(ways["d loss / d logits"]) == ["[-1.0000, +1.0000]"] * 2 + ["[+0.0000, +0.0000]"]


def test_activation_page_relu_lab(at):
    at.switch_page("views/activations.py").run()
    assert not at.exception
    assert any("Largest error" in w.value for w in at.warning)
    at.button(key="relu_answer").click().run()
    assert [at.slider(key=f"relu_{k}").value for k in ("w1", "b1", "w2", "b2")] == [1.0, -1.0, 2.0, -4.0]
    assert any("Exact match" in s.value for s in at.success)
    at.slider(key="relu_b2").set_value(-3.0).run()
    assert any("Largest error" in w.value for w in at.warning)
    at.button(key="fit_relu").click().run()
    assert not at.exception
    assert at.button(key="fit_relu").disabled or wait_for_lesson(at, "relu")  # training beside the page
    assert [s.status for s in wait_for_lesson(at, "relu")] == ["done"]
    assert not at.exception
    fit_rows = frames(at)[-1]
    assert len(fit_rows) == 3 and "mean squared error" in texts(at)


def test_losses_page_labels_mismatch_binary_and_multilabel(at):
    at.switch_page("views/losses.py").run()
    assert not at.exception
    assert any("the same loss" in m.value for m in at.markdown)
    assert any("Keras raised" in e.value for e in at.error)  # the real Keras error, caught
    at.segmented_control(key="mismatch").set_value("integers to categorical").run()
    assert not at.exception and "In plain words" in texts(at)
    at.number_input(key="binary_epochs").set_value(5).run()
    at.button(key="train_binary").click().run()
    assert wait_for_lesson(at, "binary")[0].epoch == 5
    assert any("Held-out 0s and 1s" in s.value for s in at.success)
    at.button(key="train_scenes").click().run()
    assert [s.status for s in wait_for_lesson(at, "scenes")] == ["done", "done"]
    rows = frames(at)[-1]
    assert (rows["softmax sum"].round(2) == 1.0).all()
    assert (rows["sigmoid sum"].round(2) != 1.0).any()


PROBABILITIES = "() => JSON.stringify(document.querySelector('.st-key-softmax_a .js-plotly-plot')?.data?.[0]?.y)"


@pytest.mark.browser
def test_softmax_slider_changes_the_numbers_in_chromium(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(server.url + "/softmax")
    wait_for_app(page)
    page.wait_for_function(f"() => ({PROBABILITIES})() !== undefined", timeout=30_000)
    before = page.evaluate(PROBABILITIES)
    page.locator(".st-key-z3 input").first.focus()
    page.keyboard.press("End")  # z3 to its maximum, 10
    page.wait_for_function(f"(b) => ({PROBABILITIES})() !== b", arg=before, timeout=30_000)
    after = page.evaluate(PROBABILITIES)
    assert "0.03205860" in before and "0.03205860" not in after  # the course value, then not
    page.close()
