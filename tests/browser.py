"""Helpers for real-browser tests; the server and Chromium parts live in bench.serve (the
benchmark uses them too)."""

from __future__ import annotations

import re

from bench.serve import (CHROMIUM_FLAGS, NO_CHROMIUM, ROOT, StreamlitServer, after_rerun,  # noqa: F401
                         chromium_path, free_port, set_number, wait_for_app)

# A training that is still going on when a test looks, reloads and stops it: ~0.2 s an epoch, for
# 1,000 epochs (a small network: a big one took both cores from the browser and the server)
SLOW = "hidden=32:relu&batch_size=8"


def run_id_in(url: str) -> str:
    """The run id in a page's address (`?run=` or `&run=`); fails the test when there is none."""
    match = re.search(r"[?&]run=([0-9a-f]{12})", url)
    assert match, url
    return match.group(1)

# Points in the traces of the Plotly chart inside the element with key `key`. NumPy arrays
# reach Plotly.js as typed arrays in base64 ({dtype, bdata}); plain lists as arrays. Count either.
PLOTLY_POINTS = """(key) => {
  const el = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  const size = {f8: 8, f4: 4, i8: 8, i4: 4, i2: 2, i1: 1, u8: 8, u4: 4, u2: 2, u1: 1};
  const count = (x) => !x ? 0 : Array.isArray(x) ? x.length
      : x.bdata !== undefined ? atob(x.bdata).length / size[x.dtype] : (x.length || 0);
  return el && el.data ? el.data.reduce((n, t) => n + count(t.x), 0) : 0;
}"""


def serve(store: str | None = None, **env: str | None) -> StreamlitServer:
    """`streamlit run app/main.py` on a free port, healthy; `store`: its run store (a SQLite file or
    a postgresql:// URL) instead of the tests' own; `env`: other changes to its environment (None
    unsets). Stop it with .stop().

    It warms up no preset (NNCORE_WARM_UP=""; pass NNCORE_WARM_UP=... for some): a test's server
    lives for a minute or two, and building and tracing nine presets in the background took both
    cores from the test; it imports TensorFlow at its first page, as every server does."""
    from helpers import store_env

    server = StreamlitServer(env={"NNCORE_WARM_UP": "", **store_env(store), **env})
    try:
        server.wait_healthy()
    except BaseException:
        server.stop()
        raise
    return server


def open_page(browser, url: str | None = None, height: int = 1600, **context_options):
    """A page in a new browser context that records the page's JavaScript errors in
    `page.errors`; opened at `url` (and waited for) when given. Close it with page.context.close()."""
    context_options.setdefault("viewport", {"width": 1400, "height": height})  # a phone's: pass viewport=
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    if url is not None:
        page.goto(url)
        wait_for_app(page)
    return page


def wait_drawn(page, timeout_ms: int = 60_000) -> None:
    """Wait until the script has run and the browser has drawn what it sent: every Plotly chart
    has its SVG and no element is a loading skeleton any more."""
    wait_for_app(page, timeout_ms)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'"
        " && [...document.querySelectorAll('[data-testid=stPlotlyChart]')].every(c => c.querySelector('.main-svg'))"
        " && !document.querySelector('[data-testid=stSkeleton]')", timeout=timeout_ms)


def no_exception(page) -> None:
    """No Streamlit exception box in the page and no JavaScript error."""
    boxes = page.locator("[data-testid=stException]")
    assert boxes.count() == 0, boxes.first.inner_text()
    assert page.errors == []
