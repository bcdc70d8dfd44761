"""The things this app (and its tests and benchmark) need from Streamlit that Streamlit has no public
way to give.

Each reaches into Streamlit's internals here and nowhere else; tests/test_streamlit_private.py fails
loudly (naming the piece) when a Streamlit upgrade moves one of them.

- `browser_session()`: the id of the browser session running this script (a training waiting in
  the queue stays in line while one of the sessions that watch it is connected).
- `sessions_alive(ids)`: a check of whether any of those browser sessions is still connected.
- `keep_keras_between_runs()`: Streamlit calls keras.backend.clear_session() after every script
  run, which stalls a training running in another thread for many seconds; this app's models
  belong to training jobs, not to script runs, so the clean-up is switched off.
- `SCRIPT_RUN_JS`: run in the page, not here: the id and state of the page's latest script run, for
  the real-browser tests and the benchmark (bench/serve.py after_rerun) to wait for the rerun a click
  causes.
"""

from __future__ import annotations

from typing import Callable

from streamlit import runtime
from streamlit.runtime.scriptrunner import script_runner
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx


def browser_session() -> str | None:
    """This script run's browser session id; None outside a real server (AppTest, plain scripts)."""
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    return ctx.session_id


def sessions_alive(session_ids) -> Callable[[], bool]:
    """A check, callable from any thread, of whether any of the browser sessions `session_ids()`
    names is still connected to this server (the runtime is the one running now)."""
    rt = runtime.get_instance()
    return lambda: any(rt.is_active_session(s) for s in list(session_ids()))


def keep_keras_between_runs() -> None:
    """Switch off Streamlit's clear_session() after each script run (see the module's docstring)."""
    if not hasattr(script_runner, "_clean_problem_modules"):
        raise RuntimeError("streamlit.runtime.scriptrunner.script_runner._clean_problem_modules is gone: "
                           "check whether this Streamlit still clears Keras after each run")
    script_runner._clean_problem_modules = lambda: None


# The id and state of the page's latest script run, as the page knows them: a JavaScript function
# returning [id, state] (null when it cannot be read), read from the App component's React state.
# Its id changes with every run, even when the run is so short that the page never shows it running:
# the public signs (the stApp element's data-test-script-state, the status widget) stay "notRunning"
# when the run's start and end arrive together, as they do while the server is busy.
SCRIPT_RUN_JS = """() => {
  const el = document.querySelector('[data-testid=stApp]');
  const key = el && Object.keys(el).find(k => k.startsWith('__reactFiber$'));
  for (let f = key && el[key]; f; f = f.return) {
    const s = f.stateNode && f.stateNode.state;
    if (s && 'scriptRunId' in s && 'scriptRunState' in s) return [String(s.scriptRunId), s.scriptRunState];
  }
  return null;
}"""
