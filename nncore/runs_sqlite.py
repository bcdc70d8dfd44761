"""The run store in an embedded SQLite file (stdlib sqlite3: no extra package), the default store;
the interface, the Run record and the schema are nncore.runs', shared with nncore.runs_pg.

    store = SQLiteRunStore(default_path())    # nncore.stores.open_store() makes it from the settings

Each call opens its own connection (safe from any thread); the database runs in WAL mode with a
busy timeout, so two sessions saving at once wait for each other instead of failing. The file's
place comes only from the setting (or default_path()), never from a link.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import numpy as np

from .runs import (INTERRUPTED, INTERRUPTED_MESSAGE, MIGRATIONS, RUNNING, SCHEMA_VERSION, STALE_AFTER, RunStore,
                   Sql, StoreError, valid_run_id, weights_from_bytes)


def _explain(e: sqlite3.Error) -> str:
    text = str(e)
    if "readonly" in text or "read-only" in text:
        return f"the run database is read-only ({text})"
    if "locked" in text or "busy" in text:
        return f"the run database is locked by another program ({text})"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"the run database file is damaged ({text})"
    if "unable to open" in text:
        return f"the run database cannot be opened ({text})"
    return f"the run database failed: {type(e).__name__}: {text}"


class SQLiteRunStore(RunStore):
    def __init__(self, path: str | Path, keep_per_session: int = 5, max_bytes: int = 200 * 2**20,
                 timeout: float = 30.0):
        self.path = str(path)
        self.keep_per_session = keep_per_session
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.problem = None
        try:
            if not self.path.startswith("file:"):
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._prepare()
        except (sqlite3.Error, OSError) as e:
            self.problem = _explain(e) if isinstance(e, sqlite3.Error) else f"the run database's folder: {e}"

    # ---- connections and schema ----------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=self.timeout, uri=self.path.startswith("file:"),
                              isolation_level=None)  # transactions are explicit (BEGIN IMMEDIATE)
        con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        con.execute("PRAGMA foreign_keys = ON")
        return con

    def version(self, con: sqlite3.Connection | None = None) -> int:
        """The database's schema version (0: empty)."""
        own = con is None
        con = con or self._connect()
        try:
            if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").fetchone():
                return 0
            row = con.execute("SELECT version FROM schema_version").fetchone()
            return row[0] if row else 0
        finally:
            if own:
                con.close()

    def _prepare(self) -> None:
        """Create or upgrade the schema to SCHEMA_VERSION (no writes when it is current)."""
        current = self.version()
        if current > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {current} is newer than this app's {SCHEMA_VERSION}")
        if current == SCHEMA_VERSION:
            return
        con = self._connect()
        try:
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("BEGIN IMMEDIATE")
            current = self.version(con)  # another process may have upgraded it meanwhile
            if current == 0:
                con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            for step in range(current, SCHEMA_VERSION):
                # statement by statement: executescript() would commit the transaction
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        con.execute(statement)
            con.execute("DELETE FROM schema_version")
            con.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    def _run(self, work, write: bool = False):
        """Call work(connection) in one transaction; sqlite errors become StoreError."""
        if self.problem and write:
            raise StoreError(self.problem)
        try:
            con = self._connect()
        except sqlite3.Error as e:
            raise StoreError(_explain(e)) from None
        try:
            con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            result = work(con)
            con.execute("COMMIT")
            return result
        except sqlite3.Error as e:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise StoreError(_explain(e)) from None
        finally:
            con.close()

    # ---- the interface -------------------------------------------------------------------

    def transaction(self, work, write: bool = False):
        return self._run(lambda con: work(Sql(con.execute)), write)

    def _select_run(self, run_id: str):
        return self._run(lambda con: con.execute(
            f"SELECT {self._COLUMNS} FROM runs r LEFT JOIN weights w ON w.run_id = r.id WHERE r.id = ?",
            (run_id,)).fetchone())

    def _select_runs(self, session: str | None, limit: int) -> list:
        where, args = ("WHERE r.session = ?", (session,)) if session is not None else ("", ())
        return self._run(lambda con: con.execute(
            f"SELECT {self._COLUMNS} FROM runs r LEFT JOIN weights w ON w.run_id = r.id {where} "
            "ORDER BY r.created DESC LIMIT ?", (*args, limit)).fetchall())

    def weights(self, run_id: str) -> list[np.ndarray] | None:
        if not valid_run_id(run_id):
            return None
        row = self._run(lambda con: con.execute("SELECT data FROM weights WHERE run_id = ?", (run_id,)).fetchone())
        return weights_from_bytes(row[0]) if row else None

    def interrupt_stale(self, older_than: float = STALE_AFTER, now: float | None = None) -> int:
        if self.problem:
            return 0
        cutoff = (now or time.time()) - older_than
        return self._run(lambda con: con.execute(
            "UPDATE runs SET status = ?, message = ? WHERE status = ? AND updated < ?",
            (INTERRUPTED, INTERRUPTED_MESSAGE, RUNNING, cutoff)).rowcount, write=True)

    def total_weight_bytes(self) -> int:
        return self._run(lambda con: con.execute("SELECT COALESCE(SUM(size), 0) FROM weights").fetchone()[0])


def default_path() -> Path:
    """Outside the repository, in the user's data folder: ~/.local/share/nn-playground/runs.sqlite3."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "nn-playground" / "runs.sqlite3"
