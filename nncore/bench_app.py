"""The app as a user meets it, for `python -m nncore bench`: `streamlit run` watched in Chromium.

- Cold start: from starting `streamlit run` to the first page's title painted in Chromium,
  for the playground and for a one-line app (`st.title("Hello")`), taking turns.
- Page open: the default preset trained from the Train page (its live charts redrawing twice
  a second in the browser) against the same training headless in this process.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from .serve import CHROMIUM_FLAGS, NO_CHROMIUM, StreamlitServer, chromium_path, wait_for_app

TITLE = "[data-testid=stMainBlockContainer] h1"
DONE = re.compile(r"Done: (\d+) epochs in ([\d.]+) s")


def first_paint(browser, script: str | Path, timeout: float = 120) -> float:
    """Seconds from `streamlit run` to the page's title drawn in Chromium."""
    with StreamlitServer(script) as server:
        deadline = time.time() + timeout
        while not server.healthy():
            if server.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not start: {server.output()}")
            time.sleep(0.02)
        page = browser.new_page()
        try:
            page.goto(server.url)
            page.wait_for_selector(TITLE, timeout=timeout * 1000)
            return time.perf_counter() - server.started
        finally:
            page.close()


def cold_start(browser, rounds: int = 2) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text('import streamlit as st\n\nst.title("Hello")\n')
        first_paint(browser, hello)  # the first start of anything reads files from disk cold
        app, one_line = [], []
        for _ in range(rounds):
            one_line.append(first_paint(browser, hello))
            app.append(first_paint(browser, "app/main.py"))
    a, b = statistics.median(app), statistics.median(one_line)
    return {"rounds": rounds, "app_paint_s": a, "hello_paint_s": b, "cold_start_ratio": a / b,
            "app_paint_runs": app, "hello_paint_runs": one_line}


def _status(page) -> str:
    return page.locator("[data-testid=stMainBlockContainer]").inner_text()


def page_training(browser, trainings: int = 3) -> list[float]:
    """Train the Train page's default preset `trainings` times; seconds of each (its Done line)."""
    seconds = []
    with StreamlitServer() as server:
        server.wait_healthy()
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server.url}/train")
        wait_for_app(page)
        for _ in range(trainings):
            page.locator(".st-key-train button").first.click()
            page.wait_for_function("() => !document.querySelector('[data-testid=stMainBlockContainer]')"
                                   ".innerText.includes('Done: ')", timeout=60_000)
            page.wait_for_function("() => document.querySelector('[data-testid=stMainBlockContainer]')"
                                   ".innerText.includes('Done: ')", timeout=300_000)
            match = DONE.search(_status(page))
            seconds.append(float(match.group(2)))
            wait_for_app(page)
        page.close()
    return seconds


def headless_training(trainings: int = 3) -> list[float]:
    from .spec import ExperimentSpec
    from .train import TrainingJob

    spec = ExperimentSpec.from_preset("practice-lab")
    seconds = []
    for _ in range(trainings + 1):
        job = TrainingJob(spec)
        job.run()
        job.release()
        seconds.append(round(job.seconds, 1))  # as the page shows it
    return seconds[1:]  # the first traced the network; the page's server pre-traces it


def app_figures() -> dict[str, Any]:
    if chromium_path() is None:
        return {"skipped": NO_CHROMIUM}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "Playwright is not installed (pip install playwright)"}

    try:
        return _measure(sync_playwright)
    except Exception as e:  # the rest of the report stands; say what went wrong here
        return {"skipped": f"failed: {type(e).__name__}: {str(e).splitlines()[0][:200]}"}


def _measure(sync_playwright) -> dict[str, Any]:
    from .spec import ExperimentSpec

    headless = headless_training()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            result = cold_start(browser)
            page = page_training(browser)
        finally:
            browser.close()
    # the first page training may have waited for the server's own warm-up; the rest are like for like
    page_s, headless_s = statistics.median(page[1:]), statistics.median(headless)
    result.update({"epochs": ExperimentSpec.from_preset("practice-lab").epochs, "page_runs": page,
                   "headless_runs": headless, "page_s": page_s, "headless_s": headless_s,
                   "page_ratio": page_s / headless_s})
    return result
