"""What several test modules share: `python -m nncore` in a real process, a run store's environment,
a throwaway PostgreSQL cluster, and an empty database of either backend (the fixtures that hand
them out are in conftest.py; the Streamlit server and Chromium helpers in browser.py).

PostgreSQL: the machine's initdb / pg_ctl / postgres (Debian's postgresql package puts them in
/usr/lib/postgresql/<version>/bin), a cluster in a temporary folder on a free port of 127.0.0.1,
stopped at the end by pg_ctl. initdb refuses to run as root, so as root the cluster belongs to the
`postgres` user (runuser). Without the binaries the PostgreSQL cases skip with a hint; with
NNCORE_REQUIRE_POSTGRES=1 (set by .ci/run) they fail instead.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import pwd
import random
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STORE_SETTINGS = ("NNCORE_RUNS_DB", "NNCORE_DATABASE_URL")


def store_env(address: str | None) -> dict[str, str | None]:
    """The environment changes that point a server or the CLI at one run store: a postgresql://
    URL or a SQLite file (the other setting unset); None changes nothing."""
    if address is None:
        return {}
    postgres = str(address).startswith(("postgresql://", "postgres://"))
    return {"NNCORE_DATABASE_URL": str(address) if postgres else None,
            "NNCORE_RUNS_DB": None if postgres else str(address)}


def nncore(*args: str, store: str | None = None, timeout: float = 600, **run_options) -> subprocess.CompletedProcess:
    """`python -m nncore ARGS` in a real process from the repository, its output as text; `store`:
    the run store it uses (a SQLite file or a postgresql:// URL), else the tests' own."""
    env = {**os.environ, **store_env(store)}
    return subprocess.run([sys.executable, "-m", "nncore", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env={k: v for k, v in env.items() if v is not None}, **run_options)


def nncore_here(capsys, *args: str) -> subprocess.CompletedProcess:
    """nncore.cli.main(ARGS) in this process, its exit code and output as nncore() gives them: for
    trainings whose checks are their output (a new process would import TensorFlow again;
    tests/test_cli.py runs `python -m nncore` itself)."""
    from nncore.cli import main

    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return subprocess.CompletedProcess(["python", "-m", "nncore", *args], code, out.out, out.err)


def wait_until(condition, seconds: float = 120, poll: float = 0.02, what: str = "the condition"):
    """Poll `condition()` until it returns something true (returned), or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        time.sleep(poll)


def threads_waiting_in_line(monkeypatch) -> set:
    """The threads that, from now on, looked for a training slot and found none (Ticket.wait
    returned False): a training waiting in the queue, not merely entered in it."""
    from nncore.training.queue import Ticket

    seen, real = set(), Ticket.wait

    def wait(self, timeout):
        got = real(self, timeout)
        if not got:
            seen.add(threading.current_thread())
        return got

    monkeypatch.setattr(Ticket, "wait", wait)
    return seen


# ---- PostgreSQL ------------------------------------------------------------------------------

NO_POSTGRES = ("PostgreSQL's initdb, pg_ctl and postgres were not found (apt-get install -y postgresql, or put "
               "their folder on PATH): the PostgreSQL run-store tests are skipped")


def postgres_bin() -> Path | None:
    candidates = [os.environ.get("NNCORE_POSTGRES_BIN", "")]
    if shutil.which("pg_config"):
        candidates.append(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb")).parent))
    for folder in filter(None, candidates):
        if all((Path(folder) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def port_in(first: int | None = None, last: int = 9599) -> int:
    """A free port of this helper's range, else any free one. Each pytest worker (pytest-xdist's
    gw0, gw1, ...) starts at its own place in the range."""
    if first is None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
        first = 9500 + 25 * (int(worker[2:]) % 4 if worker[2:].isdigit() else 0)
    for port in range(first, last + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A throwaway PostgreSQL cluster: initdb, pg_ctl start on 127.0.0.1:port, pg_ctl stop."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="nn-pg-"))
        self.data, self.socket_dir, self.log = self.dir / "data", self.dir / "sock", self.dir / "server.log"
        self.port = port_in()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root, and there is no `postgres` user to own the cluster "
                                   "(initdb refuses root)") from None
            self.as_user = ["runuser", "-u", "postgres", "--"]
            self.socket_dir.mkdir()
            for path in (self.dir, self.socket_dir):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        else:
            self.socket_dir.mkdir()
        self._run("initdb", "-D", str(self.data), "-U", "playground", "-A", "trust", "-E", "UTF8", "--no-sync")
        for attempt in range(5):  # another process (a second pytest worker) may take the port first
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o",
                          f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                          f"-c max_connections=100", "start")
                break
            except RuntimeError:
                if attempt == 4:
                    raise
                self.port = port_in(random.randint(9500, 9599))
        self.url = f"postgresql://playground@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bindir / tool), *args], capture_output=True, text=True,
                              timeout=120, cwd=self.dir)
        if done.returncode:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}{log[-2000:]}")

    def new_database(self) -> str:
        import psycopg

        name = "runs_" + secrets.token_hex(4)
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")  # a generated name, not data
        return f"postgresql://playground@127.0.0.1:{self.port}/{name}"

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def start_postgres() -> Postgres:
    """A new cluster; skips the test (or, with NNCORE_REQUIRE_POSTGRES, fails it) without PostgreSQL."""
    bindir = postgres_bin()
    if bindir is None:
        if os.environ.get("NNCORE_REQUIRE_POSTGRES"):
            pytest.fail(NO_POSTGRES)
        pytest.skip(NO_POSTGRES)
    pytest.importorskip("psycopg", reason="pip install -r requirements.txt (psycopg[binary])")
    return Postgres(bindir)


# ---- an empty database of either backend -----------------------------------------------------

@dataclasses.dataclass
class Database:
    """An empty database of one backend: run stores on it (every one on the same database: a
    second is a restart or another replica), raw SQL into it, and its address."""

    kind: str  # "sqlite" or "postgres"
    address: str
    stores: list = dataclasses.field(default_factory=list)

    def store(self, **options):
        if self.kind == "sqlite":
            from nncore.runs_sqlite import SQLiteRunStore

            return SQLiteRunStore(self.address, **options)
        from nncore.runs_pg import PostgresRunStore

        self.stores.append(PostgresRunStore(self.address, **options))
        return self.stores[-1]

    def execute(self, *statements: str) -> list:
        """Run raw statements (no placeholders); the last one's rows, if any."""
        rows = []
        if self.kind == "sqlite":
            with closing(sqlite3.connect(self.address)) as con:
                for s in statements:
                    rows = con.execute(s).fetchall()
                con.commit()
            return rows
        import psycopg

        with psycopg.connect(self.address, autocommit=True) as con:
            for s in statements:
                cur = con.execute(s)
                rows = cur.fetchall() if cur.description else []
        return rows

    def close(self) -> None:
        """Close the idle connections of the stores made here."""
        for store in self.stores:
            store.close()
