"""The Draw page in real headless Chromium: mouse strokes on the real canvas."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import close_page, open_page
from strokes import replay, stroke_digits

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(browser, server):
    page = open_page(browser, server.url + "/draw", height=1800)
    yield page
    close_page(page)


def canvas(page):
    return page.locator(".st-key-canvas canvas").last


def clear(page):
    page.locator(".st-key-clear button").first.click()
    expect(page.locator(".st-key-prediction")).to_have_count(0, timeout=15_000)


def samples():
    """One ordinary-sized sample of each of three different digits, from our stroke set."""
    chosen = {}
    for d in stroke_digits(n_per_digit=6, seed=11):
        if d.label in (0, 3, 7) and d.label not in chosen and "normal" in d.style:
            chosen[d.label] = d
    return [chosen[k] for k in sorted(chosen)]


def test_empty_canvas_prompts_to_draw(page):
    expect(page.get_by_text("Draw a digit in the box")).to_be_visible(timeout=30_000)
    assert page.locator(".st-key-prediction").count() == 0


def test_draw_three_digits_and_clear(page):
    drawn = samples()
    assert [d.label for d in drawn] == [0, 3, 7]
    for digit in drawn:
        replay(page, canvas(page), digit)
        expect(page.locator(".st-key-prediction")).to_have_text(f"Prediction: {digit.label}",
                                                                  timeout=30_000)
        clear(page)
        expect(page.get_by_text("Draw a digit in the box")).to_be_visible()
    assert page.errors == []
    assert page.locator("[data-testid=stException]").count() == 0


def test_toggling_the_output_changes_the_raw_output_view(page):
    replay(page, canvas(page), samples()[2])
    raw = page.locator(".st-key-raw_output")
    expect(raw).to_contain_text("logits z", timeout=30_000)
    before = raw.inner_text()
    page.locator(".st-key-output_mode button", has_text="Softmax layer").click()
    expect(raw).to_contain_text("probabilities a", timeout=30_000)
    assert raw.inner_text() != before
    expect(page.locator(".st-key-prediction")).to_have_text("Prediction: 7")
    # the drawing stayed on the canvas through the switch
    page.locator(".st-key-output_mode button", has_text="Logits").click()
    expect(raw).to_contain_text("logits z", timeout=30_000)
    clear(page)
