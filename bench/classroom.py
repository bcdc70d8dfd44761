"""`python -m bench cluster measure --sessions N [--replicas 3] [--json]`: a class on the local
cluster (bench/cluster.py: PostgreSQL, N replicas, HAProxy), in real headless Chromium.

Each session is a browser context (its own cookies: a learner) that opens the Train page through
the balancer and trains the default preset (practice-lab, 40 epochs). Three acts, on one cluster:

1. The class: every session presses Train at the same moment (a timer in each page, as
   `bench sessions` does). Finished and failed sessions, the share of sessions per replica (the
   balancer's cookie names it), the slowest and median wait from click to "Done", trainings per
   minute per core of the replicas' own CPU time (all replicas' user + system time, from /proc),
   and each replica's memory (RSS) idle and after.
2. A replica lost: every session presses Train again (the victim's sessions a 400-epoch training,
   so that it is still going on); once the victim's sessions train, the victim (the replica with
   the most sessions) is killed with SIGKILL. Its sessions' pages must show their training as
   interrupted on a live replica by themselves (the reconnect time: from the kill to the moment the
   page's own text first shows it, noted in the page), with the balancer's cookie now naming that
   replica, and Train again to the end; the other sessions' trainings must finish. The replica is
   started again and new browsers must reach it (and train there).
3. The database lost: every session presses Train; PostgreSQL is stopped (fast: connections cut)
   for --db-down seconds while they train, then started again. No page may show an exception;
   every run must be in the store, finished, once the saves have been retried.

Then the store is counted: runs per status, none left "running" (after the stale rule's 15 s and a
sweep), every run a page finished stored as done once, none of those saved before the outage lost.
Exit status 1 when any check failed. Everything started is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import time

from .cluster import down, restart, up
from .postgres import Postgres
from .learners import DEFAULT_EPOCHS, Learner, wait_all
from .serve import CHROMIUM_FLAGS, NO_CHROMIUM, chromium_path, free_port
from .common import rss_mb
from .sessions import cpu_seconds

LONGER = 400  # epochs of the victim's sessions' trainings in act two
BACK = "is not training on this server now"  # a page back on a live replica, on the run of its address


def rows_of(url: str, server_pid: int) -> list[tuple]:
    """The store's rows written by the server process `server_pid` (its `server` field holds
    host:pid:token)."""
    return [r for r in store_rows(url) if f":{server_pid}:" in r[4]]


def running_on(url: str, server_pid: int) -> list[tuple]:
    """The store's rows left "running" by the server process `server_pid`."""
    return [r for r in rows_of(url, server_pid) if r[1] == "running"]


def store_rows(url: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as con:
        return con.execute("SELECT id, status, created, updated, server FROM runs").fetchall()


def steady_all(pids: dict[str, int], deadline: float) -> dict[str, float]:
    """Each replica's RSS once all have moved less than 3 MB over 3 s (at most 60 s from now)."""
    stop, readings = min(deadline, time.time() + 60), []
    while True:
        now = time.time()
        readings.append((now, {name: rss_mb(pid) for name, pid in pids.items()}))
        recent = [mb for t, mb in readings if t >= now - 3]
        if readings[0][0] <= now - 3 and all(max(r[n] for r in recent) - min(r[n] for r in recent) <= 3
                                               for n in pids):
            break
        if now >= stop:
            break
        time.sleep(0.5)
    return {name: round(mb, 1) for name, mb in readings[-1][1].items()}


def measure(sessions: int, replicas: int = 3, db_down: float = 10.0, timeout: float = 900.0, log=print) -> dict:
    from playwright.sync_api import sync_playwright

    if chromium_path() is None:
        raise RuntimeError(NO_CHROMIUM)
    if not 1 <= sessions <= 40:
        raise ValueError(f"--sessions must be 1 to 40, not {sessions}")
    started = time.time()
    deadline = started + timeout
    state = os.path.join(tempfile.mkdtemp(prefix="bench-class-"), "cluster.json")
    public = up(replicas, free_port(), state, log=log)
    out: dict = {"sessions": sessions, "replicas": replicas, "cores": os.cpu_count(), "checks": {}, "failures": []}
    checks, failures = out["checks"], out["failures"]
    pids = {r["name"]: r["pid"] for r in public["replicas"]}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            try:
                out.update(act_one(browser, public, pids, sessions, deadline, log))
                learners = out.pop("_learners")
                out.update(act_two(browser, public, state, pids, learners, deadline, log))
                out.update(act_three(public, state, learners, db_down, deadline, log))
            finally:
                browser.close()
        out.update(count_store(public, out, log))
    finally:
        logs = []
        try:
            from .cluster import load

            folder = load(state)[1]["dir"]
            for name in pids:
                with open(os.path.join(folder, f"{name}.log"), errors="replace") as f:
                    logs.append(f.read())
        except (OSError, ValueError):
            pass
        down(state, log=log)
    out["tracebacks"] = sum(text.count("Traceback") for text in logs)
    if out["tracebacks"]:
        text = next(t for t in logs if "Traceback" in t)
        failures.append("a replica logged a Traceback: " + text[text.index("Traceback"):][:600])
    for name, ok in checks.items():
        if not ok:
            failures.append(f"check failed: {name}")
    out["seconds"] = round(time.time() - started, 1)
    return out


def act_one(browser, public, pids, sessions, deadline, log) -> dict:
    learners = [Learner(browser, public["url"], public["cookie"]) for _ in range(sessions)]
    for learner in learners:
        learner.open()
    share: dict[str, int] = {name: 0 for name in pids}
    for learner in learners:
        share[learner.replica() or "none"] = share.get(learner.replica() or "none", 0) + 1
    log(f"{sessions} sessions open: per replica {share}")
    rss_idle = steady_all(pids, deadline)
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    at = time.time() + 2.0 + 0.2 * sessions
    for learner in learners:
        learner.train(at)
    log(f"Train pressed in {sessions} sessions at once")
    waits, failed = wait_all(learners, min(deadline, time.time() + 300))
    cpu = sum(cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items())
    rss_after = steady_all(pids, deadline)
    values = sorted(waits.values())
    log(f"class: finished {len(waits)}, failed {len(failed)}, slowest {values[-1] if values else None} s")
    return {"_learners": learners, "class": {
        "finished": len(waits), "failed": len(failed),
        "failures": [f"session {i + 1}: {t}" for i, t in sorted(failed.items())],
        "sessions_per_replica": share,
        "slowest_wait_s": round(values[-1], 1) if values else None,
        "median_wait_s": round(statistics.median(values), 1) if values else None,
        "replicas_cpu_s": round(cpu, 1),
        "trainings_per_minute_per_core": round(len(waits) / (cpu / 60), 1) if cpu else None,
        "trainings_per_minute": round(len(waits) / (values[-1] / 60), 1) if values else None,
        "rss_idle_mb": rss_idle, "rss_after_mb": rss_after}}


def act_two(browser, public, state, pids, learners, deadline, log) -> dict:
    share: dict[str, list[int]] = {}
    for i, learner in enumerate(learners):
        share.setdefault(learner.replica(), []).append(i)
    victim = max(pids, key=lambda name: len(share.get(name, [])))
    mine = share.get(victim, [])
    for i in mine:  # a default preset's training ends in 2-5 s on a quiet replica: the victim's train
        learners[i].train_for(LONGER)  # longer, so that the kill finds them training
    clicked = time.time()
    for learner in learners:
        learner.train()
    # kill it once its trainings run (the store has them "running", from that process: as many as
    # its two training slots take, or one for 5 s) and one of them has saved its progress (every
    # 3 s), so there is something recorded
    until, seen, rows = time.time() + 120, None, []
    while time.time() < until:
        rows = running_on(public["database_url"], pids[victim])
        seen = seen or (time.time() if rows else None)
        if rows and (len(rows) >= min(len(mine), 2) or time.time() - seen > 5.0) \
                and (any(r[3] - r[2] > 2.5 for r in rows) or time.time() - seen > 3.0):
            break
        time.sleep(0.1)
    showed = "; ".join(learners[i].status() for i in mine)
    for i in mine:
        learners[i].watch_for(BACK)
    os.kill(pids[victim], signal.SIGKILL)
    killed = time.time()
    # what it left "running" once dead (read before the kill, a run that started meanwhile was missed)
    cut_runs = {r[0] for r in running_on(public["database_url"], pids[victim])}
    log(f"{victim} killed (SIGKILL) while {len(cut_runs)} of its {len(mine)} sessions' trainings ran "
        f"({', '.join(sorted(cut_runs))}); its pages showed just before: {showed}")
    # each of its pages must come back by itself: a new session on a live replica runs the page,
    # which shows the run of its address as "not training on this server now" (interrupted if cut)
    reconnect, moved_to, shown = {}, {}, {}
    while len(reconnect) < len(mine) and time.time() < min(deadline, killed + 90):
        for i in mine:
            seen = learners[i].seen() if i not in reconnect else None
            if seen is not None:
                reconnect[i] = round(seen[0] - killed, 1)
                moved_to[i] = learners[i].replica()
                shown[i] = (learners[i].run_id(), seen[1])
        time.sleep(0.2)
    log(f"its sessions came back after {sorted(reconnect.values())} s, on {moved_to}")
    for i in set(mine) - set(reconnect):
        shot = os.path.join(os.path.dirname(state), f"session-{i + 1}-not-back.png")
        learners[i].page.screenshot(path=shot, full_page=True)
        log(f"session {i + 1} not back: its page shows {learners[i].status()} ({shot})")
    others = [learners[i] for i in range(len(learners)) if i not in mine]
    other_waits, other_failed = wait_all(others, min(deadline, time.time() + 300))
    again = [learners[i] for i in mine if i in reconnect]
    for learner in again:
        learner.train()
    again_waits, again_failed = wait_all(again, min(deadline, time.time() + 300))
    for i in mine:  # the default preset again, for the acts after this one
        learners[i].train_for(DEFAULT_EPOCHS)
    log(f"the others: {len(other_waits)} finished, {len(other_failed)} failed; "
        f"the victim's sessions trained again: {len(again_waits)} finished")
    victim_runs = [r for r in rows_of(public["database_url"], pids[victim]) if r[2] >= clicked - 1]
    log("the victim's runs since the click, as stored now: "
        + ", ".join(f"{r[0]} {r[1]}{' (cut)' if r[0] in cut_runs else ''}" for r in victim_runs))
    restarted_at = time.time()
    restart(victim, state, log=log)
    restart_s = round(time.time() - restarted_at, 1)
    newcomers = [Learner(browser, public["url"], public["cookie"]) for _ in public["replicas"]]
    for learner in newcomers:
        learner.open()
    landed = [learner.replica() for learner in newcomers]
    back = [learner for learner in newcomers if learner.replica() == victim]
    for learner in back:
        learner.train()
    back_waits, back_failed = wait_all(back, min(deadline, time.time() + 300))
    for learner in newcomers:
        learner.context.close()
    reconnected = len(reconnect) == len(mine)
    return {"kill": {
        "victim": victim, "victim_sessions": len(mine), "victim_trainings_cut": len(cut_runs),
        "victim_trainings_done_before_kill": sum(r[1] == "done" for r in victim_runs),
        "pages_showing_cut_run_interrupted": sum(1 for run, flag in shown.values() if run in cut_runs and flag),
        "pages_showing_cut_run": sum(1 for run, _ in shown.values() if run in cut_runs),
        "reconnect_s": sorted(reconnect.values()), "moved_to": sorted(set(moved_to.values()) - {None}),
        "others_finished": len(other_waits), "others_failed": len(other_failed),
        "victims_trained_again": len(again_waits), "victims_failed_again": len(again_failed),
        "restart_s": restart_s, "newcomers_on": landed, "newcomer_on_restarted_finished": len(back_waits),
        "failures": [f"other session: {t}" for t in other_failed.values()]
        + [f"victim's session again: {t}" for t in again_failed.values()]
        + [f"newcomer on {victim}: {t}" for t in back_failed.values()]},
        "_checks_two": {
            "the killed replica's pages came back by themselves within 15 s": reconnected and bool(mine)
            and max(reconnect.values()) <= 15,
            "those showing a cut training show it interrupted": all(flag for run, flag in shown.values()
                                                                    if run in cut_runs),
            "they moved to a live replica": victim not in moved_to.values() and None not in moved_to.values(),
            "Train works again there": len(again_waits) == len(mine),
            "the other replicas' trainings finished": not other_failed,
            "the restarted replica takes new sessions": bool(back) and len(back_waits) == len(back)}}


def act_three(public, state, learners, db_down, deadline, log) -> dict:
    from .cluster import load

    pg = Postgres.attach(load(state)[1]["postgres"])
    saved_before = {row[0]: row[1] for row in store_rows(public["database_url"]) if row[1] != "running"}
    for learner in learners:
        learner.train()
    until = time.time() + 60  # stopped once half of the trainings have begun (saved "running")
    while time.time() < until and sum(r[1] == "running" for r in store_rows(public["database_url"])) \
            < max(1, len(learners) // 2):
        time.sleep(0.2)
    pg.pause()
    paused = time.time()
    log(f"PostgreSQL stopped while {len(learners)} sessions train")
    seen_notice, exceptions = None, []
    while time.time() < paused + db_down:
        for learner in learners:
            box = learner.exception()
            if box:
                exceptions.append(box)
        if seen_notice is None:
            for learner in learners:
                try:
                    text = learner.page.evaluate("() => document.body.innerText")
                except Exception:  # noqa: BLE001 (a page mid-rerun)
                    continue
                match = re.search(r"Runs are not being saved[^\n]*", text)
                if match:
                    seen_notice = match.group(0)[:400]
                    break
        time.sleep(1.0)
    pg.start()
    down_s = round(time.time() - paused, 1)
    log(f"PostgreSQL back after {down_s} s")
    waits, failed = wait_all(learners, min(deadline, time.time() + 300))
    for learner in learners:
        box = learner.exception()
        if box:
            exceptions.append(box)
    rows = store_rows(public["database_url"])
    status = {row[0]: row[1] for row in rows}
    lost = [run for run, was in saved_before.items() if status.get(run) != was]
    return {"database": {
        "down_s": down_s, "finished": len(waits), "failed": len(failed),
        "failures": [f"session {i + 1}: {t}" for i, t in sorted(failed.items())],
        "exceptions": exceptions[:3], "notice_meanwhile": seen_notice,
        "saved_before": len(saved_before), "saved_before_lost_or_changed": len(lost)},
        "_checks_three": {"no page showed an exception during the database restart": not exceptions,
                          "every session's training finished": not failed,
                          "nothing saved before the restart was lost": not lost}}


def count_store(public, out, log) -> dict:
    """After the stale rule (15 s) and a sweep: runs per status, none "running", and every finished
    training a page saw is a run stored as done."""
    checks = out["checks"]
    checks.update(out.pop("_checks_two", {}))
    checks.update(out.pop("_checks_three", {}))
    until = time.time() + 60
    while True:
        rows = store_rows(public["database_url"])
        running = [r for r in rows if r[1] == "running"]
        if not running or time.time() > until:
            break
        time.sleep(2.0)
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row[1]] = by_status.get(row[1], 0) + 1
    finished_seen = (out["class"]["finished"] + out["kill"]["others_finished"] + out["kill"]["victims_trained_again"]
                     + out["kill"]["newcomer_on_restarted_finished"] + out["database"]["finished"]
                     + out["kill"]["victim_trainings_done_before_kill"])  # ended just before the kill
    checks["no run left running"] = not running
    checks["every training a page saw finish is stored as done, once"] = by_status.get("done", 0) == finished_seen \
        and len({r[0] for r in rows}) == len(rows)
    checks["the killed replica's cut trainings, and only they, are interrupted"] = \
        by_status.get("interrupted", 0) == out["kill"]["victim_trainings_cut"]
    log(f"store: {by_status} (finished trainings seen by the pages: {finished_seen})")
    return {"store": {"runs": len(rows), "by_status": by_status, "finished_seen_by_pages": finished_seen}}


def format_report(r: dict) -> str:
    c, k, d = r["class"], r["kill"], r["database"]
    lines = [f"bench cluster measure: {r['sessions']} Chromium sessions, {r['replicas']} replicas behind HAProxy, "
             f"one PostgreSQL, {r['cores']} cores (everything on this machine), {r['seconds']:.0f} s",
             f"class: finished {c['finished']}, failed {c['failed']}; sessions per replica {c['sessions_per_replica']}",
             f"  wait from click to Done: slowest {c['slowest_wait_s']} s, median {c['median_wait_s']} s",
             f"  replicas' CPU {c['replicas_cpu_s']} s: {c['trainings_per_minute_per_core']} trainings a minute per core",
             f"  RSS per replica idle {c['rss_idle_mb']} MB, after {c['rss_after_mb']} MB",
             f"kill: {k['victim']} (SIGKILL) with {k['victim_sessions']} sessions, {k['victim_trainings_cut']} training; "
             f"pages back after {k['reconnect_s']} s on {k['moved_to']} ({k['pages_showing_cut_run_interrupted']} "
             f"showing the cut run interrupted); trained again {k['victims_trained_again']}; others finished "
             f"{k['others_finished']}, failed {k['others_failed']}; restarted in {k['restart_s']} s, newcomers on "
             f"{k['newcomers_on']}",
             f"database: down {d['down_s']} s; finished {d['finished']}, failed {d['failed']}; exceptions "
             f"{len(d['exceptions'])}; saved before {d['saved_before']}, lost {d['saved_before_lost_or_changed']}",
             f"  a learner saw meanwhile: {d['notice_meanwhile']}",
             f"store: {r['store']['by_status']} ({r['store']['finished_seen_by_pages']} finished seen by pages); "
             f"Tracebacks in the replicas' logs: {r['tracebacks']}"]
    lines += [f"{'ok' if ok else 'FAILED'}: {name}" for name, ok in r["checks"].items()]
    lines += [f"FAILED {text}" for text in r["failures"] if not text.startswith("check failed")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench cluster measure", description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=12, help="browser sessions, 1 to 40 (default 12)")
    parser.add_argument("--replicas", type=int, default=3, help="app replicas (default 3)")
    parser.add_argument("--db-down", type=float, default=10.0, help="seconds PostgreSQL stays stopped (default 10)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for the whole run (default 900)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        result = measure(args.sessions, args.replicas, args.db_down, args.timeout,
                         log=(lambda *a: print(*a, file=sys.stderr)) if args.json else print)
    except (ValueError, RuntimeError) as e:
        print(f"bench cluster measure: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else format_report(result))
    return 0 if not result["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
