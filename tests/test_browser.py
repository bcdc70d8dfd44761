"""The real app in real headless Chromium: open, build a small network, train, stop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import set_number, wait_for_app

pytestmark = pytest.mark.browser

# Points in the loss chart's traces. NumPy arrays reach Plotly.js as typed arrays in base64
# ({dtype, bdata}); plain lists as arrays. Count either.
LOSS_POINTS = """() => {
  const el = document.querySelector('.st-key-loss_chart .js-plotly-plot');
  const size = {f8: 8, f4: 4, i8: 8, i4: 4, i2: 2, i1: 1, u8: 8, u4: 4, u2: 2, u1: 1};
  const count = (x) => !x ? 0 : Array.isArray(x) ? x.length
      : x.bdata !== undefined ? atob(x.bdata).length / size[x.dtype] : (x.length || 0);
  return el && el.data ? el.data.reduce((n, t) => n + count(t.x), 0) : 0;
}"""


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(server.url)
    wait_for_app(page)
    yield page
    context.close()


def no_exception(page) -> None:
    assert page.locator("[data-testid=stException]").count() == 0, page.locator(
        "[data-testid=stException]").first.inner_text()
    assert page.errors == []


@pytest.mark.parametrize("path", ["/", "/train"])
def test_every_page_opens_without_exception(browser, server, path, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + path)
    wait_for_app(page)
    assert page.locator("h1").first.inner_text().startswith("Train a network")
    assert page.locator("[data-testid=stException]").count() == 0
    assert errors == []
    page.screenshot(path=str(tmp_path / "page.png"))
    context.close()


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
    assert page.locator(".st-key-confusion_chart .js-plotly-plot").count() >= 1
    expect(page.locator(".st-key-train button").first).to_be_enabled(timeout=15_000)
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
