"""The deployment run for real on this machine: `python -m bench cluster up` (PostgreSQL, two app
replicas, HAProxy in front), a browser kept on its replica by the balancer's cookie, a replica
killed (SIGKILL) and its browsers moved to the other one, then started again with `cluster restart`;
in Chromium, a run trained on one replica opens by its address on the other (each opened directly),
finished or still training; last (no test after it needs the replica it kills), a learner whose
replica dies mid-training sees that training interrupted on the other replica within 15 s, by
itself, and trains again. The balancer's settings are the Ingress's.

Skipped with a hint without HAProxy (apt-get install -y haproxy) or PostgreSQL's binaries; with
NNCORE_REQUIRE_HAPROXY=1 (set by .ci/run) a missing HAProxy fails instead.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.classroom import BACK
from bench.cluster import NO_HAPROXY, alive, haproxy_path, healthy
from bench.learners import INTERRUPTED, WATCH_FOR
from bench.postgres import NO_POSTGRES, postgres_bin
from deploy.balancer import BALANCER, REPLICA_ENV, haproxy_config, ingress_annotations
from helpers import ROOT, port_in, wait_until

yaml = pytest.importorskip("yaml", reason="PyYAML parses the manifests: pip install -r requirements.txt")


def test_the_deployment_gives_its_replicas_what_the_local_cluster_gives_them():
    """deploy/k8s/deployment.yaml's container env holds deploy/balancer.py's REPLICA_ENV, value for
    value, as `bench cluster`'s replicas do (start_replica); a value no message reaches (none is cached,
    so none is sent as a mere reference), under a name that `streamlit run` reads."""
    deployment = yaml.safe_load((ROOT / "deploy" / "k8s" / "deployment.yaml").read_text())
    env = {e["name"]: e.get("value") for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert {k: env.get(k) for k in REPLICA_ENV} == REPLICA_ENV
    assert int(float(REPLICA_ENV["STREAMLIT_GLOBAL_MIN_CACHED_MESSAGE_SIZE"])) >= 2**30
    # `streamlit run` still takes it from the environment (its help names each option's variable)
    told = subprocess.run([sys.executable, "-m", "streamlit", "run", "--help"], capture_output=True, text=True,
                          timeout=60)
    listed = " ".join(told.stdout.split())
    assert "--global.minCachedMessageSize FLOAT" in listed and "STREAMLIT_GLOBAL_MIN_CACHED_MESSAGE_SIZE" in listed


def test_the_ingress_says_what_the_balancer_settings_say():
    """deploy/k8s/ingress.yaml's annotations are deploy/balancer.py's, and so is HAProxy's config."""
    ingress = yaml.safe_load((ROOT / "deploy" / "k8s" / "ingress.yaml").read_text())
    notes = ingress["metadata"]["annotations"]
    assert notes == ingress_annotations(), "ingress.yaml and deploy/balancer.py disagree"
    config = haproxy_config(8800, [("replica1", 9001), ("replica2", 9002)])
    assert f"cookie {BALANCER['cookie']} insert" in config
    assert f'attr "Max-Age={BALANCER["cookie_max_age_s"]}"' in config
    assert f'attr "SameSite={BALANCER["cookie_samesite"]}"' in config
    for timeout in ("client", "server", "tunnel"):
        assert f"timeout {timeout} {BALANCER['read_timeout_s']}s" in config
    assert "option redispatch" in config and BALANCER["change_on_failure"]
    assert "server replica2 127.0.0.1:9002 cookie replica2 check" in config
    if haproxy_path():
        checked = subprocess.run([haproxy_path(), "-c", "-q", "-f", "/dev/stdin"], input=config, text=True,
                                 capture_output=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def bench(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", "cluster", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_cluster_measure_is_the_class_bench_and_refuses_bad_counts_before_starting_anything():
    """`python -m bench cluster measure` reaches bench/classroom.py (bench/__main__.py sends it there, so
    that bench/cluster.py, which the class bench drives, need not import it)."""
    done = bench("measure", "--sessions", "0", timeout=60)
    assert done.returncode != 0 and "--sessions must be 1 to 40, not 0" in done.stderr, done.stderr
    assert "usage: python -m bench cluster measure" in bench("measure", "-h", timeout=60).stdout


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """`python -m bench cluster up --replicas 2` (no preset warm-up: the test's replicas live a minute);
    `cluster down` afterwards, whatever happened."""
    if haproxy_path() is None:
        if os.environ.get("NNCORE_REQUIRE_HAPROXY"):
            pytest.fail(NO_HAPROXY)
        pytest.skip(NO_HAPROXY)
    if postgres_bin() is None:
        if os.environ.get("NNCORE_REQUIRE_POSTGRES"):
            pytest.fail(NO_POSTGRES)
        pytest.skip(NO_POSTGRES)
    state = tmp_path_factory.mktemp("cluster") / "cluster.json"
    port = port_in(8800, 8899)
    started = bench("up", "--replicas", "2", "--port", str(port), "--state", str(state), "--warm-up", "")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield state
    finally:
        stopped = bench("down", "--state", str(state))
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert not state.exists() and not Path(f"{state}.private.json").exists()


def facts(state: Path) -> dict:
    return json.loads(state.read_text())


def ask(url: str, replica: str | None = None) -> tuple[str, str | None]:
    """GET url with the balancer's cookie naming `replica` (None: no cookie): (who answered, the
    cookie's value the balancer set, if it set one)."""
    request = urllib.request.Request(url)
    if replica:
        request.add_header("Cookie", f"{BALANCER['cookie']}={replica}")
    with urllib.request.urlopen(request, timeout=10) as r:
        r.read()
        cookies = [c for c in r.headers.get_all("Set-Cookie") or [] if c.startswith(BALANCER["cookie"] + "=")]
        return r.headers["X-Replica"], cookies[0].split(";")[0].split("=", 1)[1] if cookies else None


def test_state_file_cookie_stickiness_failover_and_restart(cluster):
    info = facts(cluster)
    assert set(info) == {"url", "database_url", "balancer_pid", "replicas", "cookie"}
    assert info["cookie"] == BALANCER["cookie"] and info["database_url"].startswith("postgresql://")
    assert [r["name"] for r in info["replicas"]] == ["replica1", "replica2"]
    assert all(set(r) == {"name", "port", "pid"} for r in info["replicas"])
    health = info["url"] + "/_stcore/health"
    # a new browser gets a cookie naming the replica that answered it; new browsers are spread
    newcomers = [ask(health) for _ in range(6)]
    assert all(answered == cookie for answered, cookie in newcomers)
    assert {cookie for _, cookie in newcomers} == {"replica1", "replica2"}
    # a browser with the cookie stays on its replica
    assert [ask(health, "replica2") for _ in range(5)] == [("replica2", None)] * 5
    # its replica killed: the same browser is answered by the other and given a new cookie, at once
    victim = info["replicas"][1]
    os.kill(victim["pid"], signal.SIGKILL)
    wait_until(lambda: not alive(victim["pid"]), 10, 0.01, "the killed replica to be gone")
    assert ask(health, "replica2") == ("replica1", "replica1")
    # started again on its port: it rejoins, and its browsers go back to it
    again = bench("restart", "replica2", "--state", str(cluster))
    assert again.returncode == 0, again.stdout + again.stderr
    renewed = facts(cluster)["replicas"][1]
    assert renewed["port"] == victim["port"] and renewed["pid"] != victim["pid"]
    assert healthy(f"http://127.0.0.1:{renewed['port']}")
    wait_until(lambda: ask(health, "replica2")[0] == "replica2", 15, 0.2, "HAProxy to see replica2 up again")


@pytest.mark.browser
def test_a_run_trained_on_one_replica_opens_on_the_other(cluster, chromium):
    """Each replica opened directly (not through the balancer), one PostgreSQL store: a run trained on
    one opens by its address on the other, finished or still training there."""
    from browser import SLOW, close_page, no_exception, open_page, run_id_in
    from nncore.stores import open_store

    info = facts(cluster)
    a, b = (f"http://127.0.0.1:{r['port']}" for r in info["replicas"])
    page = open_page(chromium, f"{a}/train?hidden=16:relu&epochs=2")
    page.locator(".st-key-train button").first.click()
    page.get_by_text("Done: 2 epochs").wait_for(timeout=180_000)
    page.wait_for_function("() => /[?&]run=[0-9a-f]{12}/.test(location.search)", timeout=30_000)
    finished = run_id_in(page.url)
    no_exception(page)

    other = open_page(chromium, f"{b}/runs?run={finished}")
    other.get_by_text(f"Run {finished}").first.wait_for(timeout=60_000)
    other.locator(".st-key-run_loss_chart .js-plotly-plot").first.wait_for(timeout=90_000)
    assert "2 of 2 epochs" in other.locator("[data-testid=stMainBlockContainer]").inner_text()
    no_exception(other)
    close_page(other)

    # still training on A: B shows what A has recorded so far, and says where it trains
    page.goto(f"{a}/train?{SLOW}&epochs=1000")
    page.locator(".st-key-train button").first.click()
    page.wait_for_function("() => /Epoch ([3-9]|\\d\\d+) of 1000/.test(document.body.innerText)", timeout=120_000)
    page.wait_for_function("() => /[?&]run=[0-9a-f]{12}/.test(location.search)", timeout=30_000)
    running = run_id_in(page.url)
    assert running != finished
    stored = open_store(info["database_url"])  # a save of its progress (every 3 s) since epoch 3
    wait_until(lambda: (run := stored.get(running)) is not None and run.epochs >= 3, 60, 0.2,
               "a save of the run's third epoch")
    stored.close()
    other = open_page(chromium, f"{b}/runs?run={running}")
    other.get_by_text("This run is training on another server of this app").wait_for(timeout=60_000)
    no_exception(other)
    other.screenshot(path="/tmp/issue17-deploy-replica.png", full_page=True)
    close_page(other)
    page.locator(".st-key-stop button").first.click()
    page.get_by_text(re.compile(r"Stopped (during|after) epoch")).first.wait_for(timeout=60_000)
    close_page(page)


@pytest.mark.browser
def test_a_learner_whose_replica_dies_mid_training_reconnects_and_sees_it_interrupted(cluster, chromium):
    from browser import close_page, no_exception, open_page, run_id_in

    info = facts(cluster)
    page = open_page(chromium, f"{info['url']}/train?hidden=32:relu&batch_size=8&epochs=1000")
    cookie = lambda: next(c["value"] for c in page.context.cookies() if c["name"] == info["cookie"])  # noqa: E731
    home = cookie()
    page.locator(".st-key-train button").first.click()
    page.wait_for_function("() => /Epoch ([3-9]|\\d\\d+) of 1000/.test(document.body.innerText)", timeout=120_000)
    page.wait_for_function("() => /[?&]run=[0-9a-f]{12}/.test(location.search)", timeout=30_000)
    run_id = run_id_in(page.url)
    from nncore.stores import open_store

    store = open_store(info["database_url"])
    stored = lambda: getattr(store.get(run_id), "epochs", 0)  # noqa: E731
    # a progress save (every 3 s) that has epoch 3 or later, read from PostgreSQL
    wait_until(lambda: stored() >= 3, 30, 0.2, "a progress save with 3 epochs in the store")
    victim = next(r for r in info["replicas"] if r["name"] == home)
    page.evaluate(WATCH_FOR, {"text": BACK, "interrupted": INTERRUPTED})  # the class bench's own watch
    os.kill(victim["pid"], signal.SIGKILL)
    killed = time.time()
    page.get_by_text("it is interrupted").wait_for(timeout=30_000)
    seen = page.evaluate("() => window.__seen")  # noted by the page the moment its text showed it
    assert seen["at"] and seen["interrupted"], seen  # interrupted from the first moment it is back
    reconnect = seen["at"] / 1000 - killed
    print(f"reconnected and shown interrupted {reconnect:.1f} s after the kill")
    assert reconnect <= 15, f"{reconnect:.1f} s"
    assert cookie() != home  # the balancer moved it to the live replica
    assert run_id in page.url
    main = page.locator("[data-testid=stMainBlockContainer]").inner_text()
    assert "Interrupted: the server stopped while this run was training" in main
    recorded = re.search(r"(\d+) of 1000 epochs · interrupted", main)  # what it had saved, from PostgreSQL
    assert recorded and int(recorded.group(1)) >= 3, main[:2000]
    no_exception(page)
    # Train works again, on the live replica
    page.locator(".st-key-train button").first.click()
    page.wait_for_function("() => /Epoch ([2-9]|\\d\\d+) of 1000/.test(document.body.innerText)", timeout=120_000)
    page.locator(".st-key-stop button").first.click()
    page.get_by_text(re.compile(r"Stopped (during|after) epoch")).first.wait_for(timeout=60_000)
    no_exception(page)
    close_page(page)
