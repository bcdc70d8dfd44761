"""Links and runs in real headless Chromium: a link rebuilds its network, the address keeps the
spec after training, a bad link is explained, the .keras download loads, and a run's address
still shows it after the server restarts."""

from __future__ import annotations

import re

import pytest

from browser import no_exception, serve
from browser import open_page as open_watched

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def runs_db(tmp_path_factory):
    return str(tmp_path_factory.mktemp("runs") / "runs.sqlite3")


def open_page(chromium, url):
    return open_watched(chromium, url, accept_downloads=True)


def test_link_train_download_and_a_run_link_after_a_restart(chromium, runs_db, tmp_path):
    server = serve(runs_db)
    try:
        page = open_page(chromium, server.url + "/train?hidden=64:relu,32:relu&learning_rate=0.005&epochs=2&seed=4")
        assert "784 pixels → Dense(64, relu) → Dense(32, relu)" in page.locator("strong").first.inner_text()
        assert "learning_rate=0.005" in page.locator("strong").first.locator("..").inner_text()
        assert "hidden=64" in page.url and "seed=4" in page.url
        page.locator(".st-key-train button").first.click()
        page.get_by_text("Done: 2 epochs").wait_for(timeout=180_000)
        page.get_by_text("Share it, take it home").wait_for(timeout=30_000)
        no_exception(page)
        assert "hidden=64" in page.url and "learning_rate=0.005" in page.url  # still the spec after training
        link = page.locator("code", has_text="/runs?run=").first.inner_text().strip()
        run_id = re.search(r"run=([0-9a-f]{12})", link).group(1)
        page.screenshot(path=str(tmp_path / "trained.png"), full_page=True)

        with page.expect_download(timeout=60_000) as download:
            page.locator(".st-key-download_model button").first.click()
        path = tmp_path / "model.keras"
        download.value.save_as(path)
        import keras

        model = keras.saving.load_model(path, safe_mode=True)
        assert model.count_params() == 784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10
        page.context.close()
    finally:
        server.stop()

    server = serve(runs_db)  # a restart: a new process on the same database
    try:
        page = open_page(chromium, f"{server.url}/runs?run={run_id}")
        page.get_by_text(f"Run {run_id}").first.wait_for(timeout=30_000)
        page.locator(".st-key-run_loss_chart .js-plotly-plot").first.wait_for(timeout=30_000)
        no_exception(page)
        page.context.close()
    finally:
        server.stop()


def test_a_bad_link_is_explained_in_the_page(chromium, server):
    page = open_page(chromium, server.url + "/train?learning_rate=banana&optimizer=magic&hidden=0:relu&epochs=3")
    warning = page.locator("[data-testid=stAlertContentWarning]").first.inner_text()
    for field in ("learning_rate", "optimizer", "hidden"):
        assert field in warning
    line = page.locator("[data-testid=stMarkdownContainer]", has_text="784 pixels →").first.inner_text()
    assert "Adam(learning_rate=0.001)" in line and "3 epochs" in line  # defaults for the bad, the good used
    assert page.url.endswith("/?epochs=3")
    no_exception(page)
    page.context.close()
    page = open_page(chromium, server.url + "/runs?run=../../etc/passwd")
    page.get_by_text("is not a run id").wait_for(timeout=10_000)
    no_exception(page)
    page.context.close()
