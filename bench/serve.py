"""`streamlit run` on a free port, and the system's Chromium: for the benchmark and the tests.

This only starts the app as another process (stopped by its own process id) so `python -m bench`
can time it as a user meets it; the real-browser tests use it through tests/browser.py.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
NO_CHROMIUM = ("no Chromium found: install Debian's package (apt-get install -y chromium) or set "
               "CHROMIUM_PATH to a Chromium binary")


def chromium_path() -> str | None:
    """$CHROMIUM_PATH, or Debian's /usr/bin/chromium, or a chromium on PATH."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


APP = "app/main.py"  # the playground's script, as the README's start command runs it


class StreamlitServer:
    """`streamlit run SCRIPT` (run from the repository, so it reads .streamlit/config.toml).
    `StreamlitServer.live`: the servers this process started and has not stopped (a failed test
    prints their logs: tests/conftest.py)."""

    live: list["StreamlitServer"] = []

    def __init__(self, script: str | Path = APP, cpus: set[int] | None = None,
                 env: dict[str, str | None] | None = None):
        """`cpus`: run the server on these cores only (the benchmark keeps it off the browser's).
        `env`: the server's environment is this process's with these changes (None: unset)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile("w+", prefix=f"streamlit-{self.port}-", suffix=".log")
        self.started = time.perf_counter()
        environ = {**os.environ, **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            env={k: v for k, v in environ.items() if v is not None},
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
        StreamlitServer.live.append(self)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                return r.read().strip() == b"ok"
        except OSError:
            return False

    def wait_healthy(self, seconds: float = 60, poll: float = 0.2) -> None:
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.output()}")
            if self.healthy():
                return
            time.sleep(poll)
        raise RuntimeError(f"streamlit did not become healthy: {self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-4000:]

    def stop(self) -> None:
        if self in StreamlitServer.live:
            StreamlitServer.live.remove(self)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def __enter__(self) -> "StreamlitServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def app_page(path: str, viewport: dict | None = None):
    """The app started on a free port and its page `path` (e.g. "/draw") open in headless
    Chromium, drawn; the browser and the server are stopped afterwards."""
    from playwright.sync_api import sync_playwright

    with StreamlitServer() as server:
        server.wait_healthy()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            try:
                page = browser.new_page(viewport=viewport or {"width": 1400, "height": 1600})
                page.goto(server.url + path)
                wait_for_app(page)
                yield page
            finally:
                browser.close()


def set_number(page, key: str, value, attempts: int = 3) -> None:
    """Type `value` into the number input with that key and wait for the script's rerun. On a busy
    machine a rerun still being drawn can put the box's old value back between the typing and
    Enter, and Enter on an unchanged box causes no rerun: when no rerun has begun 20 s after Enter,
    the value is typed again (at most `attempts` times). A box that already shows `value` once the
    page is idle is left alone (a page still loading can show another value for a moment)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from app.streamlit_private import SCRIPT_RUN_JS

    box = page.locator(f".st-key-{key} input")
    for attempt in range(1, attempts + 1):
        wait_for_app(page)
        if box.input_value() == str(value):
            return
        before = page.evaluate(SCRIPT_RUN_JS)
        box.fill(str(value))
        try:
            after_rerun(page, lambda: box.press("Enter"), 60_000 if attempt == attempts else 20_000)
            return
        except PlaywrightTimeout:
            now = page.evaluate(SCRIPT_RUN_JS)
            if attempt == attempts:
                raise
            if before and now and now[0] != before[0]:  # a slow rerun: wait it out
                wait_run_ended(page, before[0])
                return


def after_rerun(page, action, timeout_ms: int = 60_000) -> None:
    """Do `action()` (a click, Enter in a box) and wait until the script run it causes has ended:
    a new run id, not running (on a busy machine a rerun can start a second or more after the click).
    The run's id is private to Streamlit's page: app/streamlit_private.py reads it (SCRIPT_RUN_JS)."""
    from app.streamlit_private import SCRIPT_RUN_JS

    wait_for_app(page, timeout_ms)
    before = page.evaluate(SCRIPT_RUN_JS)
    if before is None:
        raise RuntimeError("the page's script run id cannot be read: Streamlit's App component no longer "
                           "keeps scriptRunId and scriptRunState in its React state (app/streamlit_private.py "
                           "SCRIPT_RUN_JS)")
    action()
    wait_run_ended(page, before[0], timeout_ms)
    wait_for_app(page, timeout_ms)


# The page takes a new run's id a moment before it marks the run as running: sampled every 10 ms on a
# loaded machine, 2 of 6 reruns showed [new id, "notRunning"] for 20-50 ms, then "running" for 0.5 s
# (a test that read the page in that moment saw the run still going). A run has ended when its new id
# has been seen running and is now not, or (a run too short to be seen running) has stayed not
# running for 500 ms.
RUN_ENDED_JS = """(before) => {
  const run = (%s)(), w = window, now = performance.now();
  if (!run || run[0] === before) return false;
  if (run[1] !== 'notRunning') { w.__nnRan = run[0]; w.__nnIdle = null; return false; }
  if (w.__nnRan === run[0]) return true;
  if (!w.__nnIdle || w.__nnIdle[0] !== run[0]) w.__nnIdle = [run[0], now];
  return now - w.__nnIdle[1] >= 500;
}"""


def wait_run_ended(page, before: str, timeout_ms: int = 60_000) -> None:
    """Wait until a script run other than `before` (a run id from SCRIPT_RUN_JS) has ended."""
    from app.streamlit_private import SCRIPT_RUN_JS

    page.wait_for_function(RUN_ENDED_JS % SCRIPT_RUN_JS, arg=before, timeout=timeout_ms)


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until the script has run: the app is drawn and not running any more."""
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout_ms)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'"
        " && document.querySelector('[data-testid=stMainBlockContainer] h1')",
        timeout=timeout_ms)
