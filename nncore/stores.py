"""Which run store the settings name: SQLite (nncore.runs_sqlite) by default, PostgreSQL (nncore.runs_pg)
when a postgresql:// URL is given.

    store = open_store()          # $NNCORE_RUNS_DB, else $NNCORE_DATABASE_URL, else default_path()

Its own module so that the two stores need not know each other: runs_sqlite and runs_pg build on
runs, and this module on both.
"""

from __future__ import annotations

import os
from pathlib import Path

from .runs import DB_SETTING, KEEP_SETTING, MAX_MB_SETTING, TIMEOUT_SETTING, RunStore
from .runs_sqlite import SQLiteRunStore, default_path
from .runs_pg import URL_SETTING, PostgresRunStore, is_url


def open_store(path: str | Path | None = None) -> RunStore:
    """The run store the settings name ($NNCORE_RUNS_DB, else default_path()). Never raises: a store
    that cannot save says why in `problem`. PostgreSQL when `path` or $NNCORE_RUNS_DB is a
    postgresql:// URL, or, with neither given, $NNCORE_DATABASE_URL is set (psycopg is imported
    only then)."""
    options = dict(keep_per_session=int(os.environ.get(KEEP_SETTING, "5")),
                   max_bytes=int(float(os.environ.get(MAX_MB_SETTING, "200")) * 2**20),
                   timeout=float(os.environ.get(TIMEOUT_SETTING, "30")))
    url = str(path or os.environ.get(DB_SETTING) or os.environ.get(URL_SETTING) or "")
    if is_url(url):
        return PostgresRunStore(url, **options)
    return SQLiteRunStore(path or os.environ.get(DB_SETTING) or default_path(), **options)
