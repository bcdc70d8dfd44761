"""`python -m bench cluster`: the deployment on one machine, for real. PostgreSQL, N app replicas
and HAProxy in front, all on 127.0.0.1:

    python -m bench cluster up --replicas 3 --port 8800 --state cluster.json [--wait]
    python -m bench cluster restart replica2 --state cluster.json   # a killed replica, on its port
    python -m bench cluster down --state cluster.json
    python -m bench cluster measure --sessions 12 [--json]          # a class on it (bench/classroom.py)

`up` starts PostgreSQL from this machine's binaries (a new cluster in a temporary folder, on a free
port), N replicas (`streamlit run app/main.py` on free ports, every one with that database as its run
store and the same cookie secret) and HAProxy on --port, configured from deploy/balancer.py (the
settings deploy/k8s/ingress.yaml says too): a cookie the balancer sets names each browser's replica,
a dead replica's browsers go to a live one, websockets stay open an hour. It returns when every
replica answers /_stcore/health, directly and through the balancer, and writes the state FILE:
{"url", "database_url", "balancer_pid", "replicas": [{"name", "port", "pid"}], "cookie"}
(what `down` and `restart` need besides, the folder and PostgreSQL's, is in FILE.private.json).
The processes run on after `up` returns; `up --wait` stays and stops them all on Ctrl-C.
Every process is stopped by its own id, after checking that the id is still that process.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from deploy.balancer import BALANCER, REPLICA_ENV, haproxy_config

from .postgres import NO_POSTGRES, Postgres, postgres_bin
from .serve import APP, ROOT, free_port

NO_HAPROXY = "HAProxy was not found: install Debian's package (apt-get install -y haproxy)"


def haproxy_path() -> str | None:
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


def alive(pid: int, marker: str = "") -> bool:
    """Does process `pid` run (not a zombie), and is its command line still ours (contains `marker`)?"""
    try:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return marker.encode() in f.read()
    except (OSError, IndexError):
        return False


def stop_pid(pid: int, marker: str, grace: float = 15.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds: the process `pid`, if it is still ours."""
    if not alive(pid, marker):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + grace
    while time.time() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)  # our own child (up --wait): reap it
        except ChildProcessError:
            pass
        if not alive(pid, marker):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def replica_command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", APP, "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]


def start_replica(name: str, port: int, private: dict) -> int:
    """`streamlit run` for one replica, in its own session (it outlives `up`); its pid."""
    env = {**os.environ, **REPLICA_ENV, "NNCORE_DATABASE_URL": private["database_url"],
           "STREAMLIT_SERVER_COOKIE_SECRET": private["cookie_secret"], **private["env"]}
    env.pop("NNCORE_RUNS_DB", None)  # a file there would win over the database URL
    log = open(Path(private["dir"]) / f"{name}.log", "a")
    proc = subprocess.Popen(replica_command(port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    log.close()
    return proc.pid


def wait_healthy(urls: list[str], pids: list[int], seconds: float) -> None:
    deadline = time.time() + seconds
    waiting = list(urls)
    while waiting:
        if time.time() > deadline:
            raise RuntimeError(f"not healthy within {seconds:.0f} s: {', '.join(waiting)}")
        for pid in pids:
            if not alive(pid):
                raise RuntimeError(f"process {pid} exited while starting")
        waiting = [u for u in waiting if not healthy(u)]
        time.sleep(0.25)


def answered_by(url: str, name: str, cookie: str, timeout: float = 2.0) -> str | None:
    """Which replica answers a browser whose affinity cookie names `name` (the balancer's X-Replica)."""
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": f"{cookie}={name}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            r.read()
            return r.headers.get("X-Replica")
    except OSError:
        return None


def wait_in_rotation(url: str, names: list[str], cookie: str, pids: list[int], seconds: float) -> None:
    """Until the balancer sends each of `names` its own browsers: a replica answers its health check
    a moment before HAProxy's own checks (2 in a row) count it as up, and until then new browsers all
    go to the others."""
    deadline = time.time() + seconds
    waiting = list(names)
    while waiting:
        if time.time() > deadline:
            raise RuntimeError(f"not taken in by the balancer within {seconds:.0f} s: {', '.join(waiting)}")
        for pid in pids:
            if not alive(pid):
                raise RuntimeError(f"process {pid} exited while starting")
        waiting = [n for n in waiting if answered_by(url, n, cookie) != n]
        time.sleep(0.25)


def private_path(state: str | Path) -> Path:
    return Path(f"{state}.private.json")


def load(state: str | Path) -> tuple[dict, dict]:
    return json.loads(Path(state).read_text()), json.loads(private_path(state).read_text())


def save(state: str | Path, public: dict, private: dict) -> None:
    Path(state).write_text(json.dumps(public, indent=2) + "\n")
    private_path(state).write_text(json.dumps(private, indent=2) + "\n")


def up(replicas: int, port: int, state: str | Path, env: dict | None = None, timeout: float = 240.0,
       log=print) -> dict:
    """Start the cluster (see the module's text) and write `state`; its public facts."""
    if not 1 <= replicas <= 8:
        raise ValueError(f"--replicas must be 1 to 8, not {replicas}")
    haproxy, bindir = haproxy_path(), postgres_bin()
    if haproxy is None:
        raise RuntimeError(NO_HAPROXY)
    if bindir is None:
        raise RuntimeError(NO_POSTGRES)
    folder = tempfile.mkdtemp(prefix="nn-cluster-")
    private = {"dir": folder, "cookie_secret": secrets.token_hex(32), "env": dict(env or {}), "haproxy": haproxy}
    public = {"url": f"http://127.0.0.1:{port}", "database_url": None, "balancer_pid": None, "replicas": [],
              "cookie": BALANCER["cookie"]}
    try:
        pg = Postgres(bindir)
        private["postgres"] = pg.facts()
        public["database_url"] = private["database_url"] = pg.new_database("playground")
        save(state, public, private)
        log(f"PostgreSQL on 127.0.0.1:{pg.port} ({pg.dir})")
        for i in range(1, replicas + 1):
            name, replica_port = f"replica{i}", free_port()
            public["replicas"].append({"name": name, "port": replica_port,
                                       "pid": start_replica(name, replica_port, private)})
            save(state, public, private)
        config = Path(folder) / "haproxy.cfg"
        config.write_text(haproxy_config(port, [(r["name"], r["port"]) for r in public["replicas"]]))
        private["haproxy_config"] = str(config)
        check = subprocess.run([haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"HAProxy refuses its configuration: {check.stdout}{check.stderr}")
        with open(Path(folder) / "haproxy.log", "a") as out:
            public["balancer_pid"] = subprocess.Popen(
                [haproxy, "-f", str(config), "-db"], stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True).pid
        save(state, public, private)
        pids = [r["pid"] for r in public["replicas"]] + [public["balancer_pid"]]
        wait_healthy([f"http://127.0.0.1:{r['port']}" for r in public["replicas"]] + [public["url"]], pids, timeout)
        wait_in_rotation(public["url"], [r["name"] for r in public["replicas"]], public["cookie"], pids, timeout)
        log(f"{replicas} replicas healthy behind {public['url']} (HAProxy pid {public['balancer_pid']}); "
            f"state in {state}")
        return public
    except BaseException:
        down(state, log=log)
        raise


def down(state: str | Path, log=print) -> None:
    """Stop the balancer, the replicas and PostgreSQL, and remove the cluster's folder and state."""
    try:
        public, private = load(state)
    except FileNotFoundError:
        log(f"no cluster state in {state}")
        return
    if public.get("balancer_pid"):
        stop_pid(public["balancer_pid"], "haproxy")
    for r in public["replicas"]:
        stop_pid(r["pid"], f"--server.port\0{r['port']}")
    if "postgres" in private:
        try:
            Postgres.attach(private["postgres"]).stop()
        except RuntimeError as e:
            log(f"PostgreSQL did not stop cleanly: {e}")
    shutil.rmtree(private["dir"], ignore_errors=True)
    for path in (Path(state), private_path(state)):
        path.unlink(missing_ok=True)
    log("cluster stopped")


def restart(name: str, state: str | Path, timeout: float = 240.0, log=print) -> dict:
    """Start replica `name` again on its port (after it was killed); its entry, with the new pid."""
    public, private = load(state)
    replica = next((r for r in public["replicas"] if r["name"] == name), None)
    if replica is None:
        raise ValueError(f"no replica {name!r}: the cluster has {', '.join(r['name'] for r in public['replicas'])}")
    if alive(replica["pid"], f"--server.port\0{replica['port']}"):
        stop_pid(replica["pid"], f"--server.port\0{replica['port']}")
    replica["pid"] = start_replica(name, replica["port"], private)
    save(state, public, private)
    wait_healthy([f"http://127.0.0.1:{replica['port']}"], [replica["pid"]], timeout)
    wait_in_rotation(public["url"], [name], public["cookie"], [replica["pid"]], timeout)
    log(f"{name} healthy again on port {replica['port']} (pid {replica['pid']})")
    return replica


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench cluster", description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(dest="verb", required=True)
    start = verbs.add_parser("up", help="start PostgreSQL, the replicas and HAProxy")
    start.add_argument("--replicas", type=int, default=3)
    start.add_argument("--port", type=int, default=8800, help="the balancer's port on 127.0.0.1 (default 8800)")
    start.add_argument("--wait", action="store_true", help="stay, and stop everything on Ctrl-C")
    start.add_argument("--warm-up", default=None,
                       help="NNCORE_WARM_UP for the replicas (presets to trace at start; '' for none)")
    again = verbs.add_parser("restart", help="start a killed replica again on its port")
    again.add_argument("replica")
    stop = verbs.add_parser("down", help="stop everything the state file names")
    for p in (start, again, stop):
        p.add_argument("--state", required=True, help="the cluster's state file (JSON)")
    # `python -m bench cluster measure` is bench/classroom.py (bench/__main__.py sends it there): it drives
    # this module, so this module does not import it
    verbs.add_parser("measure", help="a class on a new cluster: python -m bench cluster measure -h")
    args = parser.parse_args(argv)
    if args.verb == "measure":
        parser.error("run the class bench as: python -m bench cluster measure ...")
    try:
        if args.verb == "up":
            env = {} if args.warm_up is None else {"NNCORE_WARM_UP": args.warm_up}
            up(args.replicas, args.port, args.state, env)
            if args.wait:
                signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
                try:
                    while True:
                        time.sleep(3600)
                except (KeyboardInterrupt, SystemExit):
                    down(args.state)
        elif args.verb == "restart":
            restart(args.replica, args.state)
        else:
            down(args.state)
    except (ValueError, RuntimeError, FileNotFoundError) as e:
        print(f"bench cluster: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
