"""app/streamlit_private.py: the pieces of Streamlit's internals the app (and its browser tests) rely on. Each test
names the piece, so a Streamlit upgrade that moves one fails here, loudly, not somewhere in a page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def test_the_clean_up_after_each_run_can_be_switched_off():
    from streamlit.runtime.scriptrunner import script_runner

    from app.streamlit_private import keep_keras_between_runs

    assert callable(getattr(script_runner, "_clean_problem_modules", None)), \
        "script_runner._clean_problem_modules is gone: does Streamlit still clear Keras after each run?"
    before = script_runner._clean_problem_modules
    try:
        keep_keras_between_runs()
        assert script_runner._clean_problem_modules is not before
        assert script_runner._clean_problem_modules() is None
    finally:
        script_runner._clean_problem_modules = before


def _session_app() -> None:
    import streamlit as st

    from app.streamlit_private import browser_session, sessions_alive

    me = browser_session()
    alive = sessions_alive(lambda: (me,))
    st.write(f"session={me!s} alive={bool(alive())}")


def test_a_script_knows_its_browser_session_and_whether_it_is_connected():
    at = AppTest.from_function(_session_app, default_timeout=30).run()
    assert not at.exception, at.exception
    text = at.markdown[0].value
    assert text.startswith("session=") and "session=None" not in text, text
    assert "alive=True" in text  # AppTest's runtime says every session is active


def test_the_runtime_still_answers_is_active_session():
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    assert callable(getattr(Runtime, "is_active_session", None)), "Runtime.is_active_session is gone"
    assert get_script_run_ctx(suppress_warning=True) is None  # outside a script run: no session


@pytest.mark.browser
def test_the_page_still_tells_its_script_runs_apart(browser, server):
    """SCRIPT_RUN_JS, which the browser tests' after_rerun waits on (bench/serve.py): the page's latest
    script run, [id, state], a new id for each run."""
    from app.streamlit_private import SCRIPT_RUN_JS
    from browser import close_page, no_exception, open_page, set_number

    page = open_page(browser, server.url)
    try:
        first = page.evaluate(SCRIPT_RUN_JS)
        assert first is not None, ("Streamlit's App component no longer keeps scriptRunId and scriptRunState "
                                   "in its React state: SCRIPT_RUN_JS reads nothing")
        assert first[1] == "notRunning", first
        set_number(page, "epochs", 3)  # a rerun, waited for through SCRIPT_RUN_JS
        second = page.evaluate(SCRIPT_RUN_JS)
        assert second[0] != first[0] and second[1] == "notRunning", (first, second)
        no_exception(page)
    finally:
        close_page(page)
