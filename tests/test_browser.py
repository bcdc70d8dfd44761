"""The real app in real headless Chromium: open, build a small network, train, stop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import PLOTLY_POINTS, close_page, no_exception, open_page, set_number

pytestmark = pytest.mark.browser

LOSS_POINTS = f"() => ({PLOTLY_POINTS})('loss_chart')"  # points in the loss chart's traces


@pytest.fixture
def page(browser, server):
    page = open_page(browser, server.url)
    yield page
    close_page(page)


def test_train_a_small_network_and_watch_the_loss_chart_grow(page, tmp_path):
    set_number(page, "units_0", 16)
    set_number(page, "units_1", 8)
    set_number(page, "epochs", 2)
    assert "784 pixels → Dense(16, relu) → Dense(8, relu)" in page.locator("strong").first.inner_text()
    assert page.evaluate(LOSS_POINTS) == 0  # no chart before training
    page.locator(".st-key-train button").first.click()
    page.get_by_text("Done: 2 epochs").wait_for(timeout=180_000)
    # training and validation loss for both epochs, plus the points within the epochs
    page.wait_for_function(f"() => ({LOSS_POINTS})() >= 2 + 2 + 8", timeout=30_000)
    no_exception(page)
    # the confusion matrix is redrawn every 5 s while it trains, and once more with the finished run
    page.locator(".st-key-confusion_chart .js-plotly-plot").first.wait_for(timeout=60_000)
    expect(page.locator(".st-key-train button").first).to_be_enabled(timeout=15_000)
    no_exception(page)
    page.screenshot(path=str(tmp_path / "trained.png"), full_page=True)


def test_stop_a_running_training(page):
    set_number(page, "epochs", 500)
    page.locator(".st-key-train button").first.click()
    page.wait_for_function(f"() => ({LOSS_POINTS})() > 3", timeout=90_000)
    seen = page.evaluate(LOSS_POINTS)
    page.wait_for_function(f"() => ({LOSS_POINTS})() > {seen}", timeout=30_000)  # it grows live
    stop = page.locator(".st-key-stop button").first
    expect(stop).to_be_enabled()
    stop.click()
    page.get_by_text("Stopped ").first.wait_for(timeout=30_000)
    expect(page.locator(".st-key-train button").first).to_be_enabled(timeout=15_000)
    no_exception(page)


def test_bad_input_shows_a_message_in_the_page(page):
    set_number(page, "units_0", 0)
    message = page.locator("[data-testid=stAlertContentError]").first
    message.wait_for(timeout=10_000)
    assert "hidden layer 1 units" in message.inner_text()
    expect(page.locator(".st-key-train button").first).to_be_disabled()
    no_exception(page)
