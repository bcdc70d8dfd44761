"""`python -m bench memory`: server memory per extra session, idle and after one training.

Method: the app's own script, run in this one process through Streamlit's AppTest, one AppTest per
session (each has its own session state, jobs and runs, as a browser session has on a server).
1. One session opens the Train page and trains the default network once (TensorFlow imported,
   the network traced, the data loaded: what any server has after its first user). RSS: base.
2. N-1 more sessions open the Train page, idle. RSS: idle. Per extra session: (idle - base) / (N-1).
3. Each of the N-1 trains once (the default preset, --epochs each, through the Train button,
   `--at-once` of them at a time, waiting for the queue as a class would), then reruns its page
   so it shows the finished training. RSS: trained. Per extra session: (trained - base) / (N-1).
RSS is read after a garbage collection. It counts what AppTest keeps of each page (the element
tree a browser would hold) too, so it errs on the high side; the real-browser load test
(`python -m bench sessions`) measures the server alone.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
from pathlib import Path

from .common import rss_mb

MAIN = str(Path(__file__).resolve().parent.parent / "app" / "main.py")


def _open():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(MAIN, default_timeout=300).run()


def _train(at, epochs: int) -> None:
    if at.number_input(key="epochs").value != epochs:
        at.number_input(key="epochs").set_value(epochs).run()
    at.button(key="train").click().run()


def _job(at):
    """The session's Train-page job (app/state/training.py keeps it), None before the first."""
    from app.state.slots import key_of
    from app.state.training import Training

    key = key_of(Training, "digits")
    return at.session_state[key].job if key in at.session_state else None


def _finished(at) -> bool:
    job = _job(at)
    return job is not None and job.snapshot().finished


def _rss() -> float:
    gc.collect()
    return rss_mb()


def measure(sessions: int = 20, epochs: int = 5, at_once: int = 20) -> dict:
    os.environ.setdefault("NNCORE_RUNS_DB", str(Path(tempfile.mkdtemp(prefix="bench-memory-")) / "runs.sqlite3"))
    t0 = time.perf_counter()
    first = _open()
    _train(first, epochs)
    while not _finished(first):
        time.sleep(0.1)
    first.run()
    time.sleep(1.0)
    base = _rss()
    others = [_open() for _ in range(sessions - 1)]
    idle = _rss()
    statuses = []
    for i in range(0, len(others), at_once):
        batch = others[i:i + at_once]
        for at in batch:
            _train(at, epochs)
        while not all(_finished(at) for at in batch):
            time.sleep(0.2)
        for at in batch:
            at.run()
            statuses.append(str(_job(at).snapshot().status))
    time.sleep(1.0)
    trained = _rss()
    extra = sessions - 1
    return {"sessions": sessions, "epochs": epochs, "at_once": at_once, "base_mb": round(base, 1),
            "idle_mb": round(idle, 1), "trained_mb": round(trained, 1),
            "idle_per_extra_session_mb": round((idle - base) / extra, 2),
            "trained_per_extra_session_mb": round((trained - base) / extra, 2),
            "statuses": sorted(set(statuses)), "seconds": round(time.perf_counter() - t0, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench memory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20, help="sessions in all (default 20)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs of each session's training (default 5)")
    parser.add_argument("--at-once", type=int, default=20, help="sessions that press Train together (default 20)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not 2 <= args.sessions <= 60:
        parser.error("--sessions must be between 2 and 60")
    r = measure(args.sessions, args.epochs, max(1, args.at_once))
    if args.json:
        print(json.dumps(r))
    else:
        print(f"server memory with {r['sessions']} sessions (AppTest, one process, {r['seconds']} s):")
        print(f"  one session, trained once (base)      {r['base_mb']:8.1f} MB")
        print(f"  + {r['sessions'] - 1} sessions open, idle           {r['idle_mb']:8.1f} MB"
              f"   {r['idle_per_extra_session_mb']:6.2f} MB per extra session")
        print(f"  + each trained once ({r['epochs']} epochs)        {r['trained_mb']:8.1f} MB"
              f"   {r['trained_per_extra_session_mb']:6.2f} MB per extra session")
        print(f"  trainings ended: {', '.join(r['statuses'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
