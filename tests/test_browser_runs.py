"""A run outlives its page, in real headless Chromium: a reload mid-training reattaches to it and
its progress goes on; its address opened in a second tab shows it too, and Stop there stops it;
a run trained from a link keeps the link's spec in the address and downloads as .keras; after a
restart a finished run's address shows it and a run cut off by the restart is shown as
interrupted with what it had recorded; an unknown run's address gets a message."""

from __future__ import annotations

import os
import re

import pytest

from browser import SLOW, close_page, no_exception, open_page, run_id_in, serve, wait_for_app
from helpers import wait_until
from nncore.stores import open_store

pytestmark = pytest.mark.browser

EPOCH = re.compile(r"Epoch (\d+) of (\d+)")


def epoch_shown(page, timeout_ms: int = 120_000, at_least: int = 1) -> int:
    """The epoch the progress bar shows, once it is at least `at_least`."""
    page.wait_for_function(
        "(n) => { const m = document.body.innerText.match(/Epoch (\\d+) of \\d+/); return m && +m[1] >= n; }",
        arg=at_least, timeout=timeout_ms)
    return int(EPOCH.search(page.locator("body").inner_text()).group(1))


def test_a_reload_reattaches_and_stop_from_another_tab_stops_it(chromium, server):
    """On the run's shared server (conftest.py): the run is stopped before the test ends."""
    page = open_page(chromium, f"{server.url}/train?{SLOW}&epochs=1000")
    page.locator(".st-key-train button").first.click()
    first = epoch_shown(page, at_least=2)
    page.wait_for_function("() => /[?&]run=[0-9a-f]{12}/.test(location.search)", timeout=30_000)
    run_id = run_id_in(page.url)
    assert "hidden=32" in page.url  # the spec stays in the address beside the run

    page.reload()  # a new browser session: the training goes on and the page finds it again
    wait_for_app(page)
    after_reload = epoch_shown(page, at_least=first)
    later = epoch_shown(page, at_least=after_reload + 1)  # progress continues, live
    assert later > after_reload >= first
    assert "Dense(32, relu)" in page.locator("strong").first.inner_text()  # its settings
    assert "hidden=32" in page.url and run_id_in(page.url) == run_id
    assert page.locator(".st-key-stop button").first.is_enabled()
    page.screenshot(path="/tmp/issue17-runs-reattached.png", full_page=False)

    # the run's address in a second tab (the Runs page: the run live, with its own Stop)
    other = open_page(chromium, f"{server.url}/runs?run={run_id}")
    other.get_by_text(f"Run {run_id} · training now").wait_for(timeout=60_000)
    epoch_shown(other, at_least=later)
    other.locator(".st-key-stop_live_run button").first.click(timeout=60_000)
    # both tabs see it stop: the Train tab's status, the Runs tab the stored run
    page.get_by_text(re.compile(r"Stopped (during|after) epoch")).first.wait_for(timeout=60_000)
    other.get_by_text(f"Run {run_id}").first.wait_for(timeout=60_000)
    other.locator(".st-key-run_loss_chart .js-plotly-plot").first.wait_for(timeout=60_000)
    text = other.locator("[data-testid=stMainBlockContainer]").inner_text()
    assert "stopped" in text and "of 1000 epochs" in text
    assert int(re.search(r"(\d+) of 1000 epochs", text).group(1)) < 1000
    no_exception(page)
    no_exception(other)

    # and the Train page's address opened in a third tab shows the stopped run too
    third = open_page(chromium, page.url)
    third.get_by_text(re.compile(r"Stopped (during|after) epoch")).first.wait_for(timeout=60_000)
    no_exception(third)
    for p in (page, other, third):
        close_page(p)


def test_a_link_trains_downloads_and_after_a_restart_finished_and_interrupted_runs_by_address(chromium, tmp_path):
    """A link rebuilds its network, the address keeps the spec after training, the .keras download
    loads; after a restart the finished run's address shows it (Runs and Train pages), the run cut
    off by the restart is interrupted with what it had recorded, an unknown run id gets a message."""
    db = str(tmp_path / "runs.sqlite3")
    server = serve(db)
    try:
        spec = "hidden=64:relu,32:relu&learning_rate=0.005&epochs=2&seed=4"
        page = open_page(chromium, f"{server.url}/train?{spec}", accept_downloads=True)
        assert "784 pixels → Dense(64, relu) → Dense(32, relu)" in page.locator("strong").first.inner_text()
        assert "learning_rate=0.005" in page.locator("strong").first.locator("..").inner_text()
        assert "hidden=64" in page.url and "seed=4" in page.url
        page.locator(".st-key-train button").first.click()
        page.get_by_text("Done: 2 epochs").wait_for(timeout=180_000)
        page.get_by_text("Share it, take it home").wait_for(timeout=30_000)
        no_exception(page)
        assert "hidden=64" in page.url and "learning_rate=0.005" in page.url  # still the spec after training
        link = page.locator("code", has_text="/runs?run=").first.inner_text().strip()
        finished = run_id_in(link)
        page.wait_for_function("() => /[?&]run=[0-9a-f]{12}/.test(location.search)", timeout=30_000)
        assert run_id_in(page.url) == finished  # the share link is this run
        page.screenshot(path=str(tmp_path / "trained.png"), full_page=True)
        with page.expect_download(timeout=60_000) as download:
            page.locator(".st-key-download_model button").first.click()
        path = tmp_path / "model.keras"
        download.value.save_as(path)
        import keras

        model = keras.saving.load_model(path, safe_mode=True)
        assert model.count_params() == 784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10
        close_page(page)

        page = open_page(chromium, f"{server.url}/train?{SLOW}&epochs=1000")
        page.locator(".st-key-train button").first.click()
        epoch_shown(page, at_least=3)
        page.wait_for_function("() => /[?&]run=[0-9a-f]{12}/.test(location.search)", timeout=30_000)
        cut_off = run_id_in(page.url)
        stored = open_store(db)  # its progress saved (every 3 s) with 3 epochs or more
        wait_until(lambda: (run := stored.get(cut_off)) is not None and run.epochs >= 3, 60, 0.2,
                   "a save of the run's third epoch")
        close_page(page)
    finally:
        server.stop()  # the server goes down in the middle of the 1000 epochs

    server = serve(db)  # a new server process on the same run store
    try:
        page = open_page(chromium, f"{server.url}/runs?run={cut_off}")
        page.get_by_text("Interrupted: the server stopped while this run was training").wait_for(timeout=30_000)
        page.locator(".st-key-run_loss_chart .js-plotly-plot").first.wait_for(timeout=90_000)
        text = page.locator("[data-testid=stMainBlockContainer]").inner_text()
        assert "interrupted" in text and "of 1000 epochs" in text
        done_epochs = int(re.search(r"(\d+) of 1000 epochs", text).group(1))
        assert done_epochs >= 3  # what it had recorded
        no_exception(page)
        page.screenshot(path="/tmp/issue17-runs-interrupted.png", full_page=True)
        close_page(page)

        page = open_page(chromium, f"{server.url}/runs?run={finished}")
        page.get_by_text(f"Run {finished}").first.wait_for(timeout=30_000)
        page.locator(".st-key-run_loss_chart .js-plotly-plot").first.wait_for(timeout=90_000)
        assert "2 of 2 epochs · **done**" not in page.locator("body").inner_text()  # rendered, not raw
        assert "2 of 2 epochs" in page.locator("body").inner_text()
        no_exception(page)
        close_page(page)

        # the Train page with the finished run's own address, after the restart: its results again
        page = open_page(chromium, f"{server.url}/train?{spec}&run={finished}")
        page.get_by_text(f"Run {finished} is not training on this server now").wait_for(timeout=30_000)
        page.locator(".st-key-run_loss_chart .js-plotly-plot").first.wait_for(timeout=90_000)
        assert "2 of 2 epochs" in page.locator("[data-testid=stMainBlockContainer]").inner_text()
        assert page.locator(".st-key-epochs input").input_value() == "2"
        no_exception(page)
        close_page(page)

        # a run id this store never had (another server's): a message, the page works
        page = open_page(chromium, f"{server.url}/runs?run=0123456789ab")
        page.get_by_text("There is no run 0123456789ab on this server").wait_for(timeout=30_000)
        no_exception(page)
        close_page(page)
    finally:
        server.stop()


def test_compared_runs_are_named_by_their_settings_and_a_diverging_one_is_clipped_or_logged(chromium, server,
                                                                                             tmp_path):
    """Issue 29: a run whose loss reaches 480,000 beside one below 1."""
    import time

    from nncore import ExperimentSpec
    from nncore.people import learner_for_token
    from nncore.runs import Run

    db = os.environ["NNCORE_RUNS_DB"]  # the shared server's store (conftest.py)
    page = open_page(chromium, f"{server.url}/runs")  # a first visit: the browser becomes a learner
    page.get_by_text("No runs yet").wait_for(timeout=30_000)
    # the learner's cookie is set by a component at the page's end, after its text is drawn
    token = wait_until(lambda: next((c["value"] for c in page.context.cookies() if c["name"] == "nnp_learner"),
                                    None), 30, 0.1, "the learner's cookie")
    store, base, now = open_store(db), ExperimentSpec(epochs=3), time.time()
    learner = learner_for_token(store, token).id  # the runs are this learner's: only theirs are listed
    store.save(Run("0d216ccf48ca", base.replace(hidden="64:linear", learning_rate=15.0), created=now - 10,
                   epochs=3, learner=learner,
                   history={"loss": (2.4e5, 3.1e5, 2.7e5), "val_loss": (2.6e5, 4e5, 4.8e5),
                            "accuracy": (0.69, 0.8, 0.89), "val_accuracy": (0.71, 0.81, 0.83)}))
    store.save(Run("73a0d09486d9", base.replace(learning_rate=0.01), created=now, epochs=3, learner=learner,
                   history={"loss": (0.8, 0.33, 0.1), "val_loss": (0.44, 0.36, 0.43),
                            "accuracy": (0.74, 0.9, 0.97), "val_accuracy": (0.87, 0.89, 0.9)}))
    page.reload()
    wait_for_app(page)
    chart = page.locator(".st-key-compare_loss .js-plotly-plot")
    chart.wait_for(timeout=60_000)
    legend = chart.locator(".legendtext").all_text_contents()
    assert legend[:2] == ["hidden=25:relu,15:relu, learning_rate=0.01", "hidden=64:linear, learning_rate=15"]
    assert "off the chart (up to 480,000)" in legend
    assert page.get_by_text("leaves the chart at the top").count() == 1
    ticks = chart.locator(".ytick text").all_text_contents()
    assert float(ticks[-1]) < 1  # the run below 1 fills the chart
    page.locator(".st-key-compare_log label").first.click()
    page.get_by_text("leaves the chart at the top").wait_for(state="detached", timeout=30_000)
    wait_for_app(page)
    page.wait_for_function("() => [...document.querySelectorAll('.st-key-compare_loss .ytick text')]"
                           ".some(t => t.textContent === '100,000')", timeout=30_000)
    assert chart.locator(".ytitle").text_content() == "loss (log scale)"
    no_exception(page)
    page.screenshot(path=str(tmp_path / "compare-log.png"), full_page=True)
    close_page(page)
