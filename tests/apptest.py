"""Helpers for the AppTest tests: the app opened on a page, and waiting for a session's job."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

MAIN = str(Path(__file__).resolve().parent.parent / "app" / "main.py")
TIMEOUT = 120  # TensorFlow alone takes 2.5-4 s to import, more on a busy machine


def open_app(view: str | None = None, timeout: float = TIMEOUT) -> AppTest:
    """The app run once, then switched to `view` (e.g. "views/draw.py") if given."""
    app = AppTest.from_file(MAIN, default_timeout=timeout).run()
    if view is not None:
        app.switch_page(view).run()
    assert not app.exception
    return app


def training_of(at: AppTest, scope: str = "digits"):
    """The session's app.state.training.Training of a page scope ("digits", "points", "lesson_race")."""
    from app.state.slots import key_of
    from app.state.training import Training

    return at.session_state[key_of(Training, scope)]


def job_of(at: AppTest, scope: str = "digits"):
    """The session's current job of a page scope (None before its first training)."""
    from app.state.slots import key_of
    from app.state.training import Training

    key = key_of(Training, scope)
    return at.session_state[key].job if key in at.session_state else None


def wait_until_finished(at: AppTest, scope: str = "digits", seconds: float = 180):
    """Wait for the session's job of `scope` to finish, rerun the page; its last snapshot."""
    job = job_of(at, scope)
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
    jobs = training_of(at, f"lesson_{name}").group
    deadline = time.time() + seconds
    while not all(job.snapshot().finished for job in jobs):
        if time.time() > deadline:
            raise AssertionError(f"the lesson's training {name!r} did not finish")
        time.sleep(0.3)
    at.run()
    return [job.snapshot() for job in jobs]
