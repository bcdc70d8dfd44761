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


# A Chromium launched by tests/conftest.py keeps one context of its own with a profile on disk
# (`launch`): its HTTP cache and V8's compiled code keep Streamlit's ~10 MB of JavaScript between
# the pages a module opens, where a new context fetched and compiled it all again. Measured on the
# shared server: a page load cost the machine 3.7-3.9 CPU-seconds in a new context and 2.6-3.1 in the
# shared one (Chromium, the server and the driver together; 2.0-2.2 s against 1.4-1.7 s of wall time).
SHARED: dict[int, object] = {}  # id(Browser) -> its BrowserContext with the profile
VIEWPORT = {"width": 1400, "height": 1600}
FORGET = "() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }"


def launch(playwright, profile: str):
    """Debian's Chromium, headless, with its cached context on `profile` (a folder: reused by the
    modules of one pytest worker, one after another); returns the Browser."""
    context = playwright.chromium.launch_persistent_context(profile, executable_path=chromium_path(),
                                                            args=CHROMIUM_FLAGS, viewport=VIEWPORT)
    for page in context.pages:  # the blank tab a profile opens with
        page.close()
    context.clear_cookies()  # a module before left none, unless a test failed before close_page (its storage too)
    SHARED[id(context.browser)] = context
    return context.browser


def open_page(browser, url: str | None = None, height: int = 1600, **context_options):
    """A page of a new learner (no cookie, nothing in the browser's storage) that records the page's
    JavaScript errors in `page.errors`; opened at `url` (and waited for) when given. Close it with
    close_page(page).

    It opens in the browser's cached context when that is free and nothing but a viewport is asked
    for; otherwise (a second learner at the same time, a phone, a colour scheme) in a new context."""
    viewport = context_options.pop("viewport", {**VIEWPORT, "height": height})  # a phone's: pass viewport=
    shared = SHARED.get(id(browser))
    if shared is not None and not context_options and not shared.pages:
        shared.clear_cookies()
        page = shared.new_page()
        page.set_viewport_size(viewport)
    else:
        page = browser.new_context(viewport=viewport, **context_options).new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    if url is not None:
        page.goto(url)
        wait_for_app(page)
    return page


def close_page(page) -> None:
    """Close a page from open_page and every other page of its learner (tabs it opened): its own
    context, or in the cached context the pages, their cookies and their storage (the cache stays)."""
    context = page.context
    if context not in SHARED.values():
        context.close()
        return
    for p in list(context.pages):
        try:
            p.evaluate(FORGET)
        except Exception:  # a page that is closing, or that shows no page of ours
            pass
        p.close()
    context.clear_cookies()


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
