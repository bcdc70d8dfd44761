"""`python -m bench sessions --sessions N --epochs E [--json]`: a class at once, in real Chromium.

A load test anyone can run on one machine. It starts the app (`streamlit run app/main.py` on a
free port of 127.0.0.1, a fresh run store in a temporary folder), opens N pages in one headless
Chromium (a browser context each: N separate sessions, as N learners), sets each page's epochs
to E, then presses Train in all of them at the same moment (a timer in each page) and waits for
every page to say "Done: E epochs". Nothing leaves this machine; N is at most 40, and the whole test
has a time limit (--timeout, default 600 s), after which unfinished sessions count as failed.
The server is stopped by its process id at the end, whatever happened.

It prints finished and failed sessions, the slowest and median wait (from a page's click to
its "Done", both noted by the page itself every 250 ms), and the server's memory (RSS, read from /proc once it has been
steady for 3 s):
- one session open and idle (after the server's background warm-up),
- all N open and idle, and after each has trained once;
- per extra session: (all idle - one idle) / (N - 1), and (after training - one idle) / (N - 1).
Throughput: finished trainings per minute (N / the slowest wait), and per minute of one core of
the server's own CPU time during the trainings (its threads' user + system time from /proc).
Exit status 1 when any session failed, or the server logged a Traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

from .common import rss_mb
from .serve import CHROMIUM_FLAGS, NO_CHROMIUM, StreamlitServer, chromium_path, set_number, wait_for_app

MAX_SESSIONS = 40

# Runs in each page: click Train at `at` (ms since the epoch), then every 250 ms look for the
# "Done: E epochs" status or an exception box; the times land in window.__bench.
CLICK_AND_WATCH = """({at, done}) => {
  const state = window.__bench = {clickAt: null, doneAt: null, error: null};
  setTimeout(() => {
    const button = document.querySelector('.st-key-train button');
    if (!button) { state.error = 'no Train button'; return; }
    button.click();
    state.clickAt = Date.now();
    const timer = setInterval(() => {
      const main = document.querySelector('[data-testid=stMainBlockContainer]');
      const box = document.querySelector('[data-testid=stException]');
      if (box) { state.error = 'exception: ' + box.textContent.slice(0, 300); clearInterval(timer); }
      else if (main && main.textContent.includes(done)) { state.doneAt = Date.now(); clearInterval(timer); }
    }, 250);
  }, Math.max(0, at - Date.now()));
}"""
MAX_EPOCHS = 50


def steady_rss(pid: int, deadline: float, window: float = 3.0, tolerance_mb: float = 3.0) -> float:
    """The process's RSS once it has moved less than `tolerance_mb` over `window` seconds (or at
    the deadline, at most 60 s from now)."""
    stop = min(deadline, time.time() + 60)
    readings: list[tuple[float, float]] = []
    while True:
        now = time.time()
        readings.append((now, rss_mb(pid)))
        recent = [mb for t, mb in readings if t >= now - window]
        if readings[0][0] <= now - window and max(recent) - min(recent) <= tolerance_mb:
            return recent[-1]
        if now >= stop:
            return readings[-1][1]
        time.sleep(0.5)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process (all its threads) has used, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(sessions: int, epochs: int, timeout: float = 600.0, log=print) -> dict:
    from playwright.sync_api import sync_playwright

    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"--sessions must be 1 to {MAX_SESSIONS}, not {sessions}")
    if not 1 <= epochs <= MAX_EPOCHS:
        raise ValueError(f"--epochs must be 1 to {MAX_EPOCHS}, not {epochs}")
    if chromium_path() is None:
        raise RuntimeError(NO_CHROMIUM)
    started = time.time()
    deadline = started + timeout
    os.environ["NNCORE_RUNS_DB"] = os.path.join(tempfile.mkdtemp(prefix="bench-sessions-"), "runs.sqlite3")
    out: dict = {"sessions": sessions, "epochs": epochs, "cores": os.cpu_count(), "failures": []}
    server = StreamlitServer()
    try:
        server.wait_healthy(seconds=min(120, timeout))
        pid = server.proc.pid
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            pages = []
            try:
                for i in range(sessions):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.errors = []
                    page.on("pageerror", lambda e, page=page: page.errors.append(str(e)))
                    page.goto(server.url, timeout=max(1, deadline - time.time()) * 1000)
                    wait_for_app(page, timeout_ms=int(max(1, deadline - time.time()) * 1000))
                    set_number(page, "epochs", epochs)
                    pages.append(page)
                    if i == 0:
                        out["rss_one_idle_mb"] = round(steady_rss(pid, deadline), 1)
                        log(f"1 session open and idle: server RSS {out['rss_one_idle_mb']:.0f} MB")
                out["rss_all_idle_mb"] = round(steady_rss(pid, deadline), 1)
                log(f"{sessions} sessions open and idle: server RSS {out['rss_all_idle_mb']:.0f} MB")

                # Every page clicks Train itself at the same moment (a timer set in each page), and
                # notes when its "Done" appears: Playwright's own clicks, one page after another,
                # took over a minute for 20 busy pages, and polling would blur the waits.
                at = time.time() + 2.0 + 0.2 * sessions
                cpu_before = cpu_seconds(pid)
                for page in pages:
                    page.evaluate(CLICK_AND_WATCH, {"at": at * 1000, "done": f"Done: {epochs} epochs"})
                log(f"Train pressed in {sessions} sessions at once")
                waits: dict[int, float] = {}
                failed: dict[int, str] = {}
                while len(waits) + len(failed) < sessions and time.time() < deadline:
                    time.sleep(1.0)
                    for i, page in enumerate(pages):
                        if i in waits or i in failed:
                            continue
                        state = page.evaluate("() => window.__bench")
                        if state["error"]:
                            failed[i] = state["error"]
                        elif state["doneAt"]:
                            waits[i] = (state["doneAt"] - state["clickAt"]) / 1000
                        elif page.errors:
                            failed[i] = "JavaScript error: " + page.errors[0][:300]
                cpu_used = cpu_seconds(pid) - cpu_before
                if waits:
                    # throughput: trainings finished per minute of the whole test's training phase, and
                    # per minute of one core of the server's own CPU time (its threads all counted)
                    out["trainings_per_minute"] = round(len(waits) / (max(waits.values()) / 60), 1)
                    out["server_cpu_s"] = round(cpu_used, 1)
                    out["trainings_per_minute_per_core"] = round(len(waits) / (cpu_used / 60), 1) if cpu_used else None
                for i in range(sessions):
                    if i not in waits and i not in failed:
                        failed[i] = f"not done within the {timeout:.0f} s limit"
                out["finished"], out["failed"] = len(waits), len(failed)
                out["failures"] = [f"session {i + 1}: {text}" for i, text in sorted(failed.items())]
                values = sorted(waits.values())
                out["slowest_wait_s"] = round(values[-1], 1) if values else None
                out["median_wait_s"] = round(statistics.median(values), 1) if values else None
                out["waits_s"] = [round(w, 1) for w in values]
                out["rss_all_trained_mb"] = round(steady_rss(pid, deadline), 1)
                log(f"each trained once: server RSS {out['rss_all_trained_mb']:.0f} MB")
            finally:
                browser.close()
    finally:
        server_log = server.output()
        server.stop()
    out["server_tracebacks"] = server_log.count("Traceback")
    if out["server_tracebacks"]:
        out["failures"].append("the server logged a Traceback: " + server_log[server_log.index("Traceback"):][:600])
    extra = sessions - 1
    if extra:
        out["memory_per_session_mb"] = {
            "idle": round((out["rss_all_idle_mb"] - out["rss_one_idle_mb"]) / extra, 1),
            "trained": round((out["rss_all_trained_mb"] - out["rss_one_idle_mb"]) / extra, 1)}
    out["seconds"] = round(time.time() - started, 1)
    return out


def format_report(r: dict) -> str:
    lines = [f"bench sessions: {r['sessions']} Chromium sessions x {r['epochs']} epochs on {r['cores']} cores "
             f"(server and browser on the same machine), {r['seconds']:.0f} s",
             f"finished {r['finished']}, failed {r['failed']}",
             f"wait from click to Done: slowest {r['slowest_wait_s']} s, median {r['median_wait_s']} s",
             f"throughput: {r.get('trainings_per_minute')} trainings a minute; server CPU {r.get('server_cpu_s')} s, "
             f"{r.get('trainings_per_minute_per_core')} trainings a minute per core",
             f"server RSS: 1 session idle {r['rss_one_idle_mb']:.0f} MB, {r['sessions']} idle "
             f"{r['rss_all_idle_mb']:.0f} MB, each trained once {r['rss_all_trained_mb']:.0f} MB"]
    if "memory_per_session_mb" in r:
        m = r["memory_per_session_mb"]
        lines.append(f"memory per extra session: idle {m['idle']} MB, after one training {m['trained']} MB")
    lines += [f"FAILED {text}" for text in r["failures"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sessions", description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20, help=f"browser sessions, 1 to {MAX_SESSIONS} (default 20)")
    parser.add_argument("--epochs", type=int, default=5, help=f"epochs each trains, 1 to {MAX_EPOCHS} (default 5)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds for the whole test (default 600)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        result = measure(args.sessions, args.epochs, args.timeout,
                         log=(lambda *a: print(*a, file=sys.stderr)) if args.json else print)
    except (ValueError, RuntimeError) as e:
        print(f"bench sessions: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else format_report(result))
    return 0 if result["failed"] == 0 and not result["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
