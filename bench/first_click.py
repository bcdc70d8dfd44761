"""`python -m bench first-click`: a newcomer's first Train, as a person meets it.

`streamlit run app/main.py` is started with a fresh, empty run store; the Train page is opened
in headless Chromium (a new browser profile: no cookie) as soon as the server answers its health
check; Train is pressed as soon as the button shows, and again twice after each Done line. Each
figure is the wall time from the click to "Done: N epochs" in the page. The server warms up in
the background as it always does (nothing here waits for it): the first click meets whatever the
warm-up is doing at that moment.

The goal (issue 30): the first click within 1.5x the third.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .serve import APP, CHROMIUM_FLAGS, NO_CHROMIUM, StreamlitServer, chromium_path, wait_for_app

MAIN = "[data-testid=stMainBlockContainer]"
SHOWS_DONE = f"() => document.querySelector('{MAIN}')?.innerText.includes('Done: ')"
TRAIN = ".st-key-train button"


@contextmanager
def pinned(cpus: set[int] | None):
    """This process on the cores `cpus` (None: as it is) while the block runs, so that what it starts
    then (a browser's driver, a cluster's processes) inherits them; put back afterwards."""
    everything = os.sched_getaffinity(0)
    if cpus:
        os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, everything)


def warm_up_lines(log: str) -> list[str]:
    """The lines a server's warm-up wrote to its log (NNCORE_WARM_UP_LOG)."""
    return [line.strip() for line in log.splitlines() if line.startswith("warm-up ")]


def clicks(browser, count: int = 3, env: dict[str, str | None] | None = None,
           cpus: set[int] | None = None, script: str = APP) -> dict[str, Any]:
    """One fresh server, one new browser context: `count` clicks of Train on the Train page's
    default preset. Returns the seconds of each (click to Done), what the page said while the
    first one waited, and when the first click happened (seconds after `streamlit run`)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "runs.db")
        with StreamlitServer(script, env={"NNCORE_RUNS_DB": store, "NNCORE_WARM_UP_LOG": "1", **(env or {})},
                             cpus=cpus) as server:
            server.wait_healthy(120, poll=0.02)
            healthy = time.perf_counter() - server.started
            result = click_page(browser, server.url, count, server.started)
            warm_up = warm_up_lines(server.output())
    return {**result, "healthy_s": round(healthy, 2), "warm_up": warm_up}


def click_page(browser, url: str, count: int, started: float) -> dict[str, Any]:
    """A new browser context (no cookie) opens `url` and presses Train `count` times, each as soon
    as it can; `started`: the perf_counter() the times after the start are counted from."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(url)
        button = page.locator(TRAIN).first
        button.wait_for(state="visible", timeout=120_000)
        times, said = [], []
        clicked_at = None
        for i in range(count):
            page.wait_for_function(f"() => !document.querySelector('{TRAIN}')?.disabled",
                                   timeout=120_000, polling=20)
            t = time.perf_counter()
            if clicked_at is None:
                clicked_at = t - started
            button.click()
            page.wait_for_function(f"() => !({SHOWS_DONE})()", timeout=60_000, polling=20)
            while not page.evaluate(SHOWS_DONE):
                if i == 0:
                    status = page.locator(f"{MAIN} [data-testid=stProgress], "
                                          f"{MAIN} [data-testid=stAlert]").all_inner_texts()
                    line = " | ".join(s.strip() for s in status if s.strip())[:160]
                    if line and (not said or said[-1][1] != line):
                        said.append((round(time.perf_counter() - t, 1), line))
                page.wait_for_timeout(50)
                if time.perf_counter() - t > 300:
                    raise RuntimeError("no Done line within 300 s")
            times.append(time.perf_counter() - t)
            wait_for_app(page, 120_000)
        cookies = {c["name"]: c["value"] for c in context.cookies()}
    finally:
        context.close()
    return {"click_s": [round(x, 2) for x in times], "first_click_at_s": round(clicked_at, 2),
            "first_done_at_s": round(clicked_at + times[0], 2), "first_click_said": said, "cookies": cookies}


def cluster_clicks(browser, replicas: int, count: int = 3, cpus: set[int] | None = None) -> list[dict[str, Any]]:
    """`python -m bench cluster up` with `replicas` replicas behind HAProxy and PostgreSQL; then one new
    browser context after another (no cookie: the balancer places it) presses Train `count` times at the
    balancer's address, once per replica: each replica's first page is its first visit, so its warm-up
    (TensorFlow's import, then the presets) begins with that page, as on a replica just started.
    A round begins when the replica of the round before has finished its warm-up: in a deployment the
    replicas run on machines of their own, here they share two cores. Times after the start are counted
    from the moment the page was asked for. `cpus`: the cluster (replicas, balancer, database) on these
    cores only."""
    from . import cluster
    from .serve import free_port

    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "cluster.json"
        with pinned(cpus):
            public = cluster.up(replicas, free_port(), state, env={"NNCORE_WARM_UP_LOG": "1"}, log=lambda *_: None)
        try:
            runs = []
            for _ in range(replicas):
                run = click_page(browser, public["url"], count, time.perf_counter())
                run["replica"] = run["cookies"].get(public["cookie"])
                log = Path(cluster.load(state)[1]["dir"]) / f"{run['replica']}.log"
                deadline = time.monotonic() + 300
                while time.monotonic() < deadline and not any(
                        line.endswith(" done") for line in warm_up_lines(log.read_text(errors="replace"))):
                    time.sleep(0.5)
                run["warm_up"] = warm_up_lines(log.read_text(errors="replace"))
                runs.append(run)
        finally:
            cluster.down(state, log=lambda *_: None)
    return runs


def measure(rounds: int = 1, count: int = 3, env: dict[str, str | None] | None = None,
            split: bool = False, script: str = APP, replicas: int = 0) -> dict[str, Any]:
    """`split`: the server on core 0 and Chromium on core 1, as when the learner's browser runs on
    their own machine (otherwise both share all the cores). `replicas`: instead of `rounds` single
    servers, a local cluster of that many replicas behind its balancer (cluster_clicks), each
    replica's first visit a round; with `split`, Chromium on core 1 and the cluster on core 0 (its
    replicas take turns there: each round waits for the warm-up of the replica before)."""
    from playwright.sync_api import sync_playwright

    if chromium_path() is None:
        return {"skipped": NO_CHROMIUM}
    runs = []
    split = split and len(os.sched_getaffinity(0)) >= 2
    with pinned({1} if split else None):  # Playwright's driver, and the Chromium it starts, inherit this
        p = sync_playwright().start()
    try:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            if replicas:
                runs = cluster_clicks(browser, replicas, count, cpus={0} if split else None)
            for _ in range(0 if replicas else rounds):
                runs.append(clicks(browser, count, env, cpus={0} if split else None, script=script))
        finally:
            browser.close()
    finally:
        p.stop()
    first = statistics.median(r["click_s"][0] for r in runs)
    second = statistics.median(r["click_s"][1] for r in runs) if count > 1 else None
    third = statistics.median(r["click_s"][2] for r in runs) if count > 2 else None
    rounds = len(runs)
    result = {"rounds": rounds, "split": split, "replicas": replicas, "first_s": round(first, 2), "second_s": second and round(second, 2),
              "third_s": third and round(third, 2),
              "first_done_at_s": round(statistics.median(r["first_done_at_s"] for r in runs), 2), "runs": runs}
    if third:
        result["first_over_third"] = round(first / third, 2)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench first-click", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1, help="fresh servers, one after another (default 1)")
    parser.add_argument("--split", action="store_true",
                        help="the server on core 0, Chromium on core 1 (a learner's browser runs on their machine)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--script", default=APP, help=f"what `streamlit run` runs (default {APP})")
    parser.add_argument("--cluster", type=int, default=0, metavar="N",
                        help="behind the local cluster's balancer (python -m bench cluster) with N replicas, "
                             "a round on each replica's first visit (instead of --rounds fresh servers)")
    args = parser.parse_args(argv)
    result = measure(args.rounds, split=args.split, script=args.script, replicas=args.cluster)
    if args.json:
        print(json.dumps(result))
        return 0
    if "skipped" in result:
        print(f"first click: skipped ({result['skipped']})")
        return 0
    if result["replicas"]:
        where = (f"{result['replicas']} replicas behind HAProxy with PostgreSQL, each replica's first visit; "
                 + ("Chromium on core 1, the cluster on core 0" if result["split"] else "all sharing the cores"))
        print(f"first click, click to Done (median of {result['rounds']} replicas, no cookie; {where}):")
    else:
        where = "server on core 0, Chromium on core 1" if result["split"] else "server and Chromium sharing the cores"
        print(f"first click, click to Done (median of {args.rounds} fresh server(s), fresh run store, no cookie; "
              f"{where}):")
    print(f"  first  {result['first_s']:6.2f} s")
    print(f"  second {result['second_s']:6.2f} s")
    print(f"  third  {result['third_s']:6.2f} s")
    print(f"  first / third = {result['first_over_third']:.2f}x   (goal: <= 1.5x)")
    if not result["replicas"]:
        print(f"  from `streamlit run` to the first Done: {result['first_done_at_s']:.2f} s (the newcomer's whole wait)")
    for r in result["runs"]:
        if "replica" in r:
            print(f"  {r['replica']}: first click {r['first_click_at_s']} s after the page was asked for;"
                  f" clicks {r['click_s']}")
        else:
            print(f"  server healthy after {r['healthy_s']} s, first click {r['first_click_at_s']} s after start;"
                  f" clicks {r['click_s']}")
        for at, line in r["first_click_said"]:
            print(f"    {at:5.1f} s after the click: {line}")
        for line in r.get("warm_up", []):
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
