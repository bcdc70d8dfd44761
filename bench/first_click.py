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
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from .serve import APP, CHROMIUM_FLAGS, NO_CHROMIUM, StreamlitServer, chromium_path, wait_for_app

MAIN = "[data-testid=stMainBlockContainer]"
SHOWS_DONE = f"() => document.querySelector('{MAIN}')?.innerText.includes('Done: ')"
TRAIN = ".st-key-train button"


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
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            try:
                page.goto(server.url)
                button = page.locator(TRAIN).first
                button.wait_for(state="visible", timeout=120_000)
                times, said = [], []
                clicked_at = None
                for i in range(count):
                    page.wait_for_function(f"() => !document.querySelector('{TRAIN}')?.disabled",
                                           timeout=120_000, polling=20)
                    t = time.perf_counter()
                    if clicked_at is None:
                        clicked_at = t - server.started
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
            finally:
                context.close()
            warm_up = [line.strip() for line in server.output().splitlines() if line.startswith("warm-up ")]
    return {"click_s": [round(x, 2) for x in times], "healthy_s": round(healthy, 2),
            "first_click_at_s": round(clicked_at, 2), "first_done_at_s": round(clicked_at + times[0], 2),
            "first_click_said": said, "warm_up": warm_up}


def measure(rounds: int = 1, count: int = 3, env: dict[str, str | None] | None = None,
            split: bool = False, script: str = APP) -> dict[str, Any]:
    """`split`: the server on core 0 and Chromium on core 1, as when the learner's browser runs on
    their own machine (otherwise both share all the cores)."""
    import os

    from playwright.sync_api import sync_playwright

    if chromium_path() is None:
        return {"skipped": NO_CHROMIUM}
    runs = []
    everything = os.sched_getaffinity(0)
    split = split and len(everything) >= 2
    if split:
        os.sched_setaffinity(0, {1})  # Playwright's driver, and the Chromium it starts, inherit this
    try:
        with sync_playwright() as p:
            if split:
                os.sched_setaffinity(0, everything)
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            try:
                for _ in range(rounds):
                    runs.append(clicks(browser, count, env, cpus={0} if split else None, script=script))
            finally:
                browser.close()
    finally:
        os.sched_setaffinity(0, everything)
    first = statistics.median(r["click_s"][0] for r in runs)
    second = statistics.median(r["click_s"][1] for r in runs) if count > 1 else None
    third = statistics.median(r["click_s"][2] for r in runs) if count > 2 else None
    result = {"rounds": rounds, "split": split, "first_s": round(first, 2), "second_s": second and round(second, 2),
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
    args = parser.parse_args(argv)
    result = measure(args.rounds, split=args.split, script=args.script)
    if args.json:
        print(json.dumps(result))
        return 0
    if "skipped" in result:
        print(f"first click: skipped ({result['skipped']})")
        return 0
    where = "server on core 0, Chromium on core 1" if result["split"] else "server and Chromium sharing the cores"
    print(f"first click, click to Done (median of {args.rounds} fresh server(s), fresh run store, no cookie; {where}):")
    print(f"  first  {result['first_s']:6.2f} s")
    print(f"  second {result['second_s']:6.2f} s")
    print(f"  third  {result['third_s']:6.2f} s")
    print(f"  first / third = {result['first_over_third']:.2f}x   (goal: <= 1.5x)")
    print(f"  from `streamlit run` to the first Done: {result['first_done_at_s']:.2f} s (the newcomer's whole wait)")
    for r in result["runs"]:
        print(f"  server healthy after {r['healthy_s']} s, first click {r['first_click_at_s']} s after start;"
              f" clicks {r['click_s']}")
        for at, line in r["first_click_said"]:
            print(f"    {at:5.1f} s after the click: {line}")
        for line in r["warm_up"]:
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
