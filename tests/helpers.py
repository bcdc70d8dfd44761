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
import os
import sqlite3
import subprocess
import sys
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

from bench.postgres import NO_POSTGRES, Postgres, port_in, postgres_bin  # noqa: E402,F401  (the cluster's, too)


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
