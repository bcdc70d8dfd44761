"""The run store against real SQLite files, and the spec in a page's address."""

from __future__ import annotations

import json
import sqlite3
import threading

import numpy as np
import pytest

from nncore import ExperimentSpec
from nncore.runs import (MIGRATIONS, SCHEMA_VERSION, Run, SQLiteRunStore, StoreError, describe_changes,
                         new_run_id, valid_run_id)
from nncore.stores import open_store
from nncore.spec import from_query, to_query


def a_run(session="s1", **changes) -> Run:
    spec = ExperimentSpec().replace(**changes)
    return Run(new_run_id(), spec, session, status="done", epochs=2, seconds=1.5,
               history={"loss": (1.0, 0.5), "val_accuracy": (0.8, 0.9)},
               confusion=((3, 1), (0, 4)), class_names=("0", "1"))


def some_weights(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n,)).astype(np.float32), rng.normal(size=(4, 3)).astype(np.float32)]


def test_save_get_list_and_weights_round_trip(tmp_path):
    store = SQLiteRunStore(tmp_path / "runs.sqlite3")
    assert store.problem is None and store.version() == SCHEMA_VERSION
    run = a_run(learning_rate=0.01)
    store.save(run, some_weights())
    got = store.get(run.id)
    assert got.spec == run.spec and got.history == run.history and got.confusion == run.confusion
    assert got.has_weights and got.last("val_accuracy") == 0.9
    for a, b in zip(store.weights(run.id), some_weights()):
        np.testing.assert_array_equal(a, b)
    assert [r.id for r in store.list("s1")] == [run.id] and store.list("other") == []
    assert "epoch,loss,val_accuracy\n1,1.0,0.8\n2,0.5,0.9\n" == got.metrics_csv()
    # a new store on the same file (a server restart) still has it
    assert SQLiteRunStore(tmp_path / "runs.sqlite3").get(run.id).spec == run.spec


@pytest.mark.parametrize("bad", ["", "abc", "../../etc/passwd", "0123456789AB", "0123456789abc", "x' OR 1=1 --"])
def test_malformed_run_ids_are_refused(tmp_path, bad):
    store = SQLiteRunStore(tmp_path / "runs.sqlite3")
    assert not valid_run_id(bad)
    assert store.get(bad) is None and store.weights(bad) is None
    assert store.get("0123456789ab") is None  # well formed, not there


def test_schema_is_upgraded_from_version_1(tmp_path):
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);"
                      + MIGRATIONS[0])
    con.execute("INSERT INTO runs (id, session, created, spec, status) VALUES ('0123456789ab', 's', 1, ?, 'done')",
                (ExperimentSpec().to_json(),))
    con.commit()
    con.close()
    store = SQLiteRunStore(path)
    assert store.problem is None and store.version() == SCHEMA_VERSION
    assert store.get("0123456789ab").status == "done"  # the old run survived the upgrade
    run = a_run()
    store.save(run, some_weights())
    assert store.get(run.id).has_weights


def test_a_newer_schema_is_not_touched(tmp_path):
    path = tmp_path / "new.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(f"CREATE TABLE schema_version (version INTEGER); INSERT INTO schema_version VALUES ({SCHEMA_VERSION + 1});")
    con.close()
    store = SQLiteRunStore(path)
    assert "newer" in store.problem
    with pytest.raises(StoreError):
        store.save(a_run())


def test_two_threads_saving_at_once_lose_nothing(tmp_path):
    stores = [SQLiteRunStore(tmp_path / "runs.sqlite3") for _ in range(2)]  # two sessions, two connections
    errors, barrier = [], threading.Barrier(2)

    def save_many(store, session):
        barrier.wait()
        for i in range(25):
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
    assert len(stores[0].list("session0")) == 25 and len(stores[1].list("session1")) == 25


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


def test_weights_are_bounded_per_session_and_in_total(tmp_path):
    store = SQLiteRunStore(tmp_path / "runs.sqlite3", keep_per_session=2, max_bytes=10_000)
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


def test_changes_in_words():
    a = ExperimentSpec()
    assert describe_changes(None, a) == "first run"
    assert describe_changes(a, a.replace(learning_rate=0.01)) == "learning_rate 0.001 → 0.01"
    assert describe_changes(a, a) == "same settings"


# ---- the spec in the address ------------------------------------------------------------

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


def test_a_running_run_is_saved_as_it_trains_and_a_stale_one_becomes_interrupted(tmp_path):
    """A training saves its run while it runs (status running, `updated`, `server`); at a new
    server's start-up a run nobody has saved for STALE_AFTER seconds is marked interrupted and
    keeps the curves it had recorded; a run saved just now stays running."""
    from dataclasses import replace

    from nncore.runs import INTERRUPTED, RUNNING, STALE_AFTER

    store = SQLiteRunStore(tmp_path / "runs.sqlite3")
    now = 1_000_000.0
    old = replace(a_run(), status=RUNNING, updated=now - STALE_AFTER - 1, server="dead-server")
    fresh = replace(a_run(), status=RUNNING, updated=now - 1, server="live-server")
    done = replace(a_run(), updated=now - 10 * STALE_AFTER)
    for run in (old, fresh, done):
        store.save(run)
    assert store.get(old.id).stale(now) and not store.get(fresh.id).stale(now) and not store.get(done.id).stale(now)
    assert store.interrupt_stale(now=now) == 1
    got = store.get(old.id)
    assert got.status == INTERRUPTED and "Interrupted" in got.message and got.history == old.history
    assert got.server == "dead-server" and got.updated == old.updated
    assert store.get(fresh.id).status == RUNNING and store.get(done.id).status == "done"
    assert store.interrupt_stale(now=now) == 0  # once


def test_schema_is_upgraded_from_version_2_keeping_runs(tmp_path):
    path = tmp_path / "v2.sqlite3"
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (2);"
                      + MIGRATIONS[0] + ";" + MIGRATIONS[1])
    con.execute("INSERT INTO runs (id, session, created, spec, status) VALUES ('0123456789ab', 's', 1, ?, 'done')",
                (ExperimentSpec().to_json(),))
    con.commit()
    con.close()
    store = SQLiteRunStore(path)
    assert store.problem is None and store.version() == SCHEMA_VERSION
    got = store.get("0123456789ab")
    assert got.status == "done" and got.updated == 0 and got.server == ""


def test_a_run_saved_by_another_version_of_the_app_is_left_out_not_a_crash(tmp_path):
    """Two versions of the app on one database (a rolling deploy): a run whose spec has a field
    this version does not know is left out of lists, and opening it says why."""
    store = SQLiteRunStore(tmp_path / "runs.sqlite3")
    good = a_run()
    store.save(good)
    con = sqlite3.connect(tmp_path / "runs.sqlite3")
    spec = json.loads(ExperimentSpec().to_json())
    spec["classes"] = "0,1"  # a setting from a newer version
    con.execute("INSERT INTO runs (id, session, created, spec, status) VALUES ('0123456789ab', 's1', 1, ?, 'done')",
                (json.dumps(spec),))
    con.commit()
    con.close()
    assert [r.id for r in store.list()] == [good.id]
    with pytest.raises(StoreError, match="another version of the app"):
        store.get("0123456789ab")
