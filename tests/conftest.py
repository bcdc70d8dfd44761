"""Shared test fixtures: small seeded digit sets, so real Keras trainings stay quick."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# The run store of every app the tests start (AppTest in this process, servers as children): a
# fresh temporary file, never the learner's own ~/.local/share/nn-playground/runs.sqlite3.
# The app opened in this process (AppTest) warms up no preset in the background (TensorFlow only):
# its traces would land in the pool that tests count (tests/test_pool.py), at moments of its choosing.
os.environ.setdefault("NNCORE_WARM_UP", "")
os.environ.setdefault("NNCORE_RUNS_DB", os.path.join(tempfile.mkdtemp(prefix="nn-runs-"), "runs.sqlite3"))

from nncore import ExperimentSpec  # noqa: E402
from nncore.data import Dataset, load_dataset  # noqa: E402


# The order of the test files is xdist's (pytest.ini's --dist loadfile: each file on one worker, the
# files with the most tests first). Handing out the longest files first was tried and dropped: it took
# 11:38 (1,291 CPU-seconds) in one run, against 9:38-11:46 in five runs of xdist's order on the same
# day (1,049-1,244 CPU-seconds): no gain shown. Its four longest files are Chromium ones, so two of
# them would run at once, each slowing the other's trainings.


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails: what each of its open pages showed (address, exception boxes,
    JavaScript errors, the end of its text) and the end of each running server's log, in the
    report, so that a failure on CI says what the page was doing."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    browser = item.funcargs.get("chromium")
    if browser is not None:
        for c, context in enumerate(browser.contexts):
            for p, page in enumerate(context.pages):
                report.sections.append((f"page {c}.{p} when the test failed", _page_state(page)))
    from bench.serve import StreamlitServer

    for server in StreamlitServer.live:
        report.sections.append((f"server {server.url} log (its end)", server.output()[-2500:]))


def _page_state(page) -> str:
    try:
        boxes = page.locator("[data-testid=stException]")
        exceptions = [boxes.nth(i).inner_text(timeout=2_000) for i in range(boxes.count())]
        main = page.locator("[data-testid=stMainBlockContainer]")
        text = (main.first if main.count() else page.locator("body")).inner_text(timeout=5_000)
        return "\n".join([f"url: {page.url}", f"exception boxes: {exceptions}",
                          f"JavaScript errors: {getattr(page, 'errors', [])}",
                          "the page's main part (its first and last lines):", text[:1200], "...", text[-1800:]])
    except Exception as e:  # a page closing or hung: say so rather than fail the report
        return f"url: {page.url}; could not read it: {e!r}"


@pytest.fixture(scope="session")
def digits() -> Dataset:
    """The real 5,000 offline digits, split 80/20 with seed 0."""
    return load_dataset(ExperimentSpec())


@pytest.fixture(scope="session")
def small_digits(digits: Dataset) -> Dataset:
    """800 training and 200 validation digits from the real set (balanced, seeded)."""
    rng = np.random.default_rng(0)
    tr = rng.choice(len(digits.x_train), 800, replace=False)
    va = rng.choice(len(digits.x_val), 200, replace=False)
    return Dataset("digits-5k", digits.x_train[tr], digits.y_train[tr], digits.x_val[va],
                   digits.y_val[va], digits.shape, digits.class_names)


# ---- run stores: SQLite and a real PostgreSQL ---------------------------------------------

@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL cluster for the whole run (helpers.Postgres); each test takes a
    database of its own with `postgres.new_database()`."""
    from helpers import start_postgres

    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path):
    """An empty database of each backend in turn (helpers.Database): a SQLite file, then a new
    database on the session's PostgreSQL."""
    from helpers import Database

    if request.param == "sqlite":
        yield Database("sqlite", str(tmp_path / "runs.sqlite3"))
        return
    database = Database("postgres", request.getfixturevalue("postgres").new_database())
    yield database
    database.close()


# ---- real-browser fixtures (one Streamlit server for the run, one Chromium per test module) ---

@pytest.fixture(scope="session")
def server():
    """`streamlit run app/main.py` on a free port, shared by the browser tests that need no server
    of their own (each opens its pages in a new browser context: a new session and learner; the
    trainings they start end or are stopped in the test); skips (or, in CI, fails) without Chromium."""
    from browser import NO_CHROMIUM, chromium_path, serve

    if chromium_path() is None:
        if os.environ.get("NNCORE_REQUIRE_BROWSER"):
            pytest.fail(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM)
    s = serve()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def chromium_profile(tmp_path_factory):
    """The folder of this worker's Chromium profile (its HTTP cache), kept from module to module."""
    return str(tmp_path_factory.mktemp("chromium-profile"))


@pytest.fixture(scope="module")
def chromium(chromium_profile):
    """Debian's Chromium, headless, driven by Playwright (for tests that start their own servers);
    skips (or, in CI, fails) without it. browser.open_page opens a new learner's page in it."""
    from playwright.sync_api import sync_playwright

    from browser import NO_CHROMIUM, SHARED, chromium_path, launch

    if chromium_path() is None:
        if os.environ.get("NNCORE_REQUIRE_BROWSER"):
            pytest.fail(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM)
    with sync_playwright() as p:
        b = launch(p, chromium_profile)
        yield b
        SHARED.pop(id(b)).close()


@pytest.fixture(scope="module")
def browser(server, chromium):
    """The module's Chromium, beside its Streamlit server."""
    return chromium
