"""A learner's state holds across pages, in real headless Chromium (issue 29's list): go to another
page and back, switch the Draw page's output, come back to a drawing. One session throughout, as a
learner moves through the app by its navigation menu."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser import close_page, no_exception, open_page, set_number, wait_for_app
from strokes import replay, stroke_digits

pytestmark = pytest.mark.browser


def go(page, section: str, title: str) -> None:
    """Open a page through the top navigation (the same browser session, as a learner does)."""
    page.locator("[data-testid=stTopNavSection]", has_text=section).first.click()
    page.get_by_role("menuitem", name=title, exact=True).first.click()
    wait_for_app(page)
    page.locator("h1").first.wait_for()


def ink(page) -> int:
    """Dark pixels on the Draw page's canvas (the drawing the learner sees)."""
    page.locator(".st-key-canvas canvas").last.wait_for(timeout=60_000)
    return max(page.locator(".st-key-canvas canvas").evaluate_all("""cs => cs.map(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128 && d[i + 3] > 0) n++; return n; })"""))


def prediction(page) -> str:
    return page.locator(".st-key-prediction").inner_text(timeout=30_000)


def test_settings_results_and_drawing_hold_across_pages(browser, server):
    page = open_page(browser, server.url + "/")
    # Train at learning rate 10: the preset's label says Custom at once
    set_number(page, "learning_rate", 10)
    set_number(page, "epochs", 2)
    assert page.locator(".st-key-preset input").input_value().startswith("Custom")
    page.locator(".st-key-train button").first.click()
    page.get_by_text("Done: 2 epochs").wait_for(timeout=120_000)

    # the Draw page names the broken network, with the default CNN in the same place
    go(page, "Play", "Draw")
    warning = page.locator(".st-key-who_answers [data-testid=stAlert]")
    expect(warning).to_contain_text("on its validation digits (a guess scores 10 %)", timeout=30_000)
    seven = next(d for d in stroke_digits(n_per_digit=6, seed=11) if d.label == 7 and "normal" in d.style)
    replay(page, page.locator(".st-key-canvas canvas").last, seven)
    expect(page.locator(".st-key-prediction")).to_be_visible(timeout=30_000)
    page.locator(".st-key-use_default label").click()  # the default CNN answers
    expect(page.locator(".st-key-prediction")).to_have_text("Prediction: 7", timeout=30_000)
    drawn = ink(page)
    assert drawn > 500

    # switching the output keeps the drawing, its answer and the toggle
    page.locator(".st-key-output_mode button", has_text="Softmax layer").click()
    wait_for_app(page)
    expect(page.locator(".st-key-prediction")).to_have_text("Prediction: 7", timeout=30_000)
    assert abs(ink(page) - drawn) < 0.05 * drawn
    assert page.locator(".st-key-use_default input").is_checked()

    # another page shows the drawing; back on Draw it is still there, answered, the choices kept
    go(page, "Lessons", "Other layer types")
    page.get_by_text("Your drawing (Draw page)").click()
    wait_for_app(page)
    expect(page.get_by_text("of your drawing").first).to_be_visible(timeout=30_000)
    go(page, "Play", "Draw")
    expect(page.locator(".st-key-prediction")).to_have_text("Prediction: 7", timeout=30_000)
    for _ in range(50):  # the canvas loads the kept drawing as it mounts
        if abs(ink(page) - drawn) < 0.05 * drawn:
            break
        page.wait_for_timeout(200)
    assert abs(ink(page) - drawn) < 0.05 * drawn
    assert page.locator(".st-key-use_default input").is_checked()
    assert "Softmax layer" in page.locator(".st-key-output_mode [aria-checked=true], "
                                           ".st-key-output_mode [kind=segmented_controlActive]").first.inner_text()

    # back on Train: the settings are the run's (rate 10), not the preset's, above its results
    go(page, "Play", "Train")
    # the boxes are filled as the page is drawn: wait for them (a moment, on a busy machine)
    expect(page.locator(".st-key-learning_rate input")).to_have_value("10", timeout=30_000)
    expect(page.locator(".st-key-preset input")).to_have_value(re.compile("^Custom"), timeout=30_000)
    assert "learning_rate=10" in page.locator("[data-testid=stMainBlockContainer]").inner_text()
    expect(page.get_by_text("Done: 2 epochs")).to_be_visible()
    no_exception(page)
    close_page(page)


def test_what_was_typed_is_said_not_changed(browser, server):
    """Letters typed into the learning rate leave the box empty (a number box drops them): the page
    says it is empty, not "got 0"; 2.5 units stays 2.5 and is named, not made 2."""
    page = open_page(browser, server.url + "/")
    rate = page.locator(".st-key-learning_rate input")
    rate.click()
    rate.press("Control+a")
    rate.press_sequentially("abc")
    rate.press("Enter")
    wait_for_app(page)
    alert = page.locator("[data-testid=stAlert]", has_text="learning_rate")
    expect(alert).to_contain_text("is empty", timeout=30_000)
    assert "got 0" not in alert.inner_text() and rate.input_value() == ""
    expect(page.locator(".st-key-train button").first).to_be_disabled()
    set_number(page, "learning_rate", 0.001)
    units = page.locator(".st-key-units_0 input")
    units.click()
    units.press("Control+a")
    units.press_sequentially("2.5")
    units.press("Enter")
    wait_for_app(page)
    expect(page.locator("[data-testid=stAlert]", has_text="hidden layer 1 units")).to_contain_text(
        "must be an integer, got 2.5", timeout=30_000)
    assert units.input_value() == "2.5"
    expect(page.locator(".st-key-train button").first).to_be_disabled()
    no_exception(page)
    close_page(page)


def test_a_wrong_file_type_is_named_where_the_learner_looks(browser, server, tmp_path):
    """A .txt given to the photo uploader: Streamlit refuses it with a red mark whose message shows
    only on hover; the accepted types are in the uploader's own label, and the page goes on."""
    page = open_page(browser, server.url + "/draw")
    label = page.locator(".st-key-upload_digit [data-testid=stWidgetLabel]")
    expect(label).to_contain_text("PNG, JPEG or WebP, up to 20 MB", timeout=30_000)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    page.locator(".st-key-upload_digit input[type=file]").set_input_files(str(notes))
    page.wait_for_timeout(1000)
    expect(label).to_be_visible()
    expect(page.get_by_text("Draw a digit in the box")).to_be_visible()  # nothing else changed
    no_exception(page)
    close_page(page)
