"""The app as a user meets it, for `python -m bench`: `streamlit run` watched in Chromium.

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

from .common import rss_mb, train_here
from .first_click import MAIN, SHOWS_DONE, clicks
from .serve import APP, CHROMIUM_FLAGS, NO_CHROMIUM, ROOT, StreamlitServer, chromium_path, set_number, wait_for_app

TITLE = "[data-testid=stMainBlockContainer] h1"
DONE = re.compile(r"Done: (\d+) epochs in ([\d.]+) s")


def first_paint(browser, script: str | Path, timeout: float = 120) -> float:
    """Seconds from `streamlit run` to the page's title drawn in Chromium."""
    with StreamlitServer(script) as server:
        server.wait_healthy(timeout, poll=0.02)
        page = browser.new_page()
        try:
            page.goto(server.url)
            page.wait_for_selector(TITLE, timeout=timeout * 1000)
            return time.perf_counter() - server.started
        finally:
            page.close()


def cold_start(browser, rounds: int = 3) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text('import streamlit as st\n\nst.title("Hello")\n')
        first_paint(browser, hello)  # the first start of anything reads files from disk cold
        app, one_line = [], []
        for _ in range(rounds):
            one_line.append(first_paint(browser, hello))
            app.append(first_paint(browser, APP))
    a, b = statistics.median(app), statistics.median(one_line)
    return {"rounds": rounds, "app_paint_s": a, "hello_paint_s": b, "cold_start_ratio": a / b,
            "app_paint_runs": app, "hello_paint_runs": one_line}


def page_training(browser, runs: list[int], cpus: set[int] | None = None,
                  rss: dict[str, float] | None = None) -> list[float]:
    """Train the Train page's default preset once for each number of epochs in `runs`, from
    the page; the seconds of each (from its Done line). `rss` gets the server's memory: with
    the page open and idle after the first training, and the most while the last trains."""
    seconds = []
    with StreamlitServer(cpus=cpus) as server:
        server.wait_healthy()
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server.url}/train")
        wait_for_app(page)
        for epochs in runs:
            set_number(page, "epochs", epochs)  # leaves the box alone when it already shows them
            if rss is not None and len(seconds) == 1:
                rss["server_idle_mb"] = rss_mb(server.proc.pid)
            page.locator(".st-key-train button").first.click()
            page.wait_for_function(f"() => !({SHOWS_DONE})()", timeout=60_000)
            while not page.evaluate(SHOWS_DONE):
                if rss is not None:
                    rss["server_training_mb"] = max(rss.get("server_training_mb", 0), rss_mb(server.proc.pid))
                page.wait_for_timeout(250)
            match = DONE.search(page.locator(MAIN).inner_text())
            seconds.append(float(match.group(2)))
            wait_for_app(page)
        page.close()
    return seconds


def headless_training(runs: list[int]) -> list[float]:
    """The same trainings in this process, without a page (after one that traces the network)."""
    from nncore.spec import ExperimentSpec

    spec = ExperimentSpec.from_preset("practice-lab")
    # rounded as the page shows it
    return [round(train_here(spec.replace(epochs=epochs)).seconds, 1) for epochs in [1, *runs]][1:]


def split_cores(long: int) -> dict[str, Any]:
    """The live page's cost to the server alone: the server on core 0 and Chromium on core 1,
    against the same training headless on core 0 (a learner's browser runs on their machine)."""
    import json
    import os
    import subprocess
    import sys

    from playwright.sync_api import sync_playwright

    code = ("import json; from bench.app import headless_training; "
            f"print(json.dumps(headless_training([{long}])))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          preexec_fn=lambda: os.sched_setaffinity(0, {0}))
    headless = json.loads(done.stdout.strip().splitlines()[-1])[0]
    everything = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {1})  # Playwright's driver, and the Chromium it starts, inherit this
    try:
        with sync_playwright() as p:
            os.sched_setaffinity(0, everything)
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            try:
                page = page_training(browser, [SHORT, long], cpus={0})[-1]
            finally:
                browser.close()
    finally:
        os.sched_setaffinity(0, everything)
    return {"split_epochs": long, "split_page_s": page, "split_headless_s": headless,
            "split_ratio": page / headless}


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


SHORT, LONG = 40, 300  # the preset's epochs (~1.5 s here), and a training long enough to watch


def _measure(sync_playwright) -> dict[str, Any]:
    # the first page training may wait for the server's warm-up: it is run but not counted
    runs = [SHORT, SHORT, SHORT, LONG, LONG]
    headless = headless_training(runs[1:])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            result = cold_start(browser)
            first = clicks(browser)  # python -m bench first-click: a newcomer's first three Trains
            result.update(first_click_s=first["click_s"][0], third_click_s=first["click_s"][2],
                          first_click_ratio=first["click_s"][0] / first["click_s"][2], clicks=first["click_s"])
            rss: dict[str, float] = {}
            page = page_training(browser, runs, rss=rss)[1:]
            result.update(rss)
        finally:
            browser.close()
    pairs = list(zip(runs[1:], page, headless))

    def med(epochs: int, i: int) -> float:
        return statistics.median(p[i] for p in pairs if p[0] == epochs)

    result.update({"runs": pairs, "short_epochs": SHORT, "long_epochs": LONG,
                   "page_s": med(SHORT, 1), "headless_s": med(SHORT, 2),
                   "long_page_s": med(LONG, 1), "long_headless_s": med(LONG, 2)})
    result["page_ratio"] = result["page_s"] / result["headless_s"]
    result["long_page_ratio"] = result["long_page_s"] / result["long_headless_s"]
    import os

    if len(os.sched_getaffinity(0)) >= 2:
        result.update(split_cores(LONG))
    return result
