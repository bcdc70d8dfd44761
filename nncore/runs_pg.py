"""The run store on PostgreSQL: the same RunStore as nncore.runs_sqlite's, for N replicas.

    NNCORE_DATABASE_URL=postgresql://user:password@host:5432/playground streamlit run app/main.py

`nncore.stores.open_store()` picks this store when that setting (or a `postgresql://`
NNCORE_RUNS_DB) is set; SQLite stays the default. Every replica of the app then sees every run: a run's address opens on
any of them, and weights are bounded for all of them together (keep_per_session, max_bytes).

The schema is SQLite's own (nncore.runs.MIGRATIONS, applied step by step under an advisory lock
so two replicas starting at once do not both upgrade), with its types spelled for PostgreSQL:
REAL becomes DOUBLE PRECISION (PostgreSQL's REAL has 6 digits: a time would lose its seconds)
and BLOB becomes BYTEA. Give the app a database of its own: the tables are `runs`, `weights`,
`learners`, `classes`, `memberships` and `schema_version`.

Queries are parameterised (psycopg's %s), never built from a run's or a link's text. Connections
are kept in a small pool (idle ones reused, broken ones dropped); each call is one transaction.
Database errors become StoreError with a message a learner can read; the URL's password never
appears in a message.
"""

from __future__ import annotations

import importlib.util
import queue
import re
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from .runs import (INTERRUPTED, INTERRUPTED_MESSAGE, MIGRATIONS, RUNNING, SCHEMA_VERSION, STALE_AFTER, RunStore,
                   Sql, StoreError, valid_run_id, weights_from_bytes)

URL_SETTING = "NNCORE_DATABASE_URL"
SCHEMES = ("postgresql://", "postgres://")
MIGRATION_LOCK = 4_217_017  # pg_advisory_xact_lock key: one replica upgrades the schema at a time
BOUND_LOCK = 4_217_018  # and one at a time trims the stored weights
POOL_SIZE = 4


def is_url(text) -> bool:
    return isinstance(text, str) and text.startswith(SCHEMES)


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def postgres_ddl(statement: str) -> str:
    """An SQLite migration statement in PostgreSQL's types."""
    statement = re.sub(r"\bREAL\b", "DOUBLE PRECISION", statement)
    return re.sub(r"\bBLOB\b", "BYTEA", statement)


def postgres_sql(text: str) -> str:
    """A statement written with SQLite's ? placeholders in psycopg's %s (a literal % doubled)."""
    return text.replace("%", "%%").replace("?", "%s")


class PostgresRunStore(RunStore):
    shared = True  # every replica of the app writes here

    def __init__(self, url: str, keep_per_session: int = 5, max_bytes: int = 200 * 2**20, timeout: float = 30.0):
        self.url = url
        self.keep_per_session = keep_per_session
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.problem = None
        self._idle: queue.LifoQueue = queue.LifoQueue(maxsize=POOL_SIZE)
        self._lock = threading.Lock()
        if importlib.util.find_spec("psycopg") is None:
            self.problem = ("the run database is PostgreSQL, and the package psycopg is not installed "
                            "(pip install -r requirements.txt)")
            return
        try:
            self._prepare()
        except StoreError as e:
            self.problem = str(e)

    # ---- connections and schema ----------------------------------------------------------

    def _explain(self, e: Exception) -> str:
        import psycopg

        text = str(e).replace(self.url, safe_url(self.url)).strip().splitlines()[0] if str(e) else type(e).__name__
        where = safe_url(self.url)
        if isinstance(e, psycopg.OperationalError):
            return f"the run database at {where} cannot be reached ({text})"
        if isinstance(e, psycopg.errors.ReadOnlySqlTransaction) or "read-only" in text:
            return f"the run database is read-only ({text})"
        if isinstance(e, (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled)):
            return f"the run database is locked by another program ({text})"
        if isinstance(e, psycopg.errors.InsufficientPrivilege):
            return f"the run database does not let this app write ({text})"
        return f"the run database failed: {type(e).__name__}: {text}"

    def _connect(self, fresh: bool = False):
        """(connection, pooled): an idle one from the pool unless `fresh`, else a new one."""
        import psycopg

        while not fresh:
            try:
                con = self._idle.get_nowait()
            except queue.Empty:
                break
            if not con.closed and not con.broken:
                return con, True
        return psycopg.connect(self.url, autocommit=True, connect_timeout=max(1, int(self.timeout)),
                               options=f"-c lock_timeout={int(self.timeout * 1000)}"
                                       f" -c statement_timeout={int(self.timeout * 4000)}"), False

    def _release(self, con, broken: bool) -> None:
        if broken or con.closed or con.info.transaction_status != 0:  # 0: idle, no transaction open
            con.close()
            return
        try:
            self._idle.put_nowait(con)
        except queue.Full:
            con.close()

    def _run(self, work, write: bool = False):
        """Call work(cursor) in one transaction; database errors become StoreError. A pooled
        connection that has died meanwhile (the database restarted) is dropped and the work done
        once more on a new one: every call here is a whole transaction, safe to repeat."""
        import psycopg

        if self.problem and write:
            raise StoreError(self.problem)
        for attempt in range(2):
            try:
                con, pooled = self._connect(fresh=attempt > 0)
            except psycopg.Error as e:
                raise StoreError(self._explain(e)) from None
            broken = False
            try:
                with con.transaction(), con.cursor() as cur:
                    return work(cur)
            except psycopg.OperationalError as e:
                broken = True
                if pooled and attempt == 0:
                    continue
                raise StoreError(self._explain(e)) from None
            except psycopg.Error as e:
                raise StoreError(self._explain(e)) from None
            except BaseException:
                broken = True
                raise
            finally:
                self._release(con, broken)

    def version(self) -> int:
        """The database's schema version (0: empty)."""
        def work(cur):
            cur.execute("SELECT to_regclass('schema_version') IS NOT NULL")
            if not cur.fetchone()[0]:
                return 0
            cur.execute("SELECT version FROM schema_version")
            row = cur.fetchone()
            return row[0] if row else 0

        return self._run(work)

    def _prepare(self) -> None:
        """Create or upgrade the schema to SCHEMA_VERSION (no writes when it is current)."""
        current = self.version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"the run database's schema version {current} is newer than this app's {SCHEMA_VERSION}")
        if current == SCHEMA_VERSION:
            return

        def work(cur):
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            cur.execute("SELECT version FROM schema_version")
            row = cur.fetchone()
            done = row[0] if row else 0  # another replica may have upgraded it meanwhile
            for step in range(done, SCHEMA_VERSION):
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        cur.execute(postgres_ddl(statement))
            cur.execute("DELETE FROM schema_version")
            cur.execute("INSERT INTO schema_version VALUES (%s)", (SCHEMA_VERSION,))

        self._run(work, write=False)  # write=False: self.problem is not set yet anyway

    # ---- the interface -------------------------------------------------------------------

    @staticmethod
    def _sql(cur) -> Sql:
        def execute(text, args):
            cur.execute(postgres_sql(text), args)
            return cur

        return Sql(execute)

    def transaction(self, work, write: bool = False):
        return self._run(lambda cur: work(self._sql(cur)), write)

    def _bound(self, sql: Sql, session: str) -> None:
        sql.one("SELECT pg_advisory_xact_lock(?)", BOUND_LOCK)  # one replica at a time
        super()._bound(sql, session)

    def _select_run(self, run_id: str):
        def work(cur):
            cur.execute(f"SELECT {self._COLUMNS} FROM runs r LEFT JOIN weights w ON w.run_id = r.id WHERE r.id = %s",
                        (run_id,))
            return cur.fetchone()

        return self._run(work)

    def _select_runs(self, session: str | None, limit: int) -> list:
        where, args = ("WHERE r.session = %s", (session,)) if session is not None else ("", ())

        def work(cur):
            cur.execute(f"SELECT {self._COLUMNS} FROM runs r LEFT JOIN weights w ON w.run_id = r.id {where} "
                        "ORDER BY r.created DESC LIMIT %s", (*args, int(limit)))
            return cur.fetchall()

        return self._run(work)

    def weights(self, run_id: str) -> list[np.ndarray] | None:
        if not valid_run_id(run_id):
            return None

        def work(cur):
            cur.execute("SELECT data FROM weights WHERE run_id = %s", (run_id,))
            return cur.fetchone()

        row = self._run(work)
        return weights_from_bytes(bytes(row[0])) if row else None

    def interrupt_stale(self, older_than: float = STALE_AFTER, now: float | None = None) -> int:
        if self.problem:
            return 0
        cutoff = (now or time.time()) - older_than

        def work(cur):
            cur.execute("UPDATE runs SET status = %s, message = %s WHERE status = %s AND updated < %s",
                        (INTERRUPTED, INTERRUPTED_MESSAGE, RUNNING, cutoff))
            return cur.rowcount

        return self._run(work, write=True)

    def total_weight_bytes(self) -> int:
        def work(cur):
            cur.execute("SELECT COALESCE(SUM(size), 0) FROM weights")
            return cur.fetchone()[0]

        return self._run(work)

    def close(self) -> None:
        """Close the idle connections (a store in use opens new ones as needed)."""
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
