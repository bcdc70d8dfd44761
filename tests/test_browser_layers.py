"""The Other layer types page in real headless Chromium: a unit's window, filter and feature map
with labelled axes, the EKG network and its parameter counts, the experiment run to its end with
a small setting, and no exception."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import PLOTLY_POINTS, close_page, no_exception, open_page, set_number, wait_drawn, wait_for_app

pytestmark = pytest.mark.browser

AXES = """(key) => {
  const el = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  const l = el && el.layout;
  return l ? [l.title.text, l.xaxis.title.text, l.yaxis.title.text] : null;
}"""
# the cells of the first heatmap in the chart with key `key` (z arrives as nested arrays or typed arrays)
CELLS = """(key) => {
  const el = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  const z = el && el.data && el.data[0] && el.data[0].z;
  if (!z) return 0;
  if (Array.isArray(z)) return z.length * (Array.isArray(z[0]) ? z[0].length : 1);
  const size = {f8: 8, f4: 4, i8: 8, i4: 4, i2: 2, i1: 1, u8: 8, u4: 4, u2: 2, u1: 1};
  return z.bdata !== undefined ? atob(z.bdata).length / size[z.dtype] : 0;
}"""
SHAPES = """(key) => {
  const el = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  return el && el.layout && el.layout.shapes ? el.layout.shapes.length : 0;
}"""


@pytest.fixture
def page(browser, server):
    page = open_page(browser, server.url + "/layers", height=2400)
    yield page
    close_page(page)


def test_windows_ekg_counts_and_the_experiment(page, tmp_path):
    assert page.locator("h1").first.inner_text().startswith("Other layer types")
    # 1. a conv unit's window over the digit, its filter, its feature map: all drawn, axes titled
    page.wait_for_function(f"() => ({CELLS})('layers_feature_map') > 0", timeout=120_000)
    wait_drawn(page)  # and every other chart of the page
    assert page.evaluate(CELLS, "layers_digit") == 28 * 28 and page.evaluate(CELLS, "layers_feature_map") == 28 * 28
    assert page.evaluate(CELLS, "layers_filter") == 5 * 5  # the shipped CNN's first layer: 5x5 filters
    for key in ("layers_digit", "layers_filter", "layers_feature_map", "ekg_network", "ekg_signal"):
        axes = page.evaluate(AXES, key)
        assert axes and all(axes), (key, axes)
    assert page.evaluate(SHAPES, "layers_digit") == 1  # the window's rectangle
    assert "reads rows 12-16, columns 12-16" in page.evaluate(AXES, "layers_digit")[0]
    assert page.get_by_text("25 of the 784 pixels").count() >= 1
    # 2. the EKG network: 100 inputs, 9 + 3 units, one output; 211 parameters as drawn, 31 in Keras
    assert page.evaluate(PLOTLY_POINTS, "ekg_network") >= 100 + 9 + 3 + 1
    # in words under it: who reads what (not its lines' y values, as the generic words said)
    said = page.locator(".st-key-ekg_network_text").inner_text()
    assert "a9 reads x81-x100" in said and "b3 reads a5-a9" in said and "Highlighted: a1's window, x1-x20" in said, said
    assert "is inside the window" in page.locator(".st-key-ekg_signal_text").inner_text()
    assert page.get_by_text("211 as the lecture draws it, 31 in Keras").count() == 1
    # 3. the experiment with a small setting: 250 digits only, 1 epoch each
    for size in ("500", "1,000", "4,000"):
        page.locator(".st-key-layers_sizes button", has_text=size).first.click()
        wait_for_app(page)
    page.locator(".st-key-layers_sizes button", has_text="250").first.click()
    wait_for_app(page)
    set_number(page, "layers_epochs", 1)
    page.locator(".st-key-layers_run button").first.click()
    page.get_by_text("All 2 runs finished").wait_for(timeout=240_000)
    expect(page.locator(".st-key-layers_run button").first).to_be_enabled(timeout=60_000)  # the page's run after
    wait_for_app(page)
    for key in ("layers_accuracy", "layers_gap", "layers_speed"):
        # one point (or bar) per network, once Plotly has drawn the chart
        page.wait_for_function(f"() => ({PLOTLY_POINTS})('{key}') === 2", timeout=30_000)
        axes = page.evaluate(AXES, key)
        assert axes and all(axes), (key, axes)
    assert page.get_by_text("Faster?").count() == 1 and page.get_by_text("Less data?").count() == 1
    assert page.locator("[data-testid=stDataFrame]").count() >= 2  # EKG counts and the experiment's table
    page.screenshot(path=str(tmp_path / "layers.png"), full_page=True)
    no_exception(page)
