"""The run store: every training is a run. This module is what every store shares: the `Run` record,
the `RunStore` interface the app uses, the schema (MIGRATIONS) and the settings; the stores are
nncore.runs_sqlite (an embedded SQLite file, the default) and nncore.runs_pg (PostgreSQL), and
nncore.stores.open_store picks one from the settings.

    store = open_store()                      # nncore.stores: the file from $NNCORE_RUNS_DB, or the default
    store.save(run, weights)                  # a finished training (weights: plain arrays)
    store.get(run_id) / store.list(session) / store.weights(run_id)
    store.interrupt_stale(older_than)         # runs a dead server left "running" become "interrupted"

A training is saved when it starts (status "running"), again every few seconds while it trains
(its curves so far, `updated` set to the time of the save, `server` the process that trains it)
and once more when it ends. A run still "running" whose `updated` is older than STALE_AFTER
seconds belongs to a server that has gone: `interrupt_stale` marks it "interrupted", keeping what
it had recorded; the app calls it at start-up and when such a run's address is opened.

The schema is created and upgraded by each store itself (table `schema_version`). Weights are
stored as .npz bytes (plain float arrays, loaded with allow_pickle=False), bounded: the newest
N runs of each session keep theirs, and a total size cap drops the oldest first.

A run may say whose it is (`learner`) and which class it was trained for (`class_id`); who may
list which runs is nncore.people's to decide (`store.list` is the server's own view: every run).
`store.transaction(work)` gives nncore.people one transaction of SQL written once for both stores
(`Sql`: ? placeholders). A run of a learner the store does not know (forgotten while the run
trained) is not saved.

Nothing from a link becomes a path: run ids must match RUN_ID, and the database's place comes
only from the setting.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .address import differences
from .spec import ExperimentSpec

RUN_ID = re.compile(r"^[0-9a-f]{12}$")
SCHEMA_VERSION = 4
DB_SETTING = "NNCORE_RUNS_DB"  # a file path, or a sqlite "file:...?mode=ro" URI
KEEP_SETTING = "NNCORE_RUNS_KEEP_WEIGHTS"  # newest runs per session that keep their weights
MAX_MB_SETTING = "NNCORE_RUNS_MAX_MB"  # all stored weights together, in megabytes
TIMEOUT_SETTING = "NNCORE_RUNS_TIMEOUT"  # seconds a save waits for another writer
# A running training saves its run at least this often (seconds)...
PROGRESS_EVERY = 3.0
# ...so a "running" run not saved for this long was cut off (its server stopped or crashed).
STALE_AFTER = 15.0
RUNNING, INTERRUPTED = "running", "interrupted"  # run statuses besides a finished training's

# Each step takes the schema from version i to i + 1.
MIGRATIONS = [
    """CREATE TABLE runs (
        id TEXT PRIMARY KEY, session TEXT NOT NULL, created REAL NOT NULL, spec TEXT NOT NULL,
        status TEXT NOT NULL, message TEXT NOT NULL DEFAULT '', epochs INTEGER NOT NULL DEFAULT 0,
        seconds REAL NOT NULL DEFAULT 0, history TEXT NOT NULL DEFAULT '{}',
        confusion TEXT, class_names TEXT NOT NULL DEFAULT '[]', parent TEXT,
        changes TEXT NOT NULL DEFAULT '');
     CREATE INDEX runs_by_session ON runs (session, created);""",
    """CREATE TABLE weights (
        run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE, session TEXT NOT NULL,
        created REAL NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL);
     CREATE INDEX weights_by_age ON weights (created);""",
    # version 3: runs are saved while they train; `updated` says when last, `server` by whom
    """ALTER TABLE runs ADD COLUMN updated REAL NOT NULL DEFAULT 0;
     ALTER TABLE runs ADD COLUMN server TEXT NOT NULL DEFAULT '';
     CREATE INDEX runs_by_status ON runs (status, updated);""",
    # version 4: people (nncore.people). A learner is an identity the browser keeps: only its
    # token's SHA-256 is stored. A class is an exercise, a join code (kept: the teacher's page shows
    # it; looked up by its hash) and a teacher secret (its hash only). A run says whose it is and
    # for which class it was trained (both NULL for the runs before: listed to nobody).
    """CREATE TABLE learners (
        id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL, last_seen REAL NOT NULL);
     CREATE TABLE classes (
        id TEXT PRIMARY KEY, code TEXT NOT NULL, code_hash TEXT NOT NULL UNIQUE,
        teacher_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, exercise TEXT NOT NULL, target TEXT NOT NULL,
        created REAL NOT NULL, closed INTEGER NOT NULL DEFAULT 0, show_names INTEGER NOT NULL DEFAULT 0,
        spotlight TEXT);
     CREATE TABLE memberships (
        class_id TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
        learner TEXT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
        name TEXT NOT NULL, joined REAL NOT NULL, left_at REAL, removed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (class_id, learner));
     CREATE INDEX memberships_by_learner ON memberships (learner, joined);
     ALTER TABLE runs ADD COLUMN learner TEXT;
     ALTER TABLE runs ADD COLUMN class_id TEXT;
     CREATE INDEX runs_by_learner ON runs (learner, created);
     CREATE INDEX runs_by_class ON runs (class_id, created);""",
]


class StoreError(RuntimeError):
    """The run store cannot do what was asked (read-only, locked, corrupt, missing): the message
    says so in words a learner understands."""


def new_run_id() -> str:
    return secrets.token_hex(6)


def valid_run_id(text: Any) -> bool:
    return isinstance(text, str) and RUN_ID.fullmatch(text) is not None


@dataclass(frozen=True)
class Run:
    """One training as stored: its spec, curves, final numbers, time and status."""

    id: str
    spec: ExperimentSpec
    session: str = ""
    created: float = 0.0
    status: str = "done"
    message: str = ""
    epochs: int = 0  # epochs completed
    seconds: float = 0.0
    history: dict[str, tuple[float, ...]] = field(default_factory=dict)
    confusion: tuple[tuple[int, ...], ...] | None = None  # rows true, columns predicted
    class_names: tuple[str, ...] = ()
    parent: str | None = None  # the run this one was trained again from
    changes: str = ""  # how it differs from the run before it, in words
    has_weights: bool = False
    updated: float = 0.0  # when it was last saved (a running training saves every PROGRESS_EVERY s)
    server: str = ""  # the server process that trains or trained it
    learner: str | None = None  # whose run it is (nncore.people; None: nobody's, listed to nobody)
    class_id: str | None = None  # the class it was trained for (tagged when the training started)

    def stale(self, now: float | None = None) -> bool:
        """Still "running" in the store, but not saved for STALE_AFTER seconds: cut off."""
        return self.status == RUNNING and (now or time.time()) - self.updated > STALE_AFTER

    def last(self, name: str) -> float | None:
        values = self.history.get(name, ())
        return values[-1] if values else None

    def metrics_csv(self) -> str:
        """The metrics per epoch as CSV: epoch, then one column per metric."""
        names = sorted(self.history)
        lines = [",".join(["epoch", *names])]
        for i in range(max((len(v) for v in self.history.values()), default=0)):
            row = [str(i + 1)] + [repr(float(self.history[n][i])) if i < len(self.history[n]) else ""
                                  for n in names]
            lines.append(",".join(row))
        return "\n".join(lines) + "\n"


def describe_changes(before: ExperimentSpec | None, after: ExperimentSpec) -> str:
    """How `after` differs from `before` in words: "learning_rate 0.001 → 0.01"."""
    if before is None:
        return "first run"
    diff = differences(before, after)
    return "; ".join(f"{name} {old} → {new}" for name, old, new in diff) or "same settings"


def weights_to_bytes(weights: list[np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, *[np.asarray(w, np.float32) for w in weights])
    return buffer.getvalue()


def weights_from_bytes(data: bytes) -> list[np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return [npz[f"arr_{i}"] for i in range(len(npz.files))]


class Sql:
    """One transaction's statements, the same text for both stores: ? placeholders, values passed
    apart from the text (never formatted into it)."""

    def __init__(self, execute):
        self._execute = execute  # (text, args) -> a DB-API cursor

    def rows(self, text: str, *args) -> list[tuple]:
        return list(self._execute(text, args).fetchall())

    def one(self, text: str, *args) -> tuple | None:
        return self._execute(text, args).fetchone()

    def change(self, text: str, *args) -> int:
        """Run an INSERT, UPDATE or DELETE; how many rows it changed."""
        return self._execute(text, args).rowcount


def learner_known(sql: Sql, learner: str | None) -> bool:
    """A run of nobody, or of a learner the store knows (a learner forgotten meanwhile is not)."""
    return learner is None or sql.one("SELECT 1 FROM learners WHERE id = ?", learner) is not None


class RunStore:
    """What the app needs of a run store. `problem` says why runs are not being saved (None: they are)."""

    problem: str | None = None
    shared: bool = False  # other servers (replicas) write to it too
    max_bytes: int = 200 * 2**20  # all stored weights together
    keep_per_session: int = 5  # the newest runs of each session that keep their weights

    # save is the same for every store too: its SQL (? placeholders) runs in the store's transaction;
    # each store only bounds the stored weights its own way (_bound).
    _SAVED = ("id", "session", "created", "spec", "status", "message", "epochs", "seconds", "history",
              "confusion", "class_names", "parent", "changes", "updated", "server", "learner", "class_id")
    _UPSERT = (f"INSERT INTO runs ({', '.join(_SAVED)}) VALUES ({', '.join('?' * len(_SAVED))}) ON CONFLICT (id) "
               f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _SAVED[1:])}")

    def save(self, run: Run, weights: list[np.ndarray] | None = None) -> None:
        """Insert or update the run; `weights` replace the run's stored weights, and a save without
        them (a running run's progress, a stale run marked interrupted) keeps those stored."""
        if not valid_run_id(run.id):
            raise StoreError(f"not a run id: {run.id[:40]!r}")
        blob = weights_to_bytes(weights) if weights is not None else None
        values = (run.id, run.session, run.created or time.time(), json.dumps(run.spec.to_dict()),
                  str(run.status), run.message, run.epochs, run.seconds,
                  json.dumps({k: list(map(float, v)) for k, v in run.history.items()}),
                  json.dumps([list(map(int, r)) for r in run.confusion]) if run.confusion is not None else None,
                  json.dumps(list(run.class_names)), run.parent, run.changes, run.updated or time.time(),
                  run.server, run.learner, run.class_id)

        def work(sql: Sql) -> None:
            if not learner_known(sql, run.learner):
                return  # forgotten while it trained: its last saves are dropped
            # an upsert, not INSERT OR REPLACE: replacing the row would delete its weights (ON DELETE CASCADE)
            sql.change(self._UPSERT, *values)
            if blob is None:
                return
            sql.change("DELETE FROM weights WHERE run_id = ?", run.id)
            if len(blob) <= self.max_bytes:
                sql.change("INSERT INTO weights (run_id, session, created, size, data) VALUES (?, ?, ?, ?, ?)",
                           run.id, run.session, time.time(), len(blob), blob)
                self._bound(sql, run.session)

        self.transaction(work, write=True)

    def _bound(self, sql: Sql, session: str) -> None:
        """Weights of the session's older runs beyond the newest keep_per_session go, then the oldest
        anyone's until all of them fit in max_bytes."""
        sql.change("DELETE FROM weights WHERE session = ? AND run_id NOT IN (SELECT run_id FROM weights "
                   "WHERE session = ? ORDER BY created DESC LIMIT ?)", session, session, self.keep_per_session)
        total = sql.one("SELECT COALESCE(SUM(size), 0) FROM weights")[0]
        if total <= self.max_bytes:
            return
        for run_id, size in sql.rows("SELECT run_id, size FROM weights ORDER BY created"):
            if total <= self.max_bytes:
                break
            sql.change("DELETE FROM weights WHERE run_id = ?", run_id)
            total -= size

    # get and list are the same for every store: each store only selects the rows (_select_run,
    # _select_runs: _COLUMNS, in _row's order), read here the same way.
    _COLUMNS = ("r.id, r.session, r.created, r.spec, r.status, r.message, r.epochs, r.seconds, r.history, "
                "r.confusion, r.class_names, r.parent, r.changes, w.run_id IS NOT NULL, r.updated, r.server, "
                "r.learner, r.class_id")

    def _row(self, row) -> Run:
        (run_id, session, created, spec, status, message, epochs, seconds, history, confusion,
         class_names, parent, changes, has_weights, updated, server, learner, class_id) = row
        return Run(run_id, ExperimentSpec.from_dict(json.loads(spec)), session, created, status, message,
                   epochs, seconds, {k: tuple(v) for k, v in json.loads(history).items()},
                   tuple(tuple(r) for r in json.loads(confusion)) if confusion else None,
                   tuple(json.loads(class_names)), parent, changes, bool(has_weights), updated, server, learner,
                   class_id)

    def get(self, run_id: str) -> Run | None:
        if not valid_run_id(run_id):
            return None
        row = self._select_run(run_id)
        if not row:
            return None
        try:
            return self._row(row)
        except (ValueError, TypeError, KeyError) as e:  # SpecError is a ValueError
            raise StoreError(f"run {run_id} was saved by another version of the app, whose settings this "
                             f"one cannot read ({e})") from None

    def list(self, session: str | None = None, limit: int = 100) -> list[Run]:
        runs = []
        for row in self._select_runs(session, limit):
            try:
                runs.append(self._row(row))
            except (ValueError, TypeError, KeyError):  # saved by another version of the app: left out
                continue
        return runs

    def runs_where(self, sql: Sql, where: str, args: tuple = (), limit: int = 1000) -> list[Run]:
        """Runs matching `where` (SQL over `runs r`, ? placeholders), newest first, in the
        transaction `sql`. For nncore.people, the one place that decides whose runs a page lists."""
        rows = sql.rows(f"SELECT {self._COLUMNS} FROM runs r LEFT JOIN weights w ON w.run_id = r.id WHERE {where} "
                        "ORDER BY r.created DESC LIMIT ?", *args, int(limit))
        runs = []
        for row in rows:
            try:
                runs.append(self._row(row))
            except (ValueError, TypeError, KeyError):  # saved by another version of the app: left out
                continue
        return runs

    def transaction(self, work, write: bool = False):
        """work(Sql) in one transaction (write: one writer at a time); database errors become StoreError."""
        raise NotImplementedError

    def _select_run(self, run_id: str):
        """The row of _COLUMNS of run `run_id` (a valid id), or None."""
        raise NotImplementedError

    def _select_runs(self, session: str | None, limit: int) -> list:
        """Rows of _COLUMNS, newest first: `session`'s runs, or everyone's (None), at most `limit`."""
        raise NotImplementedError

    def weights(self, run_id: str) -> list[np.ndarray] | None:
        raise NotImplementedError

    def interrupt_stale(self, older_than: float = STALE_AFTER, now: float | None = None) -> int:
        """Mark every run still "running" whose `updated` is more than `older_than` seconds before
        `now` as "interrupted" (its curves and numbers as last saved stay); returns how many."""
        raise NotImplementedError


INTERRUPTED_MESSAGE = ("Interrupted: the server stopped while this run was training. "
                       "What it had recorded by then is shown.")
