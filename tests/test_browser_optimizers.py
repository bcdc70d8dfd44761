"""The Optimizers page in real headless Chromium: the race with live curves, the contour paths,
the step sizes and the steps by hand, and no exception."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import PLOTLY_POINTS, after_rerun, close_page, no_exception, open_page, set_number, wait_for_app

pytestmark = pytest.mark.browser

AXES = """(key) => {
  const el = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  const l = el && el.layout;
  return l ? [l.xaxis.title.text, l.yaxis.title.text] : null;
}"""


# which line style each kind of curve (training, validation) has in a chart, as drawn
DASHES = """(key) => {
  const el = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  const pairs = el.data.filter(t => t.legendgroup && t.mode && t.mode.startsWith('lines'))
      .map(t => t.hovertemplate.split('<br>')[0].split(', ').pop() + ' ' + t.line.dash);
  return [...new Set(pairs)].sort();
}"""

# the tick labels a chart's y axis shows in the page
Y_TICKS = """(key) => [...document.querySelectorAll('.st-key-' + key + ' .ytick text')].map(t => t.textContent)"""


@pytest.fixture
def page(browser, server):
    page = open_page(browser, server.url + "/optimizers", height=2400)
    yield page
    close_page(page)


def test_race_with_live_curves_then_contours_and_step_sizes(page, tmp_path):
    assert page.locator("h1").first.inner_text().startswith("Optimizers")
    # the contour picture with four paths, and both step-size charts, before any race
    page.wait_for_function(f"() => ({PLOTLY_POINTS})('contour') > 4 * 100", timeout=120_000)
    for key in ("contour", "step_sizes", "effective_rates"):
        axes = page.evaluate(AXES, key)
        assert axes and all(axes), (key, axes)
    assert page.get_by_text("agree to float32 precision").count() == 2
    # in words under it: where each of the four paths is, against the minimum
    said = page.locator(".st-key-contour_text").inner_text()
    assert "towards the minimum (w = " in said and all(f"{n} α=" in said for n in ("gd", "momentum", "rmsprop", "adam")), said
    # the race: 20 epochs each, watched while it runs
    set_number(page, "race_epochs", 20)
    page.locator(".st-key-race button").first.click()
    page.wait_for_function(f"() => ({PLOTLY_POINTS})('race_loss') >= 4 * 2", timeout=120_000)
    seen = page.evaluate(PLOTLY_POINTS, "race_loss")
    page.wait_for_function(f"() => ({PLOTLY_POINTS})('race_loss') > {seen}", timeout=60_000)  # it grows live
    page.screenshot(path=str(tmp_path / "racing.png"))
    expect(page.locator(".st-key-race button").first).to_be_enabled(timeout=300_000)
    # the page's run after the race ended (its buttons come first): the words, the table, the curves
    page.get_by_text("Done: 20 epochs each, 4 optimizers").first.wait_for(timeout=60_000)
    wait_for_app(page)
    table = page.locator("[data-testid=stDataFrame]").first
    expect(table).to_be_visible(timeout=30_000)
    assert page.get_by_text("checksum").count() >= 1 and page.get_by_text("only the optimizer differs").count() >= 1
    # 4 runs: 21 training points (epoch 0 to 20) and 20 validation points each
    page.wait_for_function(f"() => ({PLOTLY_POINTS})('race_loss') >= 4 * (21 + 20)", timeout=30_000)
    for key in ("race_loss", "race_accuracy"):
        axes = page.evaluate(AXES, key)
        assert axes and all(axes), (key, axes)
    # each optimizer's epochs, the winner in words, training solid and validation dotted in both charts
    text = page.locator("[data-testid=stMainBlockContainer]").inner_text()
    assert "Done: 20 epochs each, 4 optimizers" in text and "of 80 epochs" not in text
    assert "By final training loss, " in text and "By validation accuracy, " in text and " wins (" in text
    assert "One α for all handicaps gradient descent" in text
    assert page.evaluate(DASHES, "race_loss") == page.evaluate(DASHES, "race_accuracy") == ["training solid", "validation dot"]
    assert len(page.evaluate(Y_TICKS, "race_loss")) >= 3  # the log axis labelled more than once
    no_exception(page)
    page.screenshot(path=str(tmp_path / "raced.png"), full_page=True)


def test_bad_learning_rate_is_named_in_the_page(page):
    box = page.locator(".st-key-race_lr_2 input")
    box.fill("1e6")
    after_rerun(page, lambda: box.press("Enter"))
    alert = page.locator(".st-key-race_problems [data-testid=stAlert]").first
    alert.wait_for(timeout=10_000)
    assert "learning rate of rmsprop" in alert.inner_text() and "absurd" in alert.inner_text()
    expect(page.locator(".st-key-race button").first).to_be_disabled()
    no_exception(page)


def race_in_page(page) -> tuple:
    """What the race's widgets show: the network's label, the four optimizers, their rates, the epochs."""
    def shown(key):
        return page.locator(f".st-key-{key} input[role=combobox]").first.input_value().strip()

    return (shown("race_network"), [shown(f"race_opt_{i}").split(":")[0] for i in range(4)],
            [page.locator(f".st-key-race_lr_{i} input").input_value() for i in range(4)],
            page.locator(".st-key-race_epochs input").input_value())


def test_a_race_link_opens_the_same_race_and_the_address_follows_it(browser, server, tmp_path):
    page = open_page(browser, server.url + "/optimizers?network=lecture-cnn&optimizers=gd,adam&rates=0.1,0.001"
                     "&epochs=5", height=1400)
    try:
        # the link's rates reach the boxes with the page's first runs (on a busy server, a moment later)
        expect(page.locator(".st-key-race_lr_0 input")).to_have_value("0.1", timeout=30_000)
        network, names, rates, epochs = race_in_page(page)
        assert "lecture" in network.lower() and names == ["gd", "adam", "—", "—"]
        assert rates[:2] == ["0.1", "0.001"] and epochs == "5"
        expect(page.locator(".st-key-race button").first).to_be_enabled()
        # a change goes into the address; a reload opens that race
        set_number(page, "race_epochs", 7)
        page.wait_for_function("() => location.search.includes('epochs=7')", timeout=10_000)
        assert "optimizers=gd%2Cadam" in page.url or "optimizers=gd,adam" in page.url
        page.reload()
        wait_for_app(page)
        expect(page.locator(".st-key-race_lr_0 input")).to_have_value("0.1", timeout=30_000)
        assert race_in_page(page)[1:] == (["gd", "adam", "—", "—"], ["0.1", "0.001", "0.001", "0.001"], "7")
        page.screenshot(path=str(tmp_path / "race-link.png"))
        no_exception(page)
        # a bad link: each bad value named in the page, the default race in the widgets, no traceback
        page.goto(server.url + "/optimizers?optimizers=gd,nope&epochs=2.5&rates=fast")
        wait_for_app(page)
        alert = page.get_by_text("This link's race could not be used whole")
        alert.wait_for(timeout=10_000)
        text = page.locator("[data-testid=stMainBlockContainer]").inner_text()
        assert "unknown optimizer 'nope'" in text and "whole number from 1 to 200, got '2.5'" in text
        assert race_in_page(page)[1] == ["gd", "momentum", "rmsprop", "adam"]
        page.screenshot(path=str(tmp_path / "race-bad-link.png"))
        no_exception(page)
    finally:
        close_page(page)
