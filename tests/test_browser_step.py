"""Issue 26 in real Chromium: Step on the practice lab moves the loss shown and the epoch/batch counter
by one step, Train after Step goes on from the stepped weights; on Boundaries a hand-set weight
redraws the boundary picture."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import after_rerun, close_page, no_exception, open_page, set_number

pytestmark = pytest.mark.browser

HAND_PICTURE = """() => { const el = document.querySelector('.st-key-hand_boundary_chart .js-plotly-plot');
  return el && el.data ? el.data[0].source : null; }"""


def test_step_moves_the_loss_and_the_counter_by_one_step_then_train_goes_on(browser, server):
    page = open_page(browser, server.url)
    set_number(page, "epochs", 1)
    counter = page.locator(".st-key-step_counter")
    after_rerun(page, lambda: page.locator(".st-key-step button").first.click())
    expect(counter).to_contain_text("Epoch 1 · batch 1 of 125 done", timeout=90_000)
    loss = page.locator(".st-key-step_loss [data-testid=stMetricValue]")
    first = loss.inner_text()
    page.locator(".st-key-step button").first.click()
    expect(counter).to_contain_text("Step 2", timeout=60_000)
    expect(counter).to_contain_text("Epoch 1 · batch 2 of 125 done")
    assert loss.inner_text() != first
    assert "before 2.2" in page.locator(".st-key-step_loss").inner_text()
    page.locator(".st-key-train button").first.click()
    page.get_by_text("This training started from the weights after 2 steps by hand").wait_for(timeout=60_000)
    page.get_by_text("Done: 1 epochs").wait_for(timeout=90_000)
    expect(page.locator(".st-key-step button").first).to_be_enabled(timeout=15_000)
    no_exception(page)
    close_page(page)


def test_a_hand_set_weight_changes_the_boundary_picture(browser, server):
    page = open_page(browser, server.url + "/boundaries?dataset=band&hidden=2:relu", height=2400)
    page.locator(".st-key-hand_boundary_chart .js-plotly-plot").wait_for(timeout=90_000)
    page.wait_for_function(f"() => ({HAND_PICTURE})() !== null", timeout=30_000)
    before = page.evaluate(HAND_PICTURE)
    loss = page.locator(".st-key-hand_loss [data-testid=stMetricValue]").first.inner_text()
    set_number(page, "set_weight", 3)
    page.wait_for_function(f"(before) => ({HAND_PICTURE})() !== before", arg=before, timeout=30_000)
    assert page.locator(".st-key-hand_loss [data-testid=stMetricValue]").first.inner_text() != loss
    no_exception(page)
    close_page(page)
