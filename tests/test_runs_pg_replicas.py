"""Two replicas of the app behind one PostgreSQL run store, in real headless Chromium: a run
trained on one replica opens by its address on the other, finished or still training there."""

from __future__ import annotations

import re

import pytest

from browser import no_exception, open_page, serve
from helpers import wait_until
from nncore.stores import open_store

pytestmark = pytest.mark.browser

SLOW = "hidden=32:relu&batch_size=8"  # ~0.2 s an epoch, 1,000 epochs: still training when B looks


@pytest.fixture
def database_url(postgres):
    """A new database on the session's PostgreSQL (conftest.py)."""
    return postgres.new_database()


def run_id_in(url: str) -> str:
    match = re.search(r"[?&]run=([0-9a-f]{12})", url)
    assert match, url
    return match.group(1)


def test_a_run_trained_on_one_replica_opens_on_the_other(chromium, database_url):
    a, b = serve(database_url), serve(database_url)  # two replicas, one store
    try:
        page = open_page(chromium, f"{a.url}/train?hidden=16:relu&epochs=2")
        page.locator(".st-key-train button").first.click()
        page.get_by_text("Done: 2 epochs").wait_for(timeout=180_000)
        page.wait_for_function("() => /[?&]run=[0-9a-f]{12}/.test(location.search)", timeout=30_000)
        finished = run_id_in(page.url)
        no_exception(page)

        other = open_page(chromium, f"{b.url}/runs?run={finished}")
        other.get_by_text(f"Run {finished}").first.wait_for(timeout=60_000)
        other.locator(".st-key-run_loss_chart .js-plotly-plot").first.wait_for(timeout=90_000)
        assert "2 of 2 epochs" in other.locator("[data-testid=stMainBlockContainer]").inner_text()
        no_exception(other)
        other.context.close()

        # still training on A: B shows what A has recorded so far, and says where it trains
        page.goto(f"{a.url}/train?{SLOW}&epochs=1000")
        page.locator(".st-key-train button").first.click()
        page.wait_for_function("() => /Epoch ([3-9]|\\d\\d+) of 1000/.test(document.body.innerText)", timeout=120_000)
        page.wait_for_function("() => /[?&]run=[0-9a-f]{12}/.test(location.search)", timeout=30_000)
        running = run_id_in(page.url)
        assert running != finished
        stored = open_store(database_url)  # a save of its progress (every 3 s) since epoch 3
        wait_until(lambda: (run := stored.get(running)) is not None and run.epochs >= 3, 60, 0.2,
                   "a save of the run's third epoch")
        stored.close()
        other = open_page(chromium, f"{b.url}/runs?run={running}")
        other.get_by_text("This run is training on another server of this app").wait_for(timeout=60_000)
        no_exception(other)
        other.screenshot(path="/tmp/issue17-deploy-replica.png", full_page=True)
        other.context.close()
        page.locator(".st-key-stop button").first.click()
        page.get_by_text(re.compile(r"Stopped (during|after) epoch")).first.wait_for(timeout=60_000)
        page.context.close()
    finally:
        a.stop()
        b.stop()
