"""Links in real headless Chromium: a bad link is explained in the page (a link that trains, its
download and its run's address after a restart: test_browser_runs.py)."""

from __future__ import annotations

import pytest

from browser import close_page, no_exception, open_page

pytestmark = pytest.mark.browser


def test_a_bad_link_is_explained_in_the_page(chromium, server):
    page = open_page(chromium, server.url + "/train?learning_rate=banana&optimizer=magic&hidden=0:relu&epochs=3")
    warning = page.locator("[data-testid=stAlertContentWarning]").first.inner_text()
    for field in ("learning_rate", "optimizer", "hidden"):
        assert field in warning
    line = page.locator("[data-testid=stMarkdownContainer]", has_text="784 pixels →").first.inner_text()
    assert "Adam(learning_rate=0.001)" in line and "3 epochs" in line  # defaults for the bad, the good used
    assert page.url.endswith("/?epochs=3")
    no_exception(page)
    close_page(page)
    page = open_page(chromium, server.url + "/runs?run=../../etc/passwd")
    page.get_by_text("is not a run id").wait_for(timeout=10_000)
    no_exception(page)
    close_page(page)
