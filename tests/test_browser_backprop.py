"""The Derivatives and Backpropagation pages in real headless Chromium."""

from __future__ import annotations

import pytest

from browser import after_rerun, close_page, no_exception, open_page, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, server):
    page = open_page(browser)
    yield page
    close_page(page)


def goto(page, server, path: str) -> None:
    page.goto(server.url + path)
    wait_for_app(page)


def type_into(page, key: str, text: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(text)
    after_rerun(page, lambda: box.press("Enter"))


def test_derivatives_page_lab_numbers_and_a_refused_expression(page, server, tmp_path):
    goto(page, server, "/derivatives")
    assert page.locator("h1").first.inner_text() == "Derivatives"
    numbers = page.locator(".st-key-d_numbers")
    numbers.get_by_text("9.006001").wait_for()
    assert "6.001" in numbers.inner_text()
    # the two charts render a moment after the numbers (Plotly draws in the browser)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=60_000)
    assert page.locator(".js-plotly-plot").count() == 2
    type_into(page, "d_text", "__import__('os').system('id')")
    alert = page.locator("[data-testid=stAlert]").first
    alert.wait_for()
    assert "unknown name '__import__' at position 1" in alert.inner_text()
    assert "9.006001" in numbers.inner_text()  # the last good function stays
    no_exception(page)
    page.screenshot(path=str(tmp_path / "derivatives.png"))


def test_backprop_page_reveal_all_and_quiz(page, server, tmp_path):
    goto(page, server, "/backprop")
    assert page.locator("h1").first.inner_text() == "Backpropagation"
    graph = page.locator("[data-testid=stGraphVizChart] svg")
    graph.wait_for()
    assert "∂J/∂w = ?" in graph.text_content()
    after_rerun(page, page.locator(".st-key-bp_all button").click)
    page.wait_for_function("() => document.querySelector('[data-testid=stGraphVizChart] svg')"
                           "?.textContent.includes('∂J/∂w = 6')", timeout=30_000)
    text = page.locator("[data-testid=stGraphVizChart] svg").text_content()
    assert "value = 4.5" in text and "∂J/∂x = −6" in text
    after_rerun(page, page.locator(".st-key-bp_hide button").click)
    after_rerun(page, page.locator(".st-key-bp_quiz label").click)  # quiz mode on
    type_into(page, "bp_lab_quiz_d", "3")
    type_into(page, "bp_lab_quiz_w", "5")
    page.get_by_text("Right: ∂J/∂d").wait_for()
    page.get_by_text("Not 5: it is 6.").wait_for()  # the second answer's rerun may end after the first's
    assert page.get_by_text("Not 5: it is 6.").count() == 1
    page.locator(".st-key-bp_cost").get_by_text("20,175").wait_for(timeout=60_000)
    no_exception(page)
    page.screenshot(path=str(tmp_path / "backprop.png"), full_page=True)
