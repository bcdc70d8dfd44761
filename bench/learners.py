"""The learners of `python -m bench cluster measure` (bench/classroom.py): each a Chromium context
(its own cookies) on the Train page through the balancer, pressing Train and noting, in the page
itself, when its training is done."""

from __future__ import annotations

import re
import time

from nncore import ExperimentSpec

from .serve import wait_for_app

DEFAULT_EPOCHS = ExperimentSpec().epochs  # the Train page's default (the practice lab)
DONE = f"Done: {DEFAULT_EPOCHS} epochs"  # its end
# bench/sessions.py's CLICK_AND_WATCH, for a page that may still show an earlier training's "Done":
# the end counts once the address carries a run other than the one it had at the click (the page
# puts a new training's id there before its end; a busy page may draw no step in between).
TRAIN_AND_WATCH = """({at, done}) => {
  const state = window.__bench = {clickAt: null, doneAt: null, error: null};
  const run = () => new URLSearchParams(location.search).get('run');
  setTimeout(() => {
    const button = document.querySelector('.st-key-train button');
    if (!button) { state.error = 'no Train button'; return; }
    const before = run();
    button.click();
    state.clickAt = Date.now();
    const timer = setInterval(() => {
      const main = document.querySelector('[data-testid=stMainBlockContainer]');
      const box = document.querySelector('[data-testid=stException]');
      if (box) { state.error = 'exception: ' + box.textContent.slice(0, 300); clearInterval(timer); }
      else if (run() && run() !== before && main && main.textContent.includes(done)) {
        state.doneAt = Date.now(); clearInterval(timer);
      }
    }, 250);
  }, Math.max(0, at - Date.now()));
}"""
STATUS = (r"(Epoch \d+ of \d+|Getting ready[^·\n]{0,30}|Done: [^·\n]{0,30}|Waiting in line|it is \w+|Connecting|"
          r"Press \*?\*?Train)")
INTERRUPTED = "it is interrupted"  # the Train page on a run whose replica died
# notes, in the page itself, the moment its text first holds `text` (a DOM change that shows it) and
# whether it says INTERRUPTED then: read afterwards, so a busy bench polling many pages adds no delay
WATCH_FOR = """({text, interrupted}) => {
  const seen = window.__seen = {at: null, interrupted: null};
  const look = () => {
    const main = document.querySelector('[data-testid=stMainBlockContainer]');
    const shown = main ? main.textContent : '';
    if (shown.includes(text)) {
      seen.at = Date.now(); seen.interrupted = shown.includes(interrupted); observer.disconnect();
    }
  };
  const observer = new MutationObserver(look);
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


class Learner:
    def __init__(self, browser, url: str, cookie: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url, self.cookie = url, cookie
        self.done = DONE  # what the page says when its training ends

    def train_for(self, epochs: int) -> None:
        """The same page opened again with its network to train `epochs` epochs (the address says so)."""
        self.page.goto(f"{self.url}/train?epochs={epochs}", timeout=120_000)
        wait_for_app(self.page, 120_000)
        self.done = f"Done: {epochs} epochs"

    def open(self, timeout_ms: int = 120_000) -> None:
        self.page.goto(self.url, timeout=timeout_ms)
        wait_for_app(self.page, timeout_ms)

    def replica(self) -> str | None:
        return next((c["value"] for c in self.context.cookies() if c["name"] == self.cookie), None)

    def run_id(self) -> str | None:
        found = re.search(r"[?&]run=([0-9a-f]{12})", self.page.url)
        return found.group(1) if found else None

    def train(self, at: float | None = None) -> None:
        """Press Train at `at` (now: once the button is there and enabled)."""
        self.tries = 0
        self._press(at)

    def _press(self, at: float | None = None) -> None:
        self.before, self.clicked = self.run_id(), at or time.time()
        if at is None:
            try:
                self.page.wait_for_selector(".st-key-train button:not([disabled])", timeout=120_000)
            except Exception:  # noqa: BLE001 (Playwright's timeout: counted as this session's failure)
                self.page.evaluate("() => { window.__bench = {clickAt: Date.now(), doneAt: null, "
                                   "error: 'no enabled Train button within 120 s'}; }")
                return
        self.page.evaluate(TRAIN_AND_WATCH, {"at": (at or time.time()) * 1000, "done": self.done})

    def lost_click(self, after: float = 45.0) -> bool:
        """Pressed `after` seconds ago and no new run in the address: the click fell into a rerun
        on a busy page and started nothing (the store says so too). Pressed again, at most twice."""
        if time.time() - self.clicked < after or self.run_id() != self.before or self.tries >= 2:
            return False
        self.tries += 1
        self._press()
        return True

    def watch_for(self, text: str) -> None:
        """From now on, the page notes when it first shows `text` (see `seen`)."""
        self.page.evaluate(WATCH_FOR, {"text": text, "interrupted": INTERRUPTED})

    def seen(self) -> tuple[float, bool] | None:
        """When (epoch seconds, by the page's clock: this machine's) the page first showed the
        watched text, and whether it said INTERRUPTED then; None before."""
        try:
            seen = self.page.evaluate("() => window.__seen || {}")
        except Exception:  # noqa: BLE001 (a page mid-reconnect)
            return None
        return (seen["at"] / 1000, bool(seen["interrupted"])) if seen.get("at") else None

    def state(self) -> dict:
        try:
            return self.page.evaluate("() => window.__bench || {}")
        except Exception as e:  # noqa: BLE001 (a page mid-reconnect)
            return {"error": None, "doneAt": None, "js": str(e)[:200]}

    def text(self) -> str:
        try:
            return self.page.evaluate("() => document.querySelector('[data-testid=stMainBlockContainer]')"
                                      "?.innerText || ''")
        except Exception:  # noqa: BLE001
            return ""

    def status(self) -> str:
        """What the page says of its training now, in a few words, and the run of its address (and
        any dialog over it, such as Streamlit's "Connection error")."""
        shows = re.search(STATUS, self.text())
        try:
            dialog = self.page.evaluate("() => document.querySelector('[role=dialog]')?.innerText.slice(0, 200) || ''")
        except Exception:  # noqa: BLE001 (a page mid-reconnect)
            dialog = ""
        return (f"{shows.group(0) if shows else 'none of its statuses'} (run {self.run_id()})"
                + (f" under a dialog: {' '.join(dialog.split())}" if dialog else ""))

    def exception(self) -> str | None:
        try:
            return self.page.evaluate("() => document.querySelector('[data-testid=stException]')"
                                      "?.innerText.slice(0, 300) || null")
        except Exception:  # noqa: BLE001
            return None


def wait_all(learners: list[Learner], deadline: float, poll: float = 0.5) -> tuple[dict, dict]:
    """Until every learner's last Train is done or failed (or the deadline): waits and failures by index."""
    waits, failed = {}, {}
    while len(waits) + len(failed) < len(learners) and time.time() < deadline:
        time.sleep(poll)
        for i, learner in enumerate(learners):
            if i in waits or i in failed:
                continue
            s = learner.state()
            if not s.get("doneAt") and (s.get("error") == "no Train button" or not s.get("error")) \
                    and learner.lost_click(0 if s.get("error") else 45.0):
                continue
            if s.get("error"):
                failed[i] = s["error"]
            elif s.get("doneAt"):
                waits[i] = (s["doneAt"] - s["clickAt"]) / 1000
            elif learner.errors:
                failed[i] = "JavaScript error: " + learner.errors[0][:300]
    for i, learner in enumerate(learners):
        if i not in waits and i not in failed:
            failed[i] = f"not done in time (on {learner.replica()}; the page shows {learner.status()}; {learner.state()})"
    return waits, failed
