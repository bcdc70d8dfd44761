"""Helpers for the AppTest tests: the app opened on a page, and waiting for a session's job."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

MAIN = str(Path(__file__).resolve().parent.parent / "app" / "main.py")
TIMEOUT = 120  # TensorFlow alone takes ~7 s to import


def open_app(view: str | None = None, timeout: float = TIMEOUT) -> AppTest:
    """The app run once, then switched to `view` (e.g. "views/draw.py") if given."""
    app = AppTest.from_file(MAIN, default_timeout=timeout).run()
    if view is not None:
        app.switch_page(view).run()
    assert not app.exception
    return app


def wait_until_finished(at: AppTest, key: str = "_job", seconds: float = 180):
    """Wait for the session's job under `key` to finish, rerun the page; its last snapshot."""
    job = at.session_state[key]
    deadline = time.time() + seconds
    while not job.snapshot().finished:
        if time.time() > deadline:
            raise AssertionError("training did not finish")
        time.sleep(0.3)
    at.run()
    return job.snapshot()


def wait_for_lesson(at: AppTest, name: str, seconds: float = 300) -> list:
    """Wait for the lesson `name`'s jobs (started beside the page) to finish, rerun the page;
    their last snapshots."""
    jobs = at.session_state[f"_lesson_{name}"]
    deadline = time.time() + seconds
    while not all(job.snapshot().finished for job in jobs):
        if time.time() > deadline:
            raise AssertionError(f"the lesson's training {name!r} did not finish")
        time.sleep(0.3)
    at.run()
    return [job.snapshot() for job in jobs]
