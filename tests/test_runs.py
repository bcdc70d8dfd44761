"""The run store's contract, once, on real SQLite and on a real PostgreSQL (the `db` fixture of
conftest.py: a SQLite file, then a database on the session's PostgreSQL cluster); then what only
one backend has (a damaged, read-only or locked SQLite file, upgrades of old SQLite schemas; a
PostgreSQL restart, an unreachable server, the settings that choose it); and the spec in a page's
address."""

from __future__ import annotations

import dataclasses
import json
import socket
import sqlite3
import threading
import time
from contextlib import closing

import numpy as np
import pytest

from nncore import ExperimentSpec
from nncore.runs import (INTERRUPTED, MIGRATIONS, RUNNING, SCHEMA_VERSION, STALE_AFTER, Run, StoreError,
                         describe_changes, new_run_id, valid_run_id)
from nncore.runs_sqlite import SQLiteRunStore
from nncore.address import from_query, to_query
from nncore.stores import open_store


def a_run(session="s1", **changes) -> Run:
    spec = ExperimentSpec().replace(**changes)
    return Run(new_run_id(), spec, session, status="done", epochs=2, seconds=1.5,
               history={"loss": (1.0, 0.5), "val_accuracy": (0.8, 0.9)},
               confusion=((3, 1), (0, 4)), class_names=("0", "1"))


def some_weights(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n,)).astype(np.float32), rng.normal(size=(4, 3)).astype(np.float32)]


# ---- the contract, on both ------------------------------------------------------------------

def test_every_field_and_the_weights_round_trip(db):
    store = db.store()
    assert store.problem is None and store.version() == SCHEMA_VERSION
    run = Run(new_run_id(), ExperimentSpec().replace(learning_rate=0.01, hidden="32:tanh,8:relu"), "sess",
              created=1_790_000_000.123456, status="done", message="Done: 2 epochs", epochs=2, seconds=1.25,
              history={"loss": (1.0, 0.5), "val_accuracy": (0.8, 0.9)}, confusion=((3, 1), (0, 4)),
              class_names=("0", "1"), parent=new_run_id(), changes="learning_rate 0.001 → 0.01",
              updated=1_790_000_001.654321, server="host:12:abcdef")
    store.save(run, some_weights())
    got = store.get(run.id)
    # every field of Run comes back as saved (a time keeps its microseconds: DOUBLE PRECISION)
    assert got == dataclasses.replace(run, has_weights=True)
    assert got.last("val_accuracy") == 0.9
    assert "epoch,loss,val_accuracy\n1,1.0,0.8\n2,0.5,0.9\n" == got.metrics_csv()
    for a, b in zip(store.weights(run.id), some_weights()):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.float32
    assert [r.id for r in store.list("sess")] == [run.id] and store.list("other") == []
    assert db.store().get(run.id) == got  # another store on the same database: a restart, a replica


@pytest.mark.parametrize("bad", ["", "abc", "../../etc/passwd", "0123456789AB", "0123456789abc", "x' OR 1=1 --",
                                 "0123456789ab'; DROP TABLE runs; --"])
def test_malformed_run_ids_are_refused(db, bad):
    store = db.store()
    store.save(a_run())
    assert not valid_run_id(bad)
    assert store.get(bad) is None and store.weights(bad) is None
    assert store.get("0123456789ab") is None  # well formed, not there
    with pytest.raises(StoreError, match="not a run id"):
        store.save(dataclasses.replace(a_run(), id=bad))
    assert len(store.list()) == 1  # still there


def test_text_with_quotes_is_data(db):
    store = db.store()
    run = dataclasses.replace(a_run("it's'); DROP TABLE runs; --"), message="O'Brien's \"run\" \\ %s %(x)s")
    store.save(run)
    assert store.get(run.id).message == run.message
    assert [r.id for r in store.list("it's'); DROP TABLE runs; --")] == [run.id]


def test_list_newest_first_per_session_and_limited(db):
    store = db.store()
    runs = [dataclasses.replace(a_run("a" if i % 2 else "b", seed=i), created=1000.0 + i) for i in range(6)]
    for run in runs:
        store.save(run)
    assert [r.id for r in store.list("a")] == [runs[5].id, runs[3].id, runs[1].id]
    assert [r.id for r in store.list(limit=2)] == [runs[5].id, runs[4].id]
    assert store.list("nobody") == []


def test_a_running_run_is_saved_again_and_again_then_finished(db):
    store = db.store()
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


def test_a_run_saved_again_without_weights_keeps_its_stored_weights(db):
    store = db.store(max_bytes=20_000)
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


def test_a_stale_running_run_becomes_interrupted_keeping_what_it_recorded(db):
    """A training saves its run while it runs (status running, `updated`, `server`); at a new
    server's start-up a run nobody has saved for STALE_AFTER seconds is marked interrupted and
    keeps the curves it had recorded; a run saved just now stays running."""
    store = db.store()
    now = time.time()
    old = dataclasses.replace(a_run(), status=RUNNING, updated=now - STALE_AFTER - 1, server="dead-server")
    fresh = dataclasses.replace(a_run(), status=RUNNING, updated=now - 1, server="live-server")
    done = dataclasses.replace(a_run(), updated=now - 10 * STALE_AFTER)
    for run in (old, fresh, done):
        store.save(run)
    assert store.get(old.id).stale(now) and not store.get(fresh.id).stale(now) and not store.get(done.id).stale(now)
    assert store.interrupt_stale(now=now) == 1
    got = store.get(old.id)
    assert got.status == INTERRUPTED and "Interrupted" in got.message and got.history == old.history
    assert got.server == "dead-server" and got.updated == old.updated
    assert store.get(fresh.id).status == RUNNING and store.get(done.id).status == "done"
    assert store.interrupt_stale(now=now) == 0  # once
    assert store.interrupt_stale(older_than=0.5, now=now) == 1  # the age is a setting
    assert store.get(fresh.id).status == INTERRUPTED


def test_weights_are_bounded_per_session_and_in_total(db):
    store = db.store(keep_per_session=2, max_bytes=10_000)
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


def test_two_replicas_saving_at_once_lose_nothing(db):
    stores = [db.store(), db.store()]  # two sessions or two servers: two connections
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


def test_a_newer_schema_is_not_touched(db):
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)",
               f"INSERT INTO schema_version VALUES ({SCHEMA_VERSION + 1})")
    store = db.store()
    assert "newer" in store.problem
    with pytest.raises(StoreError, match="newer"):
        store.save(a_run())
    assert db.execute("SELECT version FROM schema_version") == [(SCHEMA_VERSION + 1,)]


def test_a_run_saved_by_another_version_of_the_app_is_left_out_not_a_crash(db):
    """Two versions of the app on one database (a rolling deploy): a run whose spec has a field
    this version does not know is left out of lists, and opening it says why."""
    store = db.store()
    good = a_run()
    store.save(good)
    spec = json.loads(ExperimentSpec().to_json())
    spec["classes"] = "0,1"  # a setting from a newer version
    db.execute("INSERT INTO runs (id, session, created, spec, status) VALUES "
               f"('0123456789ab', 's1', 1, '{json.dumps(spec)}', 'done')")
    assert [r.id for r in store.list()] == [good.id]
    with pytest.raises(StoreError, match="another version of the app"):
        store.get("0123456789ab")


# ---- SQLite only: the file ------------------------------------------------------------------

@pytest.mark.parametrize("old", [1, 2])
def test_sqlite_schema_is_upgraded_keeping_runs(tmp_path, old):
    path = tmp_path / f"v{old}.sqlite3"
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE schema_version (version INTEGER NOT NULL); "
                      f"INSERT INTO schema_version VALUES ({old});" + ";".join(MIGRATIONS[:old]))
    con.execute("INSERT INTO runs (id, session, created, spec, status) VALUES ('0123456789ab', 's', 1, ?, 'done')",
                (ExperimentSpec().to_json(),))
    con.commit()
    con.close()
    store = SQLiteRunStore(path)
    assert store.problem is None and store.version() == SCHEMA_VERSION
    got = store.get("0123456789ab")  # the old run survived the upgrade, with the new columns' defaults
    assert got.status == "done" and got.updated == 0 and got.server == ""
    assert got.learner is None and got.class_id is None
    run = a_run()
    store.save(run, some_weights())
    assert store.get(run.id).has_weights


def test_corrupt_file_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "runs.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = open_store(path)
    assert "damaged" in store.problem
    with pytest.raises(StoreError, match="damaged"):
        store.save(a_run())
    with pytest.raises(StoreError):
        store.list()


def test_read_only_file_can_be_read_but_not_written(tmp_path):
    path = tmp_path / "runs.sqlite3"
    run = a_run()
    SQLiteRunStore(path).save(run)
    path.chmod(0o444)  # root ignores this; the read-only URI below is what sqlite sees either way
    store = SQLiteRunStore(f"file:{path}?mode=ro")
    assert store.get(run.id).spec == run.spec
    with pytest.raises(StoreError, match="read-only"):
        store.save(a_run())


def test_locked_database_is_explained(tmp_path):
    path = tmp_path / "runs.sqlite3"
    store = SQLiteRunStore(path, timeout=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            store.save(a_run())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.save(a_run())  # free again


# ---- PostgreSQL only: the server ------------------------------------------------------------

def test_postgres_schema_matches_sqlite_in_postgres_types(postgres, tmp_path):
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
    sqlite = SQLiteRunStore(tmp_path / "runs.sqlite3")  # the same columns as SQLite's
    with closing(sqlite3.connect(sqlite.path)) as con:
        assert {r[1] for r in con.execute("PRAGMA table_info(runs)")} == set(types)
        assert {r[1] for r in con.execute("PRAGMA table_info(weights)")} == set(weights)
    for s in stores:
        s.close()


def test_postgres_restarting_between_calls_is_not_an_error(postgres):
    from nncore.runs_pg import PostgresRunStore

    store = PostgresRunStore(postgres.new_database())
    before = a_run()
    store.save(before)  # its connection now waits in the pool
    postgres.restart()  # ... and dies with the server's restart
    after = a_run()
    store.save(after, some_weights())
    assert store.get(before.id).spec == before.spec and store.get(after.id).has_weights
    store.close()


def test_an_unreachable_postgres_is_a_problem_without_its_password():
    pytest.importorskip("psycopg", reason="pip install -r requirements.txt (psycopg[binary])")
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


# ---- a run's changes in words; the spec in the address ----------------------------------------

def test_changes_in_words():
    a = ExperimentSpec()
    assert describe_changes(None, a) == "first run"
    assert describe_changes(a, a.replace(learning_rate=0.01)) == "learning_rate 0.001 → 0.01"
    assert describe_changes(a, a) == "same settings"


def test_query_round_trip_only_differences():
    base = ExperimentSpec.from_preset("practice-lab")
    spec = base.with_settings(["hidden=64:relu,32:relu", "optimizer=sgd", "learning_rate=0.05", "epochs=3", "seed=4"])
    query = to_query(spec, base)
    assert query == {"hidden": "64:relu,32:relu", "optimizer": "sgd", "learning_rate": "0.05", "epochs": "3", "seed": "4"}
    assert from_query(query, base) == (spec, [])
    assert to_query(base, base) == {}
    odd = base.replace(learning_rate=0.1 + 0.2, hidden="conv4:relu,pool,8:tanh", augment=True)
    assert from_query(to_query(odd, base), base) == (odd, [])


@pytest.mark.parametrize("params, field", [
    ({"learning_rate": "banana"}, "learning_rate"),
    ({"hidden": "0:relu"}, "hidden"),
    ({"optimizer": "magic"}, "optimizer"),
    ({"colour": "blue"}, "colour"),
    ({"epochs": "9" * 10_000}, "epochs"),
    ({"learning_rate": "nan"}, "learning_rate"),
])
def test_each_bad_link_names_its_field_and_keeps_the_rest(params, field):
    base = ExperimentSpec.from_preset("practice-lab")
    spec, errors = from_query({**params, "seed": "7"}, base)
    assert [e.field for e in errors] == [field]
    assert spec == base.replace(seed=7)  # the good field used, the bad one left at the default
    assert len(str(errors[0])) < 400  # a 10 kB value is not echoed back whole


def test_all_bad_fields_at_once():
    spec, errors = from_query({"learning_rate": "banana", "hidden": "0:relu", "optimizer": "magic",
                               "x": "1", "epochs": "3", "run": "ignored"}, ignore=("run",))
    assert sorted(e.field for e in errors) == ["hidden", "learning_rate", "optimizer", "x"]
    assert spec == ExperimentSpec(epochs=3)
