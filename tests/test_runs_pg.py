"""The run store's contract, on SQLite and on a real PostgreSQL that this module starts.

PostgreSQL: the machine's initdb / pg_ctl / postgres (Debian's postgresql package puts them in
/usr/lib/postgresql/<version>/bin), a cluster in a temporary folder on a free port of 127.0.0.1,
stopped at the end by pg_ctl. initdb refuses to run as root, so as root the cluster belongs to the
`postgres` user (runuser). Without the binaries the PostgreSQL cases skip with a hint; with
NNCORE_REQUIRE_POSTGRES=1 (set by .ci/run) they fail instead. Each test gets a database of its own.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import pwd
import secrets
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from nncore import ExperimentSpec
from nncore.runs import INTERRUPTED, RUNNING, SCHEMA_VERSION, Run, SQLiteRunStore, StoreError, new_run_id
from nncore.stores import open_store

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


def port_in(first: int = 9500, last: int = 9599) -> int:
    """A free port of this helper's range, else any free one."""
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
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c max_connections=100", "start")
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


@pytest.fixture(scope="module")
def postgres():
    bindir = postgres_bin()
    if bindir is None:
        if os.environ.get("NNCORE_REQUIRE_POSTGRES"):
            pytest.fail(NO_POSTGRES)
        pytest.skip(NO_POSTGRES)
    pytest.importorskip("psycopg", reason="pip install -r requirements.txt (psycopg[binary])")
    server = Postgres(bindir)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def make_store(request, tmp_path):
    """make_store(**options) -> a store on an empty database of this backend; the same database
    for every call in one test (a second store is a second replica, or a restart)."""
    if request.param == "sqlite":
        yield lambda **options: SQLiteRunStore(tmp_path / "runs.sqlite3", **options)
        return
    from nncore.runs_pg import PostgresRunStore

    url = request.getfixturevalue("postgres").new_database()
    stores = []

    def make(**options):
        stores.append(PostgresRunStore(url, **options))
        return stores[-1]

    yield make
    for store in stores:
        store.close()


def a_run(session="s1", **changes) -> Run:
    spec = ExperimentSpec().replace(**changes)
    return Run(new_run_id(), spec, session, status="done", epochs=2, seconds=1.5,
               history={"loss": (1.0, 0.5), "val_accuracy": (0.8, 0.9)},
               confusion=((3, 1), (0, 4)), class_names=("0", "1"))


def some_weights(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n,)).astype(np.float32), rng.normal(size=(4, 3)).astype(np.float32)]


# ---- the contract, on both ------------------------------------------------------------------

def test_every_field_round_trips(make_store):
    store = make_store()
    assert store.problem is None
    run = Run(new_run_id(), ExperimentSpec().replace(learning_rate=0.01, hidden="32:tanh,8:relu"), "sess",
              created=1_790_000_000.123456, status="done", message="Done: 2 epochs", epochs=2, seconds=1.25,
              history={"loss": (1.0, 0.5), "val_accuracy": (0.8, 0.9)}, confusion=((3, 1), (0, 4)),
              class_names=("0", "1"), parent=new_run_id(), changes="learning_rate 0.001 → 0.01",
              updated=1_790_000_001.654321, server="host:12:abcdef")
    store.save(run, some_weights())
    got = store.get(run.id)
    # every field of Run comes back as saved (a time keeps its microseconds: DOUBLE PRECISION)
    assert got == dataclasses.replace(run, has_weights=True)
    for a, b in zip(store.weights(run.id), some_weights()):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.float32
    assert make_store().get(run.id) == got  # another store on the same database: a restart, a replica


@pytest.mark.parametrize("bad", ["", "abc", "../../etc/passwd", "0123456789AB", "x' OR 1=1 --", "0123456789ab'; DROP TABLE runs; --"])
def test_malformed_run_ids_are_refused(make_store, bad):
    store = make_store()
    store.save(a_run())
    assert store.get(bad) is None and store.weights(bad) is None
    with pytest.raises(StoreError, match="not a run id"):
        store.save(dataclasses.replace(a_run(), id=bad))
    assert len(store.list()) == 1  # still there


def test_text_with_quotes_is_data(make_store):
    store = make_store()
    run = dataclasses.replace(a_run("it's'); DROP TABLE runs; --"), message="O'Brien's \"run\" \\ %s %(x)s")
    store.save(run)
    assert store.get(run.id).message == run.message
    assert [r.id for r in store.list("it's'); DROP TABLE runs; --")] == [run.id]


def test_list_newest_first_per_session_and_limited(make_store):
    store = make_store()
    runs = [dataclasses.replace(a_run("a" if i % 2 else "b", seed=i), created=1000.0 + i) for i in range(6)]
    for run in runs:
        store.save(run)
    assert [r.id for r in store.list("a")] == [runs[5].id, runs[3].id, runs[1].id]
    assert [r.id for r in store.list(limit=2)] == [runs[5].id, runs[4].id]
    assert store.list("nobody") == []


def test_a_running_run_is_saved_again_and_again_then_finished(make_store):
    store = make_store()
    run = dataclasses.replace(a_run(), status=RUNNING, epochs=1, history={"loss": (1.0,)})
    store.save(run)
    store.save(dataclasses.replace(run, epochs=2, history={"loss": (1.0, 0.7)}))
    assert store.get(run.id).epochs == 2 and store.get(run.id).status == RUNNING
    store.save(dataclasses.replace(run, status="done", epochs=3, history={"loss": (1.0, 0.7, 0.5)}), some_weights())
    final = store.get(run.id)
    assert final.status == "done" and final.has_weights and final.history["loss"] == (1.0, 0.7, 0.5)
    assert len(store.list()) == 1
    store.save(final)  # saved again without weights: the weights stored stay
    assert store.get(run.id).has_weights


def test_a_run_saved_again_without_weights_keeps_its_stored_weights(make_store):
    store = make_store(max_bytes=20_000)
    run = dataclasses.replace(a_run(), status="done", epochs=3, history={"loss": (1.0, 0.7, 0.5)})
    store.save(run, some_weights(1000, seed=1))
    # saved again without weights (as a replica marks it, or a page saves it once more): the run
    # changes, its weights are the ones stored, byte for byte
    store.save(dataclasses.replace(run, message="saved again", updated=time.time()))
    got = store.get(run.id)
    assert got.message == "saved again" and got.has_weights and got.history == run.history
    for a, b in zip(store.weights(run.id), some_weights(1000, seed=1)):
        np.testing.assert_array_equal(a, b)
    # new weights replace them
    store.save(run, some_weights(1000, seed=2))
    for a, b in zip(store.weights(run.id), some_weights(1000, seed=2)):
        np.testing.assert_array_equal(a, b)
    # a stale running run marked interrupted keeps what it had stored too
    running = dataclasses.replace(a_run(), status=RUNNING, updated=time.time() - 60)
    store.save(running, some_weights(500, seed=3))
    assert store.interrupt_stale(older_than=15) == 1
    assert store.get(running.id).status == INTERRUPTED and store.get(running.id).has_weights
    # weights too big for the store: the run is kept without any (the older weights do not stand in)
    store.save(run, some_weights(10_000))
    assert store.get(run.id) is not None and not store.get(run.id).has_weights
    assert store.weights(run.id) is None


def test_stale_running_runs_become_interrupted_keeping_what_they_recorded(make_store):
    store = make_store()
    now = time.time()
    old = dataclasses.replace(a_run(), status=RUNNING, updated=now - 60)
    fresh = dataclasses.replace(a_run(), status=RUNNING, updated=now)
    done = dataclasses.replace(a_run(), updated=now - 60)
    for run in (old, fresh, done):
        store.save(run)
    assert store.interrupt_stale(older_than=15, now=now) == 1
    got = store.get(old.id)
    assert got.status == INTERRUPTED and "Interrupted" in got.message and got.history == old.history
    assert store.get(fresh.id).status == RUNNING and store.get(done.id).status == "done"
    assert store.interrupt_stale(older_than=15, now=now) == 0


def test_weights_are_bounded_per_session_and_in_total(make_store):
    store = make_store(keep_per_session=2, max_bytes=10_000)
    runs = [a_run("a", seed=i) for i in range(4)]
    for run in runs:
        store.save(run, some_weights(500))  # ~2 kB each
    assert [store.get(r.id).has_weights for r in runs] == [False, False, True, True]  # newest 2 kept
    others = [a_run(f"s{i}", seed=i) for i in range(4)]
    for run in others:
        store.save(run, some_weights(500))
    assert store.total_weight_bytes() <= 10_000
    assert store.get(others[-1].id).has_weights and not store.get(runs[2].id).has_weights  # oldest went first
    assert all(store.get(r.id) is not None for r in runs + others)  # the runs themselves stay
    big = a_run("a")
    store.save(big, some_weights(10_000))  # 40 kB: more than the whole cap, kept without weights
    assert store.get(big.id) is not None and not store.get(big.id).has_weights


def test_two_replicas_saving_at_once_lose_nothing(make_store):
    stores = [make_store(), make_store()]
    errors, barrier = [], threading.Barrier(2)

    def save_many(store, session):
        barrier.wait()
        for i in range(20):
            try:
                store.save(a_run(session, seed=i), some_weights(200, i))
            except Exception as e:  # pragma: no cover - the test fails below
                errors.append(e)

    threads = [threading.Thread(target=save_many, args=(s, f"session{i}")) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(stores[0].list("session1")) == 20 and len(stores[1].list("session0")) == 20
    assert sum(r.has_weights for r in stores[0].list()) == 10  # keep_per_session=5, each session


# ---- PostgreSQL only ------------------------------------------------------------------------

def test_schema_matches_sqlite_in_postgres_types(postgres):
    import psycopg

    from nncore.runs_pg import PostgresRunStore

    url = postgres.new_database()
    stores = [None, None]
    # two replicas starting at once: one creates the schema, the other waits and finds it current
    threads = [threading.Thread(target=lambda i=i: stores.__setitem__(i, PostgresRunStore(url))) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s.problem for s in stores] == [None, None] and stores[0].version() == SCHEMA_VERSION
    with psycopg.connect(url) as con:
        types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = 'runs'").fetchall())
        assert con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1
        weights = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                   "WHERE table_name = 'weights'").fetchall())
    assert types["created"] == types["updated"] == types["seconds"] == "double precision"
    assert weights["data"] == "bytea" and set(types) >= {"id", "session", "spec", "status", "server", "history"}
    sqlite = SQLiteRunStore(Path(tempfile.mkdtemp()) / "runs.sqlite3")  # the same columns as SQLite's
    with closing(sqlite3.connect(sqlite.path)) as con:
        assert {r[1] for r in con.execute("PRAGMA table_info(runs)")} == set(types)
        assert {r[1] for r in con.execute("PRAGMA table_info(weights)")} == set(weights)
    for s in stores:
        s.close()


def test_the_database_restarting_between_calls_is_not_an_error(postgres):
    from nncore.runs_pg import PostgresRunStore

    store = PostgresRunStore(postgres.new_database())
    before = a_run()
    store.save(before)  # its connection now waits in the pool
    postgres.restart()  # ... and dies with the server's restart
    after = a_run()
    store.save(after, some_weights())
    assert store.get(before.id).spec == before.spec and store.get(after.id).has_weights
    store.close()


def test_a_newer_schema_is_not_touched(postgres):
    import psycopg

    from nncore.runs_pg import PostgresRunStore

    url = postgres.new_database()
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        con.execute("INSERT INTO schema_version VALUES (%s)", (SCHEMA_VERSION + 1,))
    store = PostgresRunStore(url)
    assert "newer" in store.problem
    with pytest.raises(StoreError, match="newer"):
        store.save(a_run())


def test_an_unreachable_database_is_a_problem_without_its_password():
    from nncore.runs_pg import PostgresRunStore

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    store = PostgresRunStore(f"postgresql://learner:s3cret-pw@127.0.0.1:{port}/runs", timeout=2)
    assert "cannot be reached" in store.problem and "s3cret-pw" not in store.problem and "***" in store.problem
    with pytest.raises(StoreError) as caught:
        store.save(a_run())
    assert "s3cret-pw" not in str(caught.value)
    with pytest.raises(StoreError, match="cannot be reached"):
        store.list()
    with pytest.raises(StoreError, match="cannot be reached"):
        store.get(new_run_id())


def test_open_store_chooses_postgres_from_the_url_setting(postgres, monkeypatch, tmp_path):
    from nncore.runs_pg import PostgresRunStore

    url = postgres.new_database()
    monkeypatch.delenv("NNCORE_RUNS_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("NNCORE_DATABASE_URL", url)
    monkeypatch.setenv("NNCORE_RUNS_KEEP_WEIGHTS", "3")
    store = open_store()
    assert isinstance(store, PostgresRunStore) and store.problem is None and store.keep_per_session == 3
    run = a_run()
    store.save(run)
    assert open_store(url).get(run.id).spec == run.spec  # a postgresql:// path works too
    store.close()
    monkeypatch.delenv("NNCORE_DATABASE_URL")
    default = open_store()
    assert isinstance(default, SQLiteRunStore) and default.path.startswith(str(tmp_path))  # SQLite stays the default
    monkeypatch.setenv("NNCORE_DATABASE_URL", url)
    assert isinstance(open_store(tmp_path / "runs.sqlite3"), SQLiteRunStore)  # a file given wins
